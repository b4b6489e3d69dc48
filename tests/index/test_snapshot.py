"""Searches read one immutable snapshot: no mix of old and new while another thread or process ingests."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from index import ArticleRecord, KnowledgeIndex

ROOT = Path(__file__).resolve().parents[2]


def _record(i: int) -> ArticleRecord:
    return ArticleRecord(
        title=f"Harbour report {i}", id=f"harbour-{i}", publisher="Coast Courier",
        text=f"Dock workers in port {i} walked out on Monday over pay, the union said. "
             f"Ships were diverted to the northern terminal while talks went on for the {i}th day.",
    )


def test_searches_never_fail_while_another_thread_ingests(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    index = KnowledgeIndex(tmp_path / "d", embedder=embedder)
    index.ingest_records([_record(0)])
    errors: list[BaseException] = []
    done = threading.Event()

    def ask() -> None:
        while not done.is_set():
            try:
                for passage in index.candidates("dock workers pay strike", 20):
                    assert passage.chunk.id in index.snapshot().chunks or passage.chunk.article_id
            except BaseException as exc:  # noqa: BLE001 - any failure is the finding
                errors.append(exc)
                return

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for i in range(1, 13):
            index.ingest_records([_record(i)])
            if i % 4 == 0:
                index.delete(f"harbour-{i - 1}")
    finally:
        done.set()
        for t in threads:
            t.join()
    assert not errors, errors[:3]
    hits = index.candidates("dock workers port 12", 50, article_ids=["harbour-12"])
    assert hits and all(p.dense_similarity is not None for p in hits)


_INGEST = """
import sys
from pathlib import Path
from index import ArticleRecord, KnowledgeIndex
from index.embedding import MiniLMEmbedder
index = KnowledgeIndex(Path(sys.argv[1]), embedder=MiniLMEmbedder())
index.ingest_records([ArticleRecord(title="Late filing", id="late", publisher="Coast Courier",
    text="The ferry operator filed for bankruptcy protection on Friday, its lawyers said.")])
"""


def test_a_server_sees_vectors_another_process_ingested(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "d"
    server = KnowledgeIndex(data, embedder=embedder)  # like `serve`: its Chroma client is open first
    server.ingest_records([_record(0)])
    assert server.candidates("dock workers", 5)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", _INGEST, str(data)], env=env, capture_output=True, timeout=600)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    hits = server.candidates("ferry operator bankruptcy", 5, article_ids=["late"])
    assert hits, "the new article is answerable with a filter right after the other process reports it done"
    assert hits[0].dense_similarity is not None and hits[0].dense_similarity > 0.3, "its vector was picked up"
