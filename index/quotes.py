"""Statements that run over several sentences: which sentences one quotation or one speaker spans.

Attribution gives a quotation's later sentences its speaker; the answer engine cites a statement
whole when an answer cites one of its sentences.

Sentence-level retrieval finds "China's approval is also needed, but I'm sure they will approve it."
without the sentence that follows it in the same quote ("If not, we'll impose tariffs on China.") or
the one before it that opened the quote and named the speaker; nor "…," Johnson said. without the
next sentence, "It's the party and its algorithms," Johnson said. A reader needs the statement whole:
a quotation, and the same speaker's sentences next to it.

The quote state is read from the quote marks alone: “ opens, ” closes, a straight " toggles. A
paragraph break closes an open quote unless the next paragraph opens one again (the news style for
a quote over several paragraphs) or the next mark in the article closes it within a few paragraphs
(a statement reproduced whole, marked only where it starts and ends), so one stray mark never
spreads past its paragraph.
"""

from __future__ import annotations

_OPEN = "“"
_CLOSE = "”"
_TOGGLE = '"'
_LEADING = " \t\u00a0'‘(["
_CLOSING_AFTER = ",.!?…;:—-"  # a straight mark right after these closes the words before it
_RUN_ON_PARAGRAPHS = 8  # how far a quotation may run on unmarked


def _closed_later(texts: list[str], breaks: list[bool], i: int) -> bool:
    """The first quote mark from sentence `i` on closes a quotation, within `_RUN_ON_PARAGRAPHS` paragraphs."""
    paragraphs = 0
    for j in range(i, len(texts)):
        if j > i and breaks[j]:
            paragraphs += 1
            if paragraphs >= _RUN_ON_PARAGRAPHS:
                return False
        text = texts[j]
        for k, ch in enumerate(text):
            if ch == _OPEN:
                return False
            if ch == _CLOSE:
                return True
            if ch == _TOGGLE:
                return k > 0 and text[k - 1] in _CLOSING_AFTER
    return False


def quote_states(texts: list[str], breaks: list[bool], run_on: bool = True) -> list[tuple[bool, bool]]:
    """(starts inside a quote, ends inside a quote) for each sentence of an article, in order.

    `breaks[i]`: a paragraph break comes before sentence i. `run_on=False`: a quotation marked only
    where it starts and ends stops at its first paragraph's end (a statement an answer cites whole).
    """
    states: list[tuple[bool, bool]] = []
    inside = False
    for i, (text, brk) in enumerate(zip(texts, breaks, strict=True)):
        chars = text
        if brk and inside:
            lead = text.lstrip(_LEADING)
            if lead.startswith((_OPEN, _TOGGLE)):
                chars = lead[1:]  # the mark that re-opens a quotation running on: not a toggle
            else:
                inside = run_on and _closed_later(texts, breaks, i)
        start = inside
        for ch in chars:
            if ch == _OPEN:
                inside = True
            elif ch == _CLOSE:
                inside = False
            elif ch == _TOGGLE:
                inside = not inside
        states.append((start, inside))
    return states


def quote_runs(states: list[tuple[bool, bool]], limit: int = 4) -> list[int]:
    """A run id per sentence: sentences of one quotation share it (at most `limit` sentences a run)."""
    runs: list[int] = []
    run, size = 0, 0
    for i, (start, _end) in enumerate(states):
        linked = i > 0 and states[i - 1][1] and start and size < limit
        if not linked:
            run, size = i, 0
        runs.append(run)
        size += 1
    return runs


def same_speaker(a: str | None, b: str | None) -> bool:
    """One person named twice ("Mike Johnson" / "Johnson")."""
    if not a or not b:
        return False
    wa, wb = a.split(), b.split()
    return a == b or wa[-1] == wb[-1] and (len(wa) == 1 or len(wb) == 1)


def statement_runs(runs: list[int], speakers: list[str | None], limit: int = 4) -> list[int]:
    """Quote runs merged with the next ones while the same person speaks: a speaker's statement
    ("…," Johnson said. "It's the party and its algorithms," Johnson said.) up to `limit` sentences."""
    out = list(runs)
    for i in range(1, len(runs)):
        if runs[i] != runs[i - 1] and runs[i] == i and same_speaker(speakers[i - 1], speakers[i]):
            start = out[i - 1]
            if i - start < limit:
                j = i
                while j < len(runs) and runs[j] == i:
                    out[j] = start
                    j += 1
    return out
