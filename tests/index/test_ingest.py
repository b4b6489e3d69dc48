"""Ingest against real Chroma + the real model: idempotence, replacement, deletion, crash safety."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from index import KnowledgeIndex, ingest_paths
from index.models import ArticleRecord

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "articles"


class CountingEmbedder:
    """Wraps the real model and counts how many texts it was asked to embed."""

    def __init__(self, real) -> None:  # type: ignore[no-untyped-def]
        self.real = real
        self.dimension = real.dimension
        self.encoded = 0

    def encode(self, texts, batch_size=64, show_progress=False):  # type: ignore[no-untyped-def]
        self.encoded += len(texts)
        return self.real.encode(texts, batch_size=batch_size)

    def embed_query(self, text):  # type: ignore[no-untyped-def]
        return self.real.embed_query(text)

    def load(self) -> None:
        self.real.load()


def _record(id_: str, text: str, **kw) -> ArticleRecord:  # type: ignore[no-untyped-def]
    return ArticleRecord(id=id_, title=kw.pop("title", id_.title()), text=text, **kw)


def test_reingest_unchanged_does_no_embedding(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    counting = CountingEmbedder(embedder)
    index = KnowledgeIndex(tmp_path / "d", embedder=counting)
    first = ingest_paths(index, [SEED])
    assert [r.status for r in first.results] == ["added"]
    assert counting.encoded == first.results[0].chunks > 0
    second = ingest_paths(index, [SEED])
    assert [r.status for r in second.results] == ["unchanged"]
    assert counting.encoded == first.results[0].chunks  # nothing new was embedded
    # a new process (new index object) sees the same persistent state
    again = KnowledgeIndex(tmp_path / "d", embedder=counting)
    assert [r.status for r in ingest_paths(again, [SEED]).results] == ["unchanged"]
    assert len(again.chunks()) == first.results[0].chunks


def test_changed_article_replaces_all_old_chunks(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    index = KnowledgeIndex(tmp_path / "d", embedder=embedder)
    old = "Port workers struck on Monday, Reuters reported. The strike closed the harbour. Ships queued offshore."
    new = "Port workers ended their strike on Friday, AP reported. Ships began to dock."
    assert index.ingest_records([_record("port", old)]).results[0].status == "added"
    old_ids = set(index.chunks())
    assert index.ingest_records([_record("port", new)]).results[0].status == "replaced"
    live = index.chunks()
    assert not (old_ids & set(live)), "old chunks must be gone from the manifest"
    assert index.vectors.ids() == set(live), "and from Chroma"
    hits = index.search("strike closed the harbour", k=5)
    assert all("harbour" not in p.chunk.text for p in hits)
    assert any("ended their strike" in p.chunk.text for p in hits)


def test_delete_removes_from_both_indexes(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    index = KnowledgeIndex(tmp_path / "d", embedder=embedder)
    index.ingest_records([_record("a", "Dockers struck in Rotterdam, Reuters reported."),
                          _record("b", "Farmers marched in Lusk, AP reported.")])
    assert index.delete("a") is True
    assert index.delete("a") is False
    assert {c.article_id for c in index.chunks().values()} == {"b"}
    assert all(p.chunk.article_id == "b" for p in index.search("dockers Rotterdam strike", k=5))
    assert index.vectors.count() == len(index.chunks())


def test_duplicate_ids_with_different_text_in_one_run(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    index = KnowledgeIndex(tmp_path / "d", embedder=embedder)
    report = index.ingest_records([
        _record("dup", "First version of the story, Reuters reported.", source="one.jsonl", line=1),
        _record("dup", "A different story entirely, AP reported.", source="two.jsonl", line=4),
    ])
    assert [r.status for r in report.results] == ["added", "failed"]
    assert "duplicate id 'dup'" in (report.results[1].message or "") and "two.jsonl, line 4" in (report.results[1].message or "")
    assert "First version" in next(iter(index.chunks().values())).text


def test_search_filters_by_outlet_and_article(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    index = KnowledgeIndex(tmp_path / "d", embedder=embedder)
    index.ingest_records([
        _record("a", "The harbour strike spread to Antwerp, Reuters reported.", publisher="Reuters"),
        _record("b", "The harbour strike spread to Hamburg.", publisher="Deutsche Welle"),
    ])
    only_dw = index.search("harbour strike", outlets=["Deutsche Welle"])
    assert only_dw and {p.chunk.article_id for p in only_dw} == {"b"}
    only_a = index.search("harbour strike", article_ids=["a"])
    assert {p.chunk.article_id for p in only_a} == {"a"}
    assert index.search("harbour strike", outlets=["Nobody News"]) == []


_CRASHER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from index import KnowledgeIndex
    from index.models import ArticleRecord
    from index.vectors import ChromaVectors
    from index.manifest import Manifest

    stage = sys.argv[2]
    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    real_upsert, real_commit, real_delete = ChromaVectors.upsert, Manifest.commit, ChromaVectors.delete
    def upsert(self, *a, **k):
        real_upsert(self, *a, **k)
        if stage == "after-upsert":
            die()
    def commit(self, *a, **k):
        out = real_commit(self, *a, **k)
        if stage == "after-commit":
            die()
        return out
    ChromaVectors.upsert, Manifest.commit = upsert, commit
    index = KnowledgeIndex(Path(sys.argv[1]))
    text = "Version two: the strike ended on Friday, AP reported. Ships began to dock at dawn."
    index.ingest_records([ArticleRecord(id="port", title="Port", text=text)])
    """
)


