"""Normalise article text: repair link line breaks, keep section headings, set page furniture apart.

Copied web articles lose their links as line breaks: "…, according to\\nAl Jazeera. That is…".
A line that ends mid-sentence continues on the next line; a short line without a full stop
between paragraphs is a section heading. Quotes and dashes are kept as written.

Copied pages also carry their furniture as short lines: bylines ("By Steve Holland"), time stamps
("Updated ·2 min read"), "ADVERTISEMENT", sharing prompts. Such a line heads nothing: it is neither a
section (the context of the sentences under it) nor a sentence. A photo caption with its credit
("Khalid M Almehaid, Saudi Arabia's chief negotiator, at Cop29 Credit: Reuters/Murad Sezer") is the
page's own text up to the credit: a paragraph, never a heading. A bulleted list of headlines that
holds the page's own headline is the site's list of stories on the topic, and a date stamp run into
the first word ("11.24.24Developed …") is no part of the sentence: both are furniture.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

# A line ending in one of these words cannot end a sentence or a heading: the next line continues it.
_CONNECTIVES = frozenset(
    "a an the and or but nor to of for by in on at as with from into onto than that which who whom whose "
    "via per about after before between including like near over under upon while whether if because "
    "according said says told reported".split()
)
_TERMINAL = tuple(".!?…:\"”’)]")
_MAX_HEADING_WORDS = 14
# A photo credit inside a caption line: the caption's own text ends where it starts.
_CREDIT = re.compile(r"\s*\b(?:credit|photo(?:graph)?|image(?:\s+source)?)\s*:\s*(?P<credit>.*)$", re.IGNORECASE)
_SENTENCE_START = re.compile(r"[.!?]\s+[A-Z][a-z]*\s+[a-z]")  # "… rest. The talks went on": text, not a credit
_MAX_CREDIT_WORDS = 8
_MIN_CAPTION_WORDS = 3
_FURNITURE_END = tuple(".!?…\"”’")  # a prompt may end in a colon ("Follow us on:"); a sentence does not
# Pieces of a page header: a byline, a reading time, a date ("By Steve Holland", "·2 min read", "[January 18, 2025]")
_BYLINE = r"(?-i:By\s+[A-Z])"
_READ_TIME = r"[·•]?\s*\d+\s*min(?:ute)?s?\s+read"
_DAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE = rf"[\[(]?{_DAY}(?:{_MONTH}\s+\d{{1,2}},?|\d{{1,2}}\s+{_MONTH})\s+\d{{4}}\b"
# Short lines that are page furniture, not text or a section: bylines, time stamps, prompts, ads.
_FURNITURE = re.compile(
    rf"^(?:{_BYLINE}.*|multiple\s+authors|.+\s+staff|(?:updated|published|posted|last\s+updated)\b.*|"
    rf"[-·•]\s*published\b.*|{_READ_TIME}|advertisement|sponsored|recent\s+posts|"
    r"related(?:\s+\w+)?|read\s+more\b.*|read:\s.*|see\s+also\b.*|more\s+on\s+this\s+story|next\s+in\b.*|"
    r"short\s+(?:url|link)|follow(?:\s+us)?(?:\s+on)?|share(?:\s+this)?(?:\s+(?:article|story))?|sign\s+up\b.*|"
    rf"subscribe\b.*|send\s+a\s+link\b.*|(?:file\s+)?photo:.*|image\s+source\s*:.*|{_DATE}.*)\s*:?$",
    re.IGNORECASE,
)
# A call to the reader written as a sentence ("Sign up to get the latest insights …", "Follow us on our
# WhatsApp channel for breaking news alerts!"): it asks for a subscription, a follow or a download.
_PROMPT = re.compile(
    r"^(?:sign\s+up|subscribe|follow\s+us|join\s+(?:us|our)|download\s+(?:our|the)|click\s+here|tap\s+here|"
    r"get\s+(?:our|the\s+latest)|don[’']t\s+miss|never\s+miss|stay\s+(?:informed|up\s+to\s+date|updated))\b"
    r".*\b(?:newsletters?|channels?|app|alerts?|updates|podcasts?|inbox|whatsapp|telegram|feeds?|notifications?|"
    r"insights|analysis|twitter|facebook|instagram|linkedin|youtube|bluesky)\b",
    re.IGNORECASE,
)
_MAX_PROMPT_WORDS = 30
# A line announcing other stories ("Recent Posts", "Next In Asia News", "Related articles"): in the back
# part of a page, and followed by mostly headlines, it ends the article (the rest is other stories).
_OTHER_STORIES = re.compile(
    r"^(?:recent\s+(?:posts|stories|news)|next\s+in\b.*|related\s+(?:articles?|stories|posts|news|coverage|content)|"
    r"more\s+(?:stories|news|from\b.*)|most\s+(?:read|popular|viewed)|trending(?:\s+now)?|you\s+may\s+also\s+like|"
    r"latest\s+(?:news|stories|posts)|read\s+next|recommended(?:\s+for\s+you)?)\s*:?$",
    re.IGNORECASE,
)
_BACK_OF_PAGE = 0.4  # share of the text before a page's closing "other stories" list can begin
# The page header's own lines (a byline, a time stamp): a line of bare names just before one of them
# is the byline too ("Steve Holland" / "Updated ·2 min read").
_HEADER_STAMP = re.compile(rf"^(?:{_BYLINE}|[-·•]?\s*(?:updated|published|posted)\b|{_READ_TIME}|{_DATE})", re.IGNORECASE)
_NAMES_LINE = re.compile(r"^[A-Z][\w’'.-]*(?:(?:\s+|\s*,\s*|\s+(?:and|And|&)\s+)[A-Z][\w’'.-]*){1,11}$")
_PAGE_HEADER = 0.25  # share of the text a page header (and so its byline) lies in
# A page's numeric date stamp glued to the first word of the text: "11.24.24Developed nations …"
_GLUED_DATE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}(?=[A-Z][a-z])")
# A list item: "- COP29: Key outcomes agreed …", "• Supreme Court upholds TikTok ban".
LIST_MARK = re.compile(r"[-•*·▪]\s+")
_BULLET = re.compile(rf"^{LIST_MARK.pattern}")
_MIN_LINK_LIST = 3
_PLAIN_QUOTES = str.maketrans("‘’“”", "''\"\"")


@dataclass(frozen=True)
class Block:
    """A paragraph or heading of the stored text: `text` starts at `start` in the stored text."""

    start: int
    text: str
    heading: bool
    furniture: bool = False  # a byline, time stamp or prompt: neither a section nor text


def _continues(prev: str, nxt: str) -> bool:
    prev = prev.rstrip()
    nxt = nxt.lstrip()
    if not prev or not nxt or _BULLET.match(nxt):  # a list's next item is never the last one's continuation
        return False
    if prev[-1] in ",;(–—-/&":
        return True
    last_word = re.sub(r"[^\w’']+$", "", prev.rsplit(None, 1)[-1]).lower()
    if last_word in _CONNECTIVES and prev[-1].isalnum():
        return True
    if nxt[0].islower() or nxt[0] in ",;)":
        return True
    return False


def furniture(text: str) -> bool:
    """A line of page furniture: a short one ("By Steve Holland", "Updated ·2 min read", "ADVERTISEMENT"),
    or a call to subscribe, follow or download, however it ends ("Follow us on our channel for alerts!")."""
    words = len(text.split())
    return (words <= _MAX_HEADING_WORDS and not text.endswith(_FURNITURE_END) and bool(_FURNITURE.match(text))
            or words <= _MAX_PROMPT_WORDS and bool(_PROMPT.match(text.strip())))


def caption_text(text: str) -> str | None:
    """A caption's own text when the line ends in a photo credit ("… at Cop29 Credit: Reuters/…"), else None."""
    credit = _CREDIT.search(text)
    if credit is None or credit.start() == 0 or len(credit.group("credit").split()) > _MAX_CREDIT_WORDS \
            or _SENTENCE_START.search(credit.group("credit")):
        return None
    own = text[: credit.start()].rstrip()
    return own if len(own.split()) >= _MIN_CAPTION_WORDS else None


