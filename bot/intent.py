"""What kind of ask a question is: position, next steps, gains/losses, when/where, outlet, source."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.attribution import OUTLETS, canonical_outlet

from .actors import Actors
from .cues import is_calendar_name, opens_later_sentence

INTENTS = ("injection", "source", "outlet", "next", "gains", "when", "where", "position", "general")

_INJECTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instruction|instructions|rules|prompt|guidelines|above|previous|everything|articles?|sources?|context)\b"
    r"|\bsystem\s+prompt\b|\byou\s+are\s+now\b|\bpretend\s+(?:to\s+be|you(?:'re|\s+are))\b|\bact\s+as\b|\bjailbreak\b"
    r"|\bdeveloper\s+mode\b|\broleplay\b|\bwrite\s+(?:me\s+)?(?:a|an)\s+(?:poem|song|story|essay|joke)\b"
    r"|\b(?:say|claim|state|answer)\s+(?:that\s+)?(?:russia|ukraine|putin|zelenskyy?|trump|\w+)\s+(?:has|have)\s+won\b",
    re.IGNORECASE,
)
_SOURCE = re.compile(
    r"\b(which|what)\s+(outlets?|sources?|news\s+outlets?|publications?|media)\b"
    r"|\bwho\s+(reported|said|says|wrote)\s+(that|this|it|so)\b|\bwhat(?:'s| is)\s+the\s+source\b|\bsource\s+for\s+(that|this)\b"
    r"|\bwhere\s+(did|does)\s+(that|this|it)\s+come\s+from\b|\bwho\s+is\s+reporting\b",
    re.IGNORECASE,
)
_NEXT = re.compile(
    r"\b(next|watch|upcoming|happens?\s+now|what\s+happens|what\s+comes|coming\s+up|deadline|expected|expect|will\s+happen|"
    r"what\s+to\s+look|look\s+out|outlook|future|the\s+test)\b",
    re.IGNORECASE,
)
_GAINS = re.compile(r"\b(gains?|lose|loses|losers?|winners?|wins|benefits?|benefit(?:s|ed)?|advantage|costs?|hurts?|helps?)\b", re.IGNORECASE)
_WHEN = re.compile(r"^\s*(?:and\s+|so\s+)?(when|what\s+(?:date|day|time))\b|\bon\s+what\s+date\b|\bhow\s+(?:soon|long)\b", re.IGNORECASE)
_WHERE = re.compile(r"^\s*(?:and\s+|so\s+)?where\b(?!\s+(?:does|do|did|is|are)\s+[\w’' .-]{1,40}?\s+stand\b)|\bin\s+which\s+(?:city|country|place)\b|\bwhat\s+(?:city|place|venue)\b", re.IGNORECASE)
_POSITION = re.compile(
    r"\b(position|positions|stance|stand|stands|want|wants|wanted|demand|demands|demanded|offer|offers|offered|propose|proposes|"
    r"proposed|ready|willing|insist|insists|view|views|think|thinks|goal|goals|aim|aims|ask|asks|asked|asking|pressed|push|"
    r"pushing|seek|seeks|seeking|say\s+about|said|say|saying|stated|terms|conditions|threaten|threatened|warn|warned|"
    r"plan|plans|strategy|response|respond|respond(?:ed)?|react|reaction)\b",
    re.IGNORECASE,
)
_OUTLET_ASK = re.compile(
    r"\b(?i:what|anything)\s+(?:else\s+)?(?:did|does|has|do)\s+(?:the\s+)?(?P<o1>[A-Z][\w.&’' -]{1,40}?)\s+(?:report|say|write|cover|publish|tell)"
    r"|\baccording\s+to\s+(?:the\s+)?(?P<o2>[A-Z][\w.&’' -]{1,40}?)(?:[,?.]|\s+(?:what|how|who|when|where|did|does|is|was)\b|$)"
    r"|\b(?:in|from)\s+(?:the\s+)?(?P<o3>[A-Z][\w.&’' -]{1,40}?)['’]s\s+(?:report|reporting|coverage|account)"
    r"|\b(?P<o4>[A-Z][\w.&’' -]{1,40}?)['’]s\s+(?:report|reporting|coverage|account)\b",
)


@dataclass
class Ask:
    """A classified question."""

    text: str
    intent: str
    actors: list[str] = field(default_factory=list)
    outlet: str | None = None
    current: str = ""  # the question as asked (pronouns resolved), without borrowed context
    book: Actors | None = None  # the configured actors plus names this question introduced
    outlets: list[str] = field(default_factory=list)  # every indexed outlet an outlet ask names, in order

    def __post_init__(self) -> None:
        self.current = self.current or self.text


def classify(question: str, actors: Actors, known_outlets: list[str], vocabulary: frozenset[str] = frozenset()) -> Ask:
    """Classify one (already follow-up-resolved) question."""
    text = question.strip()
    names = _new_names(text, actors, known_outlets, vocabulary)
    if names:
        actors = actors.extended(names)
    found_actors = actors.actors_in(text)
    if _INJECTION.search(text):
        return Ask(text, "injection", found_actors, book=actors)
    outlet = _outlet_named(text, known_outlets)
    if _SOURCE.search(text):
        return Ask(text, "source", found_actors, outlet, book=actors)
    if outlet:
        return Ask(text, "outlet", found_actors, outlet, book=actors, outlets=_outlets_named(text, known_outlets))
    for intent, pattern in (("when", _WHEN), ("where", _WHERE), ("next", _NEXT), ("gains", _GAINS)):
        if pattern.search(text):
            return Ask(text, intent, found_actors, None, book=actors)
    if found_actors and (_POSITION.search(text) or len(text.split()) <= 6):
        return Ask(text, "position", found_actors, None, book=actors)
    return Ask(text, "general", found_actors, None, book=actors)


_QUESTION_WORDS = frozenset("what which who whom whose how why when where whether is are was were does did do can could would should will and but so according".split())


_TYPO_TARGETS = frozenset("what which who whom whose how why when where does did will would could should the and about".split())
_WORD = re.compile(r"[A-Za-z][\w’'-]*")


def one_edit(a: str, b: str) -> bool:
    """`a` and `b` differ by exactly one edit: a letter changed, added, dropped, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k, (x, y) in enumerate(zip(short, long, strict=False)) if x != y), len(short))
    return short[i:] == long[i + 1 :]


