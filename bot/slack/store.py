"""Slack state in its own SQLite file (`slack.sqlite` under the data dir), so it survives restarts.

Two things live here: which Briefbot conversation a Slack thread is, and which events were already
taken on (Slack re-delivers an event when it thinks the first delivery failed).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from index.database import SQLiteDatabase

_MIGRATIONS = [
    """
    CREATE TABLE threads (
        team TEXT NOT NULL, channel TEXT NOT NULL, thread_ts TEXT NOT NULL,
        conversation_id TEXT NOT NULL, created_at REAL NOT NULL,
        PRIMARY KEY (team, channel, thread_ts)
    );
    CREATE TABLE seen_events (key TEXT PRIMARY KEY, seen_at REAL NOT NULL);
    CREATE INDEX seen_events_at ON seen_events (seen_at);
    """,
]


class SlackStore:
    """Thread → conversation map and event de-duplication; one connection per thread, WAL."""

    def __init__(self, path: Path, seen_ttl_s: float = 24 * 3600) -> None:
        if seen_ttl_s <= 0:
            raise ValueError(f"seen_ttl_s must be positive, got {seen_ttl_s}")
        self.path = Path(path)
        self.seen_ttl_s = seen_ttl_s
        self.db = SQLiteDatabase(self.path, _MIGRATIONS)

    def close(self) -> None:
        """Close every thread's connection (at shutdown)."""
        self.db.close()

    def conversation_for(self, team: str, channel: str, thread_ts: str, new_id: Callable[[], str]) -> str:
        """The conversation of a Slack thread, created (with `new_id()`) on first use."""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO threads VALUES (?, ?, ?, ?, ?)", (team, channel, thread_ts, new_id(), time.time())
            )
            row = conn.execute(
                "SELECT conversation_id FROM threads WHERE team=? AND channel=? AND thread_ts=?", (team, channel, thread_ts)
            ).fetchone()
        return str(row[0])

    def thread_conversation(self, team: str, channel: str, thread_ts: str) -> str | None:
        """The conversation already mapped to a thread, or None."""
        row = self.db.conn().execute(
            "SELECT conversation_id FROM threads WHERE team=? AND channel=? AND thread_ts=?", (team, channel, thread_ts)
        ).fetchone()
        return str(row[0]) if row else None

    def claim(self, keys: Iterable[str]) -> bool:
        """Mark an event as taken; False when any of its keys was seen within the TTL (a redelivery)."""
        now = time.time()
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM seen_events WHERE seen_at < ?", (now - self.seen_ttl_s,))
            fresh = True
            for key in keys:
                if conn.execute("INSERT OR IGNORE INTO seen_events VALUES (?, ?)", (key, now)).rowcount == 0:
                    fresh = False
        return fresh
