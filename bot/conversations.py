"""Conversations in SQLite under the data dir: turns survive restarts and are shared by workers."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from index.database import SQLiteDatabase

from .models import Answer

MAX_CARRIED_CHARS = 1000  # of a turn's resolved question, kept as context for the next turn


def carried_over(resolved: str, limit: int = MAX_CARRIED_CHARS) -> str:
    """A resolved question as the next turn may use it: the first `limit` characters, cut at a word.

    A follow-up's resolved question is the new ask followed by the previous one, so without a cap it
    grows every turn (8,000+ characters after a few hundred turns). The newest context comes first.
    """
    if len(resolved) <= limit:
        return resolved
    cut = resolved[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip()

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
        self.db = SQLiteDatabase(path, _MIGRATIONS)
        self.path = self.db.path

    def close(self) -> None:
        """Close every thread's connection (at shutdown, once requests have finished)."""
        self.db.close()

    def new_id(self) -> str:
        return uuid.uuid4().hex

    def exists(self, conversation_id: str) -> bool:
        return self.db.conn().execute("SELECT 1 FROM conversations WHERE id=?", (conversation_id,)).fetchone() is not None

    def turns(self, conversation_id: str) -> list[Turn]:
        rows = self.db.conn().execute(
            "SELECT idx, question, resolved, answer, created_at FROM turns WHERE conversation_id=? ORDER BY idx",
            (conversation_id,),
        ).fetchall()
        return [Turn(r[0], r[1], carried_over(r[2]), Answer.from_dict(json.loads(r[3])), r[4]) for r in rows]

    def append(self, conversation_id: str, question: str, resolved: str, answer: Answer) -> int:
        """Store a turn (creating the conversation if new); returns the turn's index."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.db.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO conversations VALUES (?, ?)", (conversation_id, now))
            idx = conn.execute("SELECT COALESCE(MAX(idx), -1) + 1 FROM turns WHERE conversation_id=?", (conversation_id,)).fetchone()[0]
            conn.execute(
                "INSERT INTO turns VALUES (?,?,?,?,?,?)",
                (conversation_id, idx, question, carried_over(resolved), json.dumps(answer.to_dict(), ensure_ascii=False), now),
            )
        return int(idx)

    def add_feedback(self, conversation_id: str | None, turn: int | None, rating: str, comment: str | None, source: str) -> int:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        cur = self.db.conn().execute(
            "INSERT INTO feedback (conversation_id, turn, rating, comment, source, created_at) VALUES (?,?,?,?,?,?)",
            (conversation_id, turn, rating, comment, source, now),
        )
        return int(cur.lastrowid or 0)

    def feedback(self) -> list[dict[str, Any]]:
        rows = self.db.conn().execute("SELECT id, conversation_id, turn, rating, comment, source, created_at FROM feedback ORDER BY id").fetchall()
        keys = ("id", "conversation_id", "turn", "rating", "comment", "source", "created_at")
        return [dict(zip(keys, r, strict=True)) for r in rows]
