"""The answer engine: candidates → features → ranker → refusal → writer, one small component each.

`AnswerEngine.compose(ask)` is the verb; `AnswerModel` holds the fitted weights (`weights.json`,
written by `bench/fit_answer.py`).
"""

from .engine import AnswerEngine
from .features import FEATURES, Candidate
from .ranker import REFUSAL_FEATURES, AnswerModel, Selection
from .refusal import NOT_IN_ARTICLES

__all__ = ["FEATURES", "NOT_IN_ARTICLES", "REFUSAL_FEATURES", "AnswerEngine", "AnswerModel", "Candidate", "Selection"]
