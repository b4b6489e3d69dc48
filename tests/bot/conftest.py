"""Fixtures of the bot tests: the scripted OpenAI-compatible model server and a seed bot in LLM mode."""

from tests.scripted_llm import llm, llm_bot, llm_server  # noqa: F401
