"""One SQLite file shared by threads and processes: the manifest, conversations and Slack state.

A connection per thread (WAL, a busy timeout, foreign keys), numbered migrations applied when the
file is opened (`PRAGMA user_version` counts them), `transaction()` for BEGIN IMMEDIATE … COMMIT,
and `close()` for every thread's connection at shutdown.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class SQLiteDatabase:
    """A SQLite file with its migrations applied; hand out per-thread connections."""

    def __init__(self, path: Path, migrations: list[str], rows_as_mappings: bool = False) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._rows_as_mappings = rows_as_mappings
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._opened_lock = threading.Lock()
        with self.transaction() as conn:
            done = conn.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(migrations[done:], start=done + 1):
                for statement in statements(script):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version={number}")

    def conn(self) -> sqlite3.Connection:
        """This thread's connection (autocommit; use `transaction()` to group writes)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            if self._rows_as_mappings:
                conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL stays consistent after a crash (a kill -9 loses nothing committed);
            # only an OS crash or power cut may drop the last commits. Saves an fsync per write.
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
            with self._opened_lock:
                self._opened.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE (writers queue up front, no upgrade deadlocks) … COMMIT, or ROLLBACK on error."""
        conn = self.conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def release(self) -> None:
        """Close this thread's connection (a worker thread that is about to end)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            with self._opened_lock:
                self._opened = [c for c in self._opened if c is not conn]
            conn.close()

    def close(self) -> None:
        """Close every thread's connection (at shutdown, once requests have finished)."""
        with self._opened_lock:
            opened, self._opened = self._opened, []
            self._local = threading.local()  # a later call opens a fresh connection
        for conn in opened:
            conn.close()


def statements(script: str) -> Iterator[str]:
    """The SQL statements of `script`, in order, each ending with its own ";".

    A ";" inside a string literal, a comment or a trigger body does not end a statement:
    `sqlite3.complete_statement` (SQLite's own tokenizer) decides where one ends. The migration runs
    statement by statement inside the caller's transaction (`executescript` would commit first).
    """
    pending = ""
    for piece in script.split(";")[:-1]:
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\n;"):
                yield pending.strip()
            pending = ""
    rest = pending + script.split(";")[-1]
    if rest.strip():
        if not sqlite3.complete_statement(rest + ";"):
            raise ValueError(f"incomplete SQL statement in a migration: {rest.strip()[:80]!r}")
        yield rest.strip() + ";"
