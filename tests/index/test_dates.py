"""`published_at` is stored as ISO 8601; an ambiguous or partial date is refused by name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index import ParseError, record_from_mapping
from index.dates import normalize_published_at
from index.parse import read_path


@pytest.mark.parametrize(
    ("value", "iso"),
    [("May 12, 2025", "2025-05-12"), ("12 May 2025", "2025-05-12"), ("2025-05-12", "2025-05-12"),
     ("2025-05-12T10:00:00Z", "2025-05-12T10:00:00+00:00"), ("2025-05-12T10:00:00+02:00", "2025-05-12T10:00:00+02:00"),
     ("25/05/2025", "2025-05-25"), ("05/05/2025", "2025-05-05"), ("", None), (None, None)],
)
def test_dates_become_iso_8601(value: str | None, iso: str | None) -> None:
    assert normalize_published_at(value) == iso


def test_a_numeric_date_that_reads_two_ways_is_refused_naming_both() -> None:
    with pytest.raises(ParseError) as caught:
        normalize_published_at("12/05/2025")
    assert str(caught.value) == ("published_at: ambiguous date '12/05/2025': it reads as 12 May 2025 (day first) "
                                 "or 5 December 2025 (month first); write it as YYYY-MM-DD")


@pytest.mark.parametrize(("value", "fragment"), [("May 2025", "not a full date"), ("soon", "not a date"), ("2025-13-45", "not a date")])
def test_partial_and_invalid_dates_are_refused(value: str, fragment: str) -> None:
    with pytest.raises(ParseError, match=fragment):
        normalize_published_at(value)


def test_records_and_sidecars_store_iso_dates(tmp_path: Path) -> None:
    assert record_from_mapping({"text": "Talks resumed.", "published_at": "May 12, 2025"}, "feed.json").published_at == "2025-05-12"
    with pytest.raises(ParseError, match=r"feed.json, line 3: 'published_at': ambiguous date '03/04/2025'"):
        record_from_mapping({"text": "Talks resumed.", "published_at": "03/04/2025"}, "feed.json", 3)
    (tmp_path / "story.txt").write_text("Talks\n\nTalks resumed on Monday.", encoding="utf-8")
    (tmp_path / "story.meta.json").write_text(json.dumps({"published_at": "March 1, 2026"}), encoding="utf-8")
    records, errors = read_path(tmp_path / "story.txt")
    assert not errors and records[0].published_at == "2026-03-01"
    (tmp_path / "story.meta.json").write_text(json.dumps({"published_at": "01/03/2026"}), encoding="utf-8")
    records, errors = read_path(tmp_path / "story.txt")
    assert records == [] and "ambiguous date '01/03/2026'" in str(errors[0]) and "story.txt" in str(errors[0])


def test_record_schema_errors_name_the_record_and_field() -> None:
    with pytest.raises(ParseError, match=r"^feed.jsonl, line 2: record has no 'text'"):
        record_from_mapping({"title": "B"}, "feed.jsonl", 2)
    with pytest.raises(ParseError, match=r"^feed.json: 'genre' must be a string$"):
        record_from_mapping({"text": "x", "genre": 3}, "feed.json")
    with pytest.raises(ParseError, match="a record must be a JSON object, got list"):
        record_from_mapping([1], "feed.json")
    record = record_from_mapping({"text": "\nFirst line\nrest", "genre": "analysis", "dek": "d", "publisher": "AP", "x": 1}, "f.json")
    assert (record.title, record.genre, record.dek, record.publisher) == ("First line", "analysis", "d", "AP")