def _headline_list(paragraphs: list[tuple[str, int, bool]]) -> bool:
    """What follows a "Related coverage" line is a list of other stories when at least half of it is
    headlines and time stamps (no full stop), not the article going on after one link."""
    return bool(paragraphs) and 2 * sum(not text.endswith(_TERMINAL) for text, _, _ in paragraphs) >= len(paragraphs)


def _is_heading(text: str, lines_joined: int) -> bool:
    if lines_joined != 1 or text.endswith(_TERMINAL):
        return False
    words = text.split()
    return 0 < len(words) <= _MAX_HEADING_WORDS and text[0].isupper()


def normalize(text: str, title: str | None = None) -> tuple[str, list[Block]]:
    """Return the stored text (paragraphs joined by one newline) and its blocks with offsets.

    `title`, the article's headline, finds the site's list of stories on the topic (`_link_lists`).
    """
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
    total = sum(len(p) + 1 for p, _, _ in paragraphs)
    other_stories = False
    for i, (para, joined, is_md_heading) in enumerate(paragraphs):
        single = joined == 1 and not is_md_heading
        other_stories = other_stories or (joined == 1 and offset >= _BACK_OF_PAGE * total and bool(_OTHER_STORIES.match(para))
                                          and _headline_list(paragraphs[i + 1 :]))
        caption = caption_text(para) if single and not other_stories else None
        if other_stories or (single and caption is None and furniture(para)):
            blocks.append(Block(offset, para, False, furniture=True))
        elif caption is not None:
            blocks.append(Block(offset, caption, False))
        elif stamp := _GLUED_DATE.match(para):  # the stamp is furniture, the text goes on after it
            blocks.append(Block(offset, stamp.group(0), False, furniture=True))
            blocks.append(Block(offset + stamp.end(), para[stamp.end() :], False))
        else:
            is_last = i == len(paragraphs) - 1
            blocks.append(Block(offset, para, is_md_heading or (not is_last and _is_heading(para, joined))))
        parts.append(para)
        offset += len(para) + 1
    for i, block in enumerate(blocks[:-1]):
        following = blocks[i + 1]
        if (block.heading and block.start < _PAGE_HEADER * total and _NAMES_LINE.match(block.text)
                and following.furniture and _HEADER_STAMP.match(following.text)):
            blocks[i] = replace(block, heading=False, furniture=True)
    return "\n".join(parts), _link_lists(blocks, title)


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_PLAIN_QUOTES)).strip().casefold()


def _link_lists(blocks: list[Block], title: str | None) -> list[Block]:
    """A run of bulleted headlines that holds the page's own headline is the site's list of stories
    on the topic (links, flattened by the copy): furniture, wherever it stands on the page."""
    own = _plain(title or "")
    if not own:
        return blocks
    out = list(blocks)
    i = 0
    while i < len(out):
        j = i
        while j < len(out) and _BULLET.match(out[j].text) and not out[j].text.endswith("."):
            j += 1
        if j - i >= _MIN_LINK_LIST and any(_plain(_BULLET.sub("", b.text, count=1)) == own for b in out[i:j]):
            out[i:j] = [replace(b, heading=False, furniture=True) for b in out[i:j]]
        i = max(j, i + 1)
    return out


def _ends_mid_sentence(line: str) -> bool:
    line = line.rstrip()
    if not line:
        return False
    if line[-1] in ",;(–—-":
        return True
    last_word = re.sub(r"[^\w’']+$", "", line.rsplit(None, 1)[-1]).lower()
    return last_word in _CONNECTIVES and line[-1].isalnum()
