"""The article manifest and chunk table (SQLite): the committed state of the index.

Chroma holds vectors; this database says which chunks are *live*. An article's switch from its
old chunks to its new ones is one SQLite transaction, so readers see the old article or the new
one, never a mix. Several processes may share the file (WAL mode, busy timeout).
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .database import SQLiteDatabase
from .errors import IdConflict
from .ids import same_id
from .models import Article, ArticleInfo, Chunk, Sentence

_MIGRATIONS: list[str] = [
    """
    CREATE TABLE articles (
        id TEXT PRIMARY KEY, title TEXT NOT NULL, publisher TEXT, url TEXT, published_at TEXT,
        content_hash TEXT NOT NULL, chunk_count INTEGER NOT NULL, ingested_at TEXT NOT NULL,
        source TEXT NOT NULL, text TEXT NOT NULL
    );
    CREATE TABLE chunks (
        id TEXT PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        position INTEGER NOT NULL, text TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        section TEXT, sentences TEXT NOT NULL
    );
    CREATE INDEX chunks_article ON chunks(article_id);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta VALUES ('index_version', '0');
    """,
    "ALTER TABLE articles ADD COLUMN source_hash TEXT",
    "ALTER TABLE articles ADD COLUMN raw_id TEXT",  # NULL for articles stored before: they match any raw id
    # an article version whose vectors are being written and not yet committed: not orphans to sweep
    """
    CREATE TABLE writing (
        article_id TEXT NOT NULL, version TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL,
        started_at REAL NOT NULL
    );
    """,
    "ALTER TABLE articles ADD COLUMN author TEXT",
]
CLAIM_MAX_AGE_S = 3600.0  # a claim older than this is a dead writer's, whatever its pid says


@dataclass(frozen=True)
class Claim:
    """A writer's claim on the vectors of one article version it is writing (`Manifest.claim`)."""

    rowid: int
    article_id: str
    version: str
    pid: int
    host: str
    started_at: float

    def alive(self, now: float | None = None) -> bool:
        """The writer may still commit: its process runs (same host) and the claim is not ancient."""
        if (now or time.time()) - self.started_at > CLAIM_MAX_AGE_S:
            return False
        if self.host != socket.gethostname():
            return True  # another host (a container beside this one): only the age tells
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


