"""Settings → a langchain chat model (OpenAI-compatible servers, Ollama through its /v1 endpoint)."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from ..config import Settings

# Ollama and most local servers ignore the key, but the OpenAI client insists on one.
_NO_KEY = "not-needed"


def chat_model_base_url(settings: Settings) -> str:
    """The OpenAI-compatible base URL: Ollama serves that API under `/v1` of its own address."""
    if not settings.llm_base_url:
        raise ValueError("BRIEFBOT_LLM_BASE_URL is not set")
    url = settings.llm_base_url.rstrip("/")
    if settings.llm_provider == "ollama" and not url.endswith("/v1"):
        url += "/v1"
    return url


def build_chat_model(settings: Settings) -> BaseChatModel:
    """A `ChatOpenAI` for the configured server: no retries (we fall back instead), a hard timeout.

    Retries are off on purpose: a slow or failing model costs the user one timeout, after which
    the extractive composer answers. `temperature=0` keeps answers close to the sources.
    """
    if not settings.llm_model:
        raise ValueError("BRIEFBOT_LLM_MODEL is not set")
    from langchain_openai import ChatOpenAI  # imported lazily: extractive deployments never load it

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else _NO_KEY
    return ChatOpenAI(
        model=settings.llm_model,
        base_url=chat_model_base_url(settings),
        api_key=key,  # type: ignore[arg-type]
        timeout=settings.llm_timeout_s,
        max_retries=0,
        temperature=0,
    )
