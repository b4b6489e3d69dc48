"""From an `ArticleRecord` to an `Article`: normalised text, sentences, outlets and kinds."""

from __future__ import annotations

import hashlib
import json
import re

from .attribution import classify
from .errors import ParseError
from .models import Article, ArticleRecord, Sentence
from .normalize import normalize
from .segment import split_sentences

# Bump when parsing, attribution or chunking changes so that re-ingest refreshes stored chunks.
PIPELINE_VERSION = "1"


def analyze(record: ArticleRecord, extra_outlets: tuple[str, ...] = ()) -> Article:
    """Normalise, segment and attribute one record. Raises `ParseError` when no sentence remains."""
    if not record.id:
        raise ParseError(f"{record.where()}: record has no id")
    if record.url and not re.match(r"^https?://[^\s/]+", record.url.strip(), re.IGNORECASE):
        raise ParseError(f"{record.where()}: url must be an http(s) URL, got {record.url[:80]!r}")
    stored, blocks = normalize(record.text)
    sentences: list[Sentence] = []
    sections: list[tuple[int, str]] = []
    section: str | None = None
    for block in blocks:
        if block.heading:
            section = block.text
            sections.append((block.start, block.text))
            continue
        for start, end in split_sentences(block.text, base=block.start):
            text = stored[start:end]
            outlets, kind = classify(text, record.publisher, record.genre, extra_outlets)
            sentences.append(Sentence(start, end, text, outlets, kind, section))
    if not sentences:
        raise ParseError(f"{record.where()}: no sentences found in the article text")
    return Article(
        id=record.id,
        title=record.title.strip() or record.id,
        text=stored,
        publisher=record.publisher,
        url=record.url,
        published_at=record.published_at,
        content_hash=content_hash(record, stored),
        sentences=sentences,
        sections=sections,
        source=record.source,
        source_hash=source_hash(record),
    )


def source_hash(record: ArticleRecord) -> str:
    """Hash of the record as read (before normalisation): an unchanged file is recognised without analysis."""
    payload = json.dumps(
        [PIPELINE_VERSION, record.id, record.title, record.publisher, record.url, record.published_at, record.genre,
         record.text],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def content_hash(record: ArticleRecord, stored_text: str) -> str:
    """Hash of everything that shapes the stored chunks, so an unchanged article is recognised."""
    payload = json.dumps(
        [PIPELINE_VERSION, record.title, record.publisher, record.url, record.published_at, record.genre, stored_text],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
