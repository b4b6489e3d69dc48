"""A quotation over several sentences is cited whole: the sentence that matches, and the rest of its quote."""

from __future__ import annotations

import json

import pytest

from index.quotes import quote_runs, quote_states, same_speaker, statement_runs
from tests.conftest import make_bot


def test_quote_state_follows_the_marks_and_a_paragraph_break_closes_a_stray_one() -> None:
    texts = ["“We will wait.", "The harbour stays shut.", "Then we sail,” she said.",  # one quote, three sentences
             "He nodded.",
             "“A stray mark never closed.",  # … and the paragraph ends
             "A new paragraph, not quoted.",
             '"Straight quotes work too.', 'They toggle," he said.']
    breaks = [True, False, False, False, True, True, False, False]
    states = quote_states(texts, breaks)
    assert states[:4] == [(False, True), (True, True), (True, False), (False, False)]
    assert states[5] == (False, False)
    runs = quote_runs(states)
    assert runs[:4] == [0, 0, 0, 3]
    assert runs[4] != runs[5]
    assert runs[6] == runs[7] != runs[5]


def test_a_quote_continued_in_the_next_paragraph_is_one_quotation() -> None:
    texts = ["“We asked for time.", "“And we got none,” she said."]
    assert quote_runs(quote_states(texts, [True, True])) == [0, 0]
    straight = ['"We asked for time.', '"And we got none," she said.', "The ships stayed."]
    assert quote_runs(quote_states(straight, [True, True, True])) == [0, 0, 2]


def test_a_quote_marked_only_where_it_opens_and_closes_runs_on_over_its_paragraphs() -> None:
    texts = ["“The board heard every pilot.", "We have published a timetable.", "We will meet again,” it said.",
             "The ferries sailed.", "“A stray mark.", "No closing mark follows.", '"A new quote opens," he said.']
    breaks = [True, True, True, True, True, True, True]
    states = quote_states(texts, breaks)
    assert states[:4] == [(False, True), (True, True), (True, False), (False, False)]
    assert states[5][0] is False, "the next mark opens a quotation: the stray one stops at its paragraph"
    # an answer cites a statement by the paragraph: without run-on, the quotation stops at the first break
    assert quote_states(texts, breaks, run_on=False)[1] == (False, False)


def test_the_same_speakers_next_sentences_join_the_statement_up_to_a_limit() -> None:
    runs = [0, 1, 2, 2, 4, 5, 6, 7, 8]
    speakers = ["Ada Moss", "Moss", "Moss", "Moss", None, "Ben Ruiz", "Ben Ruiz", "Ben Ruiz", "Ben Ruiz"]
    assert statement_runs(runs, speakers, limit=4) == [0, 0, 0, 0, 4, 5, 5, 5, 5]
    assert statement_runs(runs, speakers, limit=2) == [0, 0, 2, 2, 4, 5, 5, 7, 7]
    assert same_speaker("Mike Johnson", "Johnson") and not same_speaker("Mike Johnson", "Mike Pence")


ARTICLE = {
    "id": "ferry-talks", "title": "Ferry operator threatens to leave the island route", "outlet": "Coastline Courier",
    "published_at": "2031-05-02",
    "text": "The island council met the ferry operator Brinemoor on Monday.\n\n"
            "Brinemoor's chief executive, Odile Varga, spoke after the meeting. “We have carried the route at a loss "
            "for three winters. The council knows our numbers. If the subsidy is not restored, we will withdraw the "
            "ferries in October,” Varga said. “Nobody should be surprised,” Varga said.\n\n"
            "Council leader Amos Pell said the budget would be set in June.",
}


@pytest.fixture(scope="module")
def ferry_bot(tmp_path_factory: pytest.TempPathFactory, embedder):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("ferry")
    path = folder / "articles.jsonl"
    path.write_text(json.dumps(ARTICLE) + "\n", encoding="utf-8")
    return make_bot(folder / "data", embedder, path)


def test_an_answer_citing_one_sentence_of_a_quote_cites_the_whole_quote(ferry_bot) -> None:  # type: ignore[no-untyped-def]
    answer = ferry_bot.ask("What happens if the subsidy is not restored?")
    assert answer.grounded
    assert "withdraw the ferries in October" in answer.answer
    # the quote's opening and its speaker come with it, each sentence cited verbatim
    assert "We have carried the route at a loss" in answer.answer
    assert "Varga said" in answer.answer
    assert "Coastline Courier" in answer.answer
    # one passage to the reader: the outlet is named at its end, not inside the open quotation
    assert "winters, Coastline Courier reported" not in answer.answer
    assert "for three winters [" in answer.answer


def test_the_speakers_next_sentence_comes_with_the_quote(ferry_bot) -> None:  # type: ignore[no-untyped-def]
    from bot.answer.features import Candidate

    engine = ferry_bot.composer
    chunks = sorted(engine.index.chunks().values(), key=lambda c: c.position)
    first = next(c for c in chunks if "three winters" in c.text)
    expanded = engine.whole_statements([Candidate(first.sentences[0], first, 1.0, 0.0, 0.0)])
    texts = [c.sentence.text for c in expanded]
    assert texts[0].startswith("“We have carried") and any("October" in t for t in texts)
    assert texts[-1].startswith("“Nobody should be surprised")
    assert not any("Council leader" in t for t in texts)


BRIDGE = {
    "id": "bridge-tolls", "title": "Harbour bridge tolls stay", "outlet": "Coastline Courier",
    "published_at": "2031-05-03",
    "text": "Mayor Lena Ortiz, in a radio interview, was quick to defend the bridge tolls. She had warned in March "
            "that repairs would cost more than planned. “The tolls pay for the steel we need,” she said.\n\n"
            "The bridge reopens to lorries in July.",
}


@pytest.fixture(scope="module")
def bridge_engine(tmp_path_factory: pytest.TempPathFactory, embedder):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("bridge")
    path = folder / "articles.jsonl"
    path.write_text(json.dumps(BRIDGE) + "\n", encoding="utf-8")
    return make_bot(folder / "data", embedder, path).composer


def _sentence(engine, needle: str):  # type: ignore[no-untyped-def]
    """The candidate for the stored sentence that holds `needle`."""
    from bot.answer.features import Candidate

    chunks = sorted(engine.index.chunks().values(), key=lambda c: c.position)
    chunk = next(c for c in chunks if needle in c.text)
    return Candidate(chunk.sentences[0], chunk, 1.0, 0.0, 0.0)


def test_a_sentence_about_a_person_brings_their_statement_but_a_quote_not_the_narration(bridge_engine) -> None:  # type: ignore[no-untyped-def]
    def expanded(needle: str) -> list[str]:
        return [c.sentence.text for c in bridge_engine.whole_statements([_sentence(bridge_engine, needle)])]

    about = expanded("radio interview")
    assert about[0].startswith("Mayor Lena Ortiz") and any("steel we need" in t for t in about)
    assert not any("lorries" in t for t in about)
    quote = expanded("steel we need")
    assert not any("radio interview" in t for t in quote)
    assert any("steel we need" in t for t in quote)


def test_a_parts_best_sentence_brings_its_statement_even_when_the_selection_has_the_sentence(
    bridge_engine,  # type: ignore[no-untyped-def]
) -> None:
    top = _sentence(bridge_engine, "radio interview")
    chosen = [_sentence(bridge_engine, "lorries"), top]  # the sentence, not its statement
    bridge_engine.add_part(chosen, top)
    texts = [c.sentence.text for c in chosen]
    assert sum("radio interview" in t for t in texts) == 1
    assert any("steel we need" in t for t in texts)