@pytest.mark.parametrize("stage", ["after-upsert", "after-commit"])
def test_kill_9_mid_ingest_leaves_old_or_new_never_a_mix(tmp_path: Path, embedder, stage: str) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "d"
    index = KnowledgeIndex(data, embedder=embedder)
    index.ingest_records([_record("port", "Version one: port workers struck on Monday, Reuters reported. The harbour closed.")])
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", _CRASHER, str(data), stage], env=env, capture_output=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]

    after = KnowledgeIndex(data, embedder=embedder)
    texts = " ".join(c.text for c in after.chunks().values())
    assert ("Version one" in texts) != ("Version two" in texts), "the article must be wholly old or wholly new"
    hits = after.search("port strike", k=10)
    assert hits and all(p.chunk.id in after.chunks() for p in hits)
    if stage == "after-upsert":
        assert "Version one" in texts  # the switch never happened
        assert after.vectors.ids() - set(after.chunks()), "orphan vectors exist until the next ingest"
    else:
        assert "Version two" in texts  # the switch committed; stale vectors are invisible
    # the next ingest repairs: orphans swept, the new version lands
    new = "Version two: the strike ended on Friday, AP reported. Ships began to dock at dawn."
    after.ingest_records([_record("port", new, title="Port")])
    assert after.vectors.ids() == set(after.chunks())
    assert "Version two" in " ".join(c.text for c in after.chunks().values())


def test_embeddings_are_normalised(embedder) -> None:  # type: ignore[no-untyped-def]
    vectors = embedder.encode(["Talks resumed in Istanbul.", "The port reopened."])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_manifest_lists_articles(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    index = KnowledgeIndex(tmp_path / "d", embedder=embedder)
    ingest_paths(index, [SEED])
    (info,) = index.articles()
    assert info.id == "putin-peace-signal"
    assert info.title == "Putin’s Ukraine Peace Signal Looks Like a Tactical Reset"
    assert info.publisher is None and info.chunks > 5 and len(info.content_hash) == 64 and info.ingested_at
    assert json.dumps(info.to_dict())


def test_non_http_urls_are_refused(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    index = KnowledgeIndex(tmp_path / "d", embedder=embedder)
    report = index.ingest_records([_record("x", "The port reopened, AP reported.", url="javascript:alert(1)"),
                                   _record("y", "The port reopened, AP reported.", url="https://example.org/y")])
    assert [r.status for r in report.results] == ["failed", "added"]
    assert "url must be an http(s) URL" in (report.results[0].message or "")
