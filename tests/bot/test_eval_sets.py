"""The shipped question sets stay passing: the seed set and the multi-article corpus set."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import load_jsonl

ROOT = Path(__file__).resolve().parents[2]
SEED_SET = load_jsonl(ROOT / "data" / "eval" / "seed.jsonl")
CORPUS_SET = load_jsonl(ROOT / "tests" / "fixtures" / "corpus_eval.jsonl")


def _check(bot, item: dict) -> None:  # type: ignore[no-untyped-def, type-arg]
    conversation = None
    for earlier in item.get("history", []):
        conversation = bot.ask(earlier, conversation).conversation_id
    answer = bot.ask(item["question"], conversation)
    assert answer.grounded == item["answerable"], answer.answer
    if not item["answerable"]:
        return
    text = (answer.answer + " " + " ".join(c.quote for c in answer.citations)).lower()
    for keyword in item["expected_keywords"]:
        assert keyword.lower() in text, f"{keyword!r} missing from: {answer.answer}"
    cited = {o for c in answer.citations for o in c.outlets}
    assert set(item["expected_outlets"]) <= cited, (cited, answer.answer)
    for outlet in item["expected_outlets"]:
        assert outlet in answer.answer, "the outlet is named in the answer text"
    if item.get("expected_kind"):
        assert answer.citations[0].kind == item["expected_kind"], answer.answer


def test_seed_set_is_large_enough() -> None:
    assert len(SEED_SET) >= 30
    assert sum(1 for q in SEED_SET if not q["answerable"]) >= 5
    assert any(q.get("history") for q in SEED_SET)


@pytest.mark.parametrize("item", SEED_SET, ids=[q["id"] for q in SEED_SET])
def test_seed_question(seed_bot, item: dict) -> None:  # type: ignore[no-untyped-def, type-arg]
    _check(seed_bot, item)


@pytest.mark.parametrize("item", CORPUS_SET, ids=[q["id"] for q in CORPUS_SET])
def test_corpus_question(corpus_bot, item: dict) -> None:  # type: ignore[no-untyped-def, type-arg]
    _check(corpus_bot, item)
