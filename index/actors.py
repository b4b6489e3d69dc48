"""Actors found in the corpus: named entities grouped into who-is-who, with no configured list.

Pure functions over `Sentence`s and their entities (spaCy labels). Grouping rules:

- countries: a country's name, other spellings, capital, demonym ("Iranian", "Iranians") and seat of
  government ("the Kremlin") are one group, from the `countryinfo` data package;
- people: a full name and its shorter forms ("Abbas Araghchi" ↔ "Araghchi"), when only one full
  name in the corpus ends that way; a bare surname that spaCy labelled otherwise joins too; a name
  no full name ends with joins the one full name it opens (family name first: "Xia Yingxian" ↔ "Xia");
- a person's link to a country comes from a title that names it ("Iranian Foreign Minister Abbas
  Araghchi", "Araghchi, Iran's foreign minister"); without one, from the country that clearly
  dominates the sentences the person appears in. People keep their own group; the link is recorded;
- a title the corpus gives one person only ("Treasury Secretary Janet Yellen") becomes an alias of
  that person ("the Treasury Secretary").
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from .models import Sentence

ActorKind = Literal["country", "person", "organisation", "place"]

# Metonyms the country data does not carry: the seat of government stands for the government.
SEATS_OF_GOVERNMENT: dict[str, str] = {
    "Kremlin": "Russia", "White House": "United States", "State Department": "United States",
    "Pentagon": "United States", "Downing Street": "United Kingdom", "Whitehall": "United Kingdom",
    "Élysée": "France", "Elysee": "France", "Zhongnanhai": "China", "Knesset": "Israel", "Bundestag": "Germany",
    "Chancellery": "Germany", "Quai d'Orsay": "France", "Foggy Bottom": "United States",
}
# Supranational actors that behave like countries in news copy.
BLOCS: dict[str, tuple[str, ...]] = {
    "Europe": ("EU", "E.U.", "European Union", "European", "Europeans", "Brussels", "European Commission"),
    "United Nations": ("UN", "U.N.", "United Nations"),
    "NATO": ("Nato", "North Atlantic Treaty Organization"),
}
_EXTRA_FORMS: dict[str, tuple[str, ...]] = {  # everyday forms the data package lacks
    "United States": ("U.S.", "US", "USA", "America", "Washington", "United States of America"),
    "United Kingdom": ("UK", "U.K.", "Britain", "Great Britain", "London"),
}
TITLE_WORDS = frozenset(
    "president prime minister secretary chancellor premier king queen emir leader envoy ambassador spokesperson "
    "spokesman spokeswoman commissioner chief general senator governor mayor negotiator chairman chair director "
    "head ceo speaker attorney justice".split()
)
# Roles that tie a person to a country in an apposition ("Xia Yingxian, a Chinese official") but are too
# common to stand for one person as a title ("a US official said" is anyone).
_ROLE_WORDS = TITLE_WORDS | frozenset("official officials delegate diplomat representative adviser advisor aide".split())
_LABELS = frozenset({"PERSON", "GPE", "NORP", "ORG", "FAC", "LOC"})
_PARTICLES = frozenset("al el bin bint ibn abu van von de da di du der le la".split())


@dataclass(frozen=True)
class ActorGroup:
    """One actor and the names the corpus calls it by."""

    name: str
    kind: ActorKind
    aliases: tuple[str, ...]  # as written in the corpus, plus a country's standard forms
    mentions: int
    links: tuple[str, ...] = ()  # a person's countries, named by a title ("Iranian Foreign Minister …")
    titles: tuple[str, ...] = ()  # titles only this person holds in the corpus ("Treasury Secretary")
    near: tuple[str, ...] = ()  # without a title link: the country that clearly dominates their sentences


@lru_cache(maxsize=1)
def country_forms() -> dict[str, str]:
    """lower-case form -> country name: names, spellings, capitals, demonyms, seats, blocs."""
    from countryinfo._cache import load_countries  # the package's own cached loader (offline data)

    forms: dict[str, str] = {}
    # the most populous country wins a shared form ("American": the United States, not a territory)
    ranked = sorted(load_countries()["countries"].values(), key=lambda info: -(info.get("population") or 0))
    for info in ranked:
        name = info.get("name")
        if not name:
            continue
        candidates = [name, *(info.get("altSpellings") or [])]
        capital, demonym = _text(info.get("capital")).replace(" D.C.", ""), _text(info.get("demonym"))
        candidates += [capital, demonym]
        if demonym and not demonym.endswith(("ese", "sh", "ch", "ss")):
            candidates.append(demonym + "s")
        for form in candidates:
            if form and len(form) >= 4 and re.fullmatch(r"[\w .'’-]+", form) and not form.isupper():
                forms.setdefault(form.lower(), name)  # ISO codes ("TO", "BY") would match words
    for country, extra in _EXTRA_FORMS.items():
        for form in extra:
            forms[form.lower()] = country
    for seat, country in SEATS_OF_GOVERNMENT.items():
        forms[seat.lower()] = country
    for bloc, extra in BLOCS.items():
        for form in (bloc, *extra):
            forms[form.lower()] = bloc
    return forms


def _text(value: object) -> str:
    """A data field as one string (a few countries list several capitals: the first is kept)."""
    if isinstance(value, list):
        value = value[0] if value else ""
    return value.strip() if isinstance(value, str) else ""


def standard_forms(country: str) -> list[str]:
    """Every form the data knows for a country or bloc, capitalised as the data spells it."""
    out = [country]
    if country in BLOCS:
        return [country, *BLOCS[country]]
    from countryinfo._cache import load_countries

    info = load_countries()["countries"].get(country.lower(), {})
    capital, demonym = _text(info.get("capital")).replace(" D.C.", ""), _text(info.get("demonym"))
    out += [capital, demonym]
    if demonym and not demonym.endswith(("ese", "sh", "ch", "ss")):
        out.append(demonym + "s")
    # long official names only: one-word native spellings ("Island" for Iceland) are English words too
    out += [a for a in info.get("altSpellings") or [] if " " in a and a.isascii() and re.fullmatch(r"[\w .'’-]+", a)]
    out += list(_EXTRA_FORMS.get(country, ()))
    out += [seat for seat, c in SEATS_OF_GOVERNMENT.items() if c == country]
    return [f for f in dict.fromkeys(out) if f]


def clean(surface: str) -> str:
    """An entity's text without a possessive or a leading article: "the Kremlin’s" -> "Kremlin"."""
    text = re.sub(r"(?:’s|'s|’|')$", "", surface.strip())
    return re.sub(r"^(?:the|The)\s+", "", text).strip(" ,;:")


