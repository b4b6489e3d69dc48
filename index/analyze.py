"""From an `ArticleRecord` to an `Article`: normalised text, sentences, outlets and kinds."""

from __future__ import annotations

import hashlib
import json
import re

from .attribution import attribute_article
from .entities import EntityTagger, consistent_labels, default_tagger
from .errors import ParseError
from .models import Article, ArticleRecord, Sentence
from .normalize import LIST_MARK, normalize
from .segment import split_sentences

# Bump when parsing, attribution or chunking changes so that re-ingest refreshes stored chunks.
PIPELINE_VERSION = "9"


def analyze(record: ArticleRecord, extra_outlets: tuple[str, ...] = (), tagger: EntityTagger | None = None) -> Article:
    """Normalise, segment, tag and attribute one record. Raises `ParseError` when no sentence remains.

    Named entities come from `tagger` (the process-wide spaCy tagger by default), one batch per article.
    """
    if not record.id:
        raise ParseError(f"{record.where()}: record has no id")
    if record.url and not re.match(r"^https?://[^\s/]+", record.url.strip(), re.IGNORECASE):
        raise ParseError(f"{record.where()}: url must be an http(s) URL, got {record.url[:80]!r}")
    stored, blocks = normalize(record.text, record.title)
    spans: list[tuple[int, int, str | None, int]] = []  # start, end, section, paragraph
    sections: list[tuple[int, str]] = []
    section: str | None = None
    for number, block in enumerate(blocks):
        if block.furniture:
            section = None
            continue
        if block.heading:
            section = block.text
            sections.append((block.start, block.text))
            continue
        for start, end in split_sentences(block.text, base=block.start):
            mark = LIST_MARK.match(stored, start, end)  # "• Supreme Court upholds the ban": the item, not its bullet
            if mark and mark.end() < end:
                start = mark.end()
            spans.append((start, end, section, number))
    texts = [stored[start:end] for start, end, _, _ in spans]
    entities = [
        tuple((e.start, e.end, e.label) for e in found)
        for found in consistent_labels((tagger or default_tagger()).tag(texts))
    ]
    attributions = attribute_article(
        texts, record.publisher, record.genre, record.title, entities, [p for *_, p in spans], extra_outlets
    )
    sentences = [
        Sentence(start, end, text, a.outlets, a.kind, section, a.speaker, found)
        for (start, end, section, _), text, a, found in zip(spans, texts, attributions, entities, strict=True)
    ]
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
        raw_id=record.raw_id,
        author=record.author,
    )


def source_hash(record: ArticleRecord) -> str:
    """Hash of the record as read (before normalisation): an unchanged file is recognised without analysis."""
    fields = [PIPELINE_VERSION, record.id, record.title, record.publisher, record.url, record.published_at, record.genre,
              record.text]
    payload = json.dumps(fields + ([record.author] if record.author else []), ensure_ascii=False)  # old hashes hold
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def content_hash(record: ArticleRecord, stored_text: str) -> str:
    """Hash of everything that shapes the stored chunks, so an unchanged article is recognised."""
    fields = [PIPELINE_VERSION, record.title, record.publisher, record.url, record.published_at, record.genre, stored_text]
    payload = json.dumps(fields + ([record.author] if record.author else []), ensure_ascii=False)  # old hashes hold
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
