"""Numbered migrations: statements are cut where SQLite says they end, not at every ";"."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.database import SQLiteDatabase, statements

MIGRATIONS = [
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL DEFAULT 'a; b');"
    "CREATE TABLE log (note INTEGER, what TEXT)",
    # a trigger body holds statements of its own, each ending in ";"
    "CREATE TRIGGER noted AFTER INSERT ON notes BEGIN INSERT INTO log VALUES (new.id, 'added; ok'); END;"
    "-- a comment; with a semicolon\n"
    "INSERT INTO notes (id) VALUES (1);",
]


def test_migrations_keep_semicolons_inside_literals_and_triggers(tmp_path: Path) -> None:
    db = SQLiteDatabase(tmp_path / "t.sqlite", MIGRATIONS)
    conn = db.conn()
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert conn.execute("SELECT id, body FROM notes").fetchall() == [(1, "a; b")]
    assert conn.execute("SELECT note, what FROM log").fetchall() == [(1, "added; ok")]
    db.close()
    # reopening applies nothing twice
    again = SQLiteDatabase(tmp_path / "t.sqlite", MIGRATIONS)
    assert again.conn().execute("SELECT count(*) FROM log").fetchone()[0] == 1
    again.close()


def test_a_failing_migration_leaves_the_previous_version(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="no such table"):
        SQLiteDatabase(tmp_path / "t.sqlite", [MIGRATIONS[0], "INSERT INTO missing VALUES (1); CREATE TABLE x (y)"])
    db = SQLiteDatabase(tmp_path / "t.sqlite", [])
    assert db.conn().execute("PRAGMA user_version").fetchone()[0] == 0
    db.close()


def test_an_unfinished_statement_is_named() -> None:
    with pytest.raises(ValueError, match="incomplete SQL statement"):
        list(statements("CREATE TABLE a (x TEXT DEFAULT 'open"))
