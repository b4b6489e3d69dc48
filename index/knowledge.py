"""`KnowledgeIndex`: the one object the serving side uses to ingest, list, delete and search."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from .analyze import analyze, source_hash
from .chunking import chunk_article
from .embedding import Embedder, MiniLMEmbedder
from .errors import ParseError
from .lexical import BM25Index
from .manifest import Manifest
from .models import Article, ArticleInfo, ArticleRecord, Chunk, IngestReport, IngestResult, Passage
from .search import diversify, reciprocal_rank_fusion
from .vectors import ChromaVectors

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]  # (chunks just embedded, total chunks to embed)
EMBED_BATCH_CHUNKS = 1024


class KnowledgeIndex:
    """Manifest (SQLite) + vectors (Chroma) + BM25, kept in step.

    Ingest order makes a crash harmless: new chunk vectors are upserted under new ids, then the
    manifest switches the article to them in one transaction, then old vectors are deleted.
    Search only returns chunks the manifest calls live; the next ingest sweeps leftovers.
    """

    def __init__(
        self,
        data_dir: Path,
        chroma_url: str | None = None,
        embedder: Embedder | None = None,
        extra_outlets: Iterable[str] = (),
        chroma_timeout_s: float = 10.0,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.manifest = Manifest(self.data_dir / "index.sqlite")
        self.vectors = ChromaVectors(
            path=None if chroma_url else self.data_dir / "chroma", url=chroma_url, timeout_s=chroma_timeout_s
        )
        self.embedder: Embedder = embedder or MiniLMEmbedder()
        self.extra_outlets = tuple(extra_outlets)
        self._cache_lock = threading.Lock()
        self._cache_version = -1
        self._chunks: dict[str, Chunk] = {}
        self._bm25 = BM25Index([])
        self._vocabulary: frozenset[str] = frozenset()
        self._outlets: list[str] = []
        self._texts: dict[str, str] = {}

    # ----- reading -------------------------------------------------------------------------
    def articles(self) -> list[ArticleInfo]:
        return self.manifest.articles()

    def article(self, article_id: str) -> ArticleInfo | None:
        return self.manifest.get(article_id)

    def article_text(self, article_id: str) -> str | None:
        return self.manifest.article_text(article_id)

    def chunks(self) -> dict[str, Chunk]:
        """Live chunks by id (cached until the manifest version moves)."""
        self._refresh()
        return self._chunks

    def vocabulary(self) -> frozenset[str]:
        """Every (stemmed) term that occurs in a live chunk."""
        self._refresh()
        return self._vocabulary

    def idf(self, term: str) -> float:
        """BM25 inverse document frequency of a stemmed term (high = rare in the articles)."""
        self._refresh()
        return self._bm25.idf(term)

    def outlets(self) -> list[str]:
        """Every outlet a live sentence is attributed to, and every publisher."""
        self._refresh()
        return self._outlets

    def text_before(self, chunk: Chunk, offset: int, chars: int) -> str:
        """Up to `chars` characters of the article's stored text before `offset`."""
        self._refresh()
        text = self._texts.get(chunk.article_id)
        if text is None:
            text = self.manifest.article_text(chunk.article_id) or ""
            self._texts[chunk.article_id] = text
        return text[max(0, offset - chars) : offset]

    @property
    def version(self) -> int:
        return self.manifest.version()

    def _refresh(self) -> None:
        version = self.manifest.version()
        if version == self._cache_version:
            return
        with self._cache_lock:
            if version == self._cache_version:
                return
            chunks = self.manifest.load_chunks()
            self._chunks = {c.id: c for c in chunks}
            self._bm25 = BM25Index([(c.id, f"{c.article_title} {c.section or ''} {c.text}") for c in chunks])
            self._vocabulary = self._bm25.vocabulary()
            outlets: dict[str, None] = {}
            for c in chunks:
                for o in (*c.outlets, *([c.publisher] if c.publisher else [])):
                    outlets.setdefault(o, None)
            self._outlets = list(outlets)
            self._texts = {}
            self._cache_version = version

    # ----- writing -------------------------------------------------------------------------
    def ingest_records(self, records: list[ArticleRecord], progress: Progress | None = None) -> IngestReport:
        """Analyse, chunk, embed and store records; unchanged ones cost no embedding."""
        report = IngestReport()
        self._sweep()
        pending: list[tuple[IngestResult, Article, list[Chunk], bool]] = []
        seen: dict[str, tuple[str, str]] = {}
        live_vectors = None
        for record in records:
            result = IngestResult(source=record.where(), status="failed", article_id=record.id, title=record.title)
            report.results.append(result)
            raw_hash = source_hash(record)
            if record.id in seen:
                first_where, first_hash = seen[record.id]
                if first_hash != raw_hash:
                    result.message = (
                        f"{record.where()}: duplicate id '{record.id}' (also in {first_where}) with different text; "
                        "skipped — give one of them another id"
                    )
                else:
                    result.status, result.message = "unchanged", f"duplicate of {first_where}"
                continue
            if record.id:
                seen[record.id] = (record.where(), raw_hash)
            existing = self.manifest.get(record.id) if record.id else None
            if existing and existing.source_hash == raw_hash:
                # the same record as last time: skip analysis when its vectors are all there
                if live_vectors is None:
                    live_vectors = self.vectors.ids()
                if self.manifest.chunk_ids(existing.id) <= live_vectors:
                    result.status, result.chunks, result.title = "unchanged", existing.chunks, existing.title
                    continue
                log.warning("article %s lost vectors; re-embedding", existing.id)
            try:
                article = analyze(record, self.extra_outlets)
            except ParseError as exc:
                result.message = str(exc)
                continue
            chunks = chunk_article(article)
            if existing and existing.content_hash == article.content_hash:
                if live_vectors is None:
                    live_vectors = self.vectors.ids()
                if all(c.id in live_vectors for c in chunks):
                    result.status, result.chunks = "unchanged", existing.chunks
                    continue
                log.warning("article %s lost vectors; re-embedding", article.id)
            pending.append((result, article, chunks, existing is not None))
        total = sum(len(chunks) for _, _, chunks, _ in pending)
        log.info("ingest: %d articles to embed (%d chunks)", len(pending), total)
        batches = list(_batches(pending, EMBED_BATCH_CHUNKS))
        if len(batches) <= 1:  # one article from the API, say: no thread needed
            for batch in batches:
                self._store_batch(batch, self._encode(batch), progress, total)
            return report
        # Embedding batch i+1 overlaps with storing batch i (one writer thread, so articles are
        # still stored in order, each upsert → commit → delete as the crash-safety rule needs).
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefbot-store") as writer:
            stored: Future[None] | None = None
            try:
                for batch in batches:
                    vectors = self._encode(batch)
                    if stored is not None:
                        stored.result()  # a store failure stops the ingest here
                    stored = writer.submit(self._store_batch, batch, vectors, progress, total)
                if stored is not None:
                    stored.result()
            finally:
                writer.submit(self.manifest.db.release).result()  # the writer thread's connection
        return report

    def _encode(self, batch: list[tuple[IngestResult, Article, list[Chunk], bool]]) -> np.ndarray:
        return self.embedder.encode([c.embedding_text() for _, _, chunks, _ in batch for c in chunks])

    def _store_batch(
        self, batch: list[tuple[IngestResult, Article, list[Chunk], bool]], vectors: np.ndarray,
        progress: Progress | None, total: int,
    ) -> None:
        offset = 0
        for result, article, chunks, existed in batch:
            own = vectors[offset : offset + len(chunks)]
            offset += len(chunks)
            self.vectors.upsert(chunks, own)
            stale = self.manifest.commit(article, chunks)
            self.vectors.delete(stale)
            result.status = "replaced" if existed else "added"
            result.chunks = len(chunks)
            result.title = article.title
            if progress:
                progress(len(chunks), total)

    def delete(self, article_id: str) -> bool:
        """Remove an article from the manifest, BM25 and Chroma. False when it is not indexed."""
        ids = self.manifest.delete(article_id)
        if ids is None:
            return False
        self.vectors.delete(ids)
        return True

    def _sweep(self) -> None:
        """Delete vectors no live chunk points at (left by an interrupted ingest or delete)."""
        orphans = self.vectors.ids() - self.manifest.chunk_ids()
        if orphans:
            log.info("sweeping %d orphaned vectors", len(orphans))
            self.vectors.delete(orphans)

    # ----- searching -----------------------------------------------------------------------
    def search(
        self,
        query: str,
        k: int = 8,
        outlets: list[str] | None = None,
        article_ids: list[str] | None = None,
        published_from: str | None = None,
        published_to: str | None = None,
        per_article: int | None = None,
        candidates: int | None = None,
    ) -> list[Passage]:
        """Hybrid search: dense (Chroma) and BM25 rankings fused by RRF, filtered and diversified."""
        chunks = self.chunks()
        if not chunks or k <= 0:
            return []
        allowed = self._allowed(chunks, outlets, article_ids, published_from, published_to)
        if allowed is not None and not allowed:
            return []
        pool = candidates or max(4 * k, 24)
        vector = self.embedder.embed_query(query)
        restrict = sorted(allowed) if allowed is not None and len(allowed) < len(chunks) else None
        dense = [(i, s) for i, s in self.vectors.query(vector, min(pool, len(chunks)), restrict) if i in chunks]
        lexical = self._bm25.search(query, pool, allowed)
        fused = reciprocal_rank_fusion([[i for i, _ in dense], [i for i, _ in lexical]])
        dense_sim = dict(dense)
        lex_score = dict(lexical)
        n_articles = len({chunks[i].article_id for i, _ in fused})
        cap = per_article or max(2, math.ceil(k / max(1, min(n_articles, 3))))
        picked = diversify([i for i, _ in fused], lambda i: chunks[i].article_id, k, cap)
        scores = dict(fused)
        return [Passage(chunks[i], scores[i], dense_sim.get(i), lex_score.get(i)) for i in picked]

    @staticmethod
    def _allowed(
        chunks: dict[str, Chunk],
        outlets: list[str] | None,
        article_ids: list[str] | None,
        published_from: str | None,
        published_to: str | None,
    ) -> set[str] | None:
        if not (outlets or article_ids or published_from or published_to):
            return None
        wanted_outlets = {o.lower() for o in outlets or []}
        wanted_articles = set(article_ids or [])
        allowed = set()
        for c in chunks.values():
            if wanted_articles and c.article_id not in wanted_articles:
                continue
            if wanted_outlets and not (
                {o.lower() for o in c.outlets} & wanted_outlets or (c.publisher or "").lower() in wanted_outlets
            ):
                continue
            if published_from and (not c.published_at or c.published_at < published_from):
                continue
            if published_to and (not c.published_at or c.published_at[: len(published_to)] > published_to):
                continue
            allowed.add(c.id)
        return allowed

    def ready(self) -> None:
        """Load the model and touch the stores; raises when either is unavailable."""
        if hasattr(self.embedder, "load"):
            self.embedder.load()
        self.vectors.ping()
        self._refresh()


def _batches(
    items: list[tuple[IngestResult, Article, list[Chunk], bool]], max_chunks: int
) -> Iterable[list[tuple[IngestResult, Article, list[Chunk], bool]]]:
    batch: list[tuple[IngestResult, Article, list[Chunk], bool]] = []
    size = 0
    for item in items:
        batch.append(item)
        size += len(item[2])
        if size >= max_chunks:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch
