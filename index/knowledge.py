"""`KnowledgeIndex`: the one object the serving side uses to ingest, list, delete and search."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .analyze import analyze, source_hash
from .chunking import chunk_article
from .embedding import Embedder, MiniLMEmbedder
from .errors import IdConflict, ParseError, StoreUnavailable
from .ids import same_id
from .lexical import BM25Index
from .manifest import Manifest, conflict_message
from .models import (
    ID_CONFLICT,
    Article,
    ArticleInfo,
    ArticleRecord,
    Chunk,
    IngestReport,
    IngestResult,
    Passage,
)
from .outlets import same_outlet
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
        self._snapshot = Snapshot.empty()
        self._missing_logged: set[str] = set()

    # ----- reading -------------------------------------------------------------------------
    def articles(self) -> list[ArticleInfo]:
        return self.manifest.articles()

    def article(self, article_id: str) -> ArticleInfo | None:
        return self.manifest.get(article_id)

    def article_text(self, article_id: str) -> str | None:
        return self.manifest.article_text(article_id)

    def chunks(self) -> dict[str, Chunk]:
        """Live chunks by id (cached until the manifest version moves)."""
        return self.snapshot().chunks

    def vocabulary(self) -> frozenset[str]:
        """Every (stemmed) term that occurs in a live chunk."""
        return self.snapshot().vocabulary

    def idf(self, term: str) -> float:
        """BM25 inverse document frequency of a stemmed term (high = rare in the articles)."""
        return self.snapshot().bm25.idf(term)

    def outlets(self) -> list[str]:
        """Every outlet a live sentence is attributed to, and every publisher."""
        return self.snapshot().outlets

    def text_before(self, chunk: Chunk, offset: int, chars: int) -> str:
        """Up to `chars` characters of the article's stored text before `offset`."""
        text = self.snapshot().article_text(chunk.article_id, self.manifest)
        return text[max(0, offset - chars) : offset]

    def article_size(self, article_id: str) -> int:
        """How many chunks (sentences) an article has."""
        return self.snapshot().sizes.get(article_id, 0)

    def neighbour(self, chunk: Chunk, step: int) -> Chunk | None:
        """The chunk `step` positions after (or before, when negative) `chunk` in its article."""
        return self.snapshot().by_position.get((chunk.article_id, chunk.position + step))

    @property
    def version(self) -> int:
        return self.manifest.version()

    def snapshot(self) -> Snapshot:
        """The live index as one immutable object: a search reads one snapshot throughout, so a
        refresh in another thread (after an ingest) can never mix old chunks with new BM25 ids."""
        version = self.manifest.version()
        current = self._snapshot
        if version == current.version:
            return current
        with self._cache_lock:
            if version != self._snapshot.version:
                self._snapshot = self._build_snapshot(version, self._snapshot)
            return self._snapshot

    def _fetch_vectors(self, wanted: list[str]) -> dict[str, np.ndarray]:
        """Vectors of `wanted` that Chroma has; a search never fails on an id Chroma lacks.

        Ids another process (a CLI ingest beside `serve`) wrote are invisible to an embedded
        client opened before: a fresh client sees them. An id Chroma lists but cannot read (left
        by a killed ingest) is skipped: that chunk is found by keywords until re-ingested.
        """
        present = self.vectors.ids()
        if not set(wanted) <= present:
            self.vectors.reopen()
            present = self.vectors.ids()
        return self._fetch_tolerant([i for i in wanted if i in present], retry=True)

    def _fetch_tolerant(self, ids: list[str], retry: bool = False) -> dict[str, np.ndarray]:
        if not ids:
            return {}
        try:
            return self.vectors.embeddings(ids)
        except StoreUnavailable as exc:
            if "finding id" not in str(exc):
                raise
            if retry:
                self.vectors.reopen()
                return self._fetch_tolerant(ids)
            if len(ids) == 1:
                return {}
            half = len(ids) // 2
            return {**self._fetch_tolerant(ids[:half]), **self._fetch_tolerant(ids[half:])}

    def _build_snapshot(self, version: int, previous: Snapshot) -> Snapshot:
        chunks = self.manifest.load_chunks()
        known = {cid: previous.vectors[row] for cid, row in previous.rows.items()}
        wanted = [c.id for c in chunks if c.id not in known]
        if wanted:
            fetched = self._fetch_vectors(wanted)
            known.update(fetched)
            missing = [i for i in wanted if i not in fetched]
            if missing and not set(missing) <= self._missing_logged:
                log.warning("%d live chunks have no stored vector; they are found by keywords only", len(missing))
                self._missing_logged.update(missing)
        return Snapshot.build(version, chunks, known)

    # ----- writing -------------------------------------------------------------------------
    def ingest_records(self, records: list[ArticleRecord], progress: Progress | None = None) -> IngestReport:
        """Analyse, chunk, embed and store records; unchanged ones cost no embedding."""
        report = IngestReport()
        self._sweep()
        pending: list[tuple[IngestResult, Article, list[Chunk], bool]] = []
        seen: dict[str, tuple[str, str, str | None]] = {}
        live_vectors = None
        for record in records:
            result = IngestResult(source=record.where(), status="failed", article_id=record.id, title=record.title)
            report.results.append(result)
            raw_hash = source_hash(record)
            if record.id in seen:
                first_where, first_hash, first_raw = seen[record.id]
                if not same_id(first_raw, record.raw_id):
                    result.reason = ID_CONFLICT
                    result.message = f"{record.where()}: {conflict_message(record.raw_id, record.id, first_raw)} (in {first_where})"
                elif first_hash != raw_hash:
                    result.message = (
                        f"{record.where()}: duplicate id '{record.id}' (also in {first_where}) with different text; "
                        "skipped — give one of them another id"
                    )
                else:
                    result.status, result.message = "unchanged", f"duplicate of {first_where}"
                continue
            if record.id:
                seen[record.id] = (record.where(), raw_hash, record.raw_id)
            existing = self.manifest.get(record.id) if record.id else None
            if existing and not same_id(existing.raw_id, record.raw_id):
                result.reason = ID_CONFLICT
                result.message = f"{record.where()}: {conflict_message(record.raw_id, existing.id, existing.raw_id)}"
                continue
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
        # still stored in order: claim → upsert → commit → delete, as the crash-safety rule needs).
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
        # one Chroma write for the whole batch (each write has a fixed cost), each article claimed before
        # it (a concurrent sweep spares claimed vectors) and committed after it, one by one
        claims: list[int] = []
        try:
            for _, article, _, _ in batch:
                claims.append(self.manifest.claim(article.id, article.content_hash))
            self.vectors.upsert([c for _, _, chunks, _ in batch for c in chunks], vectors)
        except BaseException:
            for claim in claims:
                self.manifest.release(claim)
            raise
        for k, ((result, article, chunks, existed), claim) in enumerate(zip(batch, claims, strict=True)):
            try:
                stale = self.manifest.commit(article, chunks, claim)
            except IdConflict as exc:  # another writer took the id since the check: its vectors stay, ours are swept
                self.manifest.release(claim)
                result.reason, result.message = ID_CONFLICT, f"{result.source}: {exc}"
                continue
            except BaseException:
                for later in claims[k:]:
                    self.manifest.release(later)
                raise
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
        """Delete vectors no live chunk points at (left by an interrupted ingest or delete).

        Vectors another writer (a thread, `serve` beside a CLI ingest) has stored but not yet
        committed are not orphans: their article version is claimed. The ids are read before the
        claims, and the claims with the live chunks in one transaction, so a writer that commits
        meanwhile has its chunks in `live` or its claim in `claims`.
        """
        present = self.vectors.ids()
        claims, live = self.manifest.claims_and_live_chunks()
        now = time.time()
        dead = [c for c in claims if not c.alive(now)]
        busy = {(c.article_id, c.version) for c in claims if c.alive(now)}
        orphans = present - live
        if orphans and busy:
            stored = self.vectors.metadata(sorted(orphans))
            orphans = {
                i for i in orphans if (stored.get(i, {}).get("article_id"), stored.get(i, {}).get("version")) not in busy
            }
        if orphans:
            log.info("sweeping %d orphaned vectors", len(orphans))
            self.vectors.delete(orphans)
        self.manifest.release_dead(dead)

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
        """Hybrid search: dense and BM25 rankings fused by RRF, filtered and diversified."""
        snap = self.snapshot()
        pool = self.candidates(query, candidates or max(4 * k, 24), outlets, article_ids, published_from, published_to, snap)
        if not pool or k <= 0:
            return []
        n_articles = len({p.chunk.article_id for p in pool})
        cap = per_article or max(2, math.ceil(k / max(1, min(n_articles, 3))))
        by_id = {p.chunk.id: p for p in pool}
        picked = diversify([p.chunk.id for p in pool], lambda i: by_id[i].chunk.article_id, k, cap)
        return [by_id[i] for i in picked]

    def candidates(
        self,
        query: str,
        n: int = 40,
        outlets: list[str] | None = None,
        article_ids: list[str] | None = None,
        published_from: str | None = None,
        published_to: str | None = None,
        snap: Snapshot | None = None,
    ) -> list[Passage]:
        """The union of the top-`n` dense and top-`n` BM25 chunks, RRF order, each with both scores.

        Dense similarity is exact (the snapshot's vectors, in memory), so every candidate has a
        cosine even when only BM25 found it: what a ranker needs as features.
        """
        snap = snap or self.snapshot()
        if not snap.chunks or n <= 0:
            return []
        allowed = self._allowed(snap.chunks, outlets, article_ids, published_from, published_to)
        if allowed is not None and not allowed:
            return []
        vector = self.embedder.embed_query(query)
        sims = snap.similarities(vector)
        rows = np.arange(len(snap.ids)) if allowed is None else np.array(sorted(snap.rows[i] for i in allowed if i in snap.rows), dtype=int)
        dense: list[str] = []
        if len(rows):
            order = rows[np.argsort(-sims[rows], kind="stable")][:n]
            dense = [snap.ids[r] for r in order if snap.has_vector[r]]
        lexical = snap.bm25.search(query, n, allowed)
        lex_score = dict(lexical)
        fused = reciprocal_rank_fusion([dense, [i for i, _ in lexical]])
        return [
            Passage(snap.chunks[i], score, float(sims[snap.rows[i]]) if snap.has_vector[snap.rows[i]] else None, lex_score.get(i))
            for i, score in fused
        ]

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
        wanted_outlets = list(outlets or [])
        wanted_articles = set(article_ids or [])
        allowed = set()
        for c in chunks.values():
            if wanted_articles and c.article_id not in wanted_articles:
                continue
            if wanted_outlets and not any(  # "AP" asked, "Associated Press" written: one outlet
                same_outlet(o, w) for o in (*c.outlets, c.publisher or "") for w in wanted_outlets
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
        self.snapshot()


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


@dataclass(frozen=True)
class Snapshot:
    """Everything a search reads, built together and swapped at once (never mutated)."""

    version: int
    chunks: dict[str, Chunk]
    ids: list[str]
    rows: dict[str, int]
    vectors: np.ndarray  # (len(ids), dim), unit length; zero rows where `has_vector` is False
    has_vector: np.ndarray
    bm25: BM25Index
    vocabulary: frozenset[str]
    outlets: list[str]
    by_position: dict[tuple[str, int], Chunk]
    sizes: dict[str, int] = field(default_factory=dict)
    _texts: dict[str, str] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> Snapshot:
        return cls(-1, {}, [], {}, np.zeros((0, 0), dtype=np.float32), np.zeros(0, dtype=bool), BM25Index([]),
                   frozenset(), [], {})

    @classmethod
    def build(cls, version: int, chunks: list[Chunk], vectors: dict[str, np.ndarray]) -> Snapshot:
        ids = [c.id for c in chunks]
        dim = next((len(v) for v in vectors.values()), 0)
        matrix = np.zeros((len(ids), dim), dtype=np.float32)
        has = np.zeros(len(ids), dtype=bool)
        for row, cid in enumerate(ids):
            vec = vectors.get(cid)
            if vec is not None and dim:
                norm = float(np.linalg.norm(vec)) or 1.0
                matrix[row] = vec / norm
                has[row] = True
        bm25 = BM25Index([(c.id, c.text) for c in chunks])
        outlets: dict[str, None] = {}
        for c in chunks:
            for o in (*c.outlets, *([c.publisher] if c.publisher else [])):
                outlets.setdefault(o, None)
        return cls(
            version, {c.id: c for c in chunks}, ids, {cid: r for r, cid in enumerate(ids)}, matrix, has, bm25,
            bm25.vocabulary(), list(outlets), {(c.article_id, c.position): c for c in chunks},
            dict(Counter(c.article_id for c in chunks)),
        )

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        if not len(self.ids) or not self.vectors.shape[1]:
            return np.zeros(len(self.ids), dtype=np.float32)
        q = np.asarray(vector, dtype=np.float32)
        q = q / (float(np.linalg.norm(q)) or 1.0)
        return self.vectors @ q

    def article_text(self, article_id: str, manifest: Manifest) -> str:
        text = self._texts.get(article_id)
        if text is None:
            text = self._texts[article_id] = manifest.article_text(article_id) or ""
        return text