class Manifest:
    """SQLite-backed manifest of articles and their live chunks."""

    def __init__(self, path: Path) -> None:
        self.db = SQLiteDatabase(path, _MIGRATIONS, rows_as_mappings=True)
        self.path = self.db.path

    def version(self) -> int:
        """Changes on every commit or delete: readers rebuild their caches when it moves."""
        return int(self.db.conn().execute("SELECT value FROM meta WHERE key='index_version'").fetchone()[0])

    def get(self, article_id: str) -> ArticleInfo | None:
        row = self.db.conn().execute("SELECT * FROM articles WHERE id=?", (article_id,)).fetchone()
        return _info(row) if row else None

    def articles(self) -> list[ArticleInfo]:
        rows = self.db.conn().execute("SELECT * FROM articles ORDER BY ingested_at, id").fetchall()
        return [_info(r) for r in rows]

    def article_text(self, article_id: str) -> str | None:
        row = self.db.conn().execute("SELECT text FROM articles WHERE id=?", (article_id,)).fetchone()
        return row[0] if row else None

    def chunk_ids(self, article_id: str | None = None) -> set[str]:
        if article_id is None:
            rows = self.db.conn().execute("SELECT id FROM chunks").fetchall()
        else:
            rows = self.db.conn().execute("SELECT id FROM chunks WHERE article_id=?", (article_id,)).fetchall()
        return {r[0] for r in rows}

    def claim(self, article_id: str, version: str) -> int:
        """Say that this process is writing the vectors of `article_id` at `version` (before the upsert):
        a sweep by another writer leaves them alone until `commit` (or `release`) ends the claim."""
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO writing (article_id, version, pid, host, started_at) VALUES (?,?,?,?,?)",
                (article_id, version, os.getpid(), socket.gethostname(), time.time()),
            )
            return int(cursor.lastrowid or 0)

    def release(self, claim: int) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM writing WHERE rowid=?", (claim,))

    def claims_and_live_chunks(self) -> tuple[list[Claim], set[str]]:
        """Every writer's claim and the live chunk ids, read in one transaction (one consistent state)."""
        with self.db.transaction() as conn:
            claims = [Claim(*row) for row in conn.execute(
                "SELECT rowid, article_id, version, pid, host, started_at FROM writing"
            )]
            live = {r[0] for r in conn.execute("SELECT id FROM chunks")}
        return claims, live

    def release_dead(self, claims: list[Claim]) -> None:
        """Drop the claims of writers that died before they committed."""
        if claims:
            with self.db.transaction() as conn:
                conn.executemany("DELETE FROM writing WHERE rowid=?", [(c.rowid,) for c in claims])

    def commit(self, article: Article, chunks: list[Chunk], claim: int | None = None) -> set[str]:
        """Make `chunks` the live chunks of `article` atomically; returns the replaced chunk ids.

        Raises `IdConflict` (and changes nothing) when another raw id already owns `article.id`: a
        second writer that passed the same check before this one committed is refused here.
        """
        with self.db.transaction() as conn:
            row = conn.execute("SELECT raw_id FROM articles WHERE id=?", (article.id,)).fetchone()
            if row is not None and not same_id(row[0], article.raw_id):
                raise IdConflict(conflict_message(article.raw_id, article.id, row[0]))
            old = {r[0] for r in conn.execute("SELECT id FROM chunks WHERE article_id=?", (article.id,))}
            conn.execute("DELETE FROM chunks WHERE article_id=?", (article.id,))
            raw_id = article.raw_id if article.raw_id is not None else (row[0] if row is not None else None)
            conn.execute(
                """INSERT OR REPLACE INTO articles (id, title, publisher, url, published_at, content_hash, chunk_count,
                   ingested_at, source, text, source_hash, raw_id, author) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                (
                    article.id, article.title, article.publisher, article.url, article.published_at,
                    article.content_hash, len(chunks), datetime.now(UTC).isoformat(timespec="seconds"),
                    article.source, article.text, article.source_hash or None, raw_id, article.author,
                ),
            )
            conn.executemany(
                'INSERT INTO chunks (id, article_id, position, text, start, "end", section, sentences) VALUES (?,?,?,?,?,?,?,?)',
                [
                    (c.id, c.article_id, c.position, c.text, c.start, c.end, c.section,
                     json.dumps([s.to_dict() for s in c.sentences], ensure_ascii=False))
                    for c in chunks
                ],
            )
            if claim is not None:
                conn.execute("DELETE FROM writing WHERE rowid=?", (claim,))
            self._bump(conn)
        return old - {c.id for c in chunks}

    def delete(self, article_id: str) -> set[str] | None:
        """Remove an article; returns its chunk ids, or None when it was not indexed."""
        with self.db.transaction() as conn:
            if conn.execute("SELECT 1 FROM articles WHERE id=?", (article_id,)).fetchone() is None:
                return None
            ids = {r[0] for r in conn.execute("SELECT id FROM chunks WHERE article_id=?", (article_id,))}
            conn.execute("DELETE FROM chunks WHERE article_id=?", (article_id,))
            conn.execute("DELETE FROM articles WHERE id=?", (article_id,))
            self._bump(conn)
        return ids

    def load_chunks(self) -> list[Chunk]:
        """Every live chunk with its provenance, in article/position order."""
        rows = self.db.conn().execute(
            """SELECT c.*, a.title, a.publisher, a.url, a.published_at, a.content_hash
               FROM chunks c JOIN articles a ON a.id = c.article_id ORDER BY c.article_id, c.position"""
        ).fetchall()
        return [
            Chunk(
                id=r["id"], article_id=r["article_id"], version=r["content_hash"], position=r["position"],
                text=r["text"], start=r["start"], end=r["end"],
                sentences=tuple(Sentence.from_dict(d) for d in json.loads(r["sentences"])),
                section=r["section"], article_title=r["title"], publisher=r["publisher"], url=r["url"],
                published_at=r["published_at"],
            )
            for r in rows
        ]

    @staticmethod
    def _bump(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key='index_version'")

    def close(self) -> None:
        """Close every thread's connection (at shutdown, once requests have finished)."""
        self.db.close()


def _info(row: sqlite3.Row) -> ArticleInfo:
    return ArticleInfo(
        id=row["id"], title=row["title"], publisher=row["publisher"], url=row["url"],
        published_at=row["published_at"], content_hash=row["content_hash"], chunks=row["chunk_count"],
        ingested_at=row["ingested_at"], source=row["source"], source_hash=row["source_hash"], raw_id=row["raw_id"],
        author=row["author"],
    )


def conflict_message(raw_id: str | None, article_id: str, owner_raw_id: str | None) -> str:
    """Why a record was refused: its id's slug is another article's id."""
    named = f"id '{article_id}'" if raw_id in (None, article_id) else f"id {raw_id!r} (as a slug '{article_id}')"
    return (
        f"{named} is already the id of another article (given as {owner_raw_id!r}); "
        "nothing was replaced — give this article another id"
    )


def ids_in(items: Iterable[Chunk]) -> list[str]:
    return [c.id for c in items]
