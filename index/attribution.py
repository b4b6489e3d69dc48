"""Who reported a sentence, and who is speaking in it.

Outlets come only from attribution *forms* ("according to X", "X reported (that)", "X and Y
reported", "X said/notes", "told X", "X, citing …", "reported by X", "reports X", "(X) —"
datelines); a bare mention ("outside the BBC building", "a Politico-style newsletter") attributes
nothing. A name in such a form is an outlet when it is a known outlet (the lexicon, the article's
publisher, `extra_outlets`) or looks like a news organisation: a media word in the name
("Channel 13", "Al-Qahera News", "The Times of Israel"), or an ORG entity in a reporting form
("CNBC first reported"). Anything else — a person or a body quoted or paraphrased ("According to
Zelenskyy, …", "…, Witkoff said", "Hoekstra told AFP") — is the sentence's *speaker*, never an
outlet.

Spelling: the publisher is rendered exactly as given ("The Independent", "BBC News"); an inline
credit of the publisher itself ("(AP) —" in an Associated Press story, "Trend reports" in a Trend
News Agency story) takes the publisher's spelling; other lexicon outlets keep the lexicon's
spelling; an unknown news organisation keeps the name as written, a leading "The" included.

Kinds: inline attribution makes a sentence `reported`. Otherwise a news report's sentences are
its publisher's reporting; analysis is for analysis, opinion and explainer pieces (the record's
genre, or a title such as "Analysis: …") — except a sentence in which a source speaks ("…," said
one of the sources): what the author was told is reporting —, for articles with no publisher, and
for a sentence that argues in the author's own voice ("The real question is …").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from .models import Kind
from .outlets import (
    MEDIA_WORDS,
    OUTLETS,
    canonical_outlet,
    is_publisher,
    lexicon,
    looks_like_news_organisation,
    outlet_key,
)
from .quotes import quote_states

__all__ = [
    "OUTLETS", "Attribution", "Credit", "article_genre", "attribute_article", "canonical_outlet", "classify",
    "described_outlets", "find_credits", "find_outlets", "is_publisher", "kind_of", "looks_like_news_organisation",
]

# Capitalised words that start "X reported"-like clauses without being a source name.
_NOT_SOURCES = frozenset(
    "he she they it we i you officials official witnesses residents police analysts sources authorities "
    "diplomats media reports critics experts observers state local this that these those there who what "
    "some many several one two three others another both each all people ministers minister president "
    "spokesman spokeswoman spokesperson the a an and but in on at it's users us".split()
)

_WORD = r"(?:[A-Z][\w&.’'-]*[\w&]|[A-Z])"
_CHANNEL = r"(?:[Cc]hannel|CHANNEL)\s+\d{1,3}"
# a source name as written: "Reuters", "The Times of Israel", "Al-Qahera News", "Channel 13", "France 24"
_NAME = (
    rf"(?:(?:[A-Z][\w-]+\s+)?{_CHANNEL}"
    rf"|(?:The\s+)?{_WORD}(?:\s+(?:(?:of|de|du|for)\s+(?:the\s+)?)?(?:{_WORD}|\d{{1,3}}(?![\d,.]\d))){{0,5}})"
)
_END = r"(?![\w-])"
_REPORT_VERBS = (
    r"(?:reported|reports|has\s+reported|have\s+reported|had\s+reported|was\s+reporting|first\s+reported|"
    r"reported\s+earlier|broke\s+the\s+news)"
)
_SAY_VERBS = (
    r"(?:said|says|quoted|quoting|cited|wrote|writes|reported|reports|noted|notes|observed|observes|added|"
    r"confirmed|published|posted|tweeted)"
)
_TELL = r"(?:told|tell|tells|telling|speaking\s+to|spoke\s+to|speaking\s+with|spoke\s+with|in\s+an\s+interview\s+with|interviewed\s+by)"


# ----- forms -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Form:
    pattern: re.Pattern[str]
    strong: bool  # an unknown ORG counts as an outlet ("X reported", "reported by X")
    speaker: bool  # a credited name that is not an outlet is the speaker ("according to Netanyahu")


def _chain(src: str) -> str:
    return rf"(?P<srcs>{src}(?:\s*,\s*{src})*(?:,?\s+and\s+{src})?)"


@lru_cache(maxsize=8)
def _forms(extra: tuple[str, ...] = ()) -> list[_Form]:
    lex = lexicon(extra)[0].pattern
    known = rf"(?:[Tt]he\s+)?(?i:{lex}){_END}"
    any_src = rf"(?:{known}|{_NAME}{_END})"
    return [
        _Form(re.compile(rf"\b(?i:according\s+to)\s+(?:the\s+)?{_chain(any_src)}"), True, True),
        _Form(re.compile(rf"\b(?i:(?:first\s+)?reported\s+by|citing)\s+(?:the\s+)?{_chain(any_src)}"), True, False),
        _Form(re.compile(rf"(?<![\w-]){_chain(any_src)}\s*(?:,\s*(?i:citing)[^,]*,\s*)?\s+(?i:{_REPORT_VERBS})\b"), True, False),
        _Form(re.compile(rf"(?<![\w-]){_chain(any_src)}(?:,\s*(?i:citing)[^,]*,)?\s+(?i:{_SAY_VERBS})\b"), False, False),
        _Form(re.compile(rf"(?<![\w-])(?P<srcs>{any_src})\s*,\s*(?i:citing)\b"), False, False),
        # "…, reports the BBC." / "said the AP"
        _Form(re.compile(rf"\b(?i:reports|reported|writes|wrote)\s+(?:the\s+)?(?P<srcs>{any_src})\s*[.,;]"), True, False),
        # wire datelines: "GENEVA, March 2 (Reuters) - …", "BEIJING (AFP): …"
        _Form(re.compile(rf"\((?P<srcs>{any_src})\)\s*[-—–:]"), False, False),
        _Form(re.compile(rf"\b(?i:{_TELL})\s+(?:the\s+)?(?P<srcs>{any_src})"), False, False),
        # "Al-Qahera News TV channel correspondent in the West Bank confirmed …"
        _Form(re.compile(rf"(?<![\w-])(?P<srcs>{any_src})(?:\s+(?:TV|television|radio|channel|network)){{0,2}}\s+(?i:correspondents?|reporters?)\b"), True, False),
    ]


@dataclass(frozen=True)
class Credit:
    """A name in an attribution form: an outlet, or (when `outlet` is None) a speaker candidate."""

    start: int
    end: int
    name: str
    outlet: str | None
    speaker_form: bool


def find_credits(
    sentence: str,
    extra_outlets: tuple[str, ...] = (),
    publisher: str | None = None,
    entities: Sequence[tuple[int, int, str]] = (),
) -> list[Credit]:
    """Every name the sentence credits in an attribution form, in order, outlet or not."""
    lex_pattern, _ = lexicon(extra_outlets)
    found: dict[tuple[int, int], Credit] = {}
    for form in _forms(extra_outlets):
        for match in form.pattern.finditer(sentence):
            srcs, base = match.group("srcs"), match.start("srcs")
            pieces = list(re.finditer(r"[^,]+?(?=\s*,|\s+and\s+|$)", srcs))
            listed = bool(re.search(r"\sand\s", srcs))
            for number, piece in enumerate(pieces):
                raw = piece.group(0)
                name = re.sub(r"^\s*(?:and\s+)?", "", raw).strip()
                if not name:
                    continue
                start = base + piece.start() + (len(raw) - len(raw.lstrip()))
                start += len(raw.lstrip()) - len(re.sub(r"^(?:and\s+)", "", raw.lstrip()))
                span = (start, start + len(name))
                # "COP29, Azernews reports": only a list with "and" credits an unknown name before the last
                unknown_ok = listed or number == len(pieces) - 1
                outlet = _as_outlet(name, span, form, lex_pattern, extra_outlets, publisher, entities, unknown_ok)
                if outlet is None and not (form.speaker and _plausible_name(name)):
                    continue
                previous = found.get(span)
                if previous is None or (previous.outlet is None and outlet is not None):
                    found[span] = Credit(span[0], span[1], name, outlet, form.speaker)
    credits = sorted(found.values(), key=lambda c: (c.start, -c.end))
    kept: list[Credit] = []
    for c in credits:  # a name inside a longer credited name is not a second credit
        if kept and c.start < kept[-1].end:
            if c.outlet and not kept[-1].outlet:
                kept[-1] = c
            continue
        kept.append(c)
    return kept


def _as_outlet(
    name: str,
    span: tuple[int, int],
    form: _Form,
    lex_pattern: re.Pattern[str],
    extra: tuple[str, ...],
    publisher: str | None,
    entities: Sequence[tuple[int, int, str]],
    unknown_ok: bool = True,
) -> str | None:
    bare = re.sub(r"^the\s+", "", name, flags=re.IGNORECASE)
    label = _label_of(span, entities)
    if label == "PERSON" and not lex_pattern.fullmatch(bare):
        return None  # a person is a speaker, whatever the name looks like
    if lex_pattern.fullmatch(bare) or lex_pattern.fullmatch(name) or (publisher and is_publisher(name, publisher, extra)):
        return canonical_outlet(name, extra, publisher)
    if not unknown_ok or not _plausible_name(name):
        return None
    if looks_like_news_organisation(name):
        return canonical_outlet(name, extra, publisher)
    if form.strong and label == "ORG" and not form.speaker:
        return canonical_outlet(name, extra, publisher)
    return None


def _label_of(span: tuple[int, int], entities: Sequence[tuple[int, int, str]]) -> str | None:
    """The label of the entity that covers most of `span`."""
    best, best_overlap = None, 0
    for s, e, label in entities:
        overlap = min(e, span[1]) - max(s, span[0])
        if overlap > best_overlap:
            best, best_overlap = label, overlap
    return best if best_overlap * 2 >= span[1] - span[0] else None


def _plausible_name(name: str) -> bool:
    words = re.sub(r"^the\s+", "", name, flags=re.IGNORECASE).split()
    if not words or words[0].lower() in _NOT_SOURCES:
        return False
    return all(w[0].isupper() or w[0].isdigit() or w.lower() in {"of", "the", "de", "du", "for", "channel"} for w in words)


def find_outlets(
    sentence: str,
    extra_outlets: tuple[str, ...] = (),
    publisher: str | None = None,
    entities: Sequence[tuple[int, int, str]] = (),
) -> list[str]:
    """Outlets a sentence is attributed to inline, rendered as `canonical_outlet` does, in order."""
    ordered: dict[str, None] = {}
    for credit in find_credits(sentence, extra_outlets, publisher, entities):
        if credit.outlet:
            ordered.setdefault(credit.outlet, None)
    return list(ordered)


# ----- genre and kind ------------------------------------------------------------------------------
_ANALYSIS_TITLE = re.compile(
    r"^\s*(?:analysis|opinion|comment|commentary|explainer|explained|editorial|column|perspective|"
    r"viewpoint|fact[- ]?check|q\s*&\s*a|the big read|long read)\s*[:\-–—|]"
    r"|\b(?:explained|what (?:you need to|we) know)\s*[?!.]?\s*$",
    re.IGNORECASE,
)
_ANALYSIS_GENRES = frozenset({"analysis", "opinion", "explainer", "comment", "editorial", "column"})


def article_genre(genre: str | None, title: str | None = None) -> str:
    """`analysis` for analysis, opinion and explainer pieces (declared, or said so by the title), else `news`."""
    if genre:
        return "analysis" if genre.strip().lower() in _ANALYSIS_GENRES else "news"
    return "analysis" if title and _ANALYSIS_TITLE.search(title) else "news"


# The author arguing in their own voice: analysis even inside a news report (quotes are removed first).
_AUTHORIAL = re.compile(
    r"\b(?:the\s+(?:real|key|bigger|central|open)\s+question|the\s+question\s+(?:is|now|remains)|the\s+point\s+is|"
    r"in\s+other\s+words|arguably|what\s+matters|the\s+lesson|make\s+no\s+mistake|(?-i:we|our|us))\b"
    r"|\bwho\s+(?:gains|loses|wins)\b[^.]*\?",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[“\"][^”\"]*(?:[”\"]|$)|‘[^’]{12,}’")


def classify(
    sentence: str,
    publisher: str | None,
    genre: str | None = None,
    extra_outlets: tuple[str, ...] = (),
    entities: Sequence[tuple[int, int, str]] = (),
    title: str | None = None,
) -> tuple[tuple[str, ...], Kind]:
    """(outlets, kind) of one sentence; see the module docstring for the rules."""
    inline = find_outlets(sentence, extra_outlets, publisher, entities)
    return kind_of(sentence, inline, publisher, article_genre(genre, title))


def kind_of(sentence: str, inline: list[str], publisher: str | None, genre: str, quoted: bool = False,
            spoken: bool = False) -> tuple[tuple[str, ...], Kind]:
    """(outlets, kind) given the inline outlets and the article's genre (`news` or `analysis`);
    `spoken`: someone other than the author speaks in the sentence (a speaker was found)."""
    if inline:
        return tuple(inline), "reported"
    if not publisher:
        return (), "analysis"
    own = (publisher.strip(),)
    if genre == "analysis":  # what a source told the author is reporting, even in an analysis piece
        return own, ("reported" if spoken else "analysis")
    if not quoted and _AUTHORIAL.search(_QUOTED.sub(" ", sentence)):
        return own, "analysis"
    return own, "reported"


# ----- a whole article ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Attribution:
    """What attribution found for one sentence."""

    outlets: tuple[str, ...]
    kind: Kind
    speaker: str | None = None


_OBSERVER = r"(?:observatory|monitor|monitoring\s+group|watchdog|news\s+agency|news\s+site|newspaper|broadcaster|tracker|wire\s+service|news\s+outlet|media\s+outlet)"
_DESCRIBED = (
    re.compile(rf"(?i:{_OBSERVER})(?:\s+[a-z]+){{0,2}},?\s+(?P<name>{_WORD}(?:\s+{_WORD}){{0,3}})"),
    re.compile(rf"(?P<name>{_WORD}(?:\s+{_WORD}){{0,3}}),\s+(?:an?|the)\s+(?:[\w-]+\s+){{0,3}}(?i:{_OBSERVER})\b"),
)


def described_outlets(text: str) -> list[str]:
    """Sources the article itself describes as a news or monitoring organisation
    ("The Internet observatory organization, Netblocks, …", "Kestria Today, a daily newspaper")."""
    names: dict[str, None] = {}
    for pattern in _DESCRIBED:
        for m in pattern.finditer(text):
            name = m.group("name")
            if _plausible_name(name) and name.split()[0].lower() not in MEDIA_WORDS | {"the", "a", "an"}:
                names.setdefault(name, None)
    return list(names)


def attribute_article(
    texts: Sequence[str],
    publisher: str | None,
    genre: str | None = None,
    title: str | None = None,
    entities: Sequence[Sequence[tuple[int, int, str]]] | None = None,
    blocks: Sequence[int] | None = None,
    extra_outlets: tuple[str, ...] = (),
) -> list[Attribution]:
    """Outlets, kind and speaker of every sentence of one article, in order.

    `entities[i]` are sentence i's named entities (start, end, label); `blocks[i]` its paragraph
    (a quotation never runs across paragraphs). Article-wide context is used three ways: sources
    the article describes as news organisations count as outlets, a short form of an outlet it
    credited before ("the Journal" after "the Wall Street Journal") is that outlet, and a pronoun
    speaker or a multi-sentence quotation takes the speaker named nearby.
    """
    from .speakers import PRONOUN, find_speaker, quotes_someone, speaker_name

    n = len(texts)
    ents = list(entities) if entities is not None else [()] * n
    paragraph = list(blocks) if blocks is not None else [0] * n
    kind_genre = article_genre(genre, title)
    described = {outlet_key(d): d for d in described_outlets("\n".join(texts))}
    extra = tuple(dict.fromkeys((*extra_outlets, *described.values())))
    credits = [find_credits(t, extra, publisher, e) for t, e in zip(texts, ents, strict=True)]
    credits = _resolve_short_forms(texts, credits, extra, publisher, ents)

    outlets: list[list[str]] = []
    speakers: list[str | None] = []
    for text, found, e in zip(texts, credits, ents, strict=True):
        names: dict[str, None] = {}
        speaker = None
        for c in found:
            if c.outlet:
                written = described.get(outlet_key(c.name))
                names.setdefault(re.sub(r"^the\s+", "", c.name) if written else c.outlet, None)
            elif c.speaker_form and speaker is None:
                speaker = speaker_name(text, c.start, c.end, e)
        if speaker is None:
            hit = find_speaker(text, e, [*names, *(c.name for c in found if c.outlet)])
            speaker = hit.name if hit else None
        if speaker and speaker != PRONOUN and (outlet_key(speaker) in described or lexicon(extra)[0].fullmatch(speaker)):
            names.setdefault(described.get(outlet_key(speaker), canonical_outlet(speaker, extra, publisher)), None)
            speaker = None  # "The observatory NetBlocks has confirmed …": a source, not a speaker
        outlets.append(list(names))
        speakers.append(speaker)

    for i, speaker in enumerate(speakers):
        if speaker == PRONOUN:  # "…," he said: the nearest person before who spoke or led a sentence
            speakers[i] = next((who for j in range(i - 1, max(-1, i - 4), -1)
                                if (who := speakers[j] if speakers[j] not in (None, PRONOUN) else opening_person(texts[j], ents[j]))),
                               None)
    quoted = _quotation_runs(texts, paragraph, speakers)
    for i in quoted:  # a quotation's later sentences may name its speaker only at the end
        if speakers[i] is None:
            speakers[i] = quoted[i]
    for i in range(1, n):  # a quote on its own right after a speaker's sentence goes on with that speaker
        if speakers[i] is None and speakers[i - 1] and _bare_quote(texts[i]):
            speakers[i] = speakers[i - 1]
    return [
        Attribution(*kind_of(text, outlets[i], publisher, kind_genre, quoted=i in quoted,
                             spoken=speakers[i] not in (None, PRONOUN) or quotes_someone(text)), speaker=speakers[i])
        for i, text in enumerate(texts)
    ]


def _bare_quote(text: str) -> bool:
    """A sentence that is one quotation and nothing else ("“We will not wait.”")."""
    body = text.strip()
    return len(body) > 2 and body[0] in "“\"" and body.rstrip(".!?…")[-1:] in "”\"" and body.count("”") + body.count('"') <= 2


def opening_person(text: str, entities: Sequence[tuple[int, int, str]]) -> str | None:
    """The person a sentence opens with ("Trump, in a social media post, was quick to …")."""
    first = next(((start, end) for start, end, label in entities if label == "PERSON"), None)
    return text[first[0] : first[1]] if first and first[0] < 40 else None


def _resolve_short_forms(
    texts: Sequence[str],
    credits: list[list[Credit]],
    extra: tuple[str, ...],
    publisher: str | None,
    entities: Sequence[Sequence[tuple[int, int, str]]],
) -> list[list[Credit]]:
    """'the Journal reported' after 'the Wall Street Journal reported': the same outlet."""
    short: dict[str, str] = {}
    for found in credits:
        for c in found:
            if c.outlet and len(c.outlet.split()) > 1 and c.outlet.split()[-1].lower() in MEDIA_WORDS:
                short.setdefault(c.outlet.split()[-1], c.outlet)
    if not short:
        return credits
    aliases = tuple(f"The {word}" for word in short)
    resolved = []
    for text, found, e in zip(texts, credits, entities, strict=True):
        again = find_credits(text, (*extra, *aliases), publisher, e)
        if any(c.outlet in aliases for c in again):
            found = [
                Credit(c.start, c.end, c.name, short[c.outlet[4:]], c.speaker_form) if c.outlet in aliases else c
                for c in again
            ]
        resolved.append(found)
    return resolved


def _quotation_runs(texts: Sequence[str], paragraph: Sequence[int], speakers: list[str | None]) -> dict[int, str | None]:
    """Sentences inside a quotation that spans several sentences -> the quotation's speaker.

    The quote state is `quotes.quote_states`' (a quotation re-opened at the next paragraph goes on;
    one left open at a paragraph's end without that closes there).
    """
    breaks = [i == 0 or paragraph[i] != paragraph[i - 1] for i in range(len(texts))]
    runs: dict[int, str | None] = {}
    run: list[int] = []

    def close() -> None:
        if len(run) > 1:
            named = [speakers[j] for j in (run[-1], run[0]) if speakers[j]]
            for j in run:
                runs[j] = named[0] if named else None
        run.clear()

    for i, (start, end) in enumerate(quote_states(list(texts), breaks)):
        if run and not start:
            close()
        if start or end:
            run.append(i)
        if run and not end:
            close()
    close()
    return runs
