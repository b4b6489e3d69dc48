"""Slack state in its own SQLite file (`slack.sqlite` under the data dir), so it survives restarts.

Which Briefbot conversation a Slack thread is, which events were already taken on (Slack
re-delivers an event when it thinks the first delivery failed), each channel's settings and the
users besides workspace admins who may change them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from index.database import SQLiteDatabase

from .channels import ChannelSettings

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
    """
    CREATE TABLE channel_settings (
        team TEXT NOT NULL, channel TEXT NOT NULL, settings TEXT NOT NULL,
        updated_by TEXT NOT NULL, updated_at REAL NOT NULL,
        PRIMARY KEY (team, channel)
    );
    CREATE TABLE config_admins (
        team TEXT NOT NULL, user TEXT NOT NULL, added_by TEXT NOT NULL, added_at REAL NOT NULL,
        PRIMARY KEY (team, user)
    );
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

    def channel_settings(self, team: str, channel: str) -> ChannelSettings:
        """A channel's settings (the defaults for a channel nobody configured)."""
        row = self.db.conn().execute(
            "SELECT settings FROM channel_settings WHERE team=? AND channel=?", (team, channel)
        ).fetchone()
        return ChannelSettings.from_json(row[0]) if row else ChannelSettings()

    def save_channel_settings(self, team: str, channel: str, settings: ChannelSettings, user: str) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO channel_settings VALUES (?, ?, ?, ?, ?)",
                (team, channel, settings.to_json(), user, time.time()),
            )

    def config_admins(self, team: str) -> set[str]:
        """Users a workspace admin allowed to change channel settings (besides the admins themselves)."""
        rows = self.db.conn().execute("SELECT user FROM config_admins WHERE team=?", (team,)).fetchall()
        return {str(r[0]) for r in rows}

    def change_config_admins(self, team: str, add: Iterable[str], remove: Iterable[str], by: str) -> None:
        with self.db.transaction() as conn:
            for user in add:
                conn.execute("INSERT OR IGNORE INTO config_admins VALUES (?, ?, ?, ?)", (team, user, by, time.time()))
            for user in remove:
                conn.execute("DELETE FROM config_admins WHERE team=? AND user=?", (team, user))
