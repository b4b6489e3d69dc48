"""Parsing every format, and bad input: each failure names the file (and line) and is skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.analyze import analyze
from index.parse import iter_article_files, parse_html, read_path
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


# A copied news page with its furniture: byline, time stamp, an ad slot, a captioned photo, sharing
# prompts and, at the back, a list of the site's other stories (invented text).
COPIED_PAGE = """Harbour pact signed after a night of talks
Ilse Marten and Per Vik
Updated ·3 min read
By Ilse Marten
The two port authorities signed the harbour pact on Tuesday after talks ran through the night.
ADVERTISEMENT
Berit Holm, the northern authority's chief negotiator, at the signing  Credit: Tidewater Photo/J. Lund
Fees
Under the pact, ferry fees fall by a fifth from March.
Share this article
Sign up for the Tidewater briefing to get the latest port news in your inbox every morning.
Holm said the fee cut was the price of a quiet summer on the quays.
Harbour workers said they would watch whether the cut reaches their wages before the summer rush begins.
Recent Posts
Storm closes the coastal road for a second day
Flooding cut the coastal road near the lighthouse on Monday.
2 hours ago
"""


def test_page_furniture_is_neither_text_nor_a_section_and_a_caption_is_text() -> None:
    from index.models import ArticleRecord

    article = analyze(ArticleRecord(title="Harbour pact signed after a night of talks", text=COPIED_PAGE, id="harbour"))
    texts = [s.text for s in article.sentences]
    assert texts[0].startswith("The two port authorities signed")
    # the caption is the page's text up to its photo credit, a sentence of its own (not a heading)
    assert "Berit Holm, the northern authority's chief negotiator, at the signing" in texts
    assert not any("Credit" in t or "Tidewater" in t for t in texts)
    # bylines, time stamps, ads and prompts head nothing and say nothing
    assert not any(t in texts for t in ("By Ilse Marten", "ADVERTISEMENT", "Share this article"))
    assert not any(t.startswith("Sign up") for t in texts), "a call to subscribe, even as a sentence, says nothing"
    # the line of names above the time stamp is the byline, no section
    assert [h for _, h in article.sections] == ["Harbour pact signed after a night of talks", "Fees"]
    assert {s.section for s in article.sentences} <= {None, "Harbour pact signed after a night of talks", "Fees"}
    assert next(s.section for s in article.sentences if s.text.startswith("Under the pact")) == "Fees"
    # the page's closing list of other stories is not the article
    assert texts[-1].startswith("Harbour workers said")
    assert not any("Flooding" in t or "Storm" in t for t in texts)
    assert "Recent Posts" in article.text  # the stored text keeps the page as given


def test_a_caption_ends_at_its_credit_and_running_text_is_never_cut() -> None:
    from index.normalize import caption_text

    assert caption_text("Mara Olsen at the quay. Photo: Harbour Press/K. Dahl") == "Mara Olsen at the quay."
    assert caption_text("Here is the bigger photo: fees fall. The ports gain most from it.") is None
    assert caption_text("Photo: Harbour Press") is None  # nothing of the page's own: furniture, not a caption


def test_a_related_link_inside_the_article_does_not_end_it() -> None:
    from index.models import ArticleRecord

    page = COPIED_PAGE.split("Recent Posts")[0] + (
        "Related coverage\nFerry fares rise again\n"
        "The northern authority will publish the new fee table on Friday.\n"
        "Harbour pilots welcomed the deal but asked for a review in the autumn.\n")
    texts = [s.text for s in analyze(ArticleRecord(title="Harbour pact", text=page, id="harbour")).sentences]
    assert texts[-1].startswith("Harbour pilots welcomed")


def test_a_bulleted_list_that_holds_the_pages_own_headline_is_the_sites_story_list() -> None:
    from index.models import ArticleRecord

    title = "Harbour pact: what the two ports agreed"
    page = (
        "The two port authorities signed a joint fee pact on Sunday.\n"
        "- Harbour pact: what the two ports agreed\n"
        "- Analysis: Which ferries carry the most freight?\n"
        "- Interactive: Mapping every berth on the coast\n"
        "Under the pact, berth fees fall by a tenth.\n"
        "Key points\n"
        "- Fees fall by a tenth from March\n"
        "- Pilots get a review in the autumn, the boards say\n"
        "- Both boards vote again next year\n"
        "Harbour workers said they would watch the first month closely.\n"
    )
    texts = [s.text for s in analyze(ArticleRecord(title=title, text=page, id="harbour-list")).sentences]
    assert not any("Mapping every berth" in t or "Which ferries" in t or t.endswith("two ports agreed") for t in texts)
    # a list of the article's own points, without its headline, stays text: each item a sentence of its
    # own (one ending in "say" does not run on into the next), without its bullet
    assert "Fees fall by a tenth from March" in texts and "Both boards vote again next year" in texts
    assert "Pilots get a review in the autumn, the boards say" in texts
    assert texts[-1].startswith("Harbour workers said")


def test_a_date_stamp_glued_to_the_first_word_is_not_part_of_the_sentence() -> None:
    from index.models import ArticleRecord

    page = "Harbour pact signed\n03.14.25Port authorities agreed to cut berth fees by a tenth. Crews welcomed it.\n"
    article = analyze(ArticleRecord(title="Harbour pact signed", text=page, id="harbour-stamp"))
    texts = [s.text for s in article.sentences]
    assert texts[0] == "Port authorities agreed to cut berth fees by a tenth."
    assert article.text[article.sentences[0].start : article.sentences[0].end] == texts[0]
    assert "03.14.25Port" in article.text  # the stored text keeps the page as given


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


NEWS_PAGE = Path(__file__).resolve().parents[1] / "fixtures" / "news-page.html"


def test_a_news_page_gives_its_text_and_its_meta_tags(tmp_path: Path) -> None:
    """trafilatura: nav, byline, related links and footer go; site name and date come from the meta tags."""
    page = tmp_path / "antwerp.html"
    page.write_text(NEWS_PAGE.read_text(encoding="utf-8"), encoding="utf-8")
    (record,), errors = read_path(page)
    assert not errors
    assert (record.title, record.publisher, record.published_at) == ("Port strike spreads to Antwerp", "The Harbour Gazette", "2026-03-04")
    assert record.author == "Jan Peeters", "the byline is kept as metadata, not as text"
    assert record.text.startswith("Dockworkers in Antwerp walked out on Tuesday"), "the headline is not repeated as text"
    assert "What happens next" in record.text and record.text.endswith("weeks of business.")
    for chrome in ("Subscribe", "Home", "Related stories", "beaches", "Cookie", "©", "By Jan Peeters"):
        assert chrome not in record.text
    (tmp_path / "antwerp.meta.json").write_text(json.dumps({"publisher": "Reuters"}), encoding="utf-8")
    assert read_path(page)[0][0].publisher == "Reuters", "a sidecar still wins over the page"


def test_html_falls_back_to_the_plain_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *a, **k: None)
    record = parse_html(NEWS_PAGE.read_text(encoding="utf-8"), "page.html")
    assert record.title == "Port strike spreads to Antwerp" and record.publisher is None
    assert "Dockworkers in Antwerp" in record.text and "All rights reserved" not in record.text


def test_a_deeply_nested_json_line_fails_alone(tmp_path: Path) -> None:
    """One hostile line (a RecursionError in json.loads) is that line's failure; the rest is read."""
    from index.parse import read_path

    path = tmp_path / "feed.jsonl"
    good = '{"id": "ok", "title": "Fine", "text": "A plain report about the harbour, officials said."}'
    path.write_text("[" * 200_000 + "]" * 200_000 + "\n" + good + "\n", encoding="utf-8")
    records, errors = read_path(path)
    assert [r.id for r in records] == ["ok"]
    assert len(errors) == 1 and "line 1" in str(errors[0]) and "nested too deeply" in str(errors[0])
    sidecar_text = tmp_path / "story.txt"
    sidecar_text.write_text("Headline\n\nA sentence about the harbour.\n", encoding="utf-8")
    (tmp_path / "story.meta.json").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    records, errors = read_path(sidecar_text)
    assert not records and "nested too deeply" in str(errors[0])
