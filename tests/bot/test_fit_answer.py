"""The answer model's fit (bench/fit_answer.py): the listwise ranker learns what puts each question's
answer first; the refusal threshold is picked on probabilities from models that did not see the set."""

from __future__ import annotations

import numpy as np

from bench.fit_answer import fit_listwise, fit_refusal, held_out_answerable


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


def _evidence(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Toy question-level evidence: feature 0 is higher for answerable questions, feature 1 is noise."""
    ans = (rng.random(n) < 0.7).astype(float)
    ev = rng.normal(size=(n, 2))
    ev[:, 0] += 1.5 * ans
    return ev, ans


def test_a_sets_held_out_probabilities_do_not_depend_on_its_own_labels() -> None:
    rng = np.random.default_rng(11)
    parts = [_evidence(rng, 40) for _ in range(3)]
    ev = np.vstack([e for e, _ in parts])
    ans = np.concatenate([a for _, a in parts])
    names = ["a"] * 40 + ["b"] * 40 + ["c"] * 40
    flipped = ans.copy()
    flipped[:40] = 1 - flipped[:40]  # set "a" relabelled: its own held-out probabilities must not move
    held, held_flipped = held_out_answerable(ev, ans, names), held_out_answerable(ev, flipped, names)
    assert np.allclose(held[:40], held_flipped[:40])
    assert not np.allclose(held[40:], held_flipped[40:])  # the other sets' models did see "a"
    w, b = fit_refusal(ev, ans)  # an in-sample model does move with the labels
    w2, b2 = fit_refusal(ev, flipped)
    assert not np.allclose(ev[:40] @ w + b, ev[:40] @ w2 + b2)
    assert np.corrcoef(held, ev[:, 0])[0, 1] > 0.5  # and the held-out probabilities still follow the evidence


def test_one_set_falls_back_to_in_sample_probabilities() -> None:
    ev, ans = _evidence(np.random.default_rng(5), 30)
    w, b = fit_refusal(ev, ans)
    assert np.allclose(held_out_answerable(ev, ans, ["only"] * 30), 1 / (1 + np.exp(-(ev @ w + b))))
