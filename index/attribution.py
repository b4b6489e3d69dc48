"""Who reported a sentence: inline attributions to outlets, or the article's publisher.

Only attribution *forms* count ("according to X", "X reported (that)", "X and Y reported",
"X said/reports/quoted", "told X", "X, citing …", "reported by X"); a bare mention of an outlet
("outside the BBC building", "a Politico-style newsletter") attributes nothing.
Known outlets are canonicalised through a lexicon; an unknown capitalised source in a strong
form ("according to X", "X reported") is kept as written.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .models import Kind

# canonical name -> other spellings (matched case-insensitively unless an all-caps acronym)
OUTLETS: dict[str, tuple[str, ...]] = {
    "BBC": ("BBC News", "the BBC"),
    "POLITICO": ("Politico", "Politico Europe"),
    "Al Jazeera": (),
    "Reuters": (),
    "AP": ("Associated Press", "The Associated Press", "the AP"),
    "AFP": ("Agence France-Presse", "Agence France Presse"),
    "CNN": (),
    "Axios": (),
    "Bloomberg": ("Bloomberg News",),
    "The New York Times": ("New York Times", "NYT"),
    "The Washington Post": ("Washington Post",),
    "The Wall Street Journal": ("Wall Street Journal", "WSJ"),
    "Financial Times": ("the Financial Times", "FT"),
    "The Guardian": ("Guardian",),
    "The Economist": ("Economist",),
    "The Times": (),
    "The Telegraph": ("Telegraph",),
    "NPR": (),
    "Fox News": (),
    "NBC News": ("NBC",),
    "CBS News": ("CBS",),
    "ABC News": ("ABC",),
    "Sky News": (),
    "Deutsche Welle": ("DW",),
    "Euronews": (),
    "France 24": (),
    "Le Monde": (),
    "Der Spiegel": ("Spiegel",),
    "Kyiv Independent": ("The Kyiv Independent",),
    "Ukrainska Pravda": (),
    "TASS": ("Tass",),
    "RIA Novosti": ("RIA",),
    "Interfax": (),
    "Kommersant": (),
    "Meduza": (),
    "Semafor": (),
    "The Hill": (),
    "Newsweek": (),
    "Nikkei": ("Nikkei Asia",),
    "South China Morning Post": ("SCMP",),
    "Xinhua": (),
    "Anadolu": ("Anadolu Agency",),
    "Yonhap": (),
    "ANSA": (),
    "EFE": (),
    "Kyodo": ("Kyodo News",),
}

# Capitalised words that start "X reported"-like clauses without being a source name.
_NOT_SOURCES = frozenset(
    "he she they it we i you officials official witnesses residents police analysts sources authorities "
    "diplomats media reports critics experts observers state local this that these those there who what "
    "some many several one two three others another both each all people ministers minister president "
    "spokesman spokeswoman spokesperson the a an and but in on at it's".split()
)

_SRC_WORD = r"[A-Z][\w’'&.-]*[\w]"
_UNKNOWN = rf"(?:The\s+)?{_SRC_WORD}(?:\s+(?:of\s+the\s+|of\s+|de\s+|du\s+)?{_SRC_WORD}){{0,4}}"
_REPORT_VERBS = r"(?:reported|reports|has\s+reported|have\s+reported|was\s+reporting|first\s+reported|reported\s+earlier)"
_SAY_VERBS = r"(?:said|says|quoted|quoting|cited|wrote|writes|reported|reports|noted|added|confirmed|published)"


def _variant_pattern(variant: str) -> str:
    body = r"\s+".join(re.escape(part) for part in variant.split())
    if variant.isupper() and len(variant.replace(" ", "")) <= 4:
        return rf"(?-i:{body})"
    return body


@lru_cache(maxsize=8)
def _lexicon(extra: tuple[str, ...] = ()) -> tuple[re.Pattern[str], dict[str, str]]:
    canonical: dict[str, str] = {}
    for name, variants in OUTLETS.items():
        for v in (name, *variants):
            canonical[_key(v)] = name
    for name in extra:
        canonical.setdefault(_key(name), name)
    alternatives = sorted(canonical, key=len, reverse=True)
    spelled = {k: next(v for v in (*_all_spellings(), *extra) if _key(v) == k) for k in alternatives}
    pattern = "|".join(_variant_pattern(spelled[k]) for k in alternatives)
    return re.compile(rf"(?:{pattern})", re.IGNORECASE), canonical


def _all_spellings() -> list[str]:
    return [v for name, variants in OUTLETS.items() for v in (name, *variants)]


def _key(name: str) -> str:
    return re.sub(r"^the\s+", "", re.sub(r"\s+", " ", name.strip()), flags=re.IGNORECASE).lower()


def canonical_outlet(name: str, extra: tuple[str, ...] = ()) -> str:
    """The lexicon's spelling of an outlet name, or the name as written when unknown."""
    _, canonical = _lexicon(extra)
    cleaned = re.sub(r"\s+", " ", name.strip())
    return canonical.get(_key(cleaned), re.sub(r"^the\s+", "", cleaned, flags=re.IGNORECASE))


