"""Quotations that run over several sentences: an answer citing one of their sentences cites the whole quote.

Sentence-level retrieval finds "China's approval is also needed, but I'm sure they will approve it."
without the sentence that follows it in the same quote ("If not, we'll impose tariffs on China.") or
the one before it that opened the quote and named the speaker. A reader needs the statement whole.

The quote state is read from the quote marks alone: “ opens, ” closes, a straight " toggles. A
paragraph break closes an open quote unless the next paragraph opens one again (the news style for
a quote over several paragraphs), so one stray mark never spreads past its paragraph.
"""

from __future__ import annotations

_OPEN = "“"
_CLOSE = "”"
_TOGGLE = '"'
_LEADING = " \t\u00a0'‘(["


def quote_states(texts: list[str], breaks: list[bool]) -> list[tuple[bool, bool]]:
    """(starts inside a quote, ends inside a quote) for each sentence of an article, in order.

    `breaks[i]`: a paragraph break comes before sentence i.
    """
    states = []
    inside = False
    for text, brk in zip(texts, breaks, strict=True):
        if brk and inside and not text.lstrip(_LEADING).startswith((_OPEN, _TOGGLE)):
            inside = False
        start = inside
        for ch in text:
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
