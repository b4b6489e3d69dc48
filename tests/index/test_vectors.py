"""The Chroma vector store against a real embedded Chroma: writes larger than one Chroma batch."""

from __future__ import annotations

import os
import subprocess
import sys
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


_WRITER = """
import sys
from pathlib import Path
import numpy as np
from index.vectors import ChromaVectors
from tests.index.test_vectors import _chunks

first, n = int(sys.argv[2]), int(sys.argv[3])
chunks = _chunks(first + n)[first:]
ChromaVectors(path=Path(sys.argv[1])).upsert(chunks, np.random.default_rng(first).standard_normal((n, 384)).astype(np.float32))
"""


def test_another_processs_writes_are_seen_and_never_overwritten(tmp_path: Path) -> None:
    """Chroma keeps one in-memory index per path and process: a process that wrote after another one
    without reloading would save its stale index over the other's vectors (over ~1,000 of them)."""
    store = tmp_path / "chroma"
    here = ChromaVectors(path=store)
    rng = np.random.default_rng(1)
    here.upsert(_chunks(1200), rng.standard_normal((1200, 384)).astype(np.float32))
    assert len(here.embeddings(["c0", "c1199"])) == 2  # this process has loaded the store
    root = Path(__file__).resolve().parents[2]
    other = subprocess.run([sys.executable, "-c", _WRITER, str(store), "1200", "1500"], cwd=root,
                           env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True, text=True, timeout=300)
    assert other.returncode == 0, other.stderr[-3000:]
    assert len(here.embeddings([f"c{i}" for i in range(1200, 2700)])) == 1500, "the other process's vectors are read"
    more = _chunks(4000)[2700:]
    here.upsert(more, rng.standard_normal((len(more), 384)).astype(np.float32))
    fresh = subprocess.run(
        [sys.executable, "-c", "import sys; from pathlib import Path; from index.vectors import ChromaVectors; "
         "v = ChromaVectors(path=Path(sys.argv[1])); print(len(v.embeddings([f'c{i}' for i in range(4000)])))",
         str(store)], cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True, text=True, timeout=300)
    assert fresh.returncode == 0, fresh.stderr[-3000:]
    assert int(fresh.stdout.split()[-1]) == 4000, "a fresh process reads every vector both processes wrote"
