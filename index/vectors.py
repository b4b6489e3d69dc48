"""Chroma as the vector store: embedded `PersistentClient`, or a Chroma server via `HttpClient`."""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
    """Chunk vectors in one Chroma collection (cosine). We always pass embeddings ourselves.

    An embedded store may be shared with other processes (`briefbot ingest` beside `serve`). Chroma
    keeps one in-memory index per path and process, which neither sees another process's writes nor
    may write over them (its next save would drop them). So every write takes the store's lock file
    and bumps its write count; a write or vector read that finds the count moved since this process
    opened the store first reopens it (`StoreLock`). Calls in flight keep the client they started
    with; a replaced client is closed when its last call ends.
    """

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
        self._lock = threading.Lock()  # guards the fields below; never held while talking to Chroma
        self._open_lock = threading.Lock()
        self._open_attempts = 0
        self._open_failure: StoreUnavailable | None = None
        self._handle: _Handle | None = None
        self._store_lock = StoreLock(path.with_name(path.name + ".lock")) if url is None and path is not None else None
        self._seen_writes: int | None = None  # the store's write count when this process's client was opened

    @property
    def where(self) -> str:
        return self._url or str(self._path)

    def _open(self) -> _Handle:
        """A new client and collection."""
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
                assert self._path is not None and self._store_lock is not None
                self._path.mkdir(parents=True, exist_ok=True)
                with _EMBEDDED_OPEN:
                    writes = self._store_lock.writes()  # read before the client loads anything
                    _uncache_system(str(self._path))  # never reuse a copy another client may hold stale
                    client = chromadb.PersistentClient(path=str(self._path), settings=settings)
                    limit = int(client.get_max_batch_size())
                    collection = client.get_or_create_collection(
                        self._collection_name, metadata={"hnsw:space": "cosine"}, embedding_function=None
                    )
                    system = _uncache_system(str(self._path))  # ours alone: no later client shares it
                return _Handle(collection, limit if limit > 0 else FALLBACK_MAX_BATCH, writes, system)
            limit = int(client.get_max_batch_size())
            collection = client.get_or_create_collection(
                self._collection_name, metadata={"hnsw:space": "cosine"}, embedding_function=None
            )
        except Exception as exc:
            raise StoreUnavailable(f"cannot open the Chroma store at {self.where}: {exc}") from exc
        return _Handle(collection, limit if limit > 0 else FALLBACK_MAX_BATCH)

    def _acquire(self) -> _Handle:
        """The current client, opened when there is none; one thread opens it while the others wait.

        Waiters share that attempt's outcome: a store that is down costs one timeout, not one per caller.
        """
        with self._lock:
            if self._handle is not None:
                self._handle.users += 1
                return self._handle
            attempt = self._open_attempts
        with self._open_lock:
            with self._lock:
                if self._handle is not None:
                    self._handle.users += 1
                    return self._handle
                if self._open_attempts != attempt and self._open_failure is not None:
                    raise self._open_failure  # the attempt made while this caller waited failed
                self._open_attempts += 1
            try:
                handle = self._open()
            except StoreUnavailable as exc:
                self._open_failure = exc
                raise
            with self._lock:
                self._open_failure = None
                self._handle = handle
                self._seen_writes = handle.writes
                handle.users += 1
                return handle

    def _release(self, handle: _Handle, failed: bool) -> None:
        with self._lock:
            handle.users -= 1
            if failed and self._handle is handle:
                self._retire()  # a dead server leaves a broken client behind: reconnect on the next call
            if handle.retired and handle.users == 0:
                handle.close()

    def _retire(self) -> None:
        """Stop handing out the current client (called with `self._lock` held); it closes once idle."""
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.retired = True
            if handle.users == 0:
                handle.close()

    def _call(self, what: str, fn: Any) -> Any:
        handle = self._acquire()
        failed = False
        try:
            return fn(handle.collection)
        except Exception as exc:
            failed = True
            raise StoreUnavailable(f"Chroma at {self.where} failed to {what}: {exc}") from exc
        finally:
            self._release(handle, failed)

    def _fresh(self) -> None:
        """Reopen an embedded store another process wrote to since this process opened it."""
        if self._store_lock is None:
            return
        writes = self._store_lock.writes()
        with self._lock:
            if self._handle is not None and writes != self._seen_writes:
                log.info("the Chroma store at %s was written by another process: reopening it", self.where)
                self._retire()

    def upsert(self, chunks: list[Chunk], embeddings: np.ndarray) -> None:
        if not chunks:
            return
        ids = [c.id for c in chunks]
        # Only what a sweep reads back (whose vectors these are): the text, offsets and outlets live in
        # the manifest, and each extra column (a document's full-text index most) costs every write.
        metadatas = [{"article_id": c.article_id, "version": c.version} for c in chunks]
        self._write("upsert", ids=ids, embeddings=embeddings, metadatas=metadatas)

    def delete(self, ids: set[str] | list[str]) -> None:
        self._write("delete", ids=list(ids))

    @property
    def max_batch(self) -> int:
        """The most records one Chroma write may carry: the client's `get_max_batch_size()`."""
        handle = self._acquire()
        self._release(handle, failed=False)
        return handle.max_batch

    def _write(self, method: str, **columns: Any) -> None:
        """`collection.<method>(**columns)` in slices of `max_batch` records (Chroma refuses larger batches).

        Embedded: under the store's lock, on a client that has seen every other process's writes.
        """
        if not columns["ids"]:
            return
        if self._store_lock is None:
            self._write_slices(method, columns)
            return
        with self._store_lock.exclusive():
            self._fresh()
            try:
                self._write_slices(method, columns)
            finally:
                writes = self._store_lock.bump()
                with self._lock:
                    self._seen_writes = writes  # our own write: this client has it

    def _write_slices(self, method: str, columns: dict[str, Any]) -> None:
        n = len(columns["ids"])
        size = self.max_batch
        for start in range(0, n, size):
            part = {name: values[start : start + size] for name, values in columns.items()}
            self._call(method, lambda col, part=part: getattr(col, method)(**part))

    def _read_vectors(self, what: str, fn: Any) -> Any:
        """A read that needs the vectors themselves (not only ids): on a client that has seen every write."""
        if self._store_lock is None:
            return self._call(what, fn)
        with self._store_lock.shared():  # never load an index another process is saving
            self._fresh()
            return self._call(what, fn)

    def ids(self) -> set[str]:
        return set(self._call("list ids", lambda col: col.get(include=[]))["ids"])

    def has(self, ids: list[str]) -> set[str]:
        if not ids:
            return set()
        return set(self._call("get", lambda col: col.get(ids=ids, include=[]))["ids"])

    def metadata(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """Stored metadata (`article_id`, `version`, …) by id."""
        if not ids:
            return {}
        got = self._call("get", lambda col: col.get(ids=ids, include=["metadatas"]))
        return {vid: dict(meta or {}) for vid, meta in zip(got["ids"], got["metadatas"], strict=True)}

    def count(self) -> int:
        return int(self._call("count", lambda col: col.count()))

    def query(self, embedding: np.ndarray, n: int, ids: list[str] | None = None) -> list[tuple[str, float]]:
        """Nearest chunks as (id, cosine similarity), best first."""
        if n <= 0 or (ids is not None and not ids):
            return []
        kwargs: dict[str, Any] = {"query_embeddings": [embedding], "n_results": n, "include": ["distances"]}
        if ids is not None:
            kwargs["ids"] = ids
        result = self._read_vectors("query", lambda col: col.query(**kwargs))
        return [(i, 1.0 - float(d)) for i, d in zip(result["ids"][0], result["distances"][0], strict=True)]

    def embeddings(self, ids: list[str], batch: int = 2000) -> dict[str, np.ndarray]:
        """Stored vectors by id (ids Chroma does not have are simply absent)."""
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(ids), batch):
            part = ids[i : i + batch]
            got = self._read_vectors("get", lambda col, part=part: col.get(ids=part, include=["embeddings"]))
            for vid, vec in zip(got["ids"], got["embeddings"], strict=True):
                out[vid] = np.asarray(vec, dtype=np.float32)
        return out

    def reopen(self) -> None:
        """Drop the client: the next call opens a fresh one (an embedded store is read from disk again)."""
        with self._lock:
            self._retire()

    def ping(self) -> None:
        self._call("answer", lambda col: col.count())


