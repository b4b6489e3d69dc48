"""Normalise article text: repair link line breaks, keep section headings.

Copied web articles lose their links as line breaks: "…, according to\\nAl Jazeera. That is…".
A line that ends mid-sentence continues on the next line; a short line without a full stop
between paragraphs is a section heading. Quotes and dashes are kept as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A line ending in one of these words cannot end a sentence or a heading: the next line continues it.
_CONNECTIVES = frozenset(
    "a an the and or but nor to of for by in on at as with from into onto than that which who whom whose "
    "via per about after before between including like near over under upon while whether if because "
    "according said says told reported".split()
)
_TERMINAL = tuple(".!?…:\"”’)]")
_MAX_HEADING_WORDS = 14


@dataclass(frozen=True)
class Block:
    """A paragraph or heading of the stored text: `text` starts at `start` in the stored text."""

    start: int
    text: str
    heading: bool


def _continues(prev: str, nxt: str) -> bool:
    prev = prev.rstrip()
    nxt = nxt.lstrip()
    if not prev or not nxt:
        return False
    if prev[-1] in ",;(–—-/&":
        return True
    last_word = re.sub(r"[^\w’']+$", "", prev.rsplit(None, 1)[-1]).lower()
    if last_word in _CONNECTIVES and prev[-1].isalnum():
        return True
    if nxt[0].islower() or nxt[0] in ",;)":
        return True
    return False


def _is_heading(text: str, lines_joined: int) -> bool:
    if lines_joined != 1 or text.endswith(_TERMINAL):
        return False
    words = text.split()
    return 0 < len(words) <= _MAX_HEADING_WORDS and text[0].isupper()


def normalize(text: str) -> tuple[str, list[Block]]:
    """Return the stored text (paragraphs joined by one newline) and its blocks with offsets."""
    paragraphs: list[tuple[str, int, bool]] = []  # (text, lines joined, markdown heading)
    current: list[str] = []

    def flush() -> None:
        if current:
            paragraphs.append((" ".join(current), len(current), False))
            current.clear()

    for raw in text.split("\n"):
        line = re.sub(r"[ \t\u00a0]+", " ", raw).strip()
        if not line:
            if current and _ends_mid_sentence(current[-1]):
                continue  # a blank line inside a broken sentence: keep joining
            flush()
            continue
        md_heading = re.match(r"^#{1,6}\s+(.*)$", line)
        if md_heading:
            flush()
            paragraphs.append((md_heading.group(1).strip(), 1, True))
            continue
        if current and _continues(current[-1], line):
            current.append(line)
        else:
            flush()
            current.append(line)
    flush()

    blocks: list[Block] = []
    parts: list[str] = []
    offset = 0
    for i, (para, joined, is_md_heading) in enumerate(paragraphs):
        is_last = i == len(paragraphs) - 1
        heading = is_md_heading or (not is_last and _is_heading(para, joined))
        blocks.append(Block(offset, para, heading))
        parts.append(para)
        offset += len(para) + 1
    return "\n".join(parts), blocks


def _ends_mid_sentence(line: str) -> bool:
    line = line.rstrip()
    if not line:
        return False
    if line[-1] in ",;(–—-":
        return True
    last_word = re.sub(r"[^\w’']+$", "", line.rsplit(None, 1)[-1]).lower()
    return last_word in _CONNECTIVES and line[-1].isalnum()
