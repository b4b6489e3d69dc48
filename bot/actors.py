"""Actors and their aliases ("Putin", "Moscow", "the Kremlin" → Russia), configurable by file.

The defaults cover the bundled material; `BRIEFBOT_ALIASES_FILE` (JSON: `{"Actor": ["alias", …]}`,
optionally `{"people": [...]}` for who "he"/"she" can stand for) adds or replaces groups.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_ACTORS: dict[str, list[str]] = {
    "Russia": ["Putin", "Vladimir Putin", "Russia", "Russian", "Russians", "Moscow", "Kremlin"],
    "Ukraine": ["Zelenskyy", "Zelensky", "Zelenskiy", "Volodymyr Zelenskyy", "Ukraine", "Ukrainian", "Ukrainians", "Kyiv", "Kiev"],
    "Europe": ["Europe", "European", "Europeans", "European leaders", "European capitals", "EU", "European Union", "Brussels"],
    "United States": ["Trump", "Donald Trump", "Washington", "U.S.", "US", "USA", "United States", "America", "American", "White House"],
}
DEFAULT_PEOPLE = ["Putin", "Vladimir Putin", "Zelenskyy", "Zelensky", "Zelenskiy", "Volodymyr Zelenskyy", "Trump", "Donald Trump"]


@dataclass(frozen=True)
class Mention:
    actor: str
    surface: str
    start: int
    person: bool


@dataclass
class Actors:
    """Alias groups with a compiled matcher."""

    groups: dict[str, list[str]] = field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_ACTORS.items()})
    people: list[str] = field(default_factory=lambda: list(DEFAULT_PEOPLE))

    def __post_init__(self) -> None:
        self._by_alias: dict[str, str] = {}
        for actor, aliases in self.groups.items():
            for alias in (actor, *aliases):
                self._by_alias[alias.lower()] = actor
        self._people = {p.lower() for p in self.people}
        alternation = "|".join(
            re.escape(a) if not (a.isupper() and len(a) <= 3) else rf"(?-i:{re.escape(a)})"
            for a in sorted(self._by_alias_surface(), key=len, reverse=True)
        )
        self._pattern = re.compile(rf"(?<![\w-])(?:the\s+)?({alternation})(?:’s|'s)?(?![\w])", re.IGNORECASE)

    def _by_alias_surface(self) -> list[str]:
        return [alias for actor, aliases in self.groups.items() for alias in (actor, *aliases)]

    @classmethod
    def from_file(cls, path: Path | None) -> Actors:
        if path is None:
            return cls()
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{path}: aliases file must be a JSON object of actor -> [aliases]")
        people = data.pop("people", [])
        groups = {k: list(v) for k, v in DEFAULT_ACTORS.items()}
        for actor, aliases in data.items():
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise ValueError(f"{path}: aliases of {actor!r} must be a list of strings")
            groups[actor] = aliases
        return cls(groups=groups, people=[*DEFAULT_PEOPLE, *people])

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

    def actors_in(self, text: str) -> list[str]:
        seen: dict[str, None] = {}
        for m in self.mentions(text):
            seen.setdefault(m.actor, None)
        return list(seen)

    def aliases(self, actor: str) -> list[str]:
        return [actor, *self.groups.get(actor, [])]
