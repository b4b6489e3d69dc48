"""The learned parts: a logistic ranker over sentence features and the refusal model.

Both are plain data (`weights.json`, written by `bench/fit_answer.py`); nothing is set by hand.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .features import FEATURES, sigmoid

WEIGHTS_PATH = Path(__file__).with_name("weights.json")
REFUSAL_FEATURES = ("best", "dense", "coverage", "missing_name", "missing_rare", "missing_share", "missing_head", "answer_type")


@dataclass
class Selection:
    """How many ranked sentences an answer takes: the best, then others close enough to it."""

    max_sentences: int = 3
    relative: float = 0.5  # a further sentence needs this share of the best one's probability
    absolute: float = 0.15  # … and at least this probability
    coverage: float = 0.0  # bonus for the share of the question's terms a further sentence adds


def select_indices(scores: list[float], covers: list[frozenset[str]], weights: dict[str, float], rule: Selection,
                   redundant: Callable[[int, int], bool] | None = None) -> list[int]:
    """Indices (into best-first `scores`) of the sentences an answer takes.

    The best, then greedily the eligible sentence (probability ≥ max(absolute, relative × best))
    with the highest probability plus `coverage` × the share of question terms it adds — so a
    two-part question gets a sentence for each part.
    """
    if not scores:
        return []
    chosen = [0]
    covered = set(covers[0])
    total = sum(weights.values()) or 1.0
    floor = max(rule.absolute, rule.relative * scores[0])
    while len(chosen) < rule.max_sentences:
        best_i, best_v = -1, -1.0
        for i in range(1, len(scores)):
            if scores[i] < floor:
                break
            if i in chosen or (redundant is not None and any(redundant(i, j) for j in chosen)):
                continue
            gain = sum(w for t, w in weights.items() if t in covers[i] and t not in covered) / total
            value = scores[i] + rule.coverage * gain
            if value > best_v:
                best_i, best_v = i, value
        if best_i < 0:
            break
        chosen.append(best_i)
        covered |= covers[best_i]
    return chosen


@dataclass
class AnswerModel:
    """Ranker weights, refusal weights and the selection rule, as fitted."""

    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    refusal_weights: np.ndarray
    refusal_bias: float
    refusal_threshold: float = 0.5
    selection: Selection = field(default_factory=Selection)
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> AnswerModel:
        path = path or WEIGHTS_PATH
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot read the answer model {path}: {exc}; run `make fit` to write it") from exc
        return cls.from_dict(data)

    @classmethod
    def neutral(cls) -> AnswerModel:
        """An unfitted prior (dense similarity and term coverage only): what fitting starts from."""
        weights = np.array([1.0 if f in ("dense", "coverage") else 0.0 for f in FEATURES])
        refusal = np.array([4.0 if f in ("best", "dense") else 0.0 for f in REFUSAL_FEATURES])
        return cls(weights, -1.0, np.zeros(len(FEATURES)), np.ones(len(FEATURES)), refusal, -2.0)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnswerModel:
        ranker, refusal = data["ranker"], data["refusal"]
        if list(ranker["features"]) != list(FEATURES):
            raise ValueError(f"answer model features {ranker['features']} do not match the code's {list(FEATURES)}; "
                             "run `make fit` again")
        if list(refusal["features"]) != list(REFUSAL_FEATURES):
            raise ValueError("refusal features do not match the code's; run `make fit` again")
        return cls(
            np.array(ranker["weights"], dtype=float), float(ranker["bias"]), np.array(ranker["mean"], dtype=float),
            np.array(ranker["scale"], dtype=float), np.array(refusal["weights"], dtype=float), float(refusal["bias"]),
            float(refusal.get("threshold", 0.5)), Selection(**data.get("selection", {})), data.get("meta", {}),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "ranker": {"features": list(FEATURES), "weights": self.weights.round(5).tolist(), "bias": round(self.bias, 5),
                       "mean": self.mean.round(5).tolist(), "scale": self.scale.round(5).tolist()},
            "refusal": {"features": list(REFUSAL_FEATURES), "weights": self.refusal_weights.round(5).tolist(),
                        "bias": round(self.refusal_bias, 5), "threshold": round(self.refusal_threshold, 4)},
            "selection": self.selection.__dict__,
            "meta": self.meta,
        }

    def rank(self, features: np.ndarray) -> np.ndarray:
        """P(the sentence answers the question) for each row."""
        if not len(features):
            return np.zeros(0)
        return sigmoid(((features - self.mean) / self.scale) @ self.weights + self.bias)

    def answerable(self, evidence: np.ndarray) -> float:
        """P(the articles answer the question) from the question-level evidence features."""
        return float(sigmoid(np.array([evidence @ self.refusal_weights + self.refusal_bias]))[0])
