"""Parsing every format, and bad input: each failure names the file (and line) and is skipped."""

from __future__ import annotations

import json
from pathlib import Path

from index.analyze import analyze
from index.parse import iter_article_files, read_path
from index.segment import split_sentences

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"


def test_txt_title_and_sidecar_metadata() -> None:
    records, errors = read_path(CORPUS / "orna-envoy-plan.txt")
    assert not errors
    (r,) = records
    assert r.id == "orna-envoy-plan"
    assert r.publisher == "Reuters"
    assert r.published_at and r.url


def test_markdown_headings_become_sections() -> None:
    (r,), _ = read_path(CORPUS / "orna-dam-explainer.md")
    article = analyze(r)
    assert article.sections, "## headings must be kept as sections"
    assert not any(s.text.startswith("#") for s in article.sentences)


def test_html_drops_page_chrome() -> None:
    (r,), errors = read_path(CORPUS / "orna-envoy-shuttle.html")
    assert not errors
    article = analyze(r)
    assert r.title and "<" not in article.text
    for chrome in ("Subscribe", "cookie", "function(", "Menu"):
        assert chrome not in article.text


def test_jsonl_records_keep_their_ids_and_outlets() -> None:
    records, errors = read_path(CORPUS / "orna-wire-roundup.jsonl")
    assert not errors
    assert [r.id for r in records] == ["axios-us-presses-valdoria", "aje-sarn-delta-farmers"]
    assert [r.publisher for r in records] == ["Axios", "Al Jazeera"]


def test_folder_walk_skips_sidecars_and_docs() -> None:
    names = [p.name for p in iter_article_files([CORPUS])]
    assert not any(n.endswith(".meta.json") for n in names)
    assert "orna-envoy-plan.txt" in names


def test_bad_inputs_each_get_a_message_naming_the_file(tmp_path: Path) -> None:
    cases = {
        "empty.txt": b"",
        "blank.md": b"   \n\n  ",
        "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR",
        "latin1.txt": "Caf\u00e9 talks\nThe caf\u00e9 was closed.".encode("latin-1"),
        "notes.docx": b"PK\x03\x04",
        "title-only.txt": b"Just a title\n",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    expected = {
        "empty.txt": "empty file", "blank.md": "empty file", "binary.txt": "binary file",
        "latin1.txt": "not valid UTF-8 at byte", "notes.docx": "unsupported file type '.docx'",
        "title-only.txt": "no article text",
    }
    for name, fragment in expected.items():
        records, errors = read_path(tmp_path / name)
        assert records == []
        assert len(errors) == 1 and fragment in str(errors[0]) and name in str(errors[0]), (name, errors)


def test_large_file_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"Title\n" + b"word " * (4 * 1024 * 1024))  # ~20 MB
    records, errors = read_path(big, max_bytes=5 * 1024 * 1024)
    assert records == [] and "file too large" in str(errors[0]) and "big.txt" in str(errors[0])


def test_jsonl_bad_lines_are_reported_by_line_and_good_ones_kept(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    lines = [
        json.dumps({"id": "a", "title": "A", "text": "Talks resumed, AFP reported."}),
        "{not json",
        json.dumps({"id": "b", "title": "B"}),
        json.dumps({"id": "c", "title": "C", "text": "The port reopened.", "outlet": "Reuters"}),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    records, errors = read_path(path)
    assert [r.id for r in records] == ["a", "c"]
    messages = [str(e) for e in errors]
    assert any("line 2" in m and "invalid JSON" in m for m in messages)
    assert any("line 3" in m and "no 'text'" in m for m in messages)


def test_sentence_splitter_keeps_abbreviations_together() -> None:
    text = "A U.S.-backed truce held. Mr. Smith met Dr. Jones in St. Louis. The U.S. The talks resumed."
    spans = split_sentences(text)
    sentences = [text[s:e] for s, e in spans]
    assert sentences[0] == "A U.S.-backed truce held."
    assert sentences[1] == "Mr. Smith met Dr. Jones in St. Louis."
    assert sentences[-1] == "The talks resumed."