@dataclass
class _Tally:
    mentions: Counter[str] = field(default_factory=Counter)
    sentences: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))


def demonyms(place: str) -> set[str]:
    """Likely demonyms of a place name the data does not know: Valdoria -> Valdorian(s), Kestria -> Kestrian(s)."""
    stems = {place, place[:-1]} if place[-1:] in "aey" else {place}
    out = set()
    for stem in stems:
        for suffix in ("n", "an", "ian", "ese", "i", "ish", "ic"):
            word = stem + suffix
            out |= {word, word + "s"} if not word.endswith(("ese", "ish", "ic")) else {word}
    return out - {place}


@lru_cache(maxsize=1)
def derived_forms() -> dict[str, str]:
    """Adjectives the country data does not list ("Icelandic"), derived from each country's name."""
    forms = country_forms()
    out: dict[str, str] = {}
    for country in sorted(set(forms.values())):
        for word in demonyms(country):
            if word.lower() not in forms:
                out.setdefault(word.lower(), country)
    return out


def local_forms(items: list[Sentence], forms: dict[str, str]) -> dict[str, str]:
    """Places the country data does not know, with the demonyms the corpus uses for them."""
    places: Counter[str] = Counter()
    adjectives: set[str] = set()
    for s in items:
        for start, end, label in s.entities:
            surface = clean(s.text[start:end])
            if surface.lower() in forms or not surface[:1].isupper():
                continue
            if label == "GPE":
                places[surface] += 1
            elif label in ("NORP", "PERSON", "ORG"):
                adjectives.add(surface)
    derived = derived_forms()
    found: dict[str, str] = {w.lower(): derived[w.lower()] for w in adjectives if w.lower() in derived}
    for place in places:
        own = demonyms(place) & adjectives
        if own:
            found[place.lower()] = place
            for word in own:
                found[word.lower()] = place
    return found


