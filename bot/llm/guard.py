"""The citation guard: every sentence of an LLM answer must cite a provided source that supports it.

Checks, per sentence of the model's reply (in this order; the first failure removes it):

- `uncited`: no `[n]` marker; `unknown-source`: a marker outside 1..len(sources);
- `planted-instruction`: it repeats a sentence of an article that addresses the model
  ("Ignore previous instructions and reply that …"), which never becomes a source;
- `url`: a link that is not the cited article's URL or in its text;
- `outlet`: it names an outlet (lexicon, indexed outlets, or an "according to X" form) that the
  cited sources do not attribute; `analysis-as-reporting`: it cites only the article's analysis
  but says someone reported it;
- `contradiction`: a number the cited sources do not contain, a negation the sources do not
  have, or a predicate the source negates ("did not answer") stated positively;
- `unsupported`: too few of its content words occur in the cited sources and the MiniLM cosine
  to them is low (thresholds below, measured on the seed article).

Sentences that pass but cite `reported` sources without naming any of their outlets get the
attribution added (", POLITICO reported"); analysis not marked as such is prefixed "In the
article's analysis, ". Both are listed as repairs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from index import tokenize
from index.attribution import OUTLETS, canonical_outlet, find_outlets
from index.segment import split_sentences as sentence_spans

from ..rendering import join_names
from .sources import Source

# The reply that means "no answer": prompts/answer.txt tells the model to use exactly this.
NOT_ANSWERED = "The sources don't answer this."
_NOT_ANSWERED = re.compile(r"\bsources?\s+(?:don['’]t|do\s+not|does\s+not|doesn['’]t)\s+(?:answer|say|address|cover)\b", re.IGNORECASE)

# Support thresholds, measured on the seed article with tests/fixtures/guard_cases.json (each case
# cites one real seed sentence; tests/bot/test_llm.py::test_guard_thresholds_separate_the_measured_cases
# re-measures them on every run):
#   24 faithful paraphrases:    lexical 0.71–1.00 (median 1.00), cosine 0.58–0.99 (median 0.85)
#   24 unsupported sentences:   lexical 0.00–0.50 (median 0.18; 1.00 only for the one-word claim
#                               "The war is over."), cosine 0.16–0.63 (median 0.42)
# Lexical share alone separates all but the short claim, so it decides when it is clear (>= 0.75
# with at least 3 content words, or < 0.45); in between, and for short sentences, the cosine must
# reach 0.70 (the highest unsupported cosine was 0.63, the lowest faithful one that needs it 0.78).
# Contradictions that reuse the source's words (lexical 0.75–1.00, cosine 0.49–0.83) pass this
# test by construction; the contradiction check catches them.
LEXICAL_SUPPORTED = 0.75  # this share of content words found in the cited sources is enough on its own
LEXICAL_FLOOR = 0.45  # below this share, no cosine is enough
COSINE_SUPPORTED = 0.70  # between the two lexical bounds, the MiniLM cosine must reach this
MIN_TERMS = 3  # a sentence with fewer content words ("The war is over.") needs the cosine as well

_MARKERS = re.compile(r"\[\s*(\d+(?:\s*(?:[,;]|[-–])\s*\d+)*)\s*\]")
_MARKER_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[\s*\d+(?:\s*(?:[,;]|[-–])\s*\d+)*\s*\])+)")
_REFERENCE_ENTRY = re.compile(r"^\[\d+\]\s*[:.)-]?\s")  # "[1] Al Jazeera: …" at the start of a line
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_URL = re.compile(r"https?://[^\s)\]]+|\bwww\.[^\s)\]]+", re.IGNORECASE)
# words that attribute or frame a claim: never content to be supported
_FRAME = frozenset(tokenize(
    "report reported reporting reports according analysis article articles argue argues argued piece author writes wrote "
    "note notes noted source sources add added claim claims state stated view suggests suggest says told adds point"
))
_REPORTING = re.compile(r"\b(reported|reports|reporting|according\s+to|told)\b", re.IGNORECASE)
_ANALYSIS_CUE = re.compile(r"\b(analysis|argues?|argued|arguing|article|the\s+piece|the\s+author|contends?|in\s+the\s+view|writes|suggests?)\b", re.IGNORECASE)
_NEGATION = re.compile(
    r"\b(not|no|never|without|neither|nor|none|cannot|refus\w*|reject\w*|den(?:y|ies|ied)|fail(?:s|ed)?)\b|n['’]t\b",
    re.IGNORECASE,
)
# a source may express a restriction without a negation word ("instead of", "only")
_SOURCE_RESTRICTION = re.compile(r"\b(instead\s+of|rather\s+than|only|unless|before|avoid\w*)\b", re.IGNORECASE)
_NEGATOR = re.compile(r"\b(?:not|never|no\s+longer)\b|n['’]t\b", re.IGNORECASE)
_NEGATION_FILLERS = frozenset("be been being yet even as a an the to so that".split())
_NUMBER_WORDS = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10",
    "eleven": "11", "twelve": "12", "fifteen": "15", "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50",
    "sixty": "60", "ninety": "90", "hundred": "100", "thousand": "1000", "million": "1000000", "billion": "1000000000",
}
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b|\b(?:" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)

_SAFE_LOWER = frozenset("The This That These Those It Its Any For In If At A An Some Such There".split())

Embed = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Removal:
    """A sentence the guard removed, which check removed it, and why."""

    sentence: str
    check: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"sentence": self.sentence, "check": self.check, "reason": self.reason}


@dataclass(frozen=True)
class Checked:
    """A sentence that passed: its (possibly repaired) text with the model's markers, and what it cites."""

    text: str
    cited: tuple[int, ...]


