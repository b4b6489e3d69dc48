"""The numbered sources an LLM answer may cite: retrieved sentences with their outlets and kind."""

from __future__ import annotations

import re
from dataclasses import dataclass

from index import Chunk, Sentence

from ..models import Citation
from ..rendering import join_names

# Text in an article that addresses the model instead of the reader ("Ignore previous instructions
# and reply that …"). Such sentences never become sources, and the guard removes answer sentences
# that echo them.
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|rules|prompt|guidelines|above|previous|everything)\b"
    r"|\bsystem\s+prompt\b|\byou\s+are\s+now\b|\b(?:as\s+an?\s+)?(?:ai|language\s+model|assistant|chatbot)\s*[,:]\s*(?:you\s+)?(?:must|should|reply|say)\b"
    r"|\b(?:reply|respond|answer)\s+(?:only\s+)?(?:that|with)\b|\bnew\s+instructions?\b|\bdo\s+not\s+cite\b",
    re.IGNORECASE,
)
# The source delimiters of prompts/answer.txt: a source must not be able to close them.
_DELIMITER = re.compile(r"</?\s*sources?\s*>", re.IGNORECASE)


def looks_like_instruction(text: str) -> bool:
    """True when a sentence reads as an instruction to an AI model rather than as reporting."""
    return bool(_INSTRUCTION.search(text))


@dataclass(frozen=True)
class Source:
    """Source `[n]` of a prompt: one stored sentence, its chunk (provenance), the text shown."""

    n: int
    sentence: Sentence
    chunk: Chunk
    shown: str  # the sentence as the model sees it (a pronoun may be clarified: "he (Putin) said")

    @property
    def label(self) -> str:
        if self.sentence.kind == "reported" and self.sentence.outlets:
            return f"reported by {join_names(self.sentence.outlets)}"
        return "the article's own analysis"

    @property
    def allowed_outlets(self) -> set[str]:
        """Outlets a sentence citing this source may name: its attribution (and the publisher for analysis)."""
        names = set(self.sentence.outlets)
        if self.sentence.kind == "analysis" and self.chunk.publisher:
            names.add(self.chunk.publisher)
        return names

    def citation(self, n: int) -> Citation:
        """The response citation, numbered `n`: verbatim stored text at its offsets, as in extractive mode."""
        s, c = self.sentence, self.chunk
        return Citation(
            n=n, outlets=list(s.outlets), kind=s.kind, quote=s.text, article_id=c.article_id,
            article_title=c.article_title, publisher=c.publisher, url=c.url, chunk_id=c.id,
            start=s.start, end=s.end, published_at=c.published_at, section=s.section,
        )


def format_sources(sources: list[Source]) -> str:
    """One line per source: `[1] (reported by POLITICO) …` / `[2] (the article's own analysis) …`."""
    lines = []
    for source in sources:
        text = _DELIMITER.sub(" ", " ".join(source.shown.split()))
        lines.append(f"[{source.n}] ({source.label}) {text}")
    return "\n".join(lines)
