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
        # as written, not as a lexicon abbreviates it; "The" dropped only where it is not the outlet's name
        ("The minister told The Associated Press the talks had failed.", ["Associated Press"]),
        ("The Washington Post reported the memo.", ["The Washington Post"]),
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


# ----- speakers, publishers as given, news vs analysis (invented fixtures) --------------------------
def _article(text: str, publisher: str | None, title: str = "Dam talks", genre: str | None = None):  # type: ignore[no-untyped-def]
    return analyze(ArticleRecord(id="t", title=title, text=text, publisher=publisher, genre=genre))


@pytest.mark.parametrize(
    "sentence,speaker",
    [
        ("According to Ines Varga, the dam will be full by spring.", "Ines Varga"),
        ("The filling will slow, Tomas Rell said on Monday.", "Tomas Rell"),
        ("Kestria's envoy Lena Oduya told reporters the offer was final.", "Lena Oduya"),
        ("“We will not sign,” said Foreign Minister Ines Varga, speaking in Vienna.", "Ines Varga"),
        ("Ines Varga, the foreign minister, said the talks were over.", "Ines Varga"),
    ],
)
def test_a_person_quoted_is_the_speaker_never_an_outlet(sentence: str, speaker: str) -> None:
    s = _article(sentence, "Kestrel Wire").sentences[0]
    assert s.speaker == speaker
    assert s.outlets == ("Kestrel Wire",)  # the publisher's reporting, not "Ines Varga"'s
    assert s.kind == "reported"


def test_person_told_outlet_splits_speaker_and_outlet() -> None:
    s = _article("Lena Oduya told the Valdoria Herald that the strike would go ahead.", "Kestrel Wire").sentences[0]
    assert (s.outlets, s.speaker) == (("Valdoria Herald",), "Lena Oduya")


def test_according_to_a_person_without_a_publisher_is_analysis_with_no_outlet() -> None:
    s = _article("According to Tomas Rell, the reservoir is only half full.", None).sentences[0]
    assert s.outlets == () and s.speaker == "Tomas Rell"


@pytest.mark.parametrize("publisher", ["The Independent", "The Times of Israel", "BBC News", "Associated Press", "POLITICO Europe"])
def test_publisher_names_are_rendered_exactly_as_given(publisher: str) -> None:
    article = _article("The reservoir rose by two metres on Tuesday. Farmers in the delta planted late.", publisher)
    assert {s.outlets for s in article.sentences} == {(publisher,)}


def test_an_inline_credit_of_the_publisher_takes_the_publishers_spelling() -> None:
    wire = _article("LUSK, Kestria (AP) — The canal ran dry in August.", "Associated Press").sentences[0]
    assert wire.outlets == ("Associated Press",)
    carried = _article("LUSK, Kestria (AP) — The canal ran dry in August.", "Lusk Daily Ledger").sentences[0]
    assert carried.outlets == ("AP",)  # another lexicon outlet keeps the lexicon's spelling
    brand = _article("The draft was published overnight, Kestrel reports.", "Kestrel News Agency").sentences[0]
    assert brand.outlets == ("Kestrel News Agency",)


def test_a_news_storys_plain_sentences_are_reported_by_its_publisher() -> None:
    article = _article(
        "The dam began filling in July. However, the upstream reservoir could reach capacity by May, "
        "which would likely leave the delta short of water.",
        "The Independent",
    )
    assert [(s.outlets, s.kind) for s in article.sentences] == [
        (("The Independent",), "reported"), (("The Independent",), "reported"),
    ]


@pytest.mark.parametrize(
    "title,genre", [("Analysis: Kestria's bet on a slow fill", None), ("Opinion | The dam is a test", None),
                    ("Dam talks", "analysis"), ("The Orna dispute explained", None)],
)
def test_analysis_pieces_keep_their_unattributed_sentences_as_analysis(title: str, genre: str | None) -> None:
    s = _article("The reservoir will keep rising whether or not a deal is signed.", "Kestrel Wire", title, genre).sentences[0]
    assert (s.outlets, s.kind) == (("Kestrel Wire",), "analysis")


def test_a_source_speaking_in_an_analysis_piece_is_reported_not_the_authors_analysis() -> None:
    article = _article(
        "The reservoir will keep rising whether or not a deal is signed. "
        "“We had two speeches ready, one for each outcome,” said one of the negotiators. "
        "Ines Varga, the basin commissioner, told reporters the sluices would stay shut.",
        "Kestrel Wire", "Analysis: Kestria's bet on a slow fill",
    )
    kinds = [(s.outlets, s.kind) for s in article.sentences]
    assert kinds == [(("Kestrel Wire",), "analysis"),  # the author's own voice
                     (("Kestrel Wire",), "reported"),  # a quote with no named speaker
                     (("Kestrel Wire",), "reported")]  # a named speaker, no quote


