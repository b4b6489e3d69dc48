"""Aggregate metrics over per-question results, and the `--fail-under`/`--fail-over` gates."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .models import QuestionResult

Rows = list[QuestionResult]


def _mean(values: Iterable[float | bool | None]) -> tuple[float | None, int]:
    kept = [float(v) for v in values if v is not None]
    return (sum(kept) / len(kept) if kept else None), len(kept)


def _ratio(hits: int, total: int) -> tuple[float | None, int]:
    return (hits / total if total else None), total


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100) of `values`, linear between closest ranks; None if empty.

    The one percentile of the project: the eval's latency metrics and the benchmarks
    (`bench/measure.py`) both use it, so their p95s are comparable.
    """
    if not values:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q must be within 0..100, got {q}")
    return float(np.percentile(np.asarray(values, dtype=float), q))  # numpy's default: linear


def _ok(rows: Rows) -> Rows:
    return [r for r in rows if r.error is None]


def _latency(q: float) -> Callable[[Rows], tuple[float | None, int]]:
    def compute(rows: Rows) -> tuple[float | None, int]:
        values = [r.latency_ms for r in _ok(rows) if r.latency_ms is not None]
        return percentile(values, q), len(values)

    return compute


@dataclass(frozen=True)
class Metric:
    """A named aggregate; `definition` is the text the README and the reports show."""

    name: str
    definition: str
    compute: Callable[[Rows], tuple[float | None, int]]
    higher_is_better: bool = True
    unit: Literal["ratio", "ms"] = "ratio"


METRICS: tuple[Metric, ...] = (
    Metric("pass_rate", "questions that pass every check ÷ all questions (error rows count as not passing)",
           lambda rows: _ratio(sum(r.passed for r in rows), len(rows))),
    Metric("completed", "questions that ran without an error ÷ all questions (malformed lines are errors)",
           lambda rows: _ratio(sum(r.error is None for r in rows), len(rows))),
    Metric("keyword_recall", "mean over answerable questions with expected_keywords of the fraction found "
           "(case-insensitive substring) in the answer text plus its quotes",
           lambda rows: _mean(r.keyword_recall for r in _ok(rows))),
    Metric("outlet_recall", "mean over answerable questions with expected_outlets of the fraction of them "
           "among the cited outlets", lambda rows: _mean(r.outlet_recall for r in _ok(rows))),
    Metric("outlet_precision", "mean over answerable questions with expected_outlets of expected ∩ cited ÷ cited "
           "(0 when none is cited)", lambda rows: _mean(r.outlet_precision for r in _ok(rows))),
    Metric("outlet_named", "mean over answerable questions with expected_outlets of the fraction named "
           "(whole word, case-insensitive) in the answer text", lambda rows: _mean(r.outlet_named for r in _ok(rows))),
    Metric("refusal_accuracy", "answerable:false questions answered with grounded:false ÷ answerable:false questions",
           lambda rows: _mean(r.refused for r in _ok(rows) if r.answerable is False)),
    Metric("false_refusal_rate", "answerable:true questions answered with grounded:false ÷ answerable:true questions",
           lambda rows: _mean(r.refused for r in _ok(rows) if r.answerable is True), higher_is_better=False),
    Metric("kind_accuracy", "questions with expected_kind whose first citation has that kind ÷ those questions",
           lambda rows: _mean(r.kind_ok for r in _ok(rows))),
    Metric("citation_support", "citations whose quote equals the stored article text at [start:end] ÷ citations "
           "checked (in-process only; not measured with --url)",
           lambda rows: _ratio(sum(r.citations_supported or 0 for r in rows),
                               sum(r.citations_checked for r in rows if r.citations_supported is not None))),
    Metric("marker_consistency", "answers where every [n] has a citation and every citation is referenced once "
           "÷ answers", lambda rows: _mean(r.markers_ok for r in _ok(rows))),
    Metric("retrieval_hit_rate", "cited chunks found in the top-k (BRIEFBOT_RETRIEVAL_K) hybrid search for the "
           "resolved question ÷ cited chunks (in-process only; a \"who reported that?\" follow-up that carries the "
           "previous turn's citations over is not checked)",
           lambda rows: _ratio(sum(r.retrieval_hits or 0 for r in rows),
                               sum(r.retrieval_checked for r in rows if r.retrieval_hits is not None))),
    Metric("latency_p50_ms", "median time to answer a question (history turns excluded), milliseconds",
           _latency(50), higher_is_better=False, unit="ms"),
    Metric("latency_p95_ms", "95th percentile of the same", _latency(95), higher_is_better=False, unit="ms"),
)
METRICS_BY_NAME = {m.name: m for m in METRICS}


