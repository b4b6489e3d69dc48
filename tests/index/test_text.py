"""Outlet names are normalised at ingest: a zero-width or full-width spelling is the same outlet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index import KnowledgeIndex, ingest_paths
from index.text import normalize_outlet

ZWSP, ZWJ, BOM, RLM = "\u200b", "\u200d", "\ufeff", "\u200f"


@pytest.mark.parametrize("raw", [f"Reu{ZWSP}ters", f"{BOM}Reuters{RLM}", "Ｒｅｕｔｅｒｓ", " Reu\u00adters ", f"Reu{ZWJ}ters"])
def test_spellings_of_one_outlet_become_one(raw: str) -> None:
    assert normalize_outlet(raw) == "Reuters"


def test_controls_and_whitespace_become_one_space() -> None:
    assert normalize_outlet("Al\tJazeera\n") == "Al Jazeera"
    assert normalize_outlet(f"{ZWSP}\x00 ") is None and normalize_outlet(None) is None
    assert normalize_outlet("Le Monde") == "Le Monde"


def test_a_zero_width_char_in_an_outlet_does_not_defeat_the_outlet_filter(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    feed = tmp_path / "feed.jsonl"
    record = {"id": "port", "title": "Port strike", "outlet": f"Reu{ZWSP}ters",
              "text": "Dockers struck in Rotterdam on Monday over pay.\nThe port authority said talks would resume."}
    feed.write_text(json.dumps(record) + "\n", encoding="utf-8")
    index = KnowledgeIndex(tmp_path / "d", embedder=embedder)
    assert [r.status for r in ingest_paths(index, [feed]).results] == ["added"]
    assert [a.publisher for a in index.articles()] == ["Reuters"]
    passages = index.search("Where did dockers strike?", outlets=["Reuters"])
    assert passages and {p.chunk.article_id for p in passages} == {"port"}
