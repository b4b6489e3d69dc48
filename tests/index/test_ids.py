"""Article ids: Unicode ids keep their letters, lossy ones get a hash, a collision is refused, never a replace."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from index import KnowledgeIndex
from index.ids import MAX_SLUG, same_id, slugify
from index.manifest import Manifest
from index.models import ID_CONFLICT, ArticleRecord
from index.parse import read_path
from index.records import record_from_mapping

TEXT = "Dockers struck in Rotterdam on Monday, Reuters reported. Ships queued offshore."


def test_unicode_letters_and_digits_are_kept() -> None:
    assert slugify("новость-1") == "новость-1"
    assert slugify("新闻") == "新闻"
    assert slugify("خبر") == "خبر"
    assert slugify("हिन्दी-समाचार") == "हिन्दी-समाचार", "combining marks are part of the word"
    assert slugify("seed") == "seed" and slugify("story_2-b") == "story_2-b"


def test_case_and_width_are_one_id_without_a_hash() -> None:
    assert slugify("Seed") == slugify("SEED") == slugify("ｓｅｅｄ") == "seed"
    assert slugify("Straße") == "strasse"
    assert same_id("Seed", "ｓｅｅｄ") and not same_id("seed", "seed-2")


def test_ids_that_lose_characters_get_a_stable_hash_and_stay_apart() -> None:
    raw = ["🔥", "🔥🔥", "💧", "my story", "my-story", "my.story", "a/b", "a-b", " x ", "x"]
    slugs = [slugify(r) for r in raw]
    assert len(set(slugs[:-2])) == len(raw) - 2, dict(zip(raw, slugs, strict=True))
    assert slugs[-2] == slugs[-1] == "x", "surrounding space is not part of an id"
    assert slugify("🔥") == slugify("🔥"), "stable across calls"
    assert slugify("🔥").startswith("article-") and len(slugify("🔥")) == len("article-") + 8
    assert slugify("my story").startswith("my-story-")
    assert slugify("my-story") == "my-story"


def test_slugs_are_url_path_safe_and_bounded() -> None:
    for raw in [
        "a/b?c#d%e f",
        "../etc/passwd",
        "x" * 500,
        "新" * 300,
        "\u200bzero\u200dwidth",
        "\x00\x1b[31m",
    ]:
        slug = slugify(raw)
        assert 0 < len(slug) <= MAX_SLUG
        assert not set(slug) & set("/?#% .\x00\x1b\u200b\u200d"), slug
    assert slugify("x" * 500) != slugify("x" * 501), "a cut id keeps its hash"


def test_old_ascii_rule_collisions_are_gone() -> None:
    """Before: `🔥`, `خبر` and `新闻` all became `article`, and `новость-1` became `1`."""
    assert len({slugify("🔥"), slugify("خبر"), slugify("新闻"), slugify("article")}) == 4
    assert slugify("новость-1") != "1"


def test_every_way_in_keeps_the_raw_id(tmp_path: Path) -> None:
    named = tmp_path / "Новость 1.txt"
    named.write_text(f"Title\n\n{TEXT}", encoding="utf-8")
    (record,), _ = read_path(named)
    assert (
        record.raw_id == "Новость 1"
        and record.id == slugify("Новость 1")
        and record.id.startswith("новость-1-")
    )
    from_json = record_from_mapping({"id": "خبر", "text": TEXT}, "<test>")
    assert (from_json.raw_id, from_json.id) == ("خبر", "خبر")


def _record(raw_id: str, text: str = TEXT, source: str = "<test>") -> ArticleRecord:
    record = ArticleRecord(title=f"About {raw_id}", text=text, source=source)
    record.set_id(raw_id)
    return record


def test_unicode_ids_are_separate_articles(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    index = KnowledgeIndex(tmp_path / "d", embedder=embedder)
    raws = ["🔥", "خبر", "新闻", "новость-1"]
    report = index.ingest_records([_record(r, f"{TEXT} Story {i}.") for i, r in enumerate(raws)])
    assert [r.status for r in report.results] == ["added"] * 4, report.results
    stored = {a.id: a.raw_id for a in index.articles()}
    assert stored == {slugify(r): r for r in raws}
    again = index.ingest_records([_record(r, f"{TEXT} Story {i}.") for i, r in enumerate(raws)])
    assert [r.status for r in again.results] == ["unchanged"] * 4
    changed = index.ingest_records([_record("НОВОСТЬ-1", "A new text about Rotterdam, AP reported.")])
    assert changed.results[0].status == "replaced", "the same id, whatever its case, is still a replace"


def test_a_different_raw_id_on_a_taken_slug_is_refused(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    index = KnowledgeIndex(tmp_path / "d", embedder=embedder)
    assert index.ingest_records([_record("my story")]).results[0].status == "added"
    taken = slugify("my story")
    before = index.article(taken)
    (result,) = index.ingest_records(
        [_record(taken, "Something else entirely, AP reported.", "feed.jsonl")]
    ).results
    assert result.status == "failed" and result.reason == ID_CONFLICT
    assert result.message is not None and result.message.startswith("feed.jsonl: ")
    assert "'my story'" in result.message and "nothing was replaced" in result.message
    assert index.article(taken) == before, "the first article is untouched"
    # within one batch too: the second record on the same slug is refused, the first added
    first, second = index.ingest_records(
        [_record("a b"), _record(slugify("a b"), "Other text, AP reported.")]
    ).results
    assert first.status == "added" and (second.status, second.reason) == ("failed", ID_CONFLICT)


def test_the_commit_refuses_a_conflict_that_passed_the_check(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    """Two writers may both pass the early check: the manifest transaction is the guard."""
    index = KnowledgeIndex(tmp_path / "d", embedder=embedder)
    index.ingest_records([_record("my story")])
    original = index.manifest.get
    index.manifest.get = lambda article_id: None  # type: ignore[method-assign]  # the check saw no owner yet
    try:
        (result,) = index.ingest_records([_record(slugify("my story"), "Other text, AP reported.")]).results
    finally:
        index.manifest.get = original  # type: ignore[method-assign]
    assert (result.status, result.reason) == ("failed", ID_CONFLICT)
    assert index.article(slugify("my story")).raw_id == "my story"  # type: ignore[union-attr]


def test_manifests_from_before_raw_ids_still_open_and_replace(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    index = KnowledgeIndex(tmp_path / "d", embedder=embedder)
    index.ingest_records([_record("port")])
    index.manifest.close()
    # as a manifest written before raw ids were kept
    with sqlite3.connect(tmp_path / "d" / "index.sqlite") as conn:
        conn.execute("UPDATE articles SET raw_id = NULL")
    old = KnowledgeIndex(tmp_path / "d", embedder=embedder)
    assert old.article("port").raw_id is None  # type: ignore[union-attr]
    (result,) = old.ingest_records(
        [_record("Port", "Dockers ended the strike on Friday, AP reported.")]
    ).results
    assert result.status == "replaced"
    assert old.article("port").raw_id == "Port"  # type: ignore[union-attr]


def test_migration_adds_the_raw_id_column_to_an_old_manifest(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    from index.database import SQLiteDatabase
    from index.manifest import _MIGRATIONS

    SQLiteDatabase(path, _MIGRATIONS[:2]).close()  # the schema before raw ids
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO articles (id, title, content_hash, chunk_count, ingested_at, source, text) "
            "VALUES ('seed', 'Seed', 'h', 0, '2025-01-01T00:00:00+00:00', 'seed.txt', 'x')"
        )
    info = Manifest(path).get("seed")
    assert info is not None and info.raw_id is None
