"""Actors and their aliases ("Moscow", "the Kremlin", "Russian" → Russia).

`Actors.from_corpus(sentences, configured)` builds them from the indexed articles (named entities
grouped by `index.actors`) plus an optional aliases file; `BRIEFBOT_ALIASES_FILE` (JSON:
`{"Actor": ["alias", …]}`, optionally `{"people": [...]}` for who "he"/"she" can stand for) adds or
replaces groups: a configured alias belongs to its configured actor only. No actor list is built in;
the bundled seed's grouping (Putin with Russia, Zelenskyy with Ukraine, Trump with the United States,
which the seed article itself never spells out) is `data/aliases.json`, which `make run` configures.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from index import Sentence
from index.actors import find_actors
from index.attribution import OUTLETS

_CAPITALISED = re.compile(r"\b[A-Z][\w’'-]*[a-z](?:\s+(?:[A-Z]\.\s+)*[A-Z][\w’'-]*[a-z])*")  # "Tomas K. Brenn"


@dataclass(frozen=True)
class Mention:
    actor: str
    surface: str
    start: int
    person: bool


@dataclass
class Actors:
    """Alias groups with a compiled matcher."""

    groups: dict[str, list[str]] = field(default_factory=dict)
    people: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_alias: dict[str, str] = {}
        for actor, aliases in self.groups.items():
            for alias in (actor, *aliases):
                self._by_alias[alias.lower()] = actor
        self._people = {p.lower() for p in self.people}
        alternation = "|".join(
            re.escape(a) if not (a.isupper() and len(a) <= 3) else rf"(?-i:{re.escape(a)})"
            for a in sorted(self.names(), key=len, reverse=True)
        )
        self._pattern = re.compile(rf"(?<![\w-])(?:the\s+)?({alternation})(?:’s|'s)?(?![\w])", re.IGNORECASE)

    def names(self) -> list[str]:
        """Every actor's name and alias, as the articles (or the aliases file) spell them."""
        return [alias for actor, aliases in self.groups.items() for alias in (actor, *aliases)]

    @classmethod
    def from_corpus(
        cls, sentences: Iterable[Sentence], configured: Path | None = None, min_mentions: int = 2,
        outlets: Iterable[str] = (),
    ) -> Actors:
        """Actors found in the articles' named entities, plus the groups of an aliases file.

        A country's group holds its names, capital, demonyms and seat of government; a person
        whose title names a country ("Iranian Foreign Minister Abbas Araghchi") joins that
        country's group (their names still count as people, for "he"/"she"); other people and
        organisations mentioned at least `min_mentions` times get their own group. Outlets (the
        lexicon's, `outlets`, and those the sentences are attributed to) are never actors.
        """
        items = list(sentences)
        not_actors = {o.lower() for o in (*OUTLETS, *(v for vs in OUTLETS.values() for v in vs), *outlets)}
        not_actors |= {o.lower() for s in items for o in s.outlets}
        groups: dict[str, list[str]] = {}
        people: list[str] = []
        found = find_actors(items, min_mentions=1)
        countries = {g.name for g in found if g.kind == "country"}
        for group in found:
            if group.name.lower() in not_actors or group.kind == "place":
                continue
            if group.kind == "person":
                people.extend(group.aliases)
                home = next((c for c in group.links if c in countries), None)
                if home:  # linked by a title: one actor with its country
                    groups.setdefault(home, []).extend(group.aliases)
                    continue
            if group.mentions < min_mentions and group.kind != "country":
                continue
            groups.setdefault(group.name, []).extend(a for a in group.aliases if a.lower() not in not_actors)
        if configured is not None:
            extra, extra_people = _read_aliases(Path(configured))
            # a configured alias belongs to its configured actor only: "Putin" in Russia's group
            # leaves the corpus's own "Putin" group empty, and an emptied group goes
            taken = {a.lower() for actor, aliases in extra.items() for a in (actor, *aliases)}
            groups = {k: [a for a in v if a.lower() not in taken] for k, v in groups.items() if k.lower() not in taken}
            groups = {k: v for k, v in groups.items() if v}
            groups.update(extra)
            people.extend(extra_people)
        return cls(groups={k: list(dict.fromkeys(v)) for k, v in groups.items()}, people=list(dict.fromkeys(people)))

    def extended(self, names: list[str]) -> Actors:
        """A copy that also knows `names` (actors found in a question but not configured).

        A name ending in "a" also matches its demonym: Kestria → Kestrian(s).
        """
        groups = {k: list(v) for k, v in self.groups.items()}
        for name in names:
            if name.lower() in self._by_alias:
                continue
            aliases = [name]
            if name.endswith("a"):
                aliases += [name + "n", name + "ns"]
            groups[name] = aliases
        return Actors(groups=groups, people=list(self.people))

    def mentions(self, text: str) -> list[Mention]:
        """Actor mentions in order of appearance."""
        out = []
        for m in self._pattern.finditer(text):
            surface = m.group(1)
            actor = self._by_alias.get(surface.lower())
            if actor:
                out.append(Mention(actor, surface, m.start(1), surface.lower() in self._people))
        return out

    def people_named(self, text: str) -> list[str]:
        """Names in `text`, as written, of people the articles name though they are no actor (mentioned
        once, or spelt differently: "Shou Chew" for "Shou Zi Chew"): a capitalised name any of whose
        words is a person's alias."""
        return [m.group(0) for m in _CAPITALISED.finditer(text)
                if any(w.lower() in self._people for w in (m.group(0), *m.group(0).split()))]

    def actors_in(self, text: str) -> list[str]:
        seen: dict[str, None] = {}
        for m in self.mentions(text):
            seen.setdefault(m.actor, None)
        return list(seen)

    def aliases(self, actor: str) -> list[str]:
        return [actor, *self.groups.get(actor, [])]


def _read_aliases(path: Path) -> tuple[dict[str, list[str]], list[str]]:
    """(actor -> aliases, people) from an aliases file; `ValueError` naming the file when malformed."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: aliases file must be a JSON object of actor -> [aliases]")
    people = data.pop("people", [])
    if not isinstance(people, list) or not all(isinstance(p, str) for p in people):
        raise ValueError(f"{path}: 'people' must be a list of strings")
    groups: dict[str, list[str]] = {}
    for actor, aliases in data.items():
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise ValueError(f"{path}: aliases of {actor!r} must be a list of strings")
        groups[actor] = list(aliases)
    return groups, people
