"""The Chroma vector store against a real embedded Chroma: writes larger than one Chroma batch."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.models import Chunk
from index.vectors import ChromaVectors


def _chunks(n: int) -> list[Chunk]:
    return [
        Chunk(id=f"c{i}", article_id="long", version="v1", position=i, text=f"Point {i} was agreed.", start=i, end=i + 1,
              sentences=(), section=None, article_title="Long", publisher=None, url=None, published_at=None)
        for i in range(n)
    ]


def test_writes_over_chromas_batch_limit_are_split(tmp_path: Path) -> None:
    """Chroma refuses one upsert of more than `get_max_batch_size()` records; the store splits them."""
    vectors = ChromaVectors(path=tmp_path / "chroma")
    limit = vectors.max_batch
    assert limit > 0
    n = limit + 25
    rng = np.random.default_rng(0)
    embeddings = rng.standard_normal((n, 384)).astype(np.float32)  # similarity is not the point here
    vectors.upsert(_chunks(n), embeddings)
    assert vectors.count() == n
    nearest = vectors.query(embeddings[-1], 1)
    assert nearest[0][0] == f"c{n - 1}"  # the last slice is stored with its own vectors
    vectors.delete({f"c{i}" for i in range(n - 1)})
    assert vectors.ids() == {f"c{n - 1}"}
