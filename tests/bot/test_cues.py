"""Cue tables built from the index's stemmer."""

from __future__ import annotations

import pytest

from bot.cues import VERB_GROUPS
from index import stem


@pytest.mark.parametrize(
    ("word", "group"),
    [("pressed", "want"), ("demands", "want"), ("losing", "lose"), ("loses", "lose"), ("responded", "say"),
     ("response", "say"), ("offering", "offer"), ("threatened", "threaten"), ("meeting", "meet"), ("benefits", "gain")],
)
def test_verb_groups_take_every_word_form(word: str, group: str) -> None:
    assert VERB_GROUPS[stem(word)] == group


def test_unrelated_words_have_no_group() -> None:
    assert stem("news") not in VERB_GROUPS and stem("gas") not in VERB_GROUPS