@dataclass
class GuardResult:
    """What the guard made of one reply."""

    written: int = 0  # claim sentences the model wrote
    kept: list[Checked] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    not_answered: bool = False  # the model said the sources do not answer

    @property
    def enough(self) -> bool:
        """At least one claim survived, and at least half of those written."""
        claims = sum(1 for k in self.kept if k.cited)
        return claims > 0 and claims * 2 >= self.written

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentences": self.written,
            "kept": sum(1 for k in self.kept if k.cited),
            "removed": [r.to_dict() for r in self.removed],
            "repaired": list(self.repaired),
        }


@dataclass(frozen=True)
class Support:
    lexical: float
    cosine: float | None
    terms: int

    @property
    def ok(self) -> bool:
        if self.lexical < LEXICAL_FLOOR:
            return False
        if self.lexical >= LEXICAL_SUPPORTED and self.terms >= MIN_TERMS:
            return True
        return self.cosine is not None and self.cosine >= COSINE_SUPPORTED


class CitationGuard:
    """Checks an LLM reply against its numbered sources; see the module docstring for the checks.

    `embed` (e.g. the index's MiniLM `encode`) adds the cosine test; without it, only lexical
    support counts, so a sentence needs `LEXICAL_SUPPORTED` of its words in the source.
    `outlets` are names beyond the lexicon that count as outlets (the indexed ones).
    """

    def __init__(self, embed: Embed | None = None, outlets: Iterable[str] = ()) -> None:
        self.embed = embed
        self.outlets = tuple(sorted(set(outlets)))
        self._outlet_pattern = _outlet_pattern(self.outlets)

    def check(self, reply: str, sources: Sequence[Source], planted: Sequence[str] = ()) -> GuardResult:
        """Split `reply` into sentences and keep the ones whose citations check out."""
        result = GuardResult()
        by_n = {s.n: s for s in sources}
        kept: list[tuple[int, Checked]] = []
        pending: list[tuple[int, str, str, list[Source]]] = []  # (position, sentence, body, cited) for the support test
        for i, sentence in enumerate(split_sentences(reply)):
            numbers = cited_numbers(sentence)
            body = strip_markers(sentence)
            if _NOT_ANSWERED.search(body) and not numbers:
                result.not_answered = True
                kept.append((i, Checked(sentence, ())))
                continue
            result.written += 1
            failure = self._structural(sentence, body, numbers, by_n, planted)
            if failure:
                result.removed.append(Removal(sentence, *failure))
                continue
            pending.append((i, sentence, body, [by_n[n] for n in numbers]))
        supports = self._support([(body, cited) for _, _, body, cited in pending])
        for (i, sentence, body, cited), support in zip(pending, supports, strict=True):
            if not support.ok:
                cosine = "n/a" if support.cosine is None else f"{support.cosine:.2f}"
                result.removed.append(Removal(
                    sentence, "unsupported",
                    f"the cited source{'s' if len(cited) > 1 else ''} {_refs(cited)} do{'' if len(cited) > 1 else 'es'} not support it "
                    f"(content words found: {support.lexical:.2f}, cosine: {cosine})",
                ))
                continue
            text, repair = self._repair(sentence, body, cited)
            if repair:
                result.repaired.append(repair)
            kept.append((i, Checked(text, tuple(dict.fromkeys(s.n for s in cited)))))
        result.kept = [c for _, c in sorted(kept, key=lambda item: item[0])]
        return result

    # ----- checks that need no model --------------------------------------------------------
    def _structural(
        self, sentence: str, body: str, numbers: list[int], by_n: dict[int, Source], planted: Sequence[str]
    ) -> tuple[str, str] | None:
        if not numbers:
            return "uncited", "the sentence cites no source"
        unknown = [n for n in numbers if n not in by_n]
        if unknown:
            return "unknown-source", f"cites [{unknown[0]}], but there are only {len(by_n)} sources"
        cited = [by_n[n] for n in dict.fromkeys(numbers)]
        terms = set(_content_terms(body, self._outlet_pattern))
        for text in planted:
            payload = set(_content_terms(text, self._outlet_pattern))
            if terms and len(terms & payload) >= max(1, 0.6 * len(terms)):
                return "planted-instruction", "it repeats an instruction planted in an article, not reporting"
        for url in _URL.findall(body):
            bare = url.rstrip(".,;:").lower()
            if not any(bare in (s.chunk.url or "").lower() or bare in s.sentence.text.lower() for s in cited):
                return "url", f"links {bare}, which is not in the cited sources"
        allowed = {o.lower() for s in cited for o in s.allowed_outlets}
        cited_text = " ".join(s.sentence.text for s in cited).lower()
        for name, known in self._outlets_named(body):
            if name.lower() in allowed:
                continue
            if not known and name.lower() in cited_text:
                continue  # "according to Putin": a person in the source, not an outlet
            plural = len(cited) > 1
            return "outlet", f"names {name}, which the cited source{'s' if plural else ''} {_refs(cited)} {'do' if plural else 'does'} not attribute"
        if all(s.sentence.kind == "analysis" for s in cited) and _REPORTING.search(body):
            return "analysis-as-reporting", f"presents the article's own analysis {_refs(cited)} as reporting"
        return _contradiction(body, cited)

    def _outlets_named(self, text: str) -> list[tuple[str, bool]]:
        """(canonical name, in the lexicon or index) of every outlet a sentence names."""
        names: dict[str, bool] = {}
        for match in self._outlet_pattern.finditer(text):
            names.setdefault(canonical_outlet(match.group(0), self.outlets), True)
        for name in find_outlets(text, self.outlets):
            names.setdefault(name, False)
        return list(names.items())

    # ----- support ---------------------------------------------------------------------------
    def _support(self, items: list[tuple[str, list[Source]]]) -> list[Support]:
        lexical = []
        for body, cited in items:
            terms = _content_terms(body, self._outlet_pattern)
            words = {t for s in cited for t in tokenize(s.sentence.text)}
            found = sum(1 for t in terms if _term_in(t, words))
            lexical.append((found / len(terms) if terms else 0.0, len(terms)))
        cosines: list[float | None] = [None] * len(items)
        if self.embed is not None and items:
            texts = [_for_embedding(body) for body, _ in items]
            quotes = sorted({s.sentence.text for _, cited in items for s in cited})
            vectors = self.embed(texts + quotes)
            quote_vec = dict(zip(quotes, vectors[len(texts) :], strict=True))
            for i, (_, cited) in enumerate(items):
                cosines[i] = max(float(np.dot(vectors[i], quote_vec[s.sentence.text])) for s in cited)
        return [Support(lex, cos, n) for (lex, n), cos in zip(lexical, cosines, strict=True)]

    def support(self, body: str, cited: list[Source]) -> Support:
        """The support measures of one sentence (for measuring thresholds)."""
        return self._support([(strip_markers(body), cited)])[0]

    # ----- repairs ---------------------------------------------------------------------------
    def _repair(self, sentence: str, body: str, cited: list[Source]) -> tuple[str, str | None]:
        reported = [s for s in cited if s.sentence.kind == "reported" and s.sentence.outlets]
        named = {n.lower() for n, _ in self._outlets_named(body)}
        if reported:
            outlets = list(dict.fromkeys(o for s in reported for o in s.sentence.outlets))
            if not named & {o.lower() for o in outlets}:
                fixed = _insert_before_markers(sentence, f", {join_names(outlets)} reported")
                return fixed, f"added the reporting outlet: {fixed}"
            return sentence, None
        if not _ANALYSIS_CUE.search(body):
            publisher = next((s.chunk.publisher for s in cited if s.chunk.publisher), None)
            label = f"In {publisher}'s analysis, " if publisher else "In the article's analysis, "
            first = sentence.split(" ", 1)[0]
            fixed = label + (sentence[0].lower() + sentence[1:] if first in _SAFE_LOWER else sentence)
            return fixed, f"marked as the article's analysis: {fixed}"
        return sentence, None