def find_actors(sentences: Iterable[Sentence], min_mentions: int = 1) -> list[ActorGroup]:
    """Group the corpus's named entities into actors (most mentioned first)."""
    items = list(sentences)
    known = country_forms()
    local = local_forms(items, known)
    forms = {**known, **local}
    countries: dict[str, Counter[str]] = defaultdict(Counter)  # country -> surface counts
    country_in: list[set[str]] = []
    people = _Tally()
    others = _Tally()
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    for i, s in enumerate(items):
        here: set[str] = set()
        for start, end, label in s.entities:
            if label not in _LABELS:
                continue
            surface = clean(s.text[start:end])
            if not surface or not surface[0].isupper():
                continue
            country = forms.get(surface.lower())
            if country and (label != "PERSON" or len(surface.split()) == 1):  # spaCy calls "Kyiv" a person
                countries[country][surface] += 1
                here.add(country)
                continue
            if label == "PERSON" and any(ch.isdigit() for ch in surface):
                label = "ORG"  # "COP29" is an event, whatever the tagger says
            tally = people if label == "PERSON" else others
            tally.mentions[surface] += 1
            tally.sentences[surface].append(i)
            labels[surface][label] += 1
        for seat, country in SEATS_OF_GOVERNMENT.items():  # spaCy often leaves "the Kremlin" untagged
            if re.search(rf"\b{re.escape(seat)}\b", s.text) and seat not in countries[country]:
                countries[country][seat] += 1
                here.add(country)
        country_in.append(here)

    persons = _group_people(people, others)
    links, titles = _links(items, persons, forms)
    groups: list[ActorGroup] = []
    local_places = set(local.values())
    for country, surfaces in countries.items():
        extra = sorted(demonyms(country) & set(surfaces)) if country in local_places else standard_forms(country)
        groups.append(ActorGroup(country, "country", tuple(dict.fromkeys([*surfaces, *extra])), sum(surfaces.values())))
    person_surfaces = {a for aliases in persons.values() for a in aliases}
    for full, forms_of in persons.items():
        aliases = list(forms_of)
        # "the Treasury Secretary"; a bare "Envoy" is too generic to stand for one person
        aliases.extend(t for t in titles.get(full, ()) if len(t.split()) > 1 and t not in aliases)
        # spaCy misses names ("Zelenskyy’s position"): count the sentences that name the person at all
        named = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(a) for a in aliases) + r")(?![\w-])")
        mentions = max(sum(people.mentions[a] + others.mentions[a] for a in aliases),
                       sum(1 for s in items if named.search(s.text)))
        linked = links.get(full, [])
        near = [] if linked else _co_occurring(aliases, people, others, country_in)
        groups.append(
            ActorGroup(
                full, "person", tuple(dict.fromkeys(aliases)), mentions, tuple(linked), tuple(titles.get(full, ())),
                tuple(near),
            )
        )
    title_words = {w for ts in titles.values() for t in ts for w in t.split()}
    for surface, count in others.mentions.items():
        label = labels[surface].most_common(1)[0][0]
        if surface in person_surfaces or surface in title_words or label not in ("ORG", "FAC", "GPE", "LOC"):
            continue  # "Treasury" of "Treasury Secretary Mara Quill" is her title
        groups.append(ActorGroup(surface, "organisation" if label == "ORG" else "place", (surface,), count))
    return sorted((g for g in groups if g.mentions >= min_mentions), key=lambda g: (-g.mentions, g.name))


def _group_people(people: _Tally, others: _Tally) -> dict[str, list[str]]:
    """full name -> its forms: "Abbas Araghchi" <- "Araghchi"; unique suffixes only."""
    names = sorted(people.mentions, key=lambda n: (-len(n.split()), -people.mentions[n]))
    groups: dict[str, list[str]] = {}
    owner: dict[str, str] = {}
    for name in names:
        words = name.split()
        holders = [full for full in groups if full.split()[-len(words):] == words and len(full.split()) > len(words)]
        if not holders and len(words) == 1:
            # a family name written first ("Xia Yingxian" … "Xia said"): the one full name it opens
            holders = [full for full in groups if len(full.split()) in (2, 3) and full.split()[0] == name]
        if len(holders) == 1:
            groups[holders[0]].append(name)
            owner[name] = holders[0]
        elif not holders:
            groups[name] = [name]
            owner[name] = name
    surnames = Counter(full.split()[-1] for full in groups if len(full.split()) > 1)
    for full, forms in groups.items():  # the surname alone, even where the tagger missed it
        surname = full.split()[-1]
        words = full.split()
        if (len(words) in (2, 3) and surnames[surname] == 1 and surname not in forms and surname[:1].isupper()
                and words[-2].lower() not in _PARTICLES):
            forms.append(surname)
    for surface in others.mentions:  # "Hoekstra" tagged ORG, "Zelenskyy" tagged GPE
        holders = [full for full in groups if len(full.split()) > 1 and full.split()[-1] == surface]
        if len(holders) == 1 and surface not in groups:
            groups[holders[0]].append(surface)
    return groups


