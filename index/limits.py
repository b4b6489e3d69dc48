"""How large one article may be: checked before any analysis or embedding, so a refusal is immediate.

An article's text is split into sentence chunks of at most a few hundred characters and every
chunk is embedded, so embedding time grows with the text: a 1.6 MB article is thousands of chunks
and minutes of CPU. `DEFAULT_MAX_ARTICLE_CHARS` (1,000,000 characters of text, far above a long
read) is the documented limit, the same for `briefbot ingest` and `POST /v1/articles`.
"""

from __future__ import annotations

from .models import ArticleRecord, IngestResult

DEFAULT_MAX_ARTICLE_CHARS = 1_000_000


def article_too_large(text: str, max_chars: int = DEFAULT_MAX_ARTICLE_CHARS) -> str | None:
    """Why an article with this text is refused (without naming it), or None when it fits."""
    if len(text) <= max_chars:
        return None
    return f"article too large ({len(text):,} characters of text > the {max_chars:,}-character limit); split it into parts"


def refuse_oversized(
    records: list[ArticleRecord], max_chars: int = DEFAULT_MAX_ARTICLE_CHARS
) -> tuple[list[ArticleRecord], list[IngestResult]]:
    """Split records into those that fit and a `failed` result (naming the record) for each that does not."""
    kept: list[ArticleRecord] = []
    failures: list[IngestResult] = []
    for record in records:
        problem = article_too_large(record.text, max_chars)
        if problem is None:
            kept.append(record)
        else:
            failures.append(IngestResult(
                source=record.where(), status="failed", article_id=record.id, title=record.title,
                message=f"{record.where()}: {problem}",
            ))
    return kept, failures
