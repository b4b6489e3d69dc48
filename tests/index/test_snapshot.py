"""Searches read one immutable snapshot: no mix of old and new while another thread or process ingests."""

from __future__ import annotations

import threading
from pathlib import Path

from index import ArticleRecord, KnowledgeIndex


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
