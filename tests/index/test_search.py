"""The pure ranking functions."""

from __future__ import annotations

import pytest

from index.lexical import BM25Index, stem, tokenize
from index.search import diversify, reciprocal_rank_fusion


def test_rrf_rewards_agreement() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "a"]])
    assert [i for i, _ in fused][0] == "b"
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)


def test_rrf_rejects_mismatched_weights() -> None:
    with pytest.raises(ValueError, match="2 weights for 1 rankings"):
        reciprocal_rank_fusion([["a"]], weights=[1.0, 2.0])


def test_diversify_caps_one_article_until_others_run_out() -> None:
    group = {"a1": "A", "a2": "A", "a3": "A", "b1": "B"}.__getitem__
    assert diversify(["a1", "a2", "a3", "b1"], group, k=3, per_group=2) == ["a1", "a2", "b1"]
    assert diversify(["a1", "a2", "a3"], group, k=3, per_group=1) == ["a1", "a2", "a3"]


def test_bm25_ranks_and_filters() -> None:
    index = BM25Index([("1", "sanctions on Moscow"), ("2", "a ceasefire starting Monday"), ("3", "new sanctions warned")])
    assert [i for i, _ in index.search("sanction")][:2] == ["1", "3"] or [i for i, _ in index.search("sanction")][:2] == ["3", "1"]
    assert [i for i, _ in index.search("sanctions", allowed={"3"})] == ["3"]
    assert index.search("weather") == []
    assert tokenize("The Kremlin’s talks") == ["kremlin", "talk"]
    # a stop word with 's is a stop word: "What's" is not a term the articles could lack
    assert tokenize("What's it’s the verdict") == ["verdict"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [("news", "news"), ("gas", "gas"), ("losing", "lose"), ("loses", "lose"), ("sanctions", "sanction"),
     ("sanction", "sanction"), ("talks", "talk"), ("talk", "talk"), ("reported", "report"), ("Russia’s", "russia")],
)
def test_snowball_stems(word: str, expected: str) -> None:
    assert stem(word.lower()) == expected


def test_stemming_matches_word_forms_in_bm25() -> None:
    index = BM25Index([("gas", "Gas prices rose"), ("news", "The news broke late"), ("lose", "Kyiv could lose ground")])
    assert [i for i, _ in index.search("losing")] == ["lose"]
    assert [i for i, _ in index.search("news")] == ["news"]  # not 'new'
    assert tokenize("gas talks") == ["gas", "talk"]

