"""The briefing: who wants what, what happens next, who gains or loses, who reported what.

Everything in a briefing is a stored sentence, cited exactly like `/v1/ask` citations; the
sections only choose and group sentences, so nothing appears that the articles do not say.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from index import Chunk, KnowledgeIndex, Sentence, tokenize
from index.attribution import OUTLETS

from .actors import Actors
from .cues import DATE, GAIN_CUES, LOSS_CUES, MONTHS, NUMBER, POSITION_CUES
from .models import Citation
from .rendering import citation_for, render_sentence

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH_NUMBERS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_FUTURE = re.compile(
    r"\b(will|would|expected\s+to|due\s+to|is\s+to|are\s+to|scheduled|planned|deadline|next|upcoming|whether|"
    r"unless|if)\b",
    re.IGNORECASE,
)
_CONDITIONAL = re.compile(r"\b(if|unless|whether)\b", re.IGNORECASE)
_TITLES = re.compile(
    r"^(?:(?:Prime|Foreign|Deputy|Defence|Defense|Finance|Water|Interior)\s+Minister|Minister|President|Chancellor|"
    r"Secretary(?:\s+of\s+State)?|Ambassador|Envoy|UN\s+envoy|Mr|Mrs|Ms|Dr|Gen|General|King|Queen|Sheikh)\.?\s+"
)
_NAME = re.compile(r"\b[A-Z][\w’'-]*[a-z][\w’'-]*(?:\s+[A-Z][\w’'-]*[a-z][\w’'-]*){0,2}")
_NOT_ACTORS = frozenset(
    "the this that these those it its in on at for if but and or so any some such there who what how when where "
    "after before while as with from by of to a an he she they we his her their our monday tuesday wednesday "
    "thursday friday saturday sunday january february march april may june july august september october "
    "november december who gains loses what next watch analysis article officials one two three".split()
)
MAX_ACTORS = 8
MAX_PER_ACTOR = 3
MAX_NEXT = 6


@dataclass
class BriefItem:
    """One cited line of the briefing."""

    text: str
    citations: list[int]
    kind: str
    outlets: list[str]
    actor: str | None = None
    effect: str | None = None  # "gains" | "loses"
    when: list[str] = field(default_factory=list)  # date expressions as written
    dates: list[str] = field(default_factory=list)  # resolved against published_at when possible
    conditional: bool = False


@dataclass
class ActorPositions:
    actor: str
    aliases: list[str]
    items: list[BriefItem]


@dataclass
class OutletClaims:
    outlet: str
    items: list[BriefItem]


@dataclass
class Difference:
    """Outlets reporting the same point with different details, side by side."""

    point: str
    versions: list[BriefItem]


@dataclass
class Briefing:
    articles: list[str]
    index_version: int
    topic: str | None
    positions: list[ActorPositions] = field(default_factory=list)
    next_steps: list[BriefItem] = field(default_factory=list)
    gains_losses: list[BriefItem] = field(default_factory=list)
    by_outlet: list[OutletClaims] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def empty(self) -> bool:
        return not (self.positions or self.next_steps or self.gains_losses or self.by_outlet)


@dataclass(frozen=True)
class _Entry:
    sentence: Sentence
    chunk: Chunk

    @property
    def key(self) -> tuple[str, int]:
        return (self.chunk.article_id, self.sentence.start)


class _Registry:
    """Numbers each cited sentence once across the whole briefing."""

    def __init__(self) -> None:
        self.citations: list[Citation] = []
        self._numbers: dict[tuple[str, int], int] = {}

    def item(self, entry: _Entry, **extra: Any) -> BriefItem:
        n = self._numbers.get(entry.key)
        if n is None:
            n = len(self.citations) + 1
            self._numbers[entry.key] = n
            self.citations.append(citation_for(n, entry.sentence, entry.chunk))
        s = entry.sentence
        text = render_sentence(s, s.text, n, entry.chunk.publisher, continues_analysis=False)
        return BriefItem(text=text, citations=[n], kind=s.kind, outlets=list(s.outlets), **extra)


class Briefer:
    """Builds briefings from the live index."""

    def __init__(self, index: KnowledgeIndex, actors: Actors) -> None:
        self.index = index
        self.actors = actors

    def brief(self, topic: str | None = None, article_ids: list[str] | None = None, outlets: list[str] | None = None) -> Briefing:
        entries = self._entries(topic, article_ids, outlets)
        registry = _Registry()
        book = self._discover_actors(entries)
        briefing = Briefing(
            articles=sorted({e.chunk.article_id for e in entries}), index_version=self.index.version, topic=topic,
        )
        briefing.positions = self._positions(entries, book, registry)
        briefing.next_steps = self._next_steps(entries, registry)
        briefing.gains_losses = self._gains_losses(entries, book, registry)
        briefing.by_outlet = [
            claims for claims in self._by_outlet(entries, registry)
            if not outlets or claims.outlet.lower() in {o.lower() for o in outlets}
        ]
        briefing.differences = self._differences(entries, registry)
        briefing.citations = registry.citations
        return briefing

    # ----- material ------------------------------------------------------------------------
    def _entries(self, topic: str | None, article_ids: list[str] | None, outlets: list[str] | None) -> list[_Entry]:
        chunks = self.index.chunks()
        if topic:
            allowed = {p.chunk.id for p in self.index.search(topic, k=40, article_ids=article_ids, per_article=40)}
        else:
            allowed = set(chunks)
        wanted_outlets = {o.lower() for o in outlets or []}
        entries = []
        for chunk in sorted(chunks.values(), key=lambda c: (c.article_id, c.position)):
            if chunk.id not in allowed or (article_ids and chunk.article_id not in article_ids):
                continue
            for s in chunk.sentences:
                if wanted_outlets and not wanted_outlets & {o.lower() for o in s.outlets}:
                    continue
                entries.append(_Entry(s, chunk))
        return entries

    def _discover_actors(self, entries: list[_Entry]) -> Actors:
        """Configured aliases plus names the articles keep coming back to ("Kestria", "Marit Solberg")."""
        outlet_names = {o.lower() for o in (*OUTLETS, *(v for vs in OUTLETS.values() for v in vs), *self.index.outlets())}
        counts: dict[str, int] = defaultdict(int)
        for e in entries:
            for m in _NAME.finditer(e.sentence.text):
                name = _TITLES.sub("", re.sub(r"(?:’s|'s|’|')$", "", m.group(0))).strip()
                words = name.split()
                while words and words[0].lower() in _NOT_ACTORS:
                    words = words[1:]
                name = " ".join(words)
                if not name or name.lower() in outlet_names or self.actors.actors_in(name):
                    continue
                if any(w.lower() in _NOT_ACTORS or w.upper() == w for w in words):
                    continue
                counts[name] += 1
        common = self._common_words(entries)
        names = sorted(
            (n for n, c in counts.items()
             if c >= 2 and n.lower() not in common and self._acts(n, entries)),
            key=lambda n: (-counts[n], n),
        )
        merged: list[str] = []
        for name in names:
            base = re.sub(r"ns?$", "", name) if name.endswith(("an", "ans")) else name
            if base != name and base in counts:
                continue  # "Valdorian" is Valdoria's demonym; extended() adds it
            if any(name in other.split() or name == other.split()[-1] for other in merged):
                continue  # "Rell" is "Tomas Rell"
            merged.append(name)
        book = self.actors.extended(merged)
        for name in merged:
            for other in names:
                if other != name and len(name.split()) > 1 and other == name.split()[-1]:
                    book.groups[name].append(other)
        return Actors(groups=book.groups, people=book.people + [n for n in merged if len(n.split()) > 1])

    @staticmethod
    def _common_words(entries: list[_Entry]) -> set[str]:
        """Words the articles also write in lower case: 'Talks' at a sentence start is not a name."""
        words: set[str] = set()
        for e in entries:
            words.update(w.lower() for w in re.findall(r"(?<![.!?]\s)\b[a-z][\w’'-]*", e.sentence.text))
        return words

    @staticmethod
    def _acts(name: str, entries: list[_Entry]) -> bool:
        """A name is an actor when the articles have it say, want or do something, not just host talks."""
        acts = re.compile(
            rf"(?:{_TITLES.pattern[1:-4]}\s+)?{re.escape(name)}(?:’s|'s)?\s+(?:\w+\s+){{0,2}}?"
            r"(?:says?|said|wants?|want|demand\w*|offer\w*|insist\w*|warn\w*|press\w*|refus\w*|reject\w*|"
            r"accept\w*|propos\w*|call\w*|told|urg\w*|threat\w*|agree\w*|plan\w*|seek\w*|ask\w*|"
            r"lose\w*|gain\w*|benefit\w*|blame\w*|dispute\w*|won|met|invite\w*)\b"
        )
        titled = re.compile(rf"{_TITLES.pattern[1:]}{re.escape(name)}")
        return any(acts.search(e.sentence.text) or titled.search(e.sentence.text) for e in entries)

    # ----- sections ------------------------------------------------------------------------
    def _positions(self, entries: list[_Entry], book: Actors, registry: _Registry) -> list[ActorPositions]:
        by_actor: dict[str, list[tuple[tuple[int, int, int], _Entry]]] = defaultdict(list)
        surfaces: dict[str, dict[str, None]] = defaultdict(dict)
        for order, e in enumerate(entries):
            text = e.sentence.text
            if not POSITION_CUES.search(text):
                continue
            mentions = book.mentions(text)
            if not mentions:
                continue
            for actor in dict.fromkeys(m.actor for m in mentions):
                subject = mentions[0].actor == actor
                if e.sentence.kind == "analysis" and not subject:
                    continue
                rank = (0 if e.sentence.kind == "reported" else 1, 0 if subject else 1, order)
                by_actor[actor].append((rank, e))
                for m in mentions:
                    if m.actor == actor:
                        surfaces[actor].setdefault(m.surface, None)
        ranked = sorted(by_actor.items(), key=lambda kv: (-sum(1 for r, _ in kv[1] if r[0] == 0), -len(kv[1]), kv[0]))
        out = []
        for actor, found in ranked[:MAX_ACTORS]:
            chosen = [e for _, e in sorted(found, key=lambda x: x[0])[:MAX_PER_ACTOR]]
            chosen.sort(key=lambda e: (e.chunk.article_id, e.sentence.start))
            out.append(ActorPositions(actor, list(surfaces[actor]), [registry.item(e, actor=actor) for e in chosen]))
        return out

    def _next_steps(self, entries: list[_Entry], registry: _Registry) -> list[BriefItem]:
        scored = []
        for order, e in enumerate(entries):
            text = e.sentence.text
            dates = [m.group(0) for m in DATE.finditer(text) if not re.fullmatch(r"\d+-day|(?:19|20)\d{2}", m.group(0))]
            future = bool(_FUTURE.search(text))
            in_watch = bool(re.search(r"next|watch|ahead|coming", e.sentence.section or "", re.IGNORECASE))
            if not (dates and future) and not in_watch and not (dates and e.sentence.kind == "reported"):
                continue
            score = 2.0 * in_watch + 1.0 * bool(dates) + 0.8 * future + 0.5 * (e.sentence.kind == "reported")
            scored.append((-score, order, e, dates))
        scored.sort(key=lambda x: (x[0], x[1]))
        items = []
        for _, _, e, dates in scored[:MAX_NEXT]:
            resolved = [d for d in (resolve_date(w, e.chunk.published_at) for w in dates) if d]
            items.append(registry.item(e, when=dates, dates=resolved, conditional=bool(_CONDITIONAL.search(e.sentence.text))))
        return items

    def _gains_losses(self, entries: list[_Entry], book: Actors, registry: _Registry) -> list[BriefItem]:
        items = []
        for e in entries:
            text = e.sentence.text
            if e.sentence.kind != "analysis" or text.rstrip().endswith("?"):
                continue
            found = _effect(text, book)
            if found:
                actor, effect = found
                items.append(registry.item(e, actor=actor, effect=effect))
        return items

    def _by_outlet(self, entries: list[_Entry], registry: _Registry) -> list[OutletClaims]:
        claims: dict[str, list[_Entry]] = {}
        for e in entries:
            if e.sentence.kind != "reported":
                continue
            for outlet in e.sentence.outlets:
                claims.setdefault(outlet, []).append(e)
        return [OutletClaims(outlet, [registry.item(e) for e in found]) for outlet, found in claims.items()]

    def _differences(self, entries: list[_Entry], registry: _Registry) -> list[Difference]:
        """Reports by different outlets on the same point whose dates or figures differ, side by side.

        Reports cluster when they share at least three content words (Jaccard ≥ 0.3) once dates,
        figures and outlet names are set aside; a cluster is a difference when its outlets state
        more than one set of details. Agreeing reports stay in it as corroboration.
        """
        reported = []
        for e in entries:
            if e.sentence.kind != "reported":
                continue
            details = frozenset(_details(e.sentence.text))
            if details:
                reported.append((e, details, _topic_words(e)))
        out: list[Difference] = []
        used: set[tuple[str, int]] = set()
        for i, (a, da, wa) in enumerate(reported):
            if a.key in used:
                continue
            cluster = [(a, da)]
            for j, (b, db, wb) in enumerate(reported):
                shared = wa & wb
                if j != i and b.key not in used and len(shared) >= 3 and len(shared) / max(1, len(wa | wb)) >= 0.3:
                    cluster.append((b, db))
            if not any(
                set(x.sentence.outlets).isdisjoint(y.sentence.outlets) and not (dx <= dy or dy <= dx)
                for x, dx in cluster for y, dy in cluster
            ):
                continue  # the outlets agree (or one only adds a figure): no difference to show
            used.update(e.key for e, _ in cluster)
            common = set.intersection(*(_topic_words(e) for e, _ in cluster))
            point = " ".join(dict.fromkeys(w for w in re.findall(r"[\w’'-]+", a.sentence.text) if tokenize(w) and tokenize(w)[0] in common))
            out.append(Difference(point=point, versions=[registry.item(e, when=sorted(d)) for e, d in cluster]))
        return out


def _topic_words(e: _Entry) -> set[str]:
    """Content words of a report without its dates, figures and outlet names."""
    text = DATE.sub(" ", e.sentence.text)
    outlet_words = {t for o in e.sentence.outlets for t in tokenize(o)}
    return {w for w in tokenize(text) if not w[:1].isdigit()} - outlet_words - {"report"}


def _effect(text: str, book: Actors) -> tuple[str, str] | None:
    """(actor, "gains"|"loses") when the sentence says who gains or loses: 'Ukraine loses if …',
    'Putin benefits if …', 'For Kyiv, the risk is …'. The cue must follow the actor closely."""
    for mention in book.mentions(text):
        after = text[mention.start + len(mention.surface) :]
        framed = re.match(r"^(?:’s|'s)?,?\s+the\s+(risk|danger|cost)\b", after)
        before = text[: mention.start]
        if framed and re.search(r"\bfor\s+(?:the\s+)?$", before, re.IGNORECASE):
            return mention.actor, "loses"
        window = " ".join(after.split()[:6])
        loss, gain = LOSS_CUES.search(window), GAIN_CUES.search(window)
        if loss or gain:
            first_loss = loss.start() if loss else len(window)
            first_gain = gain.start() if gain else len(window)
            return mention.actor, "loses" if first_loss < first_gain else "gains"
    return None


def _details(text: str) -> set[str]:
    """Dates and figures a sentence states (durations like '30-day' and outlet names excluded)."""
    found = {m.group(0) for m in DATE.finditer(text) if not re.fullmatch(r"\d+-day|weekend", m.group(0))}
    found |= {m.group(0) for m in NUMBER.finditer(text) if m.group(0)[:1].isdigit()}
    return {f for f in found if not any(f in d and f != d for d in found)}


def resolve_date(expression: str, published_at: str | None) -> str | None:
    """'Monday', 'May 15', 'mid-March' or 'next week' as an ISO date, counted from publication.

    A weekday means its next occurrence on or after publication; a month and day (mid-month: the
    15th) takes the publication year (the next year when that would be over two months in the
    past). Other relative phrases ('next week', 'in two weeks', 'next month') are dateparser's,
    relative to the publication date and preferring the future. A bare year, 'weekend', anything
    else, or an unknown publication date stays unresolved (None) and is shown as written.
    """
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", expression):
        return expression
    if not published_at:
        return None
    try:
        base = date.fromisoformat(published_at[:10])
    except ValueError:
        return None
    lowered = expression.lower()
    if lowered in _WEEKDAYS:
        return (base + timedelta(days=(_WEEKDAYS.index(lowered) - base.weekday()) % 7)).isoformat()
    if lowered == "tomorrow":
        return (base + timedelta(days=1)).isoformat()
    if lowered == "today":
        return base.isoformat()
    m = re.fullmatch(rf"({MONTHS})\s+(\d{{1,2}})|(\d{{1,2}})\s+({MONTHS})|mid-?\s*({MONTHS})", expression, re.IGNORECASE)
    if m:
        month_name = (m.group(1) or m.group(4) or m.group(5))[:3].lower()
        day = int(m.group(2) or m.group(3) or 15)
        try:
            candidate = date(base.year, _MONTH_NUMBERS[month_name], day)
        except ValueError:
            return None
        if candidate < base - timedelta(days=62):
            candidate = candidate.replace(year=base.year + 1)
        return candidate.isoformat()
    if re.fullmatch(r"(?:19|20)\d{2}|(?:this\s+)?weekend", lowered):
        return None  # a year or a weekend is not a day
    import dateparser  # lazily: its language data loads on first use

    found = dateparser.parse(expression, languages=["en"], settings={
        "RELATIVE_BASE": datetime(base.year, base.month, base.day), "PREFER_DATES_FROM": "future",
    })
    return found.date().isoformat() if found else None


def to_markdown(briefing: Briefing) -> str:
    """The briefing as Markdown for a terminal or a chat message."""
    lines = ["# Briefing" + (f": {briefing.topic}" if briefing.topic else ""), ""]
    if briefing.empty:
        return "\n".join([*lines, "The indexed articles don't give enough material for a briefing yet."])
    lines += ["## Positions", ""]
    for actor in briefing.positions:
        lines.append(f"**{actor.actor}** ({', '.join(actor.aliases)})")
        lines += [f"- {item.text}" for item in actor.items]
        lines.append("")
    lines += ["## Next steps / what to watch", ""]
    published = {c.n: c.published_at for c in briefing.citations}
    for item in briefing.next_steps:
        resolved = [(w, resolve_date(w, published.get(item.citations[0]))) for w in item.when]
        when = ", ".join(f"{w} ({d})" if d and d != w else w for w, d in resolved)
        lines.append(f"- {'[if] ' if item.conditional else ''}{item.text}" + (f" — _{when}_" if when else ""))
    lines += ["", "## Who gains, who loses (the articles' analysis)", ""]
    for item in briefing.gains_losses:
        lines.append(f"- {item.actor or 'Someone'} {item.effect}: {item.text}")
    lines += ["", "## Who reported what", ""]
    for outlet in briefing.by_outlet:
        lines.append(f"**{outlet.outlet}**")
        lines += [f"- {item.text}" for item in outlet.items]
        lines.append("")
    if briefing.differences:
        lines += ["## Where outlets differ", ""]
        for diff in briefing.differences:
            lines.append(f"- On *{diff.point}*:")
            lines += [f"  - {', '.join(v.outlets)}: {v.text}" for v in diff.versions]
        lines.append("")
    lines += ["## Sources", ""]
    for c in briefing.citations:
        who = ", ".join(c.outlets) if c.kind == "reported" else "analysis"
        lines.append(f"[{c.n}] {who} — {c.article_title}: “{c.quote}”")
    return "\n".join(lines)

