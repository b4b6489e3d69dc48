"""Aggregate answer quality per corpus stays above agreed floors (the CI gate of `make test`).

Every set is evaluated once, in-process, with the session's model (`bot.evaluation.sets`): the seed,
our multi-publisher fixture corpus and each dev set under ../shared/devsets (skipped when absent).
Gates are per set and per metric, never per question: one question may regress while another
improves. The floors are what the extractive answer engine achieved when they were set, rounded
down by about 0.05; raise them as answers improve (`make bench-quality` prints the current figures).
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.evaluation import METRICS_BY_NAME
from bot.evaluation.reports import category_table
from bot.evaluation.sets import default_sets, evaluate_sets
from tests.conftest import ROOT

DEVSETS = ROOT.parent / "shared" / "devsets"

# Per set: the floor of each higher-is-better metric, the ceiling of false_refusal_rate. Measured on
# 7 Dec 2026 (late evening) with the listwise-fitted answer engine (bot/answer, weights.json; `make bench-quality`):
# pass rate / refusal accuracy / false refusals — seed 0.920/1.000/0.000, corpus 0.957/1.000/0.000, cop29
# 0.776/0.750/0.000, gaza 0.900/0.750/0.000, tiktok 0.939/1.000/0.024. Floors sit a question or two
# below (about 0.04); the false-refusal ceiling is 0.05 everywhere, the bound. The listwise
# ranker gave up a seed question for a better leave-one-corpus-out figure (README: Experiments).
# citation_support stays 1.0 everywhere: a quote that is not the stored text breaks the v1 contract.
GATES: dict[str, dict[str, float]] = {
    "seed": {"pass_rate": 0.88, "refusal_accuracy": 0.95, "false_refusal_rate": 0.05, "citation_support": 1.0},
    "corpus": {"pass_rate": 0.91, "refusal_accuracy": 0.95, "false_refusal_rate": 0.05, "citation_support": 1.0},
    "cop29-climate-finance-2024": {"pass_rate": 0.73, "refusal_accuracy": 0.70, "false_refusal_rate": 0.05,
                                   "citation_support": 1.0},
    "gaza-ceasefire-2025": {"pass_rate": 0.86, "refusal_accuracy": 0.70, "false_refusal_rate": 0.05,
                            "citation_support": 1.0},
    "tiktok-ban-2025": {"pass_rate": 0.90, "refusal_accuracy": 0.95, "false_refusal_rate": 0.05,
                        "citation_support": 1.0},
}
# A set found under ../shared/devsets without its own entry: quotes must still be the stored text.
DEFAULT_GATES: dict[str, float] = {"citation_support": 1.0}


@pytest.fixture(scope="module")
def results(embedder) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Every set present, evaluated once (no retrieval diagnostics: they are not gated)."""
    return evaluate_sets(default_sets(ROOT), embedder, check_retrieval=False)


def _violations(result: dict[str, Any], gates: dict[str, float]) -> list[str]:
    out = []
    for name, threshold in gates.items():
        value = result["metrics"][name]
        higher_is_better = METRICS_BY_NAME[name].higher_is_better
        if value is None:
            out.append(f"{name} was not measured (gate {threshold:g})")
        elif (value < threshold) if higher_is_better else (value > threshold):
            out.append(f"{name} {value:.3f} {'<' if higher_is_better else '>'} {threshold:g}")
    return out


def _explain(name: str, result: dict[str, Any], violations: list[str]) -> str:
    """What a reader of a failed CI run needs: the gates missed, the set's categories, the failing questions."""
    lines = [f"{name}: " + "; ".join(violations), "",
             "  ".join(f"{m} {v:.3f}" for m, v in result["metrics"].items() if v is not None and "latency" not in m), ""]
    lines += category_table(result["by_category"]) if result["by_category"] else ["(no categories)"]
    lines.append("")
    for row in result["rows"]:
        if not row["passed"]:
            why = row["error"] or "; ".join(f["check"] for f in row["failed_checks"])
            lines.append(f"  {row['status'].upper():<6} {row['id']} [{row['category'] or '-'}] {row['question']}: {why}")
    return "\n".join(lines)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(GATES))
def test_each_set_meets_its_gates(name: str, results: dict[str, dict[str, Any]]) -> None:
    if name not in results:
        pytest.skip(f"the dev set {name} is not present under {DEVSETS}")
    result = results[name]
    violations = _violations(result, GATES[name])
    assert not violations, _explain(name, result, violations)


@pytest.mark.slow
def test_sets_without_their_own_gates_keep_quotes_verbatim(results: dict[str, dict[str, Any]]) -> None:
    others = {name: _violations(result, DEFAULT_GATES) for name, result in results.items() if name not in GATES}
    failing = {name: v for name, v in others.items() if v}
    assert not failing, "\n\n".join(_explain(name, results[name], v) for name, v in failing.items())


def test_the_gates_name_real_metrics() -> None:
    for name, gates in {**GATES, "default": DEFAULT_GATES}.items():
        unknown = set(gates) - METRICS_BY_NAME.keys()
        assert not unknown, (name, unknown)


def test_a_missed_gate_explains_itself_by_category() -> None:
    result = {
        "metrics": {"pass_rate": 0.4, "refusal_accuracy": None, "false_refusal_rate": 0.3, "citation_support": 1.0},
        "by_category": {"position": {"n": 4, "passed": 1, "pass_rate": 0.25}, "next": {"n": 1, "passed": 1, "pass_rate": 1.0}},
        "rows": [{"passed": False, "status": "failed", "id": "p1", "category": "position", "question": "What does X want?",
                  "error": None, "failed_checks": [{"check": "keywords"}, {"check": "outlets_cited"}]},
                 {"passed": True, "status": "passed", "id": "n1", "category": "next", "question": "Q?", "error": None,
                  "failed_checks": []}],
    }
    gates = {"pass_rate": 0.95, "refusal_accuracy": 0.95, "false_refusal_rate": 0.05, "citation_support": 1.0}
    violations = _violations(result, gates)
    assert violations == ["pass_rate 0.400 < 0.95", "refusal_accuracy was not measured (gate 0.95)",
                          "false_refusal_rate 0.300 > 0.05"]
    text = _explain("seed", result, violations)
    assert text.startswith("seed: pass_rate 0.400 < 0.95; refusal_accuracy was not measured")
    assert "position     4       1      0.250" in text and "next         1       1      1.000" in text
    assert "FAILED p1 [position] What does X want?: keywords; outlets_cited" in text and "n1" not in text