@lru_cache(maxsize=8)
def _forms(extra: tuple[str, ...] = ()) -> list[tuple[re.Pattern[str], bool]]:
    """(pattern, allows unknown sources). Every pattern captures names in groups `src*`."""
    lex_pattern, _ = _lexicon(extra)
    lex = lex_pattern.pattern
    end = r"(?![\w-])"
    known = rf"(?:the\s+)?(?:{lex}){end}"
    any_src = rf"(?:{known}|{_UNKNOWN}{end})"
    chain = lambda src: rf"(?P<srcs>{src}(?:\s*,\s*{src})*(?:,?\s+and\s+{src})?)"  # noqa: E731
    return [
        (re.compile(rf"\baccording\s+to\s+(?P<srcs>{any_src}(?:,?\s+and\s+{any_src})?)", re.IGNORECASE), True),
        (re.compile(rf"\breported\s+by\s+(?P<srcs>{any_src}(?:,?\s+and\s+{any_src})?)", re.IGNORECASE), True),
        (re.compile(rf"(?<![\w-]){chain(any_src)}\s*(?:,\s*citing[^,]*,\s*)?\s+{_REPORT_VERBS}\b", re.IGNORECASE), True),
        (re.compile(rf"(?<![\w-]){chain(known)}(?:,\s*citing[^,]*,)?\s+{_SAY_VERBS}\b", re.IGNORECASE), False),
        (re.compile(rf"(?<![\w-])(?P<srcs>{known})\s*,\s*citing\b", re.IGNORECASE), False),
        # wire datelines: "GENEVA, March 2 (Reuters) - …", "CORVENA, Valdoria (AP) — …"
        (re.compile(rf"\((?P<srcs>{known})\)\s*[-—–]", re.IGNORECASE), False),
        (re.compile(rf"\b(?:told|speaking\s+to|in\s+an\s+interview\s+with|interviewed\s+by)\s+(?P<srcs>{known})", re.IGNORECASE), False),
    ]


def find_outlets(sentence: str, extra_outlets: tuple[str, ...] = ()) -> list[str]:
    """Outlets a sentence is attributed to inline, canonicalised, in order of appearance."""
    lex_pattern, _ = _lexicon(extra_outlets)
    found: list[tuple[int, str]] = []
    for pattern, allows_unknown in _forms(extra_outlets):
        for match in pattern.finditer(sentence):
            srcs = match.group("srcs")
            base = match.start("srcs")
            for piece in re.finditer(r"[^,]+?(?=\s*,|\s+and\s+|$)", srcs):
                name = re.sub(r"^\s*(?:and\s+)?", "", piece.group(0)).strip()
                if not name:
                    continue
                is_known = bool(lex_pattern.fullmatch(re.sub(r"^the\s+", "", name, flags=re.IGNORECASE))) or bool(
                    lex_pattern.fullmatch(name)
                )
                if not is_known:
                    if not allows_unknown or not _plausible_unknown(name):
                        continue
                found.append((base + piece.start(), canonical_outlet(name, extra_outlets)))
    ordered: dict[str, None] = {}
    for _, name in sorted(found):
        ordered.setdefault(name, None)
    return list(ordered)


def _plausible_unknown(name: str) -> bool:
    words = re.sub(r"^the\s+", "", name, flags=re.IGNORECASE).split()
    if not words or words[0].lower() in _NOT_SOURCES:
        return False
    if not all(w[0].isupper() or w.lower() in {"of", "the", "de", "du"} for w in words):
        return False
    return not (len(words) == 1 and words[0].lower() in _NOT_SOURCES)


_ANALYSIS_CUES = re.compile(
    r"\b(should|could|would|might|(?-i:may)|must|likely|unlikely|perhaps|probably|in other words|the point|"
    r"matters?|the risk|risks|danger|gains?|loses?|benefits?|winners?|losers?|suggests?|means|signal|"
    r"test|question is|real question|the question|we|our|arguably|seems?|appears?|clearly|obvious(ly)?)\b",
    re.IGNORECASE,
)


_REPORTED_SPEECH = re.compile(
    r"\b(said|says|told|announced|stated|added|warned|confirmed|according\s+to|insisted|denied)\b|[“\"][^”\"]{3,}[”\"]",
)


def classify(
    sentence: str, publisher: str | None, genre: str | None = None, extra_outlets: tuple[str, ...] = ()
) -> tuple[tuple[str, ...], Kind]:
    """(outlets, kind) of one sentence.

    Inline attribution makes a sentence `reported` by those outlets. Otherwise: in an analysis
    piece, or when the publisher is unknown, it is the article's own `analysis` (outlets: the
    publisher when known, never invented); in a news article by a known publisher it is the
    publisher's reporting unless it reads as argument.
    """
    inline = find_outlets(sentence, extra_outlets)
    if inline:
        return tuple(inline), "reported"
    if not publisher:
        return (), "analysis"
    name = canonical_outlet(publisher, extra_outlets)
    if genre != "analysis" and _REPORTED_SPEECH.search(sentence):
        return (name,), "reported"  # someone said it on the record: the publisher's reporting
    if genre == "analysis" or sentence.rstrip().endswith("?") or (genre != "news" and _ANALYSIS_CUES.search(sentence)):
        return (name,), "analysis"
    return (name,), "reported"
