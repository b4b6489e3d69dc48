"""Features of (question, candidate sentence) pairs: the few general signals the ranker weighs.

Every feature is defined for any story: nothing here names an actor, an outlet or a topic.
The weights that combine them are fitted on labelled questions (`bench/fit_answer.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from index import Chunk, Passage, Sentence, tokenize
from index.outlets import same_outlet

from ..actors import Actors, Mention
from ..cues import DATE, GAIN_CUES, LOSS_CUES, NEXT_CUES, PLACE, POSITION_CUES
from .query import Query, close_forms

FEATURES = (
    "dense", "dense_gap", "bm25", "coverage", "coverage_gap", "borrowed", "names", "names_missing", "answer_type",
    "subject", "cue", "reported", "lead", "tail", "short", "quote", "outlet", "fused", "asks", "unterminated",
    "headline", "speaker", "speech",
)
_CUES = {
    "position": POSITION_CUES, "next": NEXT_CUES, "when": DATE, "where": PLACE,
    "gains": re.compile(f"{GAIN_CUES.pattern}|{LOSS_CUES.pattern}", re.IGNORECASE),
}
_WINS = re.compile(r"\b(?:w[io]ns?|winning|better off)\b", re.IGNORECASE)  # a gain as a question puts it
_MONEY = re.compile(r"[$€£¥]\s?\d|\b\d[\d,.]*\s?(?:bn|tn|m|billion|trillion|million)\b|\b(?:dollars?|euros?)\b", re.IGNORECASE)
_PERCENT = re.compile(r"\b\d[\d,.]*\s?(?:%|per\s?cent|percent)", re.IGNORECASE)
_CARDINAL = re.compile(r"\b\d[\d,.]*\b|\b(?:two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|thousands?)\b", re.IGNORECASE)
_CAPS = re.compile(r"(?<=\s)[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*")
_QUOTE = re.compile(r"[“”\"]")
_SPEECH = re.compile(r"\b(?:said|says|told|tells|remarked|added|stated|warned|insisted|argued|declared|announced|"
                     r"called|urged|demanded|wrote|posted|vowed|pledged|promised|threatened|described)\b", re.IGNORECASE)
_TERMINATED = re.compile(r"[.!?…][”\"’')\]]*\s*$")


def _cue(query: Query) -> re.Pattern[str] | None:
    """The ask kind's cue; a gains ask that names one side ("Who gains …?", "Who loses?") cues that side only."""
    if query.ask.intent == "gains":
        text = query.ask.current or query.text
        gain, loss = bool(GAIN_CUES.search(text) or _WINS.search(text)), bool(LOSS_CUES.search(text))
        if gain != loss:
            return GAIN_CUES if gain else LOSS_CUES
    return _CUES.get(query.ask.intent)


def _same_words(a: str, b: str) -> bool:
    """A sentence that is the article's headline again (the text often starts with it)."""
    wa, wb = set(tokenize(a)), set(tokenize(b))
    return bool(wa) and len(wa & wb) / len(wa | wb) >= 0.8


@dataclass
class Candidate:
    """One retrieved sentence with its chunk (provenance) and the scores that ranked it."""

    sentence: Sentence
    chunk: Chunk
    score: float  # the ranker's probability that it answers the question
    overlap: float  # IDF-weighted share of the question's terms it holds
    dense: float  # cosine of the question to the sentence

    @cached_property
    def terms(self) -> frozenset[str]:
        """The sentence's stemmed terms, tokenized once for features, selection and redundancy."""
        return frozenset(tokenize(self.sentence.text))


def candidates_of(passages: list[Passage]) -> list[Candidate]:
    return [Candidate(p.chunk.sentences[0], p.chunk, p.score, 0.0, p.dense_similarity or 0.0)
            for p in passages if p.chunk.sentences]


def entity_labels(sentence: Sentence) -> list[tuple[str, str]]:
    """(label, text) of the sentence's named entities; a pattern fallback when the index has none."""
    if sentence.entities:
        return [(label, sentence.text[s:e]) for s, e, label in sentence.entities]
    text = sentence.text
    out = [("DATE", m.group(0)) for m in DATE.finditer(text)]
    out += [("MONEY", m.group(0)) for m in _MONEY.finditer(text)]
    out += [("PERCENT", m.group(0)) for m in _PERCENT.finditer(text)]
    out += [("CARDINAL", m.group(0)) for m in _CARDINAL.finditer(text)]
    out += [(label, m.group(0)) for m in _CAPS.finditer(" " + text) for label in ("PERSON", "ORG", "GPE")]
    return out


