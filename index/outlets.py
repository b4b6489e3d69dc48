"""The outlet lexicon and how outlet names are spelled: canonical names, the publisher's own
spelling, and what makes an unknown name look like a news organisation."""

from __future__ import annotations

import re
from functools import lru_cache

# canonical name -> other spellings (matched case-insensitively unless an all-caps acronym)
OUTLETS: dict[str, tuple[str, ...]] = {
    "BBC": ("BBC News", "the BBC"),
    "POLITICO": ("Politico", "Politico Europe"),
    "Al Jazeera": (),
    "Reuters": (),
    "AP": ("Associated Press", "The Associated Press", "the AP"),
    "AFP": ("Agence France-Presse", "Agence France Presse"),
    "CNN": (),
    "CNBC": (),
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

# A word that makes an unknown credited name a news organisation. "Agency" and "Network" alone
# are not enough ("International Energy Agency", "Climate Action Network" are bodies that speak).
MEDIA_WORDS = frozenset(
    "news times post channel tv television radio daily agency press journal herald tribune gazette media "
    "broadcasting broadcaster observer chronicle mail wire magazine telegraph express courier dispatch "
    "bulletin newspaper reporter weekly sentinel inquirer examiner".split()
)
_WEAK_MEDIA_WORDS = frozenset({"agency"})


def _variant_pattern(variant: str) -> str:
    body = r"\s+".join(re.escape(part) for part in variant.split())
    if variant.isupper() and len(variant.replace(" ", "")) <= 4:
        return rf"(?-i:{body})"
    return body


def outlet_key(name: str) -> str:
    return re.sub(r"^the\s+", "", re.sub(r"\s+", " ", name.strip()), flags=re.IGNORECASE).lower()


@lru_cache(maxsize=8)
def lexicon(extra: tuple[str, ...] = ()) -> tuple[re.Pattern[str], dict[str, str]]:
    """(a pattern matching any known spelling, key -> canonical name)."""
    canonical: dict[str, str] = {}
    spelled: dict[str, str] = {}
    for name, variants in OUTLETS.items():
        for v in (name, *variants):
            canonical[outlet_key(v)] = name
            spelled.setdefault(outlet_key(v), v)
    for name in extra:
        if name.strip():
            canonical.setdefault(outlet_key(name), name.strip())
            spelled.setdefault(outlet_key(name), name.strip())
    alternatives = sorted(canonical, key=len, reverse=True)  # every form takes an optional "the" itself
    pattern = "|".join(_variant_pattern(re.sub(r"^the\s+", "", spelled[k], flags=re.IGNORECASE)) for k in alternatives)
    return re.compile(rf"(?:{pattern})", re.IGNORECASE), canonical


def canonical_outlet(name: str, extra: tuple[str, ...] = (), publisher: str | None = None) -> str:
    """How an outlet name is rendered: as published, else as written.

    The article's publisher, or another publisher of the corpus (`extra`), in its own spelling
    when the name is that outlet ("AP" in an "Associated Press" story); else the name as the text
    writes it ("told The Associated Press" → "Associated Press", "(AP) —" → "AP"), with a leading
    "the" dropped unless it belongs to the outlet's name ("The Times of Israel").
    """
    cleaned = re.sub(r"\s+", " ", name.strip())
    if publisher and is_publisher(cleaned, publisher, extra):
        return publisher.strip()
    own = next((e.strip() for e in extra if e.strip() and e.strip() != cleaned and same_outlet(e, cleaned)), None)
    if own:
        return own
    cleaned = re.sub(r"^the\s+", "", cleaned)
    channel = re.fullmatch(r"(?:[A-Z][\w-]+\s+)?[Cc]hannel\s+(\d+)", cleaned)
    if channel:
        return f"Channel {channel.group(1)}"
    _, canonical = lexicon(extra)
    known = canonical.get(outlet_key(cleaned))
    if known and outlet_key(known) == outlet_key(cleaned):
        return known  # "Politico" → "POLITICO", "Washington Post" → "The Washington Post": one name, its own case
    if known and cleaned.startswith("The ") and not known.startswith("The "):
        return cleaned[4:]  # "The Associated Press": its name is "Associated Press", unlike "The Washington Post"
    return cleaned


@lru_cache(maxsize=8192)  # outlet filters ask it for every chunk, of a handful of names
def same_outlet(a: str, b: str) -> bool:
    """Two spellings of one outlet: the same name with or without "the", or one lexicon outlet
    ("AP" / "The Associated Press", "AFP" / "Agence France-Presse")."""
    ka, kb = outlet_key(a), outlet_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    _, canonical = lexicon()
    return ka in canonical and canonical[ka] == canonical.get(kb)


def is_publisher(name: str, publisher: str, extra: tuple[str, ...] = ()) -> bool:
    """Whether a credited name is the article's own publisher: the same name, the same lexicon
    outlet ("AP" / "Associated Press"), or its brand before media words ("Trend" / "Trend News Agency")."""
    credited, own = outlet_key(name), outlet_key(publisher)
    if not credited or not own:
        return False
    if credited == own:
        return True
    _, canonical = lexicon(extra)
    if credited in canonical and canonical[credited] == canonical.get(own):
        return True
    rest = own[len(credited) :].split() if own.startswith(credited + " ") else None
    return bool(rest) and all(w in MEDIA_WORDS for w in rest or ())


def looks_like_news_organisation(name: str) -> bool:
    """A media word in the name ("Channel 13", "Kestria Herald"), not only a weak one ("Energy Agency")."""
    words = {w.lower().strip(".,") for w in re.findall(r"[\w-]+", name)}
    media = words & MEDIA_WORDS
    if not media or not media - _WEAK_MEDIA_WORDS and "news" not in words and "press" not in words:
        return False
    others = words - MEDIA_WORDS - {"the", "of", "de", "du"}
    return bool(others) or bool(re.search(r"\d", name)) or len(media) > 1