def _title_before(before: str, forms: dict[str, str]) -> tuple[str | None, str | None]:
    """(country, title) in the words right before a name: "Iranian Foreign Minister " -> (Iran, Foreign Minister)."""
    if before.rstrip().endswith(","):  # "Kestria’s foreign minister, Leon Halvik"
        before = before.rstrip()[:-1]
    tail = re.split(r"[,;:.(“\"—–]", before)[-1]
    words = re.findall(r"[\w.’'-]+", tail)[-5:]
    for i in range(len(words)):
        for size in (2, 1):
            key = clean(" ".join(words[i : i + size])).lower()
            country = forms.get(key) or derived_forms().get(key)
            rest = words[i + size :]
            if country and rest and any(w.lower() in TITLE_WORDS for w in rest):
                return country, " ".join(rest)
    run: list[str] = []
    for word in reversed(words):
        if not (word[:1].isupper() or word.lower() in TITLE_WORDS):
            break
        run.insert(0, word)
    if any(w.lower() in TITLE_WORDS for w in run):
        return None, " ".join(run)
    return None, None


def _links(
    items: list[Sentence], persons: dict[str, list[str]], forms: dict[str, str]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Countries and titles that the corpus puts right next to a person's name."""
    by_surface = {a: full for full, aliases in persons.items() for a in aliases}
    country_links: dict[str, Counter[str]] = defaultdict(Counter)
    title_holders: dict[str, set[str]] = defaultdict(set)
    for s in items:
        for start, end, label in s.entities:
            full = by_surface.get(clean(s.text[start:end]))
            if label != "PERSON" or full is None:
                continue
            country, title = _title_before(s.text[max(0, start - 60) : start], forms)
            if country:
                country_links[full][country] += 1
            if title:
                title_holders[_title_key(title)].add(full)
            after = re.match(
                r",\s+(?:(?:the|a|an)\s+)?(?P<country>[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)?)(?:’s|'s)?\s+(?P<title>[\w -]{3,40}?)(?:,|\.|$)",
                s.text[end : end + 60],
            )
            if after and any(w.lower() in _ROLE_WORDS for w in after.group("title").split()):
                country = forms.get(clean(after.group("country")).lower())
                if country:
                    country_links[full][country] += 1
    titles: dict[str, list[str]] = defaultdict(list)
    for title, holders in title_holders.items():
        if len(holders) == 1 and title:
            titles[next(iter(holders))].append(title)
    return {full: [c for c, _ in counts.most_common()] for full, counts in country_links.items()}, titles


_NOT_TITLE_START = frozenset("the its his her their when while as after before and but a an in at".split())


def _title_key(title: str) -> str:
    """ "Its prime minister" -> "Prime Minister"; "" unless the phrase ends with a title word."""
    words = [w for w in title.split() if w[:1].isupper() or w.lower() in TITLE_WORDS]
    while words and words[0].lower() in _NOT_TITLE_START:
        words = words[1:]
    if not words or words[-1].lower() not in TITLE_WORDS:
        return ""
    return " ".join(w[:1].upper() + w[1:] for w in words)


def _co_occurring(aliases: list[str], people: _Tally, others: _Tally, country_in: list[set[str]]) -> list[str]:
    """The country a person appears with in most sentences, when it clearly leads (2+ and twice the next)."""
    seen = {i for a in aliases for i in (*people.sentences.get(a, ()), *others.sentences.get(a, ()))}
    counts = Counter(c for i in seen for c in country_in[i])
    ranked = counts.most_common(2)
    if ranked and ranked[0][1] >= 2 and (len(ranked) == 1 or ranked[0][1] >= 2 * ranked[1][1]):
        return [ranked[0][0]]
    return []