def mend_typos(question: str, vocabulary: frozenset[str], names: list[str]) -> str:
    """The question with its slips mended, so that a typo is not taken for a name no article mentions.

    A word that no article uses and English rarely does ("Waht", "teh") takes the spelling of the
    one question word it is a single edit from; a capitalised one of five letters or more takes
    the spelling of the one name in the articles it is a single edit from ("Stiell" where they
    write "Steill"). The first letter must agree (a slip rarely hits it, and "Gordon" is not
    "Jordan"); an acronym ("CNA") and a word with two readings are left as they are.
    """
    from wordfreq import zipf_frequency

    from index import tokenize

    spelled: dict[str, str] = {}

    def mend(m: re.Match[str]) -> str:
        word = m.group(0)
        low = word.lower()
        if len(low) < 3 or word.isupper() or low in _TYPO_TARGETS or any(t in vocabulary for t in tokenize(word)):
            return word  # "CNA" is an acronym, not "can" mistyped
        if zipf_frequency(low, "en") >= 3.1:  # an English word in its own right ("dose", "wen")
            return word
        readings = [w for w in _TYPO_TARGETS if w[0] == low[0] and one_edit(low, w)]
        if len(readings) == 1:
            return readings[0].capitalize() if word[0].isupper() else readings[0]
        if word[0].isupper() and len(low) >= 5:
            if not spelled:  # built only when a word needs it: most questions have no slip
                spelled.update((w.lower(), w) for name in names for w in _WORD.findall(name) if len(w) >= 5)
            if low in spelled:
                return word
            names_near = {w for key, w in spelled.items() if key[0] == low[0] and one_edit(low, key)}
            if len(names_near) == 1:
                return names_near.pop()
        return word

    return _WORD.sub(mend, question)


def _new_names(text: str, actors: Actors, known_outlets: list[str], vocabulary: frozenset[str]) -> list[str]:
    """Capitalised names in the question that the articles use but no alias covers ("Kestria")."""
    from index import tokenize

    outlets = {o.lower() for o in (*known_outlets, *OUTLETS)}
    names = []
    for m in re.finditer(r"\b[A-Z][\w’'-]*[a-z][\w’'-]*(?:\s+[A-Z][\w’'-]*[a-z][\w’'-]*)*", text):
        name = re.sub(r"(?:’s|'s)$", "", m.group(0))
        first = name.split()[0]
        if first.lower() in _QUESTION_WORDS or opens_later_sentence(text, m.start(), first):
            name = " ".join(name.split()[1:])  # "What …", "… passed. Once the law …": not names
        if (not name or name.lower() in outlets or actors.actors_in(name)
                or is_calendar_name(name)):  # "on Friday" is a date
            continue
        terms = tokenize(name)
        if terms and all(t in vocabulary for t in terms):
            names.append(name)
    return names


_COORDINATED = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|&\s*|vs\.?\s+|versus\s+)(?:the\s+)?", re.IGNORECASE)


def _outlets_named(text: str, known_outlets: list[str]) -> list[str]:
    """The indexed outlets an ask names side by side ("Compare what Carbon Brief and Al Jazeera
    reported", "X, Y or Z"), in order; a longer name wins over one inside it ("BBC News" over "BBC").
    An outlet cited by another ("According to the Journal, as cited by Ynetnews, …") is one report
    relayed, not a second outlet asked: only outlets joined by "and", "or", a comma or "vs" count."""
    lowered = text.lower()
    found: list[tuple[int, int, str]] = []
    for outlet in sorted(known_outlets, key=len, reverse=True):
        for m in re.finditer(rf"(?<![\w-]){re.escape(outlet.lower())}(?![\w-])", lowered):
            found.append((m.start(), m.end(), outlet))
            lowered = lowered[: m.start()] + " " * (m.end() - m.start()) + lowered[m.end() :]
    found.sort()
    run = found[:1]
    for start, end, outlet in found[1:]:
        if not _COORDINATED.fullmatch(text[run[-1][1] : start]):
            break
        run.append((start, end, outlet))
    return list(dict.fromkeys(outlet for *_, outlet in run))


def _outlet_named(text: str, known_outlets: list[str]) -> str | None:
    """The outlet an outlet-scoped ask names: a known outlet, or an unknown one asked about by form."""
    lowered = text.lower()
    for outlet in sorted(known_outlets, key=len, reverse=True):
        if re.search(rf"(?<![\w-]){re.escape(outlet.lower())}(?![\w-])", lowered):
            return outlet
    for m in _OUTLET_ASK.finditer(text):
        name = next(g for g in m.groups() if g)
        name = re.sub(r"^(?:the)\s+", "", name.strip(), flags=re.IGNORECASE)
        canonical = canonical_outlet(name)
        if canonical in OUTLETS:  # a lexicon outlet that no indexed article cites
            return canonical
    return None
