"""Typed answers: what the composer produces and every surface serialises."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class Citation:
    """One numbered source of an answer: verbatim stored text at its offsets, with provenance."""

    n: int
    outlets: list[str]
    kind: str
    quote: str
    article_id: str
    article_title: str
    publisher: str | None
    url: str | None
    chunk_id: str
    start: int
    end: int
    published_at: str | None = None
    section: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Citation:
        """Tolerant of stored citations written by older or newer versions (unknown keys dropped)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


@dataclass
class Answer:
    """A composed answer. `grounded` is False when the articles do not support one."""

    answer: str
    grounded: bool
    citations: list[Citation] = field(default_factory=list)
    conversation_id: str = ""
    intent: str = "general"
    mode: str = "extractive"  # "extractive", "llm" or "extractive-fallback" (the LLM answer did not check out)
    resolved_question: str | None = None
    guard: dict[str, Any] | None = None  # LLM mode: what the citation guard removed, repaired, or why it fell back
    turn: int | None = None  # the index of the stored conversation turn (for feedback), once stored

    def to_dict(self) -> dict[str, Any]:
        return {
            "conversation_id": self.conversation_id,
            "answer": self.answer,
            "grounded": self.grounded,
            "citations": [c.to_dict() for c in self.citations],
            "intent": self.intent,
            "mode": self.mode,
            "resolved_question": self.resolved_question,
            "guard": self.guard,
            "turn": self.turn,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Answer:
        return cls(
            answer=d["answer"],
            grounded=d["grounded"],
            citations=[Citation.from_dict(c) for c in d.get("citations", [])],
            conversation_id=d.get("conversation_id", ""),
            intent=d.get("intent", "general"),
            mode=d.get("mode", "extractive"),
            resolved_question=d.get("resolved_question"),
            guard=d.get("guard"),
            turn=d.get("turn"),
        )
