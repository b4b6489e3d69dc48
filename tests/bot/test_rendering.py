"""How a stored sentence reads in an answer: its quotation marks whole, its outlet named once."""

from __future__ import annotations

import pytest

from bot.rendering import balanced_quotes, render_sentence
from index import Sentence


@pytest.mark.parametrize(("text", "expected"), [
    ("It’s far too little,” said the harbour master.", "“It’s far too little,” said the harbour master."),
    ("“The fee is an insult to every crew.", "“The fee is an insult to every crew.”"),
    ('It never reached us," the captain said.', '"It never reached us," the captain said.'),
    ('"We sail at dawn.', '"We sail at dawn."'),
    ('The mayor called it "a fair price.', 'The mayor called it "a fair price."'),
    ("“Whole,” she said of the “new” plan.", "“Whole,” she said of the “new” plan."),
    ('"Whole," she said of the "new" plan.', '"Whole," she said of the "new" plan.'),
    ("The ferry runs twice a day.", "The ferry runs twice a day."),
])
def test_a_sentence_cut_from_a_longer_quote_gets_its_missing_mark(text: str, expected: str) -> None:
    assert balanced_quotes(text) == (expected, None)


def test_a_quote_over_a_passage_of_neighbouring_sentences_stays_one_quote() -> None:
    first, middle, last = "“The fee is an insult.", "It doubles overnight.", "We will not pay it,” the crews said."
    assert balanced_quotes(first, None, continued=True) == (first, "”")
    assert balanced_quotes(middle, "”", continued=True) == (middle, "”")
    assert balanced_quotes(last, "”", continued=False) == (last, None)
    # the passage ends before the quote does: the last sentence the answer shows closes it
    assert balanced_quotes(middle, "”", continued=False) == (middle + "”", None)
    straight = '"We asked for time.'
    assert balanced_quotes(straight, None, continued=True) == (straight, '"')
    assert balanced_quotes("None came.", '"') == ('None came."', None)


def test_a_sentence_that_names_its_own_outlet_is_not_attributed_twice() -> None:
    text = "The ferry fee will double next year, port officials said in a statement, Coastline reports."
    own = Sentence(0, len(text), text, ("Coastline News Agency",), "reported")
    assert render_sentence(own, text, 1, "Coastline News Agency", False) == text[:-1] + " [1]."
    plain = "The ferry fee will double next year."
    other = Sentence(0, len(plain), plain, ("Coastline News Agency",), "reported")
    assert render_sentence(other, plain, 2, "Coastline News Agency", False) == (
        "The ferry fee will double next year, Coastline News Agency reported [2].")


@pytest.mark.parametrize(("text", "expected"), [
    ("He (Kast) praised the toll as a breakthrough.", "In Tidewater's analysis, he (Kast) praised the toll as a breakthrough [1]."),
    ("According to the pact, ships pay by the tonne.", "In Tidewater's analysis, according to the pact, ships pay by the tonne [1]."),
    ("Marovia wants the toll kept.", "In Tidewater's analysis, Marovia wants the toll kept [1]."),  # a name keeps its capital
])
def test_analysis_is_labelled_and_its_opening_word_reads_on(text: str, expected: str) -> None:
    sentence = Sentence(0, len(text), text, ("Tidewater",), "analysis")
    assert render_sentence(sentence, text, 1, "Tidewater", False) == expected
