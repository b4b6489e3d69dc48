"""Typed answers: what the composer produces and every surface serialises."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date
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


def published_date(published_at: str | None) -> date | None:
    """The calendar date of an ISO 8601 `published_at` ("2025-05-16", "2025-05-16T09:30:00Z"), or None."""
    try:
        return date.fromisoformat((published_at or "").strip()[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class PublishedRange:
    """When the articles an answer cites were published: ISO dates of the oldest and newest dated one."""

    earliest: str | None
    latest: str | None
    articles: int  # distinct cited articles
    undated: int  # of those, how many have no usable `published_at`

    @property
    def span_days(self) -> int:
        """Days between the oldest and the newest dated article (0 with fewer than two dates)."""
        if self.earliest is None or self.latest is None:
            return 0
        return (date.fromisoformat(self.latest) - date.fromisoformat(self.earliest)).days

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, citations: list[Citation]) -> PublishedRange | None:
        """The range of the cited articles (each counted once); None when nothing is cited."""
        dates: dict[str, date | None] = {}
        for c in citations:
            dates.setdefault(c.article_id, published_date(c.published_at))
        if not dates:
            return None
        known = sorted(d for d in dates.values() if d is not None)
        return cls(
            earliest=known[0].isoformat() if known else None, latest=known[-1].isoformat() if known else None,
            articles=len(dates), undated=len(dates) - len(known),
        )


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

    @property
    def published_range(self) -> PublishedRange | None:
        """When the cited articles were published (computed from the citations; None if ungrounded)."""
        return PublishedRange.of(self.citations) if self.grounded else None

    @property
    def as_of(self) -> str | None:
        """The newest `published_at` date among the cited articles: how current the answer is."""
        published = self.published_range
        return published.latest if published else None

    def dating(self) -> dict[str, Any]:
        """`as_of` and `published_range` as the v1 JSON carries them."""
        published = self.published_range
        return {"as_of": self.as_of, "published_range": published.to_dict() if published else None}

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
            **self.dating(),
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
