"""Who is speaking in a sentence: the person or body quoted or paraphrased, never an outlet.

Forms: "According to Netanyahu, …", "…, Witkoff said", "“…,” said Cedric Schuster, the …",
"Hoekstra told AFP …", "Evans Njewa, chair of the LDC group, said …", "Netanyahu’s office said".
Named entities (spaCy) pick the person out of a titled phrase ("Colombia Environment Minister
Susana Mohamed" → "Susana Mohamed"); without them the words after the last title word are kept.
A pronoun subject ("he said") is reported as such and resolved by the caller from the sentences
before; sentences inside a quotation that spans several sentences take the quotation's speaker.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

PRONOUN = "<pronoun>"

TITLE_WORDS = frozenset(
    "president president-elect vice prime minister ministers foreign defence defense finance interior secretary state "
    "senator sen. rep. representative congressman congresswoman mr mr. mrs mrs. ms ms. dr dr. chief general gen. envoy "
    "special commissioner chairman chairwoman chair spokesperson spokesman spokeswoman ambassador ceo governor mayor "
    "leader king queen pope negotiator delegate official officials minority majority speaker judge justice "
    "chancellor premier director head adviser advisor executive minister-president crown prince emir".split()
)
_SPEAK = (
    r"said|says|told|tells|added|adds|noted|notes|warned|warns|argued|argues|stressed|stresses|insisted|insists|"
    r"announced|announces|wrote|writes|posted|concluded|remarked|urged|urges|declared|explained|confirmed|denied|"
    r"claimed|claims|replied|acknowledged|emphasi[sz]ed|affirmed|reaffirmed|highlighted|vowed|pledged|threatened|"
    r"recalled|cautioned|admitted|complained|conceded|suggested|stated|states|tweeted|continued|reads|read"
)
_VERB = re.compile(rf"\b(?:{_SPEAK})\b")
_ADVERBS = r"(?:\s+(?:also|later|then|previously|has|had|have|repeatedly|once|again|further|earlier|reportedly|publicly|separately))*"
_NAME_TOKEN = r"(?:[A-Z][\w’'.-]*|al-[\w-]+|bin|bint|van|von|de|der|da)"
_TAIL_NAME = re.compile(
    rf"(?P<name>{_NAME_TOKEN}(?:\s+(?:and\s+)?{_NAME_TOKEN}){{0,6}}(?:(?:’s|'s)\s+(?:office|spokes\w+|ministry|government|cabinet|team|campaign))?)"
    rf"{_ADVERBS}\s*$"
)
_HEAD_NAME = re.compile(rf"^\s*(?:(?:the|a|an)\s+)?(?:[\w’'.-]+\s+){{0,3}}?(?P<name>{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,6}})")
_PRONOUN_TAIL = re.compile(rf"\b(?:he|she|they|He|She|They){_ADVERBS}\s*$")
_DESCRIPTOR = re.compile(r"^\s*(?:(?:the|a|an|who|which|whose)\b|[a-z]|[A-Z]-[A-Z][a-z]+\.?\s*$|\d)")
_NOT_SPEAKERS = frozenset(
    "it this that there these those which who what and but so the a an instead meanwhile however also still "
    "monday tuesday wednesday thursday friday saturday sunday today yesterday".split()
)
_WHEN = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|yesterday|earlier|late|last\s+week|this\s+week)"
_PREPOSITION_BEFORE = re.compile(r"\b(?:in|at|from|to|of|with|for|on|by|into|about|against|between|over|under)\s+(?:(?:the|all|some|many|most)\s+)?$", re.IGNORECASE)
_NOT_SPEAKER_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})


@dataclass(frozen=True)
class Speaker:
    name: str  # PRONOUN when the subject is "he"/"she"/"they"
    start: int


def mask_quotes(text: str) -> str:
    """The text with quoted passages blanked (same length, so offsets still hold).

    A sentence that closes a quotation opened in an earlier sentence ('… target," Hoekstra
    concluded.') is blanked up to that closing mark first.
    """
    closing = re.search(r"[”\"]", text)
    if closing and not re.search(r"[“]", text[: closing.start()]) and (
        text[closing.start()] == "”" or (text.count('"') % 2 == 1 and re.match(r"[\s,.;:!?)]", text[closing.end() : closing.end() + 1] or " ")
                                          and text[closing.start() - 1 : closing.start()] in {",", ".", "!", "?"})
    ):
        text = " " * closing.end() + text[closing.end() :]
    return re.sub(r"[“\"][^”\"]*(?:[”\"]|$)", lambda m: " " * len(m.group(0)), text)


def quotes_someone(text: str) -> bool:
    """A sentence that quotes someone with a speech verb outside the quotation ('"…," said one of the
    sources'), whether or not the speaker has a name."""
    masked = mask_quotes(text)
    quoted = sum(1 for a, b in zip(text, masked, strict=True) if a != b and not a.isspace())
    return quoted >= 12 and bool(_VERB.search(masked))


def find_speaker(
    text: str, entities: Sequence[tuple[int, int, str]] = (), outlet_names: Sequence[str] = ()
) -> Speaker | None:
    """The first speaker of a speech verb in `text` (quotes are skipped), or None."""
    masked = mask_quotes(text)
    outlets = {o.lower() for o in outlet_names}
    for verb in _VERB.finditer(masked):
        found = _subject(text, masked, verb.start(), entities) or _inverted(text, masked, verb.end(), verb.start(), entities)
        if found and found.name.lower() not in outlets and not any(o in found.name.lower() for o in outlets if len(o) > 3):
            return found
    return None


def speaker_name(text: str, start: int, end: int, entities: Sequence[tuple[int, int, str]] = ()) -> str | None:
    """A clean speaker name for `text[start:end]`: the person in it, or the words after the last title."""
    phrase = text[start:end].strip(" ,")
    persons = [(s, e) for s, e, label in entities if label == "PERSON" and s >= start and e <= end + 1]
    possessive = re.search(r"(?:’s|'s)\s+(?:office|spokes\w+|ministry|government|cabinet|team|campaign)$", phrase)
    if persons and not possessive:
        s, e = persons[-1]
        return text[s:e].rstrip("’'s").strip() if text[s:e].endswith(("’s", "'s")) else text[s:e]
    words = phrase.split()
    titled = [i for i, w in enumerate(words) if w.lower().strip(",") in TITLE_WORDS]
    if titled and titled[-1] < len(words) - 1:
        words = words[titled[-1] + 1 :]
    while words and words[0].lower() in _NOT_SPEAKERS:
        words = words[1:]
    if not words or not words[0][:1].isupper():
        return None
    return " ".join(words)


def _subject(text: str, masked: str, verb_start: int, entities: Sequence[tuple[int, int, str]]) -> Speaker | None:
    """The name just before the verb: "Witkoff told", "Evans Njewa, chair of the group, said", "he said"."""
    region = re.sub(rf"(?:\s+on\s+{_WHEN}|\s+{_WHEN})+\s*$", " ", masked[:verb_start])
    segments = region.split(",")
    candidates = [len(segments) - 1]
    if len(segments) >= 3 and not segments[-1].strip() and _DESCRIPTOR.search(segments[-2]):
        candidates = [len(segments) - 3]  # an appositive between the name and the verb
    elif len(segments) >= 2 and re.fullmatch(r"\s*(?:who|which){_ADVERBS}\s*", segments[-1]):
        candidates = [len(segments) - 2]  # "Donald Trump, who vowed …"
    for index in candidates:
        segment = segments[index]
        seg_end = len(",".join(segments[: index + 1]))
        if index == len(segments) - 1 and _PRONOUN_TAIL.search(segment):
            return Speaker(PRONOUN, seg_end)
        match = _TAIL_NAME.search(segment)
        found = re.sub(r"^(?:The|A|An)\s+", "", match.group("name")) if match else ""
        if not match or not found or found.split()[0].lower() in _NOT_SPEAKERS:
            continue
        start = seg_end - len(segment) + match.end("name") - len(found)
        if _PREPOSITION_BEFORE.search(text[:start]) or _label(start, start + len(found), entities) in _NOT_SPEAKER_LABELS:
            continue  # "a bid to merge with TikTok US, a source told Reuters": an object, not the subject
        name = speaker_name(text, start, start + len(found), entities)
        if name:
            return Speaker(name, start)
    return None


def _label(start: int, end: int, entities: Sequence[tuple[int, int, str]]) -> str | None:
    for s, e, label in entities:
        if s <= start < e or start <= s < end:
            return label
    return None


def _inverted(
    text: str, masked: str, verb_end: int, verb_start: int, entities: Sequence[tuple[int, int, str]]
) -> Speaker | None:
    """“…,” said Cedric Schuster — only right after a quotation or a comma."""
    before = masked[:verb_start].rstrip()
    if before and before[-1] not in ",”\"" and text[: verb_start].rstrip()[-1:] not in ",”\"":
        return None
    window = masked[verb_end:]
    stop = re.search(r"[,.;:“\"(]", window)
    window = window[: stop.start()] if stop else window
    match = _HEAD_NAME.match(window)
    if not match:
        return None
    after = verb_end + len(window)
    appositive = [(s, e) for s, e, label in entities if label == "PERSON" and after < s <= after + 3]
    if appositive and not any(label == "PERSON" and verb_end <= s < after for s, _, label in entities):
        s, e = appositive[0]  # "said the European Commissioner, Wopke Hoekstra, …"
        return Speaker(text[s:e], s)
    start = verb_end + match.start("name")
    name = speaker_name(text, verb_end, verb_end + len(window), entities) or speaker_name(
        text, start, start + len(match.group("name")), entities
    )
    return Speaker(name, start) if name else None
