"""Pydantic request and response models of the v1 HTTP contract."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from index import ArticleIn as ArticleIn  # the one record schema, shared with file ingest


class AskFilters(BaseModel):
    outlets: list[str] = Field(default_factory=list, max_length=50)
    article_ids: list[str] = Field(default_factory=list, max_length=500)


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=20000, description="The question, in plain language.")
    conversation_id: str | None = Field(default=None, max_length=200, description="Continue this conversation.")
    filters: AskFilters | None = None


class CitationOut(BaseModel):
    n: int
    outlets: list[str]
    kind: Literal["reported", "analysis"]
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


class GuardRemovalOut(BaseModel):
    sentence: str = Field(description="The model's sentence as written.")
    check: str = Field(description="uncited, unknown-source, planted-instruction, url, outlet, analysis-as-reporting, contradiction or unsupported.")
    reason: str


class GuardOut(BaseModel):
    """LLM mode: what the citation guard did to the model's answer."""

    sentences: int = Field(description="Claim sentences the model wrote.")
    kept: int
    removed: list[GuardRemovalOut] = Field(default_factory=list)
    repaired: list[str] = Field(default_factory=list, description="Sentences whose attribution the guard added.")
    fallback: str | None = Field(default=None, description="Why the extractive answer was used instead, if it was.")


class PublishedRangeOut(BaseModel):
    """When the cited articles were published."""

    earliest: str | None = Field(description="ISO date of the oldest dated cited article.")
    latest: str | None = Field(description="ISO date of the newest dated cited article (= as_of).")
    articles: int = Field(description="Distinct cited articles.")
    undated: int = Field(description="Cited articles without a publication date.")


AS_OF = "ISO date of the newest cited article: how current the answer is (null when ungrounded or every cited article is undated)."


class AskResponse(BaseModel):
    conversation_id: str
    answer: str
    grounded: bool
    citations: list[CitationOut]
    intent: str = "general"
    mode: str = Field(default="extractive", description="extractive, llm, or extractive-fallback (the LLM answer did not check out).")
    resolved_question: str | None = None
    guard: GuardOut | None = Field(default=None, description="LLM mode only: what the citation guard removed or repaired.")
    turn: int | None = Field(default=None, description="This answer's turn in the conversation (for POST /v1/feedback).")
    as_of: str | None = Field(default=None, description=AS_OF)
    published_range: PublishedRangeOut | None = None


class ArticleOut(BaseModel):
    id: str
    title: str
    publisher: str | None
    url: str | None
    published_at: str | None
    chunks: int
    content_hash: str | None = None
    ingested_at: str | None = None
    author: str | None = Field(default=None, description="The byline, when the record or the page's meta tags gave one.")


class ArticleWriteResponse(BaseModel):
    status: Literal["added", "unchanged", "replaced"]
    article: ArticleOut


class TurnOut(BaseModel):
    index: int
    question: str
    created_at: str
    answer: str
    grounded: bool
    citations: list[CitationOut]
    intent: str = "general"
    mode: str = "extractive"
    resolved_question: str | None = None
    as_of: str | None = Field(default=None, description=AS_OF)
    published_range: PublishedRangeOut | None = None


class ConversationOut(BaseModel):
    conversation_id: str
    turns: list[TurnOut]


class FeedbackIn(BaseModel):
    conversation_id: str = Field(min_length=1, max_length=200)
    turn: int | None = Field(default=None, ge=0, description="Turn index; the latest turn when omitted.")
    rating: Literal["up", "down"]
    comment: str | None = Field(default=None, max_length=2000)


class FeedbackOut(BaseModel):
    id: int
    conversation_id: str
    turn: int
    rating: str


class ErrorOut(BaseModel):
    detail: str


class BriefItemOut(BaseModel):
    text: str = Field(description="The cited sentence as written in an answer, with its [n] marker.")
    citations: list[int]
    kind: Literal["reported", "analysis"]
    outlets: list[str]
    actor: str | None = None
    effect: Literal["gains", "loses"] | None = None
    when: list[str] = Field(default_factory=list, description="Date expressions as written.")
    dates: list[str] = Field(default_factory=list, description="ISO dates resolved against published_at.")
    conditional: bool = False


class ActorPositionsOut(BaseModel):
    actor: str
    aliases: list[str]
    items: list[BriefItemOut]


class OutletClaimsOut(BaseModel):
    outlet: str
    items: list[BriefItemOut]


class DifferenceOut(BaseModel):
    point: str
    versions: list[BriefItemOut]


class BriefingOut(BaseModel):
    articles: list[str]
    index_version: int
    topic: str | None
    positions: list[ActorPositionsOut]
    next_steps: list[BriefItemOut]
    gains_losses: list[BriefItemOut]
    by_outlet: list[OutletClaimsOut]
    differences: list[DifferenceOut]
    citations: list[CitationOut]
