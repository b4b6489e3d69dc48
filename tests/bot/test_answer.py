"""The answer engine on a small invented multi-outlet story: real model, real Chroma, fitted weights."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.answer import FEATURES, REFUSAL_FEATURES, AnswerModel, Selection
from bot.answer.engine import split_parts
from bot.answer.features import Candidate
from bot.answer.query import read_query
from bot.answer.ranker import WEIGHTS_PATH, select_indices
from index.models import Chunk, Sentence
from tests.conftest import make_bot

# An invented story (the Lumen strait toll dispute): wire copy, a paper quoting people, a broadcaster.
ARTICLES = [
    {"id": "wire-toll", "title": "Marovia doubles strait toll, Ostland threatens retaliation", "outlet": "Harbor Wire",
     "published_at": "2031-04-02",
     "text": "Marovia doubled the toll on ships crossing the Lumen Strait on Tuesday, raising it to 40 crowns a tonne. "
             "The government in Sella said the money would pay for dredging the channel. "
             "Ostland's trade minister, Pia Lund, called the increase \"economic piracy\" and said her country would "
             "answer with tariffs on Marovian steel within thirty days. "
             "According to Marovian Prime Minister Edvin Kast, the toll will fall again once dredging ends in 2033. "
             "Shipping firms warned that freight costs on the route could rise by a fifth."},
    {"id": "paper-talks", "title": "Strait toll talks set for Vessa as shippers count the cost", "outlet": "The Northern Star",
     "published_at": "2031-04-05",
     "text": "Negotiators from Marovia and Ostland will meet in Vessa on April 14 to discuss the toll, officials said. "
             "Ostland wants the toll frozen at its old level while the talks run. "
             "Marovia has offered a discount for ships that carry food and medicine. "
             "Edvin Kast told reporters the dredging could not be paid for any other way. "
             "The largest carrier on the route, Brask Lines, said it had already moved two ships to a longer route."},
    {"id": "agency-ports", "title": "Ports brace for fewer ships", "outlet": "Associated Press",
     "published_at": "2031-04-07",
     "text": "Harbour pilots in Sella said traffic through the strait fell by a third in the first week of the new toll. "
             "Port director Hallberg said the quays in Sella had never been so quiet in April. "
             "He also asked the city council to waive berth fees until the toll comes down."},
    {"id": "broadcast-analysis", "title": "Analysis: who gains from the Lumen toll fight", "outlet": "Channel Nine News",
     "published_at": "2031-04-06",
     "text": "Rail operators in Ostland stand to gain as freight shifts away from the strait. "
             "Marovia's ports, by contrast, could lose business if shippers keep avoiding the crossing. "
             "The dispute also tests the regional trade pact signed in 2029."},
]


@pytest.fixture(scope="module")
def toll_bot(tmp_path_factory: pytest.TempPathFactory, embedder):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("toll")
    path = folder / "articles.jsonl"
    path.write_text("\n".join(json.dumps(a) for a in ARTICLES) + "\n", encoding="utf-8")
    return make_bot(folder / "data", embedder, path)


def _outlets(answer) -> set[str]:  # type: ignore[no-untyped-def]
    return {o for c in answer.citations for o in c.outlets}


def test_the_fitted_model_matches_the_code() -> None:
    data = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))
    assert data["ranker"]["features"] == list(FEATURES)
    assert data["refusal"]["features"] == list(REFUSAL_FEATURES)
    model = AnswerModel.load()
    assert model.weights.shape == (len(FEATURES),) and 0 < model.refusal_threshold < 1
    assert data["meta"]["fitted_on"], "weights.json says which sets it was fitted on"


def test_a_person_quoted_is_never_cited_as_an_outlet(toll_bot) -> None:  # type: ignore[no-untyped-def]
    answer = toll_bot.ask("What does Edvin Kast say about the toll?")
    assert answer.grounded
    cited = _outlets(answer)
    assert cited and not cited & {"Edvin Kast", "Kast", "Marovian Prime Minister Edvin Kast"}, cited
    assert cited <= {"Harbor Wire", "The Northern Star", "Channel Nine News"}


def test_publisher_names_are_rendered_as_given(toll_bot) -> None:  # type: ignore[no-untyped-def]
    answer = toll_bot.ask("Where will the negotiators meet?")
    assert answer.grounded and "Vessa" in answer.answer
    assert "The Northern Star" in _outlets(answer)
    assert "The Northern Star" in answer.answer, answer.answer  # not "Northern Star"


def test_a_when_question_gets_the_sentence_with_the_date(toll_bot) -> None:  # type: ignore[no-untyped-def]
    answer = toll_bot.ask("When do the toll talks start?")
    assert answer.grounded and "April 14" in " ".join(c.quote for c in answer.citations)


def test_a_name_no_article_mentions_is_declined_in_plain_words(toll_bot) -> None:  # type: ignore[no-untyped-def]
    answer = toll_bot.ask("What did Gustav Rinaldi say about the strait toll?")
    assert not answer.grounded and not answer.citations
    assert "Rinaldi" in answer.answer


def test_an_off_topic_question_is_declined(toll_bot) -> None:  # type: ignore[no-untyped-def]
    answer = toll_bot.ask("How do I train for a half-marathon?")
    assert not answer.grounded and not answer.citations


def test_summarize_gives_a_cited_overview_of_each_article(toll_bot) -> None:  # type: ignore[no-untyped-def]
    answer = toll_bot.ask("Summarize the articles")
    assert answer.grounded
    assert {c.article_id for c in answer.citations} == {a["id"] for a in ARTICLES}


def test_summarizing_one_outlets_article_gives_that_article(toll_bot) -> None:  # type: ignore[no-untyped-def]
    answer = toll_bot.ask("Summarize the Harbor Wire article.")
    assert answer.grounded, answer.answer
    assert _outlets(answer) == {"Harbor Wire"} and "40 crowns" in answer.answer


def test_a_false_premise_says_who_did_report_it(toll_bot) -> None:  # type: ignore[no-untyped-def]
    answer = toll_bot.ask("According to Channel Nine News, where will the negotiators meet in April?")
    assert answer.grounded, answer.answer
    assert answer.answer.startswith("Channel Nine News did not report that")
    assert "The Northern Star" in answer.answer and "The Northern Star" in _outlets(answer)


def test_an_ask_naming_two_outlets_gets_each_outlets_own_reporting(toll_bot) -> None:  # type: ignore[no-untyped-def]
    answer = toll_bot.ask("Compare what Harbor Wire and The Northern Star reported.")
    assert answer.grounded, answer.answer
    assert {"Harbor Wire", "The Northern Star"} <= _outlets(answer)
    assert "did not report" not in answer.answer
    # one of the two has nothing on the topic: said so, and the other's reporting is given
    answer = toll_bot.ask("What did Harbor Wire and the Associated Press say about the quays in Sella?")
    assert answer.grounded, answer.answer
    assert answer.answer.startswith("Harbor Wire did not report on that in these articles.")
    assert "never been so quiet" in answer.answer and _outlets(answer) == {"Associated Press"}


@pytest.mark.parametrize("question", [
    "Compare what Harbor Wire and The Northern Star reported about the toll.",
    "Compare what The Northern Star and Harbor Wire reported about the toll.",
    "What did Harbor Wire and Associated Press say about the strait?",
])
def test_a_comparison_does_not_favour_the_outlet_named_first(toll_bot, question: str) -> None:  # type: ignore[no-untyped-def]
    # each outlet named has sentences on it: each is given, whichever is named first
    answer = toll_bot.ask(question)
    assert answer.grounded, answer.answer
    assert "did not report" not in answer.answer, answer.answer
    named = [o for o in ("Harbor Wire", "The Northern Star", "Associated Press") if o in question]
    assert set(named) <= _outlets(answer), answer.answer


def test_only_outlets_named_side_by_side_are_asked_about_each() -> None:
    from bot.intent import _outlets_named

    known = ["Harbor Wire", "The Northern Star", "Associated Press", "Channel Nine News"]
    assert _outlets_named("Compare what Harbor Wire and The Northern Star reported.", known) == ["Harbor Wire", "The Northern Star"]
    assert _outlets_named("What did Harbor Wire, the Associated Press or Channel Nine News say?", known) == [
        "Harbor Wire", "Associated Press", "Channel Nine News"]
    # one report relayed by another outlet is one outlet asked about
    assert _outlets_named("According to Harbor Wire, as cited by The Northern Star, what rose?", known) == ["Harbor Wire"]


def test_an_outlet_asked_by_another_spelling_is_the_published_one(toll_bot) -> None:  # type: ignore[no-untyped-def]
    answer = toll_bot.ask("What did the AP report about traffic through the strait?")
    assert answer.grounded, answer.answer
    assert "Associated Press" in _outlets(answer) and "a third" in answer.answer


def test_a_first_name_the_articles_leave_out_is_not_a_missing_name(toll_bot) -> None:  # type: ignore[no-untyped-def]
    # the articles call him "Hallberg" only; the reader knows his first name
    answer = toll_bot.ask("What did Nils Hallberg say about the quays?")
    assert answer.grounded, answer.answer
    assert "never been so quiet" in answer.answer


def test_a_typo_is_read_as_the_word_or_name_it_misspells(toll_bot) -> None:  # type: ignore[no-untyped-def]
    answer = toll_bot.ask("Waht did Halberg say about teh quays?")  # what, Hallberg, the
    assert answer.grounded, answer.answer
    assert "never been so quiet" in answer.answer
    assert answer.resolved_question == "What did Hallberg say about the quays?"


def test_mend_typos_leaves_real_words_and_ambiguous_slips_alone() -> None:
    from bot.intent import mend_typos, one_edit

    assert one_edit("waht", "what") and one_edit("halberg", "hallberg") and one_edit("wht", "what")
    assert not one_edit("what", "what") and not one_edit("wahts", "what") and not one_edit("abc", "cba")
    names = ["Nils Hallberg", "Marovia"]
    assert mend_typos("Whta did Hallberg say?", frozenset(), names) == "What did Hallberg say?"
    assert mend_typos("Whi is Hallberg?", frozenset(), names) == "Whi is Hallberg?"  # who or why
    assert mend_typos("According to CNA, what happened?", frozenset(), names) == "According to CNA, what happened?"
    assert mend_typos("What did Vandell say?", frozenset(), ["Ola Randell"]) == "What did Vandell say?"  # first letters differ
    assert mend_typos("What dose Marovia want?", frozenset(), names) == "What dose Marovia want?"  # an English word
    assert mend_typos("What did Halberg want?", frozenset({"halberg"}), names) == "What did Halberg want?"  # the articles' own word
    assert mend_typos("What did Hallbergs want?", frozenset(), ["Hallberg", "Hallbergs"]) == "What did Hallbergs want?"


def test_an_outlet_that_no_article_cites_is_refused(toll_bot) -> None:  # type: ignore[no-untyped-def]
    answer = toll_bot.ask("What did the BBC report about the toll?")
    assert not answer.grounded and "BBC" in answer.answer


def test_a_two_part_question_gets_evidence_for_each_part(toll_bot) -> None:  # type: ignore[no-untyped-def]
    answer = toll_bot.ask("What did Pia Lund call the increase, and how did Brask Lines respond?")
    quotes = " ".join(c.quote for c in answer.citations)
    assert "piracy" in quotes and "longer route" in quotes


def test_a_follow_up_pronoun_takes_the_person_just_discussed(toll_bot) -> None:  # type: ignore[no-untyped-def]
    first = toll_bot.ask("What did Ostland's trade minister Pia Lund threaten?")
    follow = toll_bot.ask("And when did she say it would happen?", first.conversation_id)
    assert follow.grounded and "thirty days" in " ".join(c.quote for c in follow.citations)


def test_the_next_sentence_goes_along_when_it_goes_on_with_the_same_subject(toll_bot) -> None:  # type: ignore[no-untyped-def]
    answer = toll_bot.ask("How quiet have the quays in Sella been since the toll?")
    quotes = [c.quote for c in answer.citations]
    assert any("never been so quiet" in q for q in quotes)
    assert any(q.startswith("He also asked the city council") for q in quotes), quotes  # "He also …" says more


def test_split_parts() -> None:
    assert split_parts("What did Kast say, and how did Lund respond?") == ["What did Kast say", "how did Lund respond"]
    assert split_parts("What does Ostland want?") == []
    assert split_parts("How did Pia Lund and Edvin Kast each describe the toll?") == [
        "How did Pia Lund describe the toll?", "How did Edvin Kast describe the toll?"]
    # each conjunct keeps its own words ("Ostland's minister", "the Marovian premier")
    assert split_parts("How did Ostland's minister and the Marovian premier each react?") == [
        "How did Ostland's minister react?", "How did the Marovian premier react?"]
    # a statement, then the question: each sentence is a part; an abbreviation's dot is not a break
    assert split_parts("Marovia doubled the toll. How did Ostland respond?") == ["Marovia doubled the toll",
                                                                                 "How did Ostland respond"]
    assert split_parts("What did Mr. Kast say?") == []
    assert split_parts("What did Kast say? (2-11)") == []  # a parenthetical with no words is no part
    # an enumeration after a colon: each item is a part
    assert split_parts("Which two firms moved ships: one that left the strait, and one that Kast said would stay?") == [
        "Which two firms moved ships", "one that left the strait", "one that Kast said would stay"]
    # a lead-in cut off by a comma is no question of its own: one part, not two
    assert split_parts("After the toll vote, what did Kast say he would do?") == []
    assert split_parts("On the first day of the talks, who spoke for each side?") == []
    assert split_parts("What did Kast say, how did Lund respond?") == ["What did Kast say", "how did Lund respond"]


def _candidate(text: str, position: int) -> Candidate:
    """`text` as a reported Harbor Wire sentence, the only one of its chunk."""
    sentence = Sentence(0, len(text), text, ("Harbor Wire",), "reported")
    chunk = Chunk(f"c{position}", "a", "v1", position, text, 0, len(text), (sentence,), None, "Toll", "Harbor Wire",
                  None, None)
    return Candidate(sentence, chunk, 0.0, 0.0, 0.0)


def test_a_question_about_figures_asks_for_numbers() -> None:
    from bot.answer.query import read_query
    from bot.intent import Ask

    query = read_query(Ask("Outlets give different figures for the toll. What are they?", "fact", [], None), [])
    assert {"MONEY", "CARDINAL"} <= query.answer_types


def test_a_question_asking_two_things_prefers_the_sentence_that_holds_both() -> None:
    from bot.actors import Actors
    from bot.answer.features import FeatureExtractor
    from bot.intent import Ask

    texts = ["Ostland must repay $40 million of the toll by March 2027.",  # the amount and the date
             "Ostland must repay $40 million of the toll.",  # the amount only
             "Ostland must repay the toll."]  # neither
    query = read_query(Ask("How big is the repayment, and by when is it due?", "fact", [], None), [])
    assert len(query.answer_groups) == 2 and {"MONEY", "DATE"} <= query.answer_types
    rows = FeatureExtractor(lambda term: 1.0, lambda: Actors({}), lambda article: 3).run(
        query, [_candidate(t, i) for i, t in enumerate(texts)], [1.0] * 3, [1.0] * 3)
    assert list(rows[:, FEATURES.index("answer_type")]) == [1.0, 0.5, 0.0]
    # "the number", "the next big date": a figure and a date are asked without "what"
    assert "CARDINAL" in read_query(Ask("How did the number change after the vote?", "fact", [], None), []).answer_types
    assert "DATE" in read_query(Ask("What's the next big date for Ostland?", "next", [], None), []).answer_types



def test_a_gains_ask_that_names_one_side_cues_that_side_only() -> None:
    from bot.actors import Actors
    from bot.answer.features import FeatureExtractor
    from bot.intent import Ask

    texts = ["Ostland benefits if the toll talks drag on.",  # a gain
             "The fishing towns could lose their harbour rights."]  # a loss
    extractor = FeatureExtractor(lambda term: 1.0, lambda: Actors({}), lambda article: 2)

    def cues(question: str) -> list[float]:
        rows = extractor.run(read_query(Ask(question, "gains", [], None), []),
                             [_candidate(t, i) for i, t in enumerate(texts)], [1.0] * 2, [1.0] * 2)
        return list(rows[:, FEATURES.index("cue")])

    assert cues("Who gains from the toll dispute?") == [1.0, 0.0]
    assert cues("Who loses from the toll dispute?") == [0.0, 1.0]
    assert cues("Who wins and who loses?") == [1.0, 1.0]  # both sides asked (or neither named): both cue


def test_a_possessive_ends_a_name() -> None:
    from bot.answer.query import names_in

    assert names_in("How did Ostland's al-Vessa and Kast's party each sum up the toll?") == ["Ostland", "al-Vessa", "Kast"]
    assert names_in("What did Pia Lund's ministry say?") == ["Pia Lund"]


def test_an_everyday_word_opening_a_later_sentence_is_not_a_name() -> None:
    from bot.actors import Actors
    from bot.answer.query import names_in
    from bot.intent import classify

    question = "Ostland objected before the vote. Once the toll was in force, what did Kast and Lund say?"
    assert names_in(question) == ["Ostland", "Kast", "Lund"]
    ask = classify(question, Actors(), [], frozenset({"once", "kast", "lund", "ostland"}))
    assert "Once" not in ask.actors and {"Kast", "Lund"} <= set(ask.actors), ask.actors
    assert names_in("Why did the U.S. Senate wait? China said what?") == ["U.S", "Senate", "China"]


def test_a_day_or_month_in_the_question_is_a_date_not_a_name() -> None:
    from bot.actors import Actors
    from bot.answer.query import names_in
    from bot.intent import classify

    question = "After Friday's vote in Vessa, what did Kast say would happen in January?"
    assert names_in(question) == ["Vessa", "Kast"]
    ask = classify(question, Actors(), [], frozenset({"friday", "vessa", "kast", "januari", "january"}))
    assert "Friday" not in ask.actors and "January" not in ask.actors, ask.actors
    assert names_in("What did Theresa May say?") == ["Theresa May"]  # a name that is also a month stays


def test_coverage_counts_close_and_irregular_forms_of_a_term() -> None:
    from bot.actors import Actors
    from bot.answer.features import FeatureExtractor
    from bot.intent import Ask

    texts = ["Ostland sought assurances from the mediators about dredging.",  # seeking ~ sought, reassurance ~ assurances
             "Ostland is seeking a reassurance from the mediators.",  # the same words
             "Ostland talked to the mediators about dredging."]  # neither
    candidates = [_candidate(t, i) for i, t in enumerate(texts)]
    query = read_query(Ask("What reassurance was Ostland seeking from the mediators?", "position", [], None), [])
    extractor = FeatureExtractor(lambda term: 1.0, lambda: Actors({}), lambda article: 3)
    rows = extractor.run(query, candidates, [1.0, 1.0, 1.0], [1.0, 1.0, 1.0])
    coverage = rows[:, FEATURES.index("coverage")]
    assert coverage[0] == coverage[1] == 1.0
    assert coverage[2] < coverage[0]


def test_select_indices_adds_a_sentence_for_an_uncovered_part() -> None:
    scores = [0.9, 0.8, 0.5]
    covers = [frozenset({"a"}), frozenset({"a"}), frozenset({"b"})]
    weights = {"a": 1.0, "b": 1.0}
    rule = Selection(max_sentences=2, relative=0.3, absolute=0.1, coverage=1.0)
    assert select_indices(scores, covers, weights, rule) == [0, 2]
    assert select_indices(scores, covers, weights, Selection(2, 0.3, 0.1, 0.0)) == [0, 1]
    assert select_indices(scores, covers, weights, Selection(3, 0.95, 0.1, 1.0)) == [0]


def test_model_round_trips(tmp_path: Path) -> None:
    model = AnswerModel.load()
    path = tmp_path / "w.json"
    path.write_text(json.dumps(model.to_dict()), encoding="utf-8")
    again = AnswerModel.load(path)
    rows = np.random.default_rng(1).normal(size=(5, len(FEATURES)))
    assert np.allclose(model.rank(rows), again.rank(rows), atol=1e-4)
    bad = model.to_dict()
    bad["ranker"]["features"] = bad["ranker"]["features"][:-1]
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(ValueError, match="make fit"):
        AnswerModel.load(path)


def test_a_word_the_articles_say_another_way_is_not_missing() -> None:
    from bot.answer.query import read_query
    from bot.answer.refusal import missing_words, present
    from bot.intent import Ask
    from index import tokenize

    vocabulary = frozenset(t for w in "the ceasefire between Ostland and Kast started at dawn".split() for t in tokenize(w))
    assert present(tokenize("truce")[0], vocabulary)  # the articles say "ceasefire"
    assert not present(tokenize("armistice")[0], frozenset(tokenize("the dredging began at dawn")))
    query = read_query(Ask("When did the truce between Ostland and Kast start?", "when", [], None), [])
    assert missing_words(query, vocabulary) == []
    query = read_query(Ask("When did the blockade between Ostland and Kast start?", "when", [], None), [])
    assert [w for w, _ in missing_words(query, vocabulary)] == ["blockade"]


def test_a_verb_form_of_a_framing_word_is_neither_missing_nor_the_head_of_the_ask() -> None:
    import numpy as np

    from bot.answer.features import FEATURES
    from bot.answer.query import read_query
    from bot.answer.ranker import REFUSAL_FEATURES
    from bot.answer.refusal import evidence, missing_words, present
    from bot.intent import Ask
    from index import tokenize

    vocabulary = frozenset(t for w in "Ostland will win the toll vote and Kast pays".split() for t in tokenize(w))
    assert present(tokenize("won")[0], vocabulary)  # the articles say "win"
    text = "the question is whether Ostland keeps the toll and Kast pays for the dredging"
    vocabulary = frozenset(t for w in text.split() for t in tokenize(w))
    query = read_query(Ask("Who won on the question of whether Kast has to pay?", "gains", [], None), [])
    assert missing_words(query, vocabulary) == []  # "won" is "win", a word that frames the ask
    row = evidence(query, np.array([0.5]), np.zeros((1, len(FEATURES))), vocabulary, [[]])
    assert row[REFUSAL_FEATURES.index("missing_head")] == 0.0  # the head is "question", which the articles say


def test_prepositions_pronouns_and_current_are_not_what_a_question_is_about() -> None:
    import numpy as np

    from bot.answer.features import FEATURES
    from bot.answer.query import content_terms, read_query
    from bot.answer.ranker import REFUSAL_FEATURES
    from bot.answer.refusal import evidence, missing_words
    from bot.intent import Ask
    from index import tokenize

    assert content_terms("Under what conditions would anyone vote against the toll during the winter?") == [
        *tokenize("conditions vote toll winter")]
    assert content_terms("What is the current state of the ongoing talks?") == [*tokenize("state talks")]
    vocabulary = frozenset(t for w in "Kast will pay the toll if the quays are dredged first".split() for t in tokenize(w))
    query = read_query(Ask("Under what conditions will Kast pay the toll?", "position", [], None), [])
    assert missing_words(query, vocabulary) == []  # "conditions" says what kind of answer is wanted
    row = evidence(query, np.array([0.5]), np.zeros((1, len(FEATURES))), vocabulary, [[]])
    assert row[REFUSAL_FEATURES.index("missing_head")] == 0.0  # "under" was the head, and no article says it


def test_a_sentence_that_opens_with_he_is_about_the_person_just_named(toll_bot) -> None:  # type: ignore[no-untyped-def]
    engine = toll_bot.composer
    ask = toll_bot._classify("What did Hallberg want from the city council?", [], None)
    candidates, features = engine.featurize(read_query(ask, toll_bot.index.outlets()))
    row = next(i for i, c in enumerate(candidates) if c.sentence.text.startswith("He also asked the city council"))
    named = dict(zip(FEATURES, features[row], strict=True))
    assert named["names"] == 1.0 and named["names_missing"] == 0.0, named  # "He" is Hallberg, named just before
    assert named["subject"] == 1.0, named
    other = next(i for i, c in enumerate(candidates) if c.sentence.text.startswith("Shipping firms warned"))
    assert dict(zip(FEATURES, features[other], strict=True))["names"] == 0.0  # no pronoun, no Hallberg


def test_a_sentence_opening_on_what_the_last_one_introduced_goes_on_with_it() -> None:
    from types import SimpleNamespace

    from bot.answer.engine import _refers_back
    from index import tokenize

    speech = SimpleNamespace(terms=frozenset(tokenize("Pia Lund delivered a speech after the vote in Vessa.")))
    assert _refers_back("In the speech, Lund called the toll piracy.", speech)  # type: ignore[arg-type]
    assert _refers_back("That speech was her first since April.", speech)  # type: ignore[arg-type]
    assert not _refers_back("In the harbour, ships waited.", speech)  # type: ignore[arg-type]  # nothing it introduced
    assert not _refers_back("The vote was close.", speech)  # type: ignore[arg-type]  # a bare "The …" opens any sentence
