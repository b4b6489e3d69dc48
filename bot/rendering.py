"""How a stored sentence is written into an answer: outlet named, analysis labelled, `[n]` placed."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from index import Chunk, Sentence
from index.attribution import find_outlets

from .models import Answer, Citation, published_date

_SAFE_LOWER = frozenset(
    "The This That These Those It Its Any For In If At A An Some Such There Who What How When Where After Before "
    "While Although Though Since Despite As Each Both Neither Either Even Yet Still Instead Meanwhile "
    "He She They We You His Her Their Our Your Many Most Several Few All No Not Under Over With Without "
    "According Taking Given".split()
)


def render_sentence(sentence: Sentence, text: str, n: int, publisher: str | None, continues_analysis: bool) -> str:
    if sentence.kind == "reported":
        if find_outlets(text, publisher=publisher) or not sentence.outlets:  # "…, Trend reports." names itself
            return mark(text, n)
        return mark(_attribute(text, join_names(list(sentence.outlets))), n)
    if continues_analysis:
        return mark(text, n)
    label = f"In {publisher}'s analysis" if publisher else "In the article's analysis"
    return mark(f"{label}, {_lower_first(text)}", n)


def render_source(sentence: Sentence, text: str, n: int, only: bool) -> str:
    """Who a claim came from: 'POLITICO and BBC reported it [1].' When the answer names several
    claims, each is identified by the start of its quote; the full quote is in the citation."""
    claim = "it" if only else f"“{_opening(text)}”"
    if sentence.kind == "reported" and sentence.outlets:
        return mark(f"{join_names(list(sentence.outlets))} reported {claim}.", n)
    if only:
        return mark("No outlet is cited for it: it is the article's own analysis.", n)
    return mark(f"{claim[0]}{claim[1:]} is the article's own analysis, not attributed to an outlet.", n)


def _opening(text: str, limit: int = 90) -> str:
    text = text.strip().rstrip(".")
    if len(text) <= limit:
        return text
    return text[: text.rfind(" ", 0, limit)].rstrip(",;:") + "…"


def mark(text: str, n: int) -> str:
    """Put `[n]` before the closing full stop: '…, the BBC reported [1].'"""
    text = text.rstrip()
    if text.endswith((".", "!", "?")) and not text.endswith("..."):
        return f"{text[:-1]} [{n}]{text[-1]}"
    return f"{text} [{n}]"


def _attribute(text: str, outlets: str) -> str:
    """'X happened.' → 'X happened, Reuters reported.'; '“We stay.”' → '“We stay,” Reuters reported.'"""
    text = text.rstrip()
    quoted = re.match(r"^(.*)[.!?]([”\"’])$", text, re.S)
    if quoted:
        return f"{quoted.group(1)},{quoted.group(2)} {outlets} reported."
    return f"{text.rstrip('.')}, {outlets} reported."


def balanced_quotes(text: str, open_before: str | None = None, continued: bool = False) -> tuple[str, str | None]:
    """A sentence cut out of a longer quotation, its quotation marks made whole for the reader.

    'It’s a paltry sum,” said Raina.' → '“It’s a paltry sum,” said Raina.' and '“This is an illusion.'
    → '“This is an illusion.”'. A quote over several sentences of one passage stays one quote:
    `open_before` is the mark that closes a quote the passage's previous sentence left open;
    `continued`: the passage goes on (its next sentence may close the quote). Returns the text and
    the closing mark a quote still open at its end needs (None when none is open).
    """
    state, prefix = open_before, ""
    for at, ch in enumerate(text):
        if ch == "“":
            state = "”"
        elif ch == "”":
            if state is None and not prefix:
                prefix = "“"  # the quote was opened before this sentence began
            state = None
        elif ch == '"':
            if state == '"':
                state = None
                continue
            # a closing straight mark has a word before it and none after
            closing = at > 0 and not text[at - 1].isspace() and (at + 1 == len(text) or not text[at + 1].isalnum())
            if closing and state is None and not prefix:
                prefix = '"'
            elif not closing:
                state = '"'
    if state is not None and not continued:
        return prefix + text.rstrip() + state, None
    return prefix + text, state


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    if first in _SAFE_LOWER:
        return text[0].lower() + text[1:]
    return text


def join_names(names: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    items = list(names)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


WORDS_PER_PIECE = 4


def word_groups(text: str, size: int = WORDS_PER_PIECE) -> Iterator[str]:
    """`text` in pieces of `size` words (whitespace kept) whose concatenation is `text`: how an
    answer written whole is streamed (SSE deltas, OpenAI-compatible chunks)."""
    words = re.split(r"(?<=\s)(?=\S)", text)
    for i in range(0, len(words), size):
        piece = "".join(words[i : i + size])
        if piece:
            yield piece


def citation_for(n: int, sentence: Sentence, chunk: Chunk) -> Citation:
    """The v1 citation of one stored sentence: verbatim quote, offsets and provenance."""
    return Citation(
        n=n, outlets=list(sentence.outlets), kind=sentence.kind, quote=sentence.text, article_id=chunk.article_id,
        article_title=chunk.article_title, publisher=chunk.publisher, url=chunk.url, chunk_id=chunk.id,
        start=sentence.start, end=sentence.end, published_at=chunk.published_at, section=sentence.section,
    )


# ----- how current an answer is ---------------------------------------------------------------
REPORT_GAP_DAYS = 7  # cited reports further apart than this are listed by date, newest marked


def long_date(iso: str) -> str:
    """'2025-05-16' → '16 May 2025'."""
    d = published_date(iso)
    return f"{d.day} {d:%B %Y}" if d else iso


def as_of_line(answer: Answer) -> str | None:
    """'As of 16 May 2025 · 3 articles', or what the answer rests on when undated; None if ungrounded."""
    published = answer.published_range
    if published is None:
        return None
    articles = f"{published.articles} article{'' if published.articles == 1 else 's'}"
    if published.latest is None:
        if published.articles == 1:
            return "Undated: the cited article has no publication date"
        return f"Undated: none of the {published.articles} cited articles has a publication date"
    undated = f" ({published.undated} undated)" if published.undated else ""
    return f"As of {long_date(published.latest)} · {articles}{undated}"


def report_dates_line(answer: Answer) -> str | None:
    """When the cited reports are more than a week apart: each report with its date, oldest first, the
    newest marked ('Reported on different dates: 12 May 2025 BBC [1] · 16 May 2025 POLITICO [2] (newest)')."""
    published = answer.published_range
    if published is None or published.span_days <= REPORT_GAP_DAYS:
        return None
    reports: dict[str, tuple[str, str, list[int]]] = {}
    for c in answer.citations:
        d = published_date(c.published_at)
        if d is None:
            continue
        label = c.publisher or join_names(c.outlets) or c.article_title
        reports.setdefault(c.article_id, (d.isoformat(), label, []))[2].append(c.n)
    parts = []
    for iso, label, numbers in sorted(reports.values(), key=lambda r: r[0]):
        newest = " (newest)" if iso == published.latest else ""
        parts.append(f"{long_date(iso)} {label} {''.join(f'[{n}]' for n in numbers)}{newest}")
    return "Reported on different dates: " + " · ".join(parts)
