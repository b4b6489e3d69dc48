"""Cue patterns shared by the composer and the briefing: dates, places, numbers, stances, effects."""

from __future__ import annotations

import re

from index import stem

POSITION_CUES = re.compile(
    r"\b(said|says|ready|wants?|demand\w*|offer\w*|invited|pressed|warned|insist\w*|position|refused|repeated|"
    r"call\w*|propos\w*|accept\w*|reject\w*|terms|conditions?|no talks|only)\b",
    re.IGNORECASE,
)
NEXT_CUES = re.compile(
    r"\b(next|watch|upcoming|whether|will|test|deadline|expected|due|scheduled|planned|proposed|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|next week|if)\b",
    re.IGNORECASE,
)
GAIN_CUES = re.compile(r"\b(gains?|winners?|benefits?|advantage|helps?|useful)\b", re.IGNORECASE)
LOSS_CUES = re.compile(r"\b(los(?:e|es|ing|ers?)|costs?|hurts?)\b", re.IGNORECASE)
# Verbs that say what an actor wants/offers/threatens, grouped so that "want" finds "pressed for".
VERB_GROUPS: dict[str, str] = {
    stem(word): group
    for group, words in {
        "want": "want wants demand demands press pressed call calls seek seeks ask asks insist insists urge urged",
        "offer": "offer offering offered propose proposed invite invited ready willing float floated",
        "threaten": "threaten threatened warn warned",
        "say": "say says said tell told state stated repeat repeated respond responded response react reacted reaction",
        "refuse": "refuse refused reject rejected accept accepted",
        "meet": "meet meeting",
        "gain": "gain gains benefit benefits",
        "lose": "lose loses",
    }.items()
    for word in words.split()
}
_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_MONTH_NAMES = "January February March April May June July August September October November December".split()
MONTHS = rf"(?:{'|'.join(_MONTH_NAMES)}|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
DATE = re.compile(
    rf"\b(?:{MONTHS}\s+\d{{1,2}}|\d{{1,2}}\s+{MONTHS}|(?:{'|'.join(_WEEKDAYS)})|"
    r"\d{4}-\d{2}-\d{2}|(?:19|20)\d{2}|tomorrow|today|tonight|next\s+(?:week|month|year)|this\s+(?:week|weekend|month)|"
    r"\d+-day|weekend)\b",
)
# Day and month names: a date in the question ("on Friday"), never an actor or a name an answer must hold.
# ("May" and "March" are left out: they are names and verbs too.)
CALENDAR = frozenset(w.lower() for w in (*_WEEKDAYS, *_MONTH_NAMES) if w not in ("May", "March"))


def is_calendar_name(name: str) -> bool:
    """Every word of `name` is a day or month name ("Friday", "January"): a date, not a name."""
    return all(w.lower() in CALENDAR for w in name.split())


PLACE = re.compile(r"\b(?:in|at|to|from|near)\s+(?:the\s+)?[A-Z][\w’'-]+|\bthird\s+country\b|\b(?:capital|city|venue)\b")
NUMBER = re.compile(r"\b\d[\d,.]*\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|thousands?|millions?)\b", re.IGNORECASE)

# a full stop ends a sentence after a word, not after an initial or an abbreviation ("U.S. Senate", "Mr. Li")
_LATER_OPENING = re.compile(r"(?:(?<=[a-z0-9]{2})[.?!]|[?!])\s+[\"“‘'(]*")


def opens_later_sentence(text: str, start: int, word: str) -> bool:
    """`word` at `start` opens a second or later sentence of the question and is an everyday English
    word ("… before it passed. Once the law was in force, …"): capitalised for that, not a name.
    Everyday means very common (Zipf ≥ 5.3: "once", "however", "after"), which no story's actor is."""
    from wordfreq import zipf_frequency

    return any(m.end() == start for m in _LATER_OPENING.finditer(text)) and zipf_frequency(word.lower(), "en") >= 5.3
