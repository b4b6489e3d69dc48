"""The query-embedding cache under threads: shared by every request thread of a worker."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator

import numpy as np
import pytest

from index.embedding import MiniLMEmbedder


@pytest.fixture
def busy_switching() -> Iterator[None]:
    """Switch threads as often as possible, so a race in the cache shows up within a second."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def test_query_cache_is_safe_under_threads(busy_switching: None, monkeypatch: pytest.MonkeyPatch) -> None:
    embedder = MiniLMEmbedder(cache_size=3)
    # the model is not the point: a cheap encode keeps the threads in the cache code
    monkeypatch.setattr(embedder, "encode", lambda texts, batch_size=64: np.full((len(texts), 4), float(len(texts[0]))))
    keys = [f"question {'x' * (i + 1)}" for i in range(6)]  # more keys than the cache holds: constant eviction
    errors: list[BaseException] = []
    wrong: list[str] = []

    def worker(offset: int) -> None:
        try:
            for i in range(20_000):
                key = keys[(i + offset) % len(keys)]
                if embedder.embed_query(key)[0] != len(key):
                    wrong.append(key)
        except BaseException as exc:  # the KeyError a racing move_to_end raises
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and wrong == []
    assert len(embedder._cache) <= 3
