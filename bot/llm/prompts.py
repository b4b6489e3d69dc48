"""Prompt templates from `prompts/NAME.txt`, loaded by name into langchain `ChatPromptTemplate`s.

A template file is plain text in sections: a line `### system` or `### human` starts a message
of that role. Variables are `{name}` (f-string style); a literal brace is written `{{` / `}}`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from langchain_core.prompts import ChatPromptTemplate

from ..errors import BotError

_SECTION = re.compile(r"^###\s*(system|human)\s*$", re.MULTILINE)


class PromptNotFound(BotError):
    """No prompt file of that name, or one without `### system` / `### human` sections."""


def prompt_text(name: str) -> str:
    """The raw text of `prompts/<name>.txt`."""
    if not re.fullmatch(r"[a-z][a-z0-9_-]*", name):
        raise PromptNotFound(f"invalid prompt name {name!r}")
    path = resources.files("prompts").joinpath(f"{name}.txt")
    if not path.is_file():
        raise PromptNotFound(f"no prompt template prompts/{name}.txt")
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=16)
def load_prompt(name: str) -> ChatPromptTemplate:
    """`prompts/<name>.txt` as a chat prompt (one message per `### role` section)."""
    text = prompt_text(name)
    parts = _SECTION.split(text)
    messages = [(role, body.strip("\n")) for role, body in zip(parts[1::2], parts[2::2], strict=True)]
    if not messages or parts[0].strip():
        raise PromptNotFound(f"prompts/{name}.txt must consist of '### system' / '### human' sections")
    return ChatPromptTemplate.from_messages(messages, template_format="f-string")


def prompt_variables(name: str) -> set[str]:
    """The variables a template expects (what the prompt test checks the code against)."""
    return set(load_prompt(name).input_variables)
