"""Attribution on the seed (exact, as the issue demands) and on forms the seed does not use."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.analyze import analyze
from index.attribution import classify, find_outlets
from index.models import ArticleRecord
from index.parse import read_path

SEED = Path(__file__).resolve().parents[2] / "data" / "articles" / "putin-peace-signal.txt"


@pytest.fixture(scope="module")
def seed_article():  # type: ignore[no-untyped-def]
    records, errors = read_path(SEED)
    assert not errors
    return analyze(records[0])


def _sentence(article, starts_with: str):  # type: ignore[no-untyped-def]
    found = [s for s in article.sentences if s.text.startswith(starts_with)]
    assert len(found) == 1, f"expected one sentence starting {starts_with!r}, got {len(found)}"
    return found[0]


EXPECTED = {
    "In Moscow, he said the war may be": ("Al Jazeera",),  # "according to\nAl Jazeera" across a line break
    "Putin’s remarks came as Russia and Ukraine": ("Al Jazeera",),
    "At the same time, European leaders": ("POLITICO",),
    "BBC reported that Putin invited": ("BBC",),
    "Zelenskyy’s position remains unchanged": ("BBC",),
    "The immediate test is whether Moscow accepts": ("POLITICO", "BBC"),
}


@pytest.mark.parametrize("start,outlets", EXPECTED.items())
def test_seed_attributed_sentences_get_exactly_their_outlets(seed_article, start: str, outlets: tuple[str, ...]) -> None:
    sentence = _sentence(seed_article, start)
    assert sentence.outlets == outlets
    assert sentence.kind == "reported"


def test_every_other_seed_sentence_is_analysis_with_no_outlet(seed_article) -> None:  # type: ignore[no-untyped-def]
    others = [s for s in seed_article.sentences if not any(s.text.startswith(k) for k in EXPECTED)]
    assert len(others) >= 15
    for s in others:
        assert s.kind == "analysis", s.text
        assert s.outlets == (), s.text


def test_seed_link_break_is_repaired_and_quotes_are_verbatim(seed_article) -> None:  # type: ignore[no-untyped-def]
    s = _sentence(seed_article, "In Moscow, he said")
    assert s.text.endswith("according to Al Jazeera.")
    assert seed_article.text[s.start : s.end] == s.text
    assert "“coming to an end”" in s.text  # Unicode quotes preserved
    closing = _sentence(seed_article, "The immediate test")
    assert closing.text.endswith("POLITICO and BBC reported.")


def test_seed_headings_are_sections_not_sentences(seed_article) -> None:  # type: ignore[no-untyped-def]
    assert [h for _, h in seed_article.sections] == [
        "Moscow is trying to escape the pressure point", "Who gains, who loses", "What to watch next",
    ]
    assert not any(s.text == "Who gains, who loses" for s in seed_article.sentences)
    assert _sentence(seed_article, "Putin benefits if").section == "Who gains, who loses"
    assert _sentence(seed_article, "The immediate test").section == "What to watch next"


def test_every_sentence_offset_points_into_the_stored_text(seed_article) -> None:  # type: ignore[no-untyped-def]
    for s in seed_article.sentences:
        assert seed_article.text[s.start : s.end] == s.text


@pytest.mark.parametrize(
    "sentence,outlets",
    [
        ("The minister told CNN that talks would resume.", ["CNN"]),
        ("Axios reported, citing two officials, that the deal was close.", ["Axios"]),
        ("Bloomberg, citing people familiar with the matter, said the port would reopen.", ["Bloomberg"]),
        ("Talks resumed, according to the Daily Borneo Herald.", ["Daily Borneo Herald"]),  # unknown source kept as written
        ("Reuters and The Guardian reported the talks had stalled.", ["Reuters", "The Guardian"]),
        ("Politico reported that the vote slipped.", ["POLITICO"]),  # canonical spelling
        ("The strike was first reported by the Financial Times.", ["Financial Times"]),
        ("GENEVA, March 2 (Reuters) - The envoy proposed a plan.", ["Reuters"]),
        ("The Kyiv Independent reported that drones hit the city.", ["Kyiv Independent"]),
        ("AFP, Reuters and AP reported the blast.", ["AFP", "Reuters", "AP"]),
    ],
)
def test_attribution_forms(sentence: str, outlets: list[str]) -> None:
    assert find_outlets(sentence) == outlets


@pytest.mark.parametrize(
    "sentence",
    [
        "Protesters gathered outside the BBC building on Monday.",
        "She writes a Politico-style newsletter about Brussels.",
        "CNN's headquarters were evacuated after the alarm.",
        "Putin said he was ready to meet.",
        "Officials reported heavy shelling overnight.",
        "This is the central power dynamic for Global Politics: Putin is testing Europe.",
        "The map shows where the AP photographer stood.",
    ],
)
def test_false_friends_attribute_nothing(sentence: str) -> None:
    assert find_outlets(sentence) == []


def test_publisher_from_metadata_reports_unattributed_news() -> None:
    assert classify("The port reopened on Tuesday after a four-day strike.", "Reuters") == (("Reuters",), "reported")
    assert classify("Officials said the port reopened.", "AP") == (("AP",), "reported")
    # argument in a news piece is the publisher's analysis, never invented as someone else's report
    assert classify("The real question is whether the deal could survive the winter.", "Reuters") == (("Reuters",), "analysis")
    # inline attribution wins over the publisher
    assert classify("The port reopened, Axios reported.", "Reuters") == (("Axios",), "reported")
    # with no publisher, unattributed text is analysis with no outlet
    assert classify("The port reopened on Tuesday.", None) == ((), "analysis")


def test_article_publisher_flows_to_sentences() -> None:
    record = ArticleRecord(id="x", title="Port", text="The port reopened on Tuesday. Unions had warned of a strike, CNN reported.",
                           publisher="Deutsche Welle")
    article = analyze(record)
    assert [(s.outlets, s.kind) for s in article.sentences] == [
        (("Deutsche Welle",), "reported"), (("CNN",), "reported"),
    ]