@dataclass
class _Handle:
    """One opened client's collection, and how many calls are using it."""

    collection: Any
    max_batch: int
    writes: int | None = None  # embedded: the store's write count read before this client opened
    system: Any = None  # embedded: the loaded store behind the client (this handle's alone)
    users: int = 0
    retired: bool = False

    def close(self) -> None:
        """Free the embedded store's memory (its in-memory index)."""
        system, self.system = self.system, None
        if system is not None:
            try:
                system.stop()
            except Exception:  # pragma: no cover - stopping is best effort
                log.warning("could not stop a replaced Chroma client", exc_info=True)


_EMBEDDED_OPEN = threading.Lock()  # one embedded client opens at a time in this process (see `_uncache_system`)


def _uncache_system(path: str) -> Any:
    """Take the system (the loaded store) chromadb caches per path out of its cache, and return it.

    chromadb hands every client on one path in a process the same system, which never reloads: a
    client opened after another process wrote would get the old copy. Taken out of the cache, the
    system belongs to the one client that made it, and the next client loads the store anew.
    """
    try:
        from chromadb.api.shared_system_client import SharedSystemClient as Shared

        with Shared._refcount_lock:
            Shared._identifier_to_refcount.pop(path, None)
            return Shared._identifier_to_system.pop(path, None)
    except (ImportError, AttributeError):  # pragma: no cover - a chromadb release that moved its cache
        log.warning("cannot reload the embedded Chroma store: chromadb's system cache moved")
        return None


class StoreLock:
    """A lock file beside an embedded Chroma store: writers hold it exclusively, vector reads shared.

    It also holds the store's write count (bumped after every write, by any process): a process
    whose count is behind has a stale view of the store and reopens it first.
    """

    WIDTH = 20  # the count is written in place at a fixed width, so a reader never sees half of it

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._locked(fcntl.LOCK_EX):
            yield

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._locked(fcntl.LOCK_SH):
            yield

    @contextmanager
    def _locked(self, mode: int) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, mode)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    def writes(self) -> int:
        """The store's write count (0 before the first write)."""
        try:
            with self.path.open("rb") as f:
                raw = f.read(self.WIDTH)
        except FileNotFoundError:
            return 0
        try:
            return int(raw.decode("ascii").strip() or 0)
        except ValueError:
            return -1  # unreadable: treat as moved

    def bump(self) -> int:
        """Count one more write (call with the exclusive lock held); returns the new count."""
        count = max(self.writes(), 0) + 1
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            os.pwrite(fd, str(count).rjust(self.WIDTH).encode("ascii"), 0)
        finally:
            os.close(fd)
        return count


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
