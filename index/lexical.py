"""A small BM25 (Okapi) index over chunk texts, rebuilt from the manifest when it changes."""

from __future__ import annotations

import math
import re
import threading
from collections import Counter, defaultdict

import Stemmer

STOPWORDS = frozenset(
    "a an the and or but if of to in on at by for with from as is are was were be been being it its this that "
    "these those he she they them his her their we our you your i me my do does did done has have had what "
    "which who whom whose when where why how about into over after before than then so such not no can could "
    "would should will shall may might must also just only very more most some any all each other there here "
    "s t said says say tell me us".split()
)
_TOKEN = re.compile(r"[\w’']+", re.UNICODE)


def stem(word: str) -> str:
    """The English Snowball (Porter2) stem of a lower-cased word, its possessive dropped first.

    'sanctions' → 'sanction', 'talks' → 'talk', 'losing' → 'lose', while 'news' and 'gas' stay.
    """
    for suffix in ("’s", "'s"):
        if word.endswith(suffix):
            word = word[: -len(suffix)]
    return _stemmer().stemWord(word)


_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    """One stemmer per thread: a PyStemmer object must not be shared by concurrent threads."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer


def tokenize(text: str) -> list[str]:
    """Lower-cased, stop-word-free, stemmed terms."""
    words = []
    for raw in _TOKEN.findall(text.lower().replace("’", "'")):
        token = raw.strip("'")
        if token.endswith("'s"):
            token = token[:-2]  # before the stop-word test: "what's", "it's" are stop words too
        if len(token) < 2 or token in STOPWORDS:
            continue
        words.append(token)
    return _stemmer().stemWords(words)


class BM25Index:
    """Okapi BM25 with the usual k1/b; `search` can be limited to a set of allowed ids."""

    def __init__(self, docs: list[tuple[str, str]], k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self._ids = [doc_id for doc_id, _ in docs]
        self._lengths: list[int] = []
        self._postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for index, (_, text) in enumerate(docs):
            counts = Counter(tokenize(text))
            self._lengths.append(sum(counts.values()))
            for term, tf in counts.items():
                self._postings[term].append((index, tf))
        self._avg = (sum(self._lengths) / len(self._lengths)) if self._lengths else 0.0

    def __len__(self) -> int:
        return len(self._ids)

    def vocabulary(self) -> frozenset[str]:
        return frozenset(self._postings)

    def idf(self, term: str) -> float:
        n = len(self._ids)
        df = len(self._postings.get(term, ()))
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def search(self, query: str, k: int = 10, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """Top-k (id, score) with score > 0, best first."""
        scores: dict[int, float] = defaultdict(float)
        for term in set(tokenize(query)):
            postings = self._postings.get(term)
            if not postings:
                continue
            idf = self.idf(term)
            for index, tf in postings:
                norm = self.k1 * (1 - self.b + self.b * self._lengths[index] / (self._avg or 1))
                scores[index] += idf * tf * (self.k1 + 1) / (tf + norm)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        out = []
        for index, score in ranked:
            doc_id = self._ids[index]
            if allowed is not None and doc_id not in allowed:
                continue
            out.append((doc_id, score))
            if len(out) >= k:
                break
        return out
