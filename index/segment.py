"""Split paragraphs into sentences with character offsets into the stored text."""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jr sr gen sen rep gov lt col capt cmdr adm prof no vs etc e.g i.e inc ltd co corp "
    "jan feb mar apr jun jul aug sep sept oct nov dec a.m p.m approx dept est fig mt ft".split()
)
# Country abbreviations end a sentence only when a typical sentence opener follows.
_COUNTRY_ABBREVIATIONS = frozenset({"u.s", "u.k", "u.n", "e.u"})
_OPENERS = frozenset(
    "the this that these those it he she they we i in but and a an on at for after before as if when "
    "while his her their its there such then still yet meanwhile however officials".split()
)
_BOUNDARY = re.compile(r"[.!?…]+[\"”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])")


def split_sentences(text: str, base: int = 0) -> list[tuple[int, int]]:
    """Spans `(start, end)` of the sentences in `text`, shifted by `base`; whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if not _is_boundary(text, match.start(), end):
            continue
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    result = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            result.append((s + base, e + base))
    return result


def _is_boundary(text: str, dot: int, end: int) -> bool:
    if text[dot] != ".":
        return True
    token = re.search(r"(\S+)$", text[:dot])
    word = token.group(1).lstrip("(\"“‘").lower() if token else ""
    if re.fullmatch(r"[a-z]", word):
        return False  # an initial: "J. Smith"
    if word in _COUNTRY_ABBREVIATIONS:
        following = re.match(r"\s+[\"“‘(]?(\w+)", text[end:])
        return bool(following and following.group(1).lower() in _OPENERS)
    return word not in _ABBREVIATIONS
