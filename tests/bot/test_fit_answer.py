"""The listwise ranker fit (bench/fit_answer.py): it learns what puts each question's answer first."""

from __future__ import annotations

import numpy as np

from bench.fit_answer import fit_listwise


def _questions(rng: np.random.Generator, n: int = 40) -> list[tuple[np.ndarray, np.ndarray]]:
    """Toy questions: feature 0 marks the answer within its question; feature 1 is a per-question level
    shared by all its candidates (says nothing about which one answers); feature 2 is noise."""
    groups = []
    for _ in range(n):
        x = rng.normal(size=(12, 3))
        x[:, 1] = rng.normal() * 5
        y = np.zeros(12)
        y[rng.integers(12)] = 1.0
        x[y == 1, 0] += 2.0
        groups.append((x, y))
    return groups


def test_the_listwise_fit_ranks_each_questions_answer_first() -> None:
    rng = np.random.default_rng(7)
    w = fit_listwise(_questions(rng), l2=1.0)
    assert w[0] > 1.0 and abs(w[2]) < 0.5 * w[0], w
    held_out = _questions(rng)
    first = [np.argmax(x @ w) == np.argmax(y) for x, y in held_out]
    assert np.mean(first) > 0.5  # chance is 1/12


def test_a_stronger_penalty_shrinks_the_weights() -> None:
    groups = _questions(np.random.default_rng(3))
    assert np.linalg.norm(fit_listwise(groups, l2=100.0)) < np.linalg.norm(fit_listwise(groups, l2=1.0))
