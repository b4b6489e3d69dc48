"""Chroma as the vector store: embedded `PersistentClient`, or a Chroma server via `HttpClient`."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from .errors import StoreUnavailable
from .models import Chunk

log = logging.getLogger(__name__)
COLLECTION = "briefbot_chunks"
FALLBACK_MAX_BATCH = 5000  # when a server does not say its limit (chromadb's own is 5,461 on 64-bit)


class ChromaVectors:
    """Chunk vectors in one Chroma collection (cosine). We always pass embeddings ourselves."""

    def __init__(
        self, path: Path | None = None, url: str | None = None, collection: str = COLLECTION, timeout_s: float = 10.0
    ) -> None:
        if path is None and url is None:
            raise ValueError("ChromaVectors needs a path (embedded) or a url (server)")
        if timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, not {timeout_s}")
        self._path = path
        self._url = url
        self._timeout_s = timeout_s
        self._collection_name = collection
        self._collection: Any = None
        self._max_batch = 0

    @property
    def where(self) -> str:
        return self._url or str(self._path)

    def _col(self) -> Any:
        if self._collection is not None:
            return self._collection
        try:
            import chromadb
            from chromadb.config import Settings

            settings = Settings(anonymized_telemetry=False, allow_reset=False)
            if self._url:
                parsed = urlparse(self._url if "://" in self._url else f"http://{self._url}")
                host, port = parsed.hostname or "localhost", parsed.port or (443 if parsed.scheme == "https" else 8000)
                _heartbeat(f"{'https' if parsed.scheme == 'https' else 'http'}://{host}:{port}", self._timeout_s)
                client = chromadb.HttpClient(host=host, port=port, ssl=parsed.scheme == "https", settings=settings)
                _bound_http_timeout(client, self._timeout_s)
            else:
                assert self._path is not None
                self._path.mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(path=str(self._path), settings=settings)
            limit = int(client.get_max_batch_size())
            self._max_batch = limit if limit > 0 else FALLBACK_MAX_BATCH  # set before the collection is visible
            self._collection = client.get_or_create_collection(
                self._collection_name, metadata={"hnsw:space": "cosine"}, embedding_function=None
            )
        except Exception as exc:
            raise StoreUnavailable(f"cannot open the Chroma store at {self.where}: {exc}") from exc
        return self._collection

    def _call(self, what: str, fn: Any) -> Any:
        try:
            return fn(self._col())
        except StoreUnavailable:
            raise
        except Exception as exc:
            # A dead server leaves a broken client behind: reconnect on the next call.
            self._collection = None
            raise StoreUnavailable(f"Chroma at {self.where} failed to {what}: {exc}") from exc

    def upsert(self, chunks: list[Chunk], embeddings: np.ndarray) -> None:
        if not chunks:
            return
        ids = [c.id for c in chunks]
        metadatas = [
            {
                "article_id": c.article_id, "version": c.version, "position": c.position,
                "start": c.start, "end": c.end, "section": c.section or "",
                "outlets": list(c.outlets) or [""], "publisher": c.publisher or "",
            }
            for c in chunks
        ]
        docs = [c.text for c in chunks]
        self._write("upsert", ids=ids, embeddings=embeddings, documents=docs, metadatas=metadatas)

    def delete(self, ids: set[str] | list[str]) -> None:
        self._write("delete", ids=list(ids))

    @property
    def max_batch(self) -> int:
        """The most records one Chroma write may carry: the client's `get_max_batch_size()`."""
        self._call("report its batch limit", lambda col: col)
        return self._max_batch

    def _write(self, method: str, **columns: Any) -> None:
        """`collection.<method>(**columns)` in slices of `max_batch` records (Chroma refuses larger batches)."""
        n = len(columns["ids"])
        size = self.max_batch if n else 1
        for start in range(0, n, size):
            part = {name: values[start : start + size] for name, values in columns.items()}
            self._call(method, lambda col, part=part: getattr(col, method)(**part))

    def ids(self) -> set[str]:
        return set(self._call("list ids", lambda col: col.get(include=[]))["ids"])

    def has(self, ids: list[str]) -> set[str]:
        if not ids:
            return set()
        return set(self._call("get", lambda col: col.get(ids=ids, include=[]))["ids"])

    def count(self) -> int:
        return int(self._call("count", lambda col: col.count()))

    def query(self, embedding: np.ndarray, n: int, ids: list[str] | None = None) -> list[tuple[str, float]]:
        """Nearest chunks as (id, cosine similarity), best first."""
        if n <= 0 or (ids is not None and not ids):
            return []
        kwargs: dict[str, Any] = {"query_embeddings": [embedding], "n_results": n, "include": ["distances"]}
        if ids is not None:
            kwargs["ids"] = ids
        result = self._call("query", lambda col: col.query(**kwargs))
        return [(i, 1.0 - float(d)) for i, d in zip(result["ids"][0], result["distances"][0], strict=True)]

    def embeddings(self, ids: list[str], batch: int = 2000) -> dict[str, np.ndarray]:
        """Stored vectors by id (ids Chroma does not have are simply absent)."""
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(ids), batch):
            part = ids[i : i + batch]
            got = self._call("get", lambda col, part=part: col.get(ids=part, include=["embeddings"]))
            for vid, vec in zip(got["ids"], got["embeddings"], strict=True):
                out[vid] = np.asarray(vec, dtype=np.float32)
        return out

    def reopen(self) -> None:
        """Drop the client: the next call opens a fresh one (sees what another process wrote)."""
        self._collection = None

    def ping(self) -> None:
        self._call("answer", lambda col: col.count())


def _heartbeat(base_url: str, timeout_s: float) -> None:
    """Fail fast when the server is down or stalled: `HttpClient()` itself talks to it with no timeout."""
    import httpx

    httpx.get(f"{base_url}/api/v2/heartbeat", timeout=timeout_s).raise_for_status()


def _bound_http_timeout(client: Any, timeout_s: float) -> None:
    """chromadb's HTTP session is built with `timeout=None` and no setting changes that: bound it here,
    so a stalled server turns into `StoreUnavailable` instead of a request that never returns."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(timeout_s)
    else:  # pragma: no cover - a chromadb release that moved its session
        log.warning("cannot bound the Chroma client's HTTP timeout (chromadb internals changed)")