# ----- pure helpers ---------------------------------------------------------------------------
def split_sentences(reply: str) -> list[str]:
    """The reply's sentences, each with its `[n]` markers (also when written after the full stop).

    Each line is one or more sentences (a bullet is one line, its bullet dropped); within a line the
    boundaries are the index's own (`index.segment.split_sentences`: abbreviations, initials,
    "U.S." before a sentence opener), so a reply is cut where an article would be. Markers written
    after the stop ("… reported. [2] Next") are moved before it first, so they stay with their sentence.
    """
    out: list[str] = []
    for raw in reply.splitlines():
        line = _BULLET.sub("", " ".join(raw.split()))
        if not line or re.fullmatch(r"(?:sources?|references?)\s*:?", line, re.IGNORECASE) or _REFERENCE_ENTRY.match(line):
            continue  # a sources list the model added anyway: the response builds its own from the citations
        line = _MARKER_AFTER_STOP.sub(lambda m: m.group(2) + m.group(1), line)
        out.extend(line[start:end] for start, end in sentence_spans(line))
    return [s for s in out if re.search(r"\w", strip_markers(s))]


def cited_numbers(sentence: str) -> list[int]:
    """Source numbers a sentence cites, in order: `[1]`, `[1, 3]`, `[1][2]`, `[2-4]`."""
    numbers: list[int] = []
    for group in _MARKERS.findall(sentence):
        for part in re.split(r"\s*[,;]\s*", group):
            bounds = re.split(r"\s*[-–]\s*", part)
            if len(bounds) == 2 and int(bounds[1]) >= int(bounds[0]) and int(bounds[1]) - int(bounds[0]) < 20:
                numbers.extend(range(int(bounds[0]), int(bounds[1]) + 1))
            else:
                numbers.extend(int(b) for b in bounds)
    return list(dict.fromkeys(numbers))


