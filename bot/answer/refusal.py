"""Refusal from evidence, not vocabulary: how well the best sentences answer, and what is missing.

The question-level evidence is a handful of numbers; the fitted refusal model (weights.json)
turns them into P(answerable). The decline says why in plain words: a name no article mentions,
a date or figure none gives, or a question outside what the articles cover.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

import numpy as np

from index import tokenize

from ..rendering import join_names
from .features import FEATURES, entity_labels
from .query import SYNONYMS, Query, close_form, is_soft, verb_forms

NOT_IN_ARTICLES = "The articles don't say."
_TITLE_NAME = re.compile(r"\b[A-Z][\w’'-]*[A-Za-z](?:\s+[A-Z][\w’'-]*[A-Za-z])*")
_TITLE_SKIP = frozenset("The A An In On At For Of To And But As After Before Over Why How What Who When Where With "
                        "From By Analysis Opinion Explainer Live Update Updates Says Say".split())


@lru_cache(maxsize=4096)
def rarity(word: str) -> float:
    """0 for an everyday English word, up to 1 for a word English text almost never uses."""
    from wordfreq import zipf_frequency  # a declared dependency: without it refusals would silently change

    return max(0.0, min(1.0, (6.0 - zipf_frequency(word, "en")) / 6.0))


def present(term: str, vocabulary: frozenset[str]) -> bool:
    """A stemmed term occurs in the articles, or a synonym, verb form ("won" ~ "win") or close form
    does ("Azerbaijani" ~ "Azerbaijan")."""
    if term in vocabulary or any(t in vocabulary for t in (*SYNONYMS.get(term, ()), *verb_forms(term))):
        return True
    return len(term) >= 6 and any(close_form(term, v) for v in vocabulary)


def missing_names(query: Query, vocabulary: frozenset[str]) -> list[str]:
    """Names the question hinges on that occur in no article.

    A name is missing when its last word is ("Mahmoud Abbas" when no article names Abbas) or most
    of its words are; a first name or title the articles leave out ("Pete Ricketts" reported as
    "Ricketts") is not.
    """
    book = query.ask.book
    out = []
    for name in query.names:
        words = [w for w in re.findall(r"[\w’'-]+", name) if not (book is not None and book.actors_in(w))]
        found = [all(present(t, vocabulary) for t in tokenize(w)) for w in words]
        if found and (not found[-1] or sum(found) * 2 < len(found)):
            out.append(name)
    return out


def missing_words(query: Query, vocabulary: frozenset[str], names: list[str] | None = None) -> list[tuple[str, float]]:
    """(word, rarity) of the question's own content words that occur in no article (a first name of
    a person the articles name by surname is not one); `names`: `missing_names`, when already known."""
    missing = set(missing_names(query, vocabulary) if names is None else names)
    named = {t for name in query.names if name not in missing for t in tokenize(name)}
    out = []
    for word in re.findall(r"[A-Za-z][\w’'-]*", query.ask.current or query.text):
        for piece in word.split("-"):
            terms = tokenize(piece)
            if terms and terms[0] in query.terms and not is_soft(terms[0]) and terms[0] not in named and not present(terms[0], vocabulary):
                out.append((piece, rarity(piece.lower())))
    return out


def evidence(query: Query, scores: np.ndarray, features: np.ndarray, vocabulary: frozenset[str],
             top_types: list[list[tuple[str, str]]]) -> np.ndarray:
    """The refusal model's inputs (`ranker.REFUSAL_FEATURES` order)."""
    best = float(scores.max()) if len(scores) else 0.0
    dense = float(features[:, FEATURES.index("dense")].max()) if len(features) else 0.0
    coverage = float(features[:, FEATURES.index("coverage")].max()) if len(features) else 0.0
    names = missing_names(query, vocabulary)
    words = missing_words(query, vocabulary, names)
    typed = 1.0
    if query.answer_types:
        typed = float(any(label in query.answer_types for labels in top_types for label, _ in labels))
    share = sum(0.5 + r for _, r in words) / max(1, len(query.terms))
    if not query.terms:
        coverage = 1.0  # "What happens next?": nothing specific to find, so nothing missing either
    head = next((t for t in query.terms if t not in _name_terms(query) and not is_soft(t)), None)
    head_missing = float(head is not None and not present(head, vocabulary))
    return np.array([
        best, dense, coverage, float(bool(names)), max((r for _, r in words), default=0.0), share, head_missing, typed,
    ])


def _name_terms(query: Query) -> set[str]:
    return {t for name in query.names for t in tokenize(name)}


def decline(query: Query, vocabulary: frozenset[str], dense: float, titles: list[str]) -> str:
    """The plain-words reason the articles cannot answer."""
    names = missing_names(query, vocabulary)
    if names:
        listed = " or ".join(names[:3])
        return f"{NOT_IN_ARTICLES} None of the articles mention {listed}."
    about = topic_of(titles)
    if dense < 0.25 and about:
        return f"{NOT_IN_ARTICLES} The articles are about {about}; they don't cover that."
    if "DATE" in query.answer_types:
        return f"{NOT_IN_ARTICLES} None of the articles say when that happens or happened."
    if "MONEY" in query.answer_types:
        return f"{NOT_IN_ARTICLES} None of the articles give that figure."
    words = [w for w, r in sorted(missing_words(query, vocabulary, names), key=lambda wr: -wr[1]) if r > 0.3]
    if words:
        return f"{NOT_IN_ARTICLES} None of the articles mention {words[0]}."
    return f"{NOT_IN_ARTICLES} Nothing in the indexed articles answers that."


def topic_of(titles: list[str]) -> str:
    """The names the article titles share most ("Israel, Hamas and Gaza"), for an off-topic decline."""
    counts: Counter[str] = Counter()
    for title in titles:
        seen = set()
        for m in _TITLE_NAME.finditer(title):
            words = [w for w in m.group(0).split() if w not in _TITLE_SKIP]
            name = " ".join(words)
            if name and name not in seen:
                seen.add(name)
                counts[name] += 1
    return join_names([n for n, _ in counts.most_common(3)])


def typed_entities(candidates: list) -> list[list[tuple[str, str]]]:  # type: ignore[type-arg]
    return [entity_labels(c.sentence) for c in candidates]
