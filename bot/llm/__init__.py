"""The LLM answer mode: a langchain chat model writes answers from numbered sources, checked by a citation guard.

Public surface: `LLMComposer` (same `compose` as the extractive composer, plus `stream` and
`condense`), `CitationGuard`, `build_chat_model`, `load_prompt`.
"""

try:
    import langchain_core  # noqa: F401
except ImportError as exc:  # the default install has no LLM packages
    raise ImportError("BRIEFBOT_ANSWER_MODE=llm needs the LLM packages: pip install 'briefbot[llm]'") from exc

from .chat_model import build_chat_model  # noqa: E402
from .composer import LLMComposer  # noqa: E402
from .guard import NOT_ANSWERED, CitationGuard, GuardResult  # noqa: E402
from .prompts import load_prompt, prompt_variables  # noqa: E402

__all__ = ["NOT_ANSWERED", "CitationGuard", "GuardResult", "LLMComposer", "build_chat_model", "load_prompt", "prompt_variables"]