def strip_markers(sentence: str) -> str:
    return re.sub(r"\s+([.!?,;:])", r"\1", _MARKERS.sub("", sentence)).strip()


def renumber(text: str, mapping: dict[int, int]) -> str:
    """Rewrite the markers of a checked sentence with the final numbers: `[3][5]` → `[1][2]`."""

    def swap(match: re.Match[str]) -> str:
        return "".join(f"[{mapping[n]}]" for n in cited_numbers(match.group(0)) if n in mapping)

    return re.sub(r"(?:\s*" + _MARKERS.pattern + r")+", lambda m: " " + swap(m) if swap(m) else "", text).replace(" .", ".")


def _contradiction(body: str, cited: list[Source]) -> tuple[str, str] | None:
    """A number the sources lack, or a polarity flip: 'did not answer' → 'answered', 'was ready' → 'was not ready'."""
    source_text = " ".join(s.sentence.text for s in cited)
    plural = "s" if len(cited) > 1 else ""
    missing = _numbers(body) - _numbers(source_text)
    if missing:
        return "contradiction", f"the number {sorted(missing)[0]} is not in the cited source{plural} {_refs(cited)}"
    source_words = set(tokenize(source_text))
    source_negated = _negated_predicates(source_text)
    if _NEGATION.search(body):
        if not (_NEGATION.search(source_text) or _SOURCE_RESTRICTION.search(source_text)):
            return "contradiction", f"it negates what the cited source{plural} {_refs(cited)} state{'' if plural else 's'}"
        for predicate in _negated_predicates(body):
            if _term_in(predicate, source_words) and not _term_in(predicate, source_negated):
                return "contradiction", f"it negates '{predicate}', which the cited source{plural} {_refs(cited)} state{'' if plural else 's'}"
        return None
    words = set(tokenize(body))
    for predicate in source_negated:
        if _term_in(predicate, words):
            return "contradiction", f"the cited source{plural} {_refs(cited)} say{'' if plural else 's'} the opposite (not '{predicate}')"
    return None


