"""Pure ranking functions for hybrid retrieval: reciprocal rank fusion and per-article diversity."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = 60, weights: Sequence[float] | None = None) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(id) = Σ w_i / (k + rank_i(id)), rank starting at 1.

    `k` damps the head of each list (60 is the value of Cormack et al., 2009). Ties keep the
    order of first appearance, so the result is deterministic.
    """
    if weights is None:
        weights = [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError(f"got {len(weights)} weights for {len(rankings)} rankings")
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, doc_id in enumerate(ranking, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def diversify(ranked: Sequence[str], group_of: Callable[[str], str], k: int, per_group: int) -> list[str]:
    """Top-k ids where no group (article) has more than `per_group` until the others run out."""
    if per_group < 1:
        raise ValueError(f"per_group must be >= 1, got {per_group}")
    chosen: list[str] = []
    held_back: list[str] = []
    used: Counter[str] = Counter()
    for doc_id in ranked:
        group = group_of(doc_id)
        if used[group] < per_group:
            chosen.append(doc_id)
            used[group] += 1
        else:
            held_back.append(doc_id)
        if len(chosen) >= k:
            return chosen
    return (chosen + held_back)[:k]
