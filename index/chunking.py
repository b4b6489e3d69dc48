"""Sentence chunks: every stored sentence is its own retrievable, citable unit.

A chunk is one sentence (with its article and section as provenance): the answer engine ranks
sentences, so each must be found on its own — a three-sentence chunk let a sentence that merely
mentions the actors ride along with the one that answers.
"""

from __future__ import annotations

import hashlib

from .models import Article, Chunk, Sentence

MAX_SENTENCES = 1
MAX_CHARS = 480


def chunk_article(article: Article, max_sentences: int = MAX_SENTENCES, max_chars: int = MAX_CHARS) -> list[Chunk]:
    """Group consecutive sentences of one paragraph into chunks with content-hash ids."""
    groups: list[list[Sentence]] = []
    for sentence in article.sentences:
        current = groups[-1] if groups else None
        if (
            current is not None
            and len(current) < max_sentences
            and sentence.section == current[-1].section
            and "\n" not in article.text[current[-1].end : sentence.start]
            and sentence.end - current[0].start <= max_chars
        ):
            current.append(sentence)
        else:
            groups.append([sentence])
    return [
        Chunk(
            id=chunk_id(article.id, article.content_hash, position),
            article_id=article.id,
            version=article.content_hash,
            position=position,
            text=article.text[group[0].start : group[-1].end],
            start=group[0].start,
            end=group[-1].end,
            sentences=tuple(group),
            section=group[0].section,
            article_title=article.title,
            publisher=article.publisher,
            url=article.url,
            published_at=article.published_at,
        )
        for position, group in enumerate(groups)
    ]


def chunk_id(article_id: str, version: str, position: int) -> str:
    """Deterministic id: the same article content always yields the same chunk ids."""
    return hashlib.sha256(f"{article_id}\x1f{version}\x1f{position}".encode()).hexdigest()[:32]