def test_the_authors_own_argument_in_a_news_story_is_analysis_but_a_quote_is_not() -> None:
    article = _article(
        "The real question is how long the farmers can wait. “We cannot wait another season,” said Ines Varga.",
        "Kestrel Wire",
    )
    assert [s.kind for s in article.sentences] == ["analysis", "reported"]


@pytest.mark.parametrize(
    "sentence,outlets",
    [
        ("The crossing would open at dawn, according to the Kestrian channel 14.", ["Channel 14"]),
        ("Several families tell Channel 9 that they left with questions.", ["Channel 9"]),
        ("The Kestrel Times of Valdoria reported that the vote slipped.", ["The Kestrel Times of Valdoria"]),
        ("Orna Radio News reported that the gates were closed.", ["Orna Radio News"]),
        ("Oil is a gift, said President Ilan Osk, reports the BBC.", ["BBC"]),
        ("In its coverage, Politico observes that such speeches are rare.", ["POLITICO"]),
        ("BEIJING (AFP): The ministry urged calm.", ["AFP"]),
        ("According to Zelenskyy, the front line held.", []),  # a person, not an outlet
        ("Hoekstra told AFP the deal was close.", ["AFP"]),
        ("The plan, Rell said, is final.", []),
    ],
)
def test_inline_credits_that_are_news_organisations(sentence: str, outlets: list[str]) -> None:
    from index.entities import default_tagger

    entities = [(e.start, e.end, e.label) for e in default_tagger().tag([sentence])[0]]
    assert find_outlets(sentence, entities=entities) == outlets


def test_a_quotation_over_several_sentences_keeps_its_speaker_and_stays_reported() -> None:
    article = _article(
        "“We came here for a fair deal. We feel that we have not been heard,” said Amara Doss, the delta's envoy.",
        "Kestrel Wire",
    )
    assert [(s.speaker, s.kind) for s in article.sentences] == [("Amara Doss", "reported"), ("Amara Doss", "reported")]


def test_a_statement_reproduced_over_paragraphs_is_reported_not_the_publishers_analysis() -> None:
    # marked only where it opens and where it closes: its middle paragraph, in the first person
    # ("we"), is the statement's, not the news agency author arguing in their own voice
    article = _article(
        "The harbour board issued a statement on Tuesday, Kestrel Wire reports.\n\n"
        "“The board has heard every pilot and every shipper this month.\n\n"
        "Taking their views into account, we have now published a revised timetable.\n\n"
        "We will meet the unions again before the ferries sail,” the statement reads.",
        "Kestrel Wire",
    )
    assert [s.kind for s in article.sentences] == ["reported"] * 4


def test_a_pronoun_speaker_is_the_person_named_just_before() -> None:
    article = _article("Tomas Rell said the talks failed. He added that the filling would not stop.", "Kestrel Wire")
    assert article.sentences[1].speaker == "Tomas Rell"


def test_a_pronoun_speaker_is_the_nearest_person_not_an_earlier_speaker() -> None:
    article = _article(
        "Mayor Ilse Korr said the bridge would reopen. Tomas Rell, in a post online, was quick to take credit. "
        "\"This happened because of our work,\" he said.",
        "Kestrel Wire",
    )
    assert article.sentences[2].speaker == "Tomas Rell"


def test_a_bare_quote_right_after_a_speakers_sentence_is_that_speakers() -> None:
    article = _article(
        "“If the talks fail, we will close the port,” Tomas Rell said.\n\n“Nobody wants that outcome.”\n\n"
        "Ships kept sailing on Monday.",
        "Kestrel Wire",
    )
    assert [s.speaker for s in article.sentences] == ["Tomas Rell", "Tomas Rell", None]


def test_a_source_the_article_describes_as_a_monitor_is_an_outlet() -> None:
    article = _article(
        "The internet observatory WireScope confirmed the outage. WireScope posted, “Service is down nationwide.”",
        "Kestrel Wire",
    )
    assert [s.outlets for s in article.sentences] == [("WireScope",), ("WireScope",)]
    assert all(s.speaker is None for s in article.sentences)


def test_a_short_form_of_an_outlet_credited_before_is_that_outlet() -> None:
    article = _article(
        "Talks collapsed, the Wall Street Journal reported. The envoy left early, the Journal reported.", "Ynet Daily"
    )
    assert [s.outlets for s in article.sentences] == [("The Wall Street Journal",), ("The Wall Street Journal",)]


def test_an_outlet_another_article_of_the_corpus_publishes_takes_that_publishers_spelling() -> None:
    from index.outlets import canonical_outlet

    assert canonical_outlet("AP", ("Associated Press",)) == "Associated Press"
    assert canonical_outlet("the Associated Press", ("AP",)) == "AP"
    assert canonical_outlet("AP") == "AP"  # no such publisher: as written