class FeatureExtractor:
    """Turns a question's candidates into a feature matrix (rows in candidate order)."""

    def __init__(self, idf: Callable[[str], float], actors: Callable[[], Actors], sizes: Callable[[str], int],
                 antecedents: Callable[[Candidate, Actors], list[Mention]] = lambda _c, _book: []) -> None:
        self.idf = idf
        self.actors = actors  # the engine's current actors
        self.sizes = sizes  # article id → number of sentences
        self.antecedents = antecedents  # who a sentence's leading "he"/"his"/"she"/"her" may be, from the article before it

    def run(self, query: Query, candidates: list[Candidate], fused: list[float], lexical: list[float]) -> np.ndarray:
        if not candidates:
            return np.zeros((0, len(FEATURES)))
        weights = {t: self.idf(t) for t in (*query.terms, *query.borrowed)}
        own_total = sum(weights[t] for t in query.terms) or 1.0
        borrowed_total = sum(weights[t] for t in query.borrowed) or 1.0
        book = query.ask.book or self.actors()
        asked = set(query.ask.actors)
        name_forms = [self._forms(n, book) for n in query.names]
        cue = _cue(query)
        question_lower = query.text.lower()
        dense_best = max(c.dense for c in candidates)
        lex_best = max(lexical) or 1.0
        fused_best = max(fused) or 1.0
        rows = []
        coverages = []
        name_terms = [frozenset(tokenize(n)) for n in query.names]
        # a term's close forms among the candidates' words ("reassurance" ~ "assurances", "seeking" ~ "sought")
        seen = frozenset().union(*(c.terms for c in candidates))
        close = close_forms(query.terms, seen)
        for c in candidates:
            s = c.sentence
            words = c.terms
            lower = s.text.lower()
            mentions = book.mentions(s.text)
            # "He praised the deal …" is about the asked person when the article just named them
            people = self.antecedents(c, book) if (asked or name_forms) else []
            person = next((m for m in people if m.actor in asked
                           or any(f in m.surface.lower() for forms in name_forms for f in forms)), None)
            if person is not None:
                lower = f"{person.surface.lower()} {lower}"
                mentions = [person, *mentions]
            found = [any(f in lower for f in forms) for forms in name_forms]
            # a name's terms count as covered when the sentence names its actor another way ("Kyiv" ~ Zelenskyy)
            aliased = set().union(*(t for t, hit in zip(name_terms, found, strict=True) if hit)) if found else set()
            coverage = sum(weights[t] for t in query.terms
                           if t in words or t in aliased or not words.isdisjoint(close.get(t, ()))) / own_total
            coverages.append(coverage)
            c.overlap = coverage
            typed = 0.0
            if query.answer_groups:  # the share of the things asked that the sentence holds
                found_labels = {label for label, text in entity_labels(s) if text.lower() not in question_lower}
                typed = sum(not found_labels.isdisjoint(g) for g in query.answer_groups) / len(query.answer_groups)
            subject = 0.0
            if asked and mentions:
                head = mentions[0]
                subject = float(head.actor in asked and (head is person or head.start < max(40, len(s.text) // 3)))
            speaker = (s.speaker or "").lower()
            spoke = float(bool(speaker) and (
                bool(asked & set(book.actors_in(s.speaker or "")))
                or any(speaker in forms or any(f in speaker for f in forms) for forms in name_forms)))
            outlet = 0.0
            if query.outlet:
                outlet = float(any(same_outlet(o, query.outlet) for o in (*s.outlets, c.chunk.publisher or "")))
            rows.append([
                c.dense,
                c.dense - dense_best,
                0.0,  # bm25, filled below
                coverage,
                0.0,  # coverage gap, filled below
                sum(weights[t] for t in query.borrowed if t in words) / borrowed_total if query.borrowed else 0.0,
                sum(found) / len(found) if found else 0.0,
                float(len(found) - sum(found)) if found else 0.0,
                typed,
                subject,
                float(bool(cue and cue.search(s.text))),
                float(s.kind == "reported"),
                1.0 / (1.0 + c.chunk.position),
                c.chunk.position / max(1, self.sizes(c.chunk.article_id) - 1),
                float(len(s.text) < 50),
                float(bool(_QUOTE.search(s.text))),
                outlet,
                0.0,  # fused, filled below
                float(s.text.rstrip(" ”\"’'").endswith("?")),
                float(not _TERMINATED.search(s.text)),
                float(_same_words(s.text, c.chunk.article_title)),
                spoke,
                float(bool(_SPEECH.search(s.text))),
            ])
        matrix = np.array(rows, dtype=float)
        matrix[:, FEATURES.index("bm25")] = np.array(lexical) / lex_best
        matrix[:, FEATURES.index("coverage_gap")] = np.array(coverages) - max(coverages)
        matrix[:, FEATURES.index("fused")] = np.array(fused) / fused_best
        return matrix

    @staticmethod
    def _forms(name: str, book: Actors) -> list[str]:
        """A name and the aliases of its actor group, lower-cased ("Tehran" → iran, iranian, …)."""
        forms = {name.lower()}
        for actor in book.actors_in(name):
            forms |= {a.lower() for a in book.aliases(actor)}
        if " " in name and not forms - {name.lower()}:
            forms.add(name.split()[-1].lower())  # "Khalil al-Hayya" → "al-hayya"
        return sorted(forms)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))
