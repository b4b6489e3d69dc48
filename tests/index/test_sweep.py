"""The orphan sweep beside other writers: vectors stored but not yet committed by a live writer are spared."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from index import KnowledgeIndex
from index.analyze import analyze
from index.chunking import chunk_article
from index.models import ArticleRecord

TEXT = "Dockers struck in Rotterdam on Monday, Reuters reported. Ships queued offshore for two days."


def _record(article_id: str, text: str = TEXT) -> ArticleRecord:
    return ArticleRecord(id=article_id, title=article_id.title(), text=text)


def test_a_sweep_between_anothers_upsert_and_commit_spares_its_vectors(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    """Two writers on one store (two API requests, or `serve` beside a CLI ingest): each ingest starts
    with a sweep, which once deleted the vectors the other had just stored and was about to commit."""
    writer = KnowledgeIndex(tmp_path / "d", embedder=embedder)
    other = KnowledgeIndex(tmp_path / "d", embedder=embedder)
    commit = writer.manifest.commit

    def commit_after_the_other_sweeps(*args, **kwargs):  # type: ignore[no-untyped-def]
        other.ingest_records([])  # the other writer's ingest begins (and sweeps) right now
        return commit(*args, **kwargs)

    writer.manifest.commit = commit_after_the_other_sweeps  # type: ignore[method-assign]
    (result,) = writer.ingest_records([_record("port")]).results
    assert result.status == "added"
    live = writer.manifest.chunk_ids()
    assert live and live <= writer.vectors.ids(), "the committed article kept its vectors"
    assert writer.manifest.claims_and_live_chunks()[0] == [], "the commit ended the claim"


def test_a_dead_writers_claim_does_not_keep_its_orphans(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    index = KnowledgeIndex(tmp_path / "d", embedder=embedder)
    article = analyze(_record("port", "Version two: the strike ended on Friday, AP reported."))
    chunks = chunk_article(article)
    claim = index.manifest.claim(article.id, article.content_hash)
    index.vectors.upsert(chunks, embedder.encode([c.embedding_text() for c in chunks]))
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    with index.manifest.db.transaction() as conn:  # the writer was killed before it committed
        conn.execute("UPDATE writing SET pid=? WHERE rowid=?", (int(gone.stdout), claim))
    index.ingest_records([])
    assert not index.vectors.ids(), "its vectors were swept"
    assert index.manifest.claims_and_live_chunks()[0] == [], "and its claim dropped"


def test_a_live_writers_claim_keeps_its_vectors_until_it_commits(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    index = KnowledgeIndex(tmp_path / "d", embedder=embedder)
    article = analyze(_record("port"))
    chunks = chunk_article(article)
    claim = index.manifest.claim(article.id, article.content_hash)
    index.vectors.upsert(chunks, embedder.encode([c.embedding_text() for c in chunks]))
    index.ingest_records([])
    assert index.vectors.ids() == {c.id for c in chunks}, "a writer still running keeps what it stored"
    index.manifest.release(claim)  # it gave up without committing: now they are orphans
    index.ingest_records([])
    assert not index.vectors.ids()


def test_a_batch_of_articles_is_one_chroma_write_and_a_failed_write_commits_none(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from index.errors import StoreUnavailable

    index = KnowledgeIndex(tmp_path / "d", embedder=embedder)
    writes: list[int] = []
    upsert = index.vectors.upsert

    def counted(chunks, vectors):  # type: ignore[no-untyped-def]
        writes.append(len(chunks))
        return upsert(chunks, vectors)

    index.vectors.upsert = counted  # type: ignore[method-assign]
    report = index.ingest_records([_record("port"), _record("quay", "Cranes idled in Antwerp, AFP reported.")])
    assert [r.status for r in report.results] == ["added", "added"]
    assert len(writes) == 1, "each Chroma write has a fixed cost: one per batch, not one per article"
    assert index.manifest.chunk_ids() <= index.vectors.ids()

    def broken(chunks, vectors):  # type: ignore[no-untyped-def]
        raise StoreUnavailable("Chroma at test failed to upsert: gone")

    index.vectors.upsert = broken  # type: ignore[method-assign]
    with pytest.raises(StoreUnavailable):
        index.ingest_records([_record("pier", "Pilots walked out in Hamburg, DW reported."),
                              _record("dock", "Tugs stayed in port in Genoa, ANSA reported.")])
    assert index.manifest.claims_and_live_chunks()[0] == [], "no claim outlives the failed write"
    assert index.manifest.get("pier") is None and index.manifest.get("dock") is None
    assert index.manifest.get("port") is not None, "what was stored before stays"
