"""Conversations in SQLite under the data dir: turns survive restarts and are shared by workers."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .models import Answer

_MIGRATIONS = [
    """
    CREATE TABLE conversations (id TEXT PRIMARY KEY, created_at TEXT NOT NULL);
    CREATE TABLE turns (
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL, question TEXT NOT NULL, resolved TEXT NOT NULL, answer TEXT NOT NULL,
        created_at TEXT NOT NULL, PRIMARY KEY (conversation_id, idx)
    );
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id TEXT, turn INTEGER, rating TEXT NOT NULL,
        comment TEXT, source TEXT NOT NULL, created_at TEXT NOT NULL
    );
    """,
]


@dataclass(frozen=True)
class Turn:
    index: int
    question: str
    resolved: str
    answer: Answer
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        body = self.answer.to_dict()
        body.pop("conversation_id", None)
        return {"index": self.index, "question": self.question, "created_at": self.created_at, **body}


class ConversationStore:
    """Numbered migrations, one connection per thread, WAL so several workers can share the file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []  # every thread's connection: close() closes them all
        self._opened_lock = threading.Lock()
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            done = conn.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(_MIGRATIONS[done:], start=done + 1):
                for statement in filter(str.strip, script.split(";")):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version={number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
            with self._opened_lock:
                self._opened.append(conn)
        return conn

    def close(self) -> None:
        """Close every thread's connection (at shutdown, once requests have finished)."""
        with self._opened_lock:
            opened, self._opened = self._opened, []
            self._local = threading.local()  # a later call opens a fresh connection
        for conn in opened:
            conn.close()

    def new_id(self) -> str:
        return uuid.uuid4().hex

    def exists(self, conversation_id: str) -> bool:
        return self._conn().execute("SELECT 1 FROM conversations WHERE id=?", (conversation_id,)).fetchone() is not None

    def turns(self, conversation_id: str) -> list[Turn]:
        rows = self._conn().execute(
            "SELECT idx, question, resolved, answer, created_at FROM turns WHERE conversation_id=? ORDER BY idx",
            (conversation_id,),
        ).fetchall()
        return [Turn(r[0], r[1], r[2], Answer.from_dict(json.loads(r[3])), r[4]) for r in rows]

    def append(self, conversation_id: str, question: str, resolved: str, answer: Answer) -> int:
        """Store a turn (creating the conversation if new); returns the turn's index."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("INSERT OR IGNORE INTO conversations VALUES (?, ?)", (conversation_id, now))
            idx = conn.execute("SELECT COALESCE(MAX(idx), -1) + 1 FROM turns WHERE conversation_id=?", (conversation_id,)).fetchone()[0]
            conn.execute(
                "INSERT INTO turns VALUES (?,?,?,?,?,?)",
                (conversation_id, idx, question, resolved, json.dumps(answer.to_dict(), ensure_ascii=False), now),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return int(idx)

    def add_feedback(self, conversation_id: str | None, turn: int | None, rating: str, comment: str | None, source: str) -> int:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        cur = self._conn().execute(
            "INSERT INTO feedback (conversation_id, turn, rating, comment, source, created_at) VALUES (?,?,?,?,?,?)",
            (conversation_id, turn, rating, comment, source, now),
        )
        return int(cur.lastrowid or 0)

    def feedback(self) -> list[dict[str, Any]]:
        rows = self._conn().execute("SELECT id, conversation_id, turn, rating, comment, source, created_at FROM feedback ORDER BY id").fetchall()
        keys = ("id", "conversation_id", "turn", "rating", "comment", "source", "created_at")
        return [dict(zip(keys, r, strict=True)) for r in rows]
