"""The LLM answer mode: a langchain chat model writes answers from numbered sources, checked by a citation guard.

Public surface: `LLMComposer` (same `compose` as the extractive composer, plus `stream` and
`condense`), `CitationGuard`, `build_chat_model`, `load_prompt`.
"""

from .chat_model import build_chat_model
from .composer import LLMComposer
from .guard import NOT_ANSWERED, CitationGuard, GuardResult
from .prompts import load_prompt, prompt_variables

__all__ = ["NOT_ANSWERED", "CitationGuard", "GuardResult", "LLMComposer", "build_chat_model", "load_prompt", "prompt_variables"]
