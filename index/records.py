"""`ArticleIn`: the one schema of a JSON article record, for JSON/JSONL files and `POST /v1/articles`.

`{id?, title?, outlet? (or publisher?), url?, published_at?, dek?, genre?, text}`; unknown fields
are ignored. `published_at` is normalised to ISO 8601 (`index.dates`). Validation problems become
one `ParseError` naming the record and every bad field.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .dates import normalize_published_at
from .errors import ParseError
from .models import ArticleRecord


class ArticleIn(BaseModel):
    """An article record as JSON."""

    model_config = ConfigDict(extra="ignore")

    id: str | None = Field(default=None, max_length=200, description="Stable id; else derived from the title (API) or file name.")
    title: str | None = Field(default=None, max_length=1000, description="Defaults to the text's first line.")
    outlet: str | None = Field(default=None, max_length=200, description="The publisher.")
    publisher: str | None = Field(default=None, max_length=200, description="Same as `outlet` (either may be sent).")
    url: str | None = Field(default=None, max_length=2000)
    published_at: str | None = Field(default=None, max_length=40, description="A date, stored as ISO 8601; '12/05/2025' is refused as ambiguous.")
    dek: str | None = Field(default=None, max_length=2000)
    genre: str | None = Field(default=None, max_length=40, description="'news' or 'analysis' when the source says so.")
    author: str | None = Field(default=None, max_length=300, description="The byline.")
    text: str = Field(min_length=1, description="The article text; blank lines separate paragraphs.")

    @field_validator("text")
    @classmethod
    def _has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a non-empty string is required")
        return value

    @field_validator("published_at")
    @classmethod
    def _iso_date(cls, value: str | None) -> str | None:
        try:
            return normalize_published_at(value, where="published_at")
        except ParseError as exc:
            raise ValueError(str(exc).removeprefix("published_at: ")) from None

    def to_record(self, source: str = "<api>", line: int | None = None) -> ArticleRecord:
        """The `ArticleRecord` ingest takes (title from the first line when missing)."""
        title = (self.title or "").strip() or next(ln for ln in self.text.split("\n") if ln.strip()).strip()[:120]
        record = ArticleRecord(
            title=title,
            text=self.text.replace("\r\n", "\n"),
            publisher=self.outlet or self.publisher or None,
            url=self.url or None,
            published_at=self.published_at,
            dek=self.dek or None,
            genre=self.genre or None,
            author=(self.author or "").strip() or None,
            source=source,
            line=line,
        )
        if self.id:
            record.set_id(self.id)
        return record


def record_from_mapping(data: Any, source: str, line: int | None = None) -> ArticleRecord:
    """Validate a JSON record into an `ArticleRecord`; `ParseError` names the record and the bad fields."""
    where = f"{source}, line {line}" if line else source
    if not isinstance(data, dict):
        raise ParseError(f"{where}: a record must be a JSON object, got {type(data).__name__}")
    try:
        record = ArticleIn.model_validate(data)
    except ValidationError as exc:
        raise ParseError(f"{where}: {describe(exc)}") from None
    return record.to_record(source, line)


def describe(exc: ValidationError) -> str:
    """'record has no 'text' …; 'url' must be a string' — one phrase per bad field."""
    parts = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error["loc"]) or "record"
        if field == "text" and error["type"] in ("missing", "string_too_short", "value_error"):
            parts.append("record has no 'text' (a non-empty string is required)")
        elif error["type"] == "string_type":
            parts.append(f"'{field}' must be a string")
        else:
            parts.append(f"'{field}': {error['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)
