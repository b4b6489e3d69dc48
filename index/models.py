"""Typed results of the knowledge side: articles, sentences, chunks and search passages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .ids import slugify

Kind = Literal["reported", "analysis"]


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article's stored text, with its attribution.

    `outlets` are the outlets it is attributed to (inline, or the publisher); `speaker` is the
    person or body quoted or paraphrased ("…, Witkoff said"), never an outlet; `entities` are
    named entities as (start, end, label) relative to `text` (spaCy labels: PERSON, ORG, GPE, …).
    """

    start: int
    end: int
    text: str
    outlets: tuple[str, ...]
    kind: Kind
    section: str | None = None
    speaker: str | None = None
    entities: tuple[tuple[int, int, str], ...] = ()

    def entity_texts(self, *labels: str) -> list[str]:
        """The text of each entity, in order, optionally only those with one of `labels`."""
        return [self.text[s:e] for s, e, label in self.entities if not labels or label in labels]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["outlets"] = list(self.outlets)
        d["entities"] = [list(e) for e in self.entities]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Sentence:
        """Load a stored sentence; dicts stored before `speaker`/`entities` existed load with none."""
        entities = tuple((int(s), int(e), str(label)) for s, e, label in d.get("entities") or ())
        return cls(
            d["start"], d["end"], d["text"], tuple(d["outlets"]), d["kind"], d.get("section"),
            d.get("speaker"), entities,
        )


@dataclass
class ArticleRecord:
    """An article as read from a file or API call, before normalisation."""

    title: str
    text: str
    id: str | None = None
    publisher: str | None = None
    url: str | None = None
    published_at: str | None = None
    dek: str | None = None
    source: str = "<api>"
    line: int | None = None
    genre: str | None = None  # "news" or "analysis" when the source says so
    raw_id: str | None = None  # the id as given (or the file name or title it came from); `id` is its slug
    author: str | None = None  # the byline, when the record or the page's meta tags give one

    def set_id(self, raw: str) -> None:
        """Take `raw` (an id, file name or title) as this record's id: `id` becomes its slug."""
        self.raw_id, self.id = raw, slugify(raw)

    def where(self) -> str:
        """Human-readable location of the record, for messages."""
        return f"{self.source}, line {self.line}" if self.line else self.source


@dataclass
class Article:
    """A normalised, segmented, attributed article ready to chunk."""

    id: str
    title: str
    text: str  # the stored text every offset points into
    publisher: str | None
    url: str | None
    published_at: str | None
    content_hash: str
    sentences: list[Sentence] = field(default_factory=list)
    sections: list[tuple[int, str]] = field(default_factory=list)  # (offset, heading)
    source: str = "<api>"
    source_hash: str = ""
    raw_id: str | None = None
    author: str | None = None


@dataclass(frozen=True)
class Chunk:
    """A few consecutive sentences of one article: the unit that is embedded and cited."""

    id: str
    article_id: str
    version: str
    position: int
    text: str
    start: int
    end: int
    sentences: tuple[Sentence, ...]
    section: str | None
    article_title: str
    publisher: str | None
    url: str | None
    published_at: str | None

    @property
    def outlets(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for s in self.sentences:
            for o in s.outlets:
                seen.setdefault(o, None)
        return tuple(seen)

    def embedding_text(self) -> str:
        """What the model sees: the article title and section give context a lone sentence lacks."""
        context = " — ".join(p for p in (self.article_title, self.section) if p)
        return f"{context}: {self.text}" if context else self.text


@dataclass(frozen=True)
class ArticleInfo:
    """A manifest row: what `articles list` shows."""

    id: str
    title: str
    publisher: str | None
    url: str | None
    published_at: str | None
    content_hash: str
    chunks: int
    ingested_at: str
    source: str
    source_hash: str | None = None  # hash of the record as read: equal means re-ingest can skip analysis
    raw_id: str | None = None  # the id as given; None for articles stored before raw ids were kept
    author: str | None = None  # the byline, when the record gave one

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its fused score and the ranks that produced it."""

    chunk: Chunk
    score: float
    dense_similarity: float | None = None
    lexical_score: float | None = None


Status = Literal["added", "unchanged", "replaced", "failed", "deleted"]
ID_CONFLICT = "id_conflict"  # `IngestResult.reason`: another article already has this record's id


@dataclass
class IngestResult:
    """What happened to one file or record in an ingest."""

    source: str
    status: Status
    article_id: str | None = None
    title: str | None = None
    chunks: int = 0
    message: str | None = None
    reason: str | None = None  # why it failed, for clients that branch on it: `ID_CONFLICT`

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class IngestReport:
    """All results of one ingest run, in input order."""

    results: list[IngestResult] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> bool:
        return any(r.status == "failed" for r in self.results)

    def summary(self) -> str:
        parts = [f"{self.count(s)} {s}" for s in ("added", "unchanged", "replaced", "failed")]
        return ", ".join(parts)