@dataclass(frozen=True)
class MetricValue:
    """A metric's value over `n` contributing items (None when nothing was measured)."""

    metric: Metric
    value: float | None
    n: int

    @property
    def name(self) -> str:
        return self.metric.name

    def display(self) -> str:
        if self.value is None:
            return "n/a"
        return f"{self.value:.0f} ms" if self.metric.unit == "ms" else f"{self.value:.3f}"

    def to_dict(self) -> dict[str, Any]:
        value = None if self.value is None else round(self.value, 4 if self.metric.unit == "ratio" else 2)
        return {"value": value, "n": self.n, "higher_is_better": self.metric.higher_is_better,
                "unit": self.metric.unit, "definition": self.metric.definition}


def compute_metrics(rows: Rows) -> dict[str, MetricValue]:
    """Every metric in `METRICS` over `rows`, in definition order."""
    out = {}
    for metric in METRICS:
        value, n = metric.compute(rows)
        out[metric.name] = MetricValue(metric, value, n)
    return out


@dataclass(frozen=True)
class Gate:
    """`under`: fail when the metric is below `threshold`; `over`: fail when it is above."""

    metric: str
    threshold: float
    direction: Literal["under", "over"] = "under"

    @classmethod
    def parse(cls, spec: str, direction: Literal["under", "over"] = "under") -> Gate:
        """Parse `METRIC=VALUE`; raises ValueError naming what is wrong."""
        name, sep, raw = spec.partition("=")
        name = name.strip()
        if not sep or not name or not raw.strip():
            raise ValueError(f"'{spec}': expected METRIC=VALUE, e.g. keyword_recall=0.9")
        metric = METRICS_BY_NAME.get(name)
        if metric is None:
            raise ValueError(f"'{name}' is not a metric; choose from {', '.join(METRICS_BY_NAME)}")
        try:
            threshold = float(raw)
        except ValueError:
            raise ValueError(f"'{spec}': '{raw.strip()}' is not a number") from None
        if not math.isfinite(threshold):
            raise ValueError(f"'{spec}': the threshold must be a finite number")
        if direction == "under" and not metric.higher_is_better:
            raise ValueError(f"{name} is better when lower; gate it with --fail-over {name}={raw.strip()}")
        if direction == "over" and metric.higher_is_better:
            raise ValueError(f"{name} is better when higher; gate it with --fail-under {name}={raw.strip()}")
        return cls(name, threshold, direction)

    def check(self, metrics: dict[str, MetricValue]) -> GateResult:
        value = metrics[self.metric]
        if value.value is None:
            return GateResult(self, None, False, f"{self.metric} was not measured (no questions it applies to"
                              f"{' or --url mode' if self.metric in ('citation_support', 'retrieval_hit_rate') else ''})")
        failed = value.value < self.threshold if self.direction == "under" else value.value > self.threshold
        op = ("<" if self.direction == "under" else ">") if failed else (">=" if self.direction == "under" else "<=")
        return GateResult(self, value.value, not failed, f"{self.metric} {value.display()} {op} {self.threshold:g}")


@dataclass(frozen=True)
class GateResult:
    gate: Gate
    value: float | None
    passed: bool
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.gate.metric, "threshold": self.gate.threshold, "direction": self.gate.direction,
                "value": self.value, "passed": self.passed, "message": self.message}
