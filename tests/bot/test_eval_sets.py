"""The shipped question sets are well formed and load; their quality is gated per set, in aggregate
(tests/bot/test_quality_gates.py), never one assert per question."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.evaluation import EvaluationError, load_testset
from bot.evaluation.sets import EvalSet, default_sets, dev_sets, evaluate_sets, folder_sets
from tests.conftest import load_jsonl

ROOT = Path(__file__).resolve().parents[2]
SEED_SET = load_jsonl(ROOT / "data" / "eval" / "seed.jsonl")
CORPUS_SET = load_jsonl(ROOT / "tests" / "fixtures" / "corpus_eval.jsonl")


def test_seed_set_is_large_enough() -> None:
    assert len(SEED_SET) >= 30
    assert sum(1 for q in SEED_SET if not q["answerable"]) >= 5
    assert any(q.get("history") for q in SEED_SET)


# ----- several corpora in one process (bot.evaluation.sets: make bench-quality, the quality gates) ------
DEVSETS = ROOT.parent / "shared" / "devsets"
HARBOUR = [  # a small corpus of our own in the dev-set layout (articles.jsonl + qa.jsonl)
    {"id": "harbour-reopens", "title": "Port of Lindhaven to reopen", "outlet": "Lindhaven Post",
     "published_at": "2026-04-02",
     "text": "Port of Lindhaven to reopen\n\nThe port authority will reopen the Lindhaven container terminal on "
             "Monday after the dockworkers' strike ended, Reuters reported. The union said its members accepted a "
             "pay rise of 6 percent, according to the Associated Press."},
    {"id": "harbour-analysis", "title": "What the strike cost", "outlet": "Coastal Review",
     "text": "What the strike cost\n\nThe three-week stoppage shows how exposed the region is to a single port. "
             "Shippers who moved cargo to rival terminals may not come back quickly."},
]
HARBOUR_QA = [
    {"id": "n1", "category": "next", "question": "When will the Lindhaven container terminal reopen?",
     "answerable": True, "expected_keywords": ["Monday"], "expected_outlets": ["Reuters", "Lindhaven Post", "AFP"],
     "source_ids": ["harbour-reopens"], "note": "Reuters via the Lindhaven Post"},
    {"id": "o1", "category": "off_topic", "question": "What is the price of copper in Chile?", "answerable": False},
    {"id": "b1", "category": "off_topic", "answerable": False},  # no question: an error row in its category
]


def _write_jsonl(path: Path, rows: list[dict]) -> None:  # type: ignore[type-arg]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_set_folders_are_found_and_checked(tmp_path: Path) -> None:
    good, empty = tmp_path / "harbour", tmp_path / "empty"
    good.mkdir()
    empty.mkdir()
    _write_jsonl(good / "articles.jsonl", HARBOUR)
    _write_jsonl(good / "qa.jsonl", HARBOUR_QA)
    assert folder_sets([good]) == [EvalSet("harbour", good / "articles.jsonl", good / "qa.jsonl", "any")]
    assert dev_sets(tmp_path) == folder_sets([good]) and dev_sets(tmp_path / "missing") == []
    with pytest.raises(EvaluationError, match="empty: expected articles.jsonl and qa.jsonl in it"):
        folder_sets([good, empty])
    names = [s.name for s in default_sets(ROOT)]
    assert names[:2] == ["seed", "corpus"] and names[2:] == [s.name for s in dev_sets(DEVSETS)]
    # a corpus served with an aliases file is evaluated with it: the seed as `make run` serves it
    assert default_sets(ROOT)[0].aliases == ROOT / "data" / "aliases.json"
    (good / "aliases.json").write_text('{"Harbour board": ["the board"]}', encoding="utf-8")
    assert folder_sets([good])[0].aliases == good / "aliases.json"
    assert all(s.articles.exists() and s.questions.is_file() for s in default_sets(ROOT))


@pytest.mark.skipif(not DEVSETS.is_dir(), reason=f"no dev sets at {DEVSETS}")
def test_dev_sets_load_without_warnings() -> None:
    for evalset in dev_sets(DEVSETS):
        testset = load_testset(evalset.questions)
        assert not testset.warnings and not testset.broken, (evalset.name, testset.warnings, testset.broken)
        assert all(c.category for c in testset.cases), evalset.name


def test_evaluate_sets_returns_metrics_categories_and_rows(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "harbour"
    folder.mkdir()
    _write_jsonl(folder / "articles.jsonl", HARBOUR)
    _write_jsonl(folder / "qa.jsonl", HARBOUR_QA)
    seen: list[tuple[str, int, int]] = []
    results = evaluate_sets(folder_sets([folder]), embedder, progress=lambda *step: seen.append(step))
    assert list(results) == ["harbour"] and seen == [("harbour", 1, 3), ("harbour", 2, 3), ("harbour", 3, 3)]
    result = results["harbour"]
    assert result["outlet_match"] == "any" and result["ingest"] == {"summary": "2 added, 0 unchanged, 0 replaced, 0 failed",
                                                                    "failed": []}
    assert result["counts"]["questions"] == 3 and result["counts"]["errors"] == 1
    assert result["metrics"]["pass_rate"] == pytest.approx(result["counts"]["passed"] / 3)
    assert result["metrics"]["citation_support"] == 1.0 and result["metric_n"]["citation_support"] >= 1
    assert set(result["by_category"]) == {"next", "off_topic"} and result["by_category"]["off_topic"]["n"] == 2
    rows = {r["id"]: r for r in result["rows"]}
    assert [r["category"] for r in result["rows"]] == ["next", "off_topic", "off_topic"]
    assert rows["o1"]["passed"] and rows["o1"]["grounded"] is False and not rows["o1"]["failed_checks"]
    assert rows["b1"]["passed"] is False and rows["b1"]["error"] == "'question' is missing"
    answered = rows["n1"]
    assert answered["grounded"] and answered["citations"][0]["article_id"] == "harbour-reopens"
    assert answered["passed"] == (not answered["failed_checks"])
    json.dumps(results)  # everything is JSON-serialisable (bench-quality --json)