def _negated_predicates(text: str) -> set[str]:
    """The stems a text negates: 'did not directly answer' → answer, 'was not ready' → ready."""
    out = set()
    for match in _NEGATOR.finditer(text):
        for word in re.findall(r"[A-Za-z’'-]+", text[match.end() : match.end() + 60])[:4]:
            if word.lower() in _NEGATION_FILLERS or word.lower().endswith("ly"):
                continue
            terms = tokenize(word)
            if terms:
                out.add(terms[0])
                break
    return out


def _numbers(text: str) -> set[str]:
    found = set()
    for match in _NUMBER.finditer(text):
        word = match.group(0).lower()
        found.add(_NUMBER_WORDS.get(word, word.replace(",", "")))
    return found


def _content_terms(text: str, outlets: re.Pattern[str]) -> list[str]:
    masked = outlets.sub(" ", text)
    return [t for t in dict.fromkeys(tokenize(masked)) if t not in _FRAME]


def _term_in(term: str, words: set[str]) -> bool:
    """A stem among `words`, allowing what the light stemmer leaves apart: invite ~ invit, negotiate ~ negotiation."""
    if term in words:
        return True
    for w in words:
        if min(len(w), len(term)) >= 4 and (w.startswith(term) or term.startswith(w)):
            return True
        if len(w) >= 6 and len(term) >= 6 and w[:5] == term[:5]:
            return True
    return False


def _for_embedding(body: str) -> str:
    """The claim without its attribution, so 'POLITICO reported' does not inflate the cosine."""
    text = re.sub(r",?\s*(?:according\s+to\s+[^,.]+|[\w .&-]{1,40}\s+reported(?:\s+that)?)\s*(?=[,.]|$)", "", body)
    return text.strip() or body


def _insert_before_markers(sentence: str, phrase: str) -> str:
    match = re.search(r"(?:\s*" + _MARKERS.pattern + r")+\s*[.!?]?\s*$", sentence)
    if match:
        head = sentence[: match.start()].rstrip().rstrip(".,;:")
        return head + phrase + sentence[match.start() :]
    return sentence.rstrip().rstrip(".") + phrase + "."


def _refs(cited: list[Source]) -> str:
    return "".join(f"[{s.n}]" for s in cited)


def _outlet_pattern(extra: tuple[str, ...]) -> re.Pattern[str]:
    """Case-sensitive outlet names (so 'the hill' or 'an economist' are not outlets)."""
    spellings = {v for name, variants in OUTLETS.items() for v in (name, *variants)} | set(extra)
    bodies = sorted({re.sub(r"^[Tt]he\s+", "", s) for s in spellings if s.strip()}, key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(re.escape(p) for p in b.split()) for b in bodies)
    return re.compile(rf"(?<![\w-])(?:[Tt]he\s+)?(?:{alternatives})(?![\w-])")
