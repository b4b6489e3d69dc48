"""A deterministic generator of realistic news/analysis articles for the benchmarks."""

from __future__ import annotations

import json
import random
from pathlib import Path

ACTORS = ["Valdoria", "Kestria", "the European Union", "Washington", "Beijing", "Ankara", "the United Nations",
          "the Arctic Council", "Brazil", "India", "the African Union", "Norway", "Japan", "Mexico"]
PEOPLE = ["Prime Minister Tomas Rell", "Foreign Minister Leon Halvik", "envoy Marit Solberg", "President Ana Costa",
          "Chancellor Erik Vahl", "Minister Ilse Varga", "Secretary Dana Moore", "Ambassador Petra Lind"]
OUTLETS = ["Reuters", "AP", "AFP", "BBC", "POLITICO", "Al Jazeera", "Bloomberg", "Axios", "The Guardian",
           "Financial Times", "CNN", "Deutsche Welle"]
TOPICS = ["a ceasefire", "grain exports", "a port strike", "water rights", "sanctions relief", "a gas pipeline",
          "fishing quotas", "a border crossing", "tariffs on steel", "a prisoner exchange", "debt relief",
          "an election timetable", "a nuclear inspection", "a rail corridor", "carbon border taxes"]
VERBS = ["pressed for", "rejected", "proposed", "warned against", "welcomed", "demanded", "signalled support for",
         "questioned", "offered to discuss", "refused to rule out"]
PLACES = ["Geneva", "Vienna", "Istanbul", "Nairobi", "Oslo", "Doha", "Brussels", "Singapore", "Lima", "Rabat"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "March 12", "May 15", "June 3", "next week"]
ANALYSIS = [
    "The real question is whether {a} can afford to be seen compromising before {d}.",
    "That matters because {a} gains leverage if the talks drag on, while {b} loses time it does not have.",
    "In other words, {a} wants the process, not the outcome.",
    "The risk for {b} is that a deal on {t} becomes a deal on everything else as well.",
    "Who gains is clear enough: {a} benefits if {t} becomes a technical question rather than a political one.",
    "It is a familiar move: signal flexibility while preserving the right to define the result.",
]
REPORTED = [
    "{p} said on {d} that {a} {v} {t}, according to {o}.",
    "{a} {v} {t} in talks in {pl}, {o} reported.",
    "{o} reported that {p} met counterparts from {b} in {pl} on {d}.",
    "Negotiators from {a} and {b} are expected to meet again in {pl} on {d}, {o} and {o2} reported.",
    "{p} told {o} that {a} would not accept {t} without guarantees.",
    "{o}, citing two officials, said {a} had {v} {t} in private.",
    "Officials in {a} {v} {t} after a late-night session, the {o} report said.",
]
PLAIN = [
    "{a} {v} {t} on {d}, officials said.",
    "The delegation from {a} arrived in {pl} late on {d}.",
    "{p} is due to brief lawmakers on {t} before the end of the month.",
    "Markets in {b} moved little after the announcement on {t}.",
]


def _sentence(rng: random.Random, pool: list[str]) -> str:
    a, b = rng.sample(ACTORS, 2)
    o, o2 = rng.sample(OUTLETS, 2)
    s = rng.choice(pool).format(a=a, b=b, p=rng.choice(PEOPLE), o=o, o2=o2, t=rng.choice(TOPICS), v=rng.choice(VERBS),
                                pl=rng.choice(PLACES), d=rng.choice(DAYS))
    return s[0].upper() + s[1:]


def article(rng: random.Random, index: int, words: int) -> dict[str, str]:
    """One article of about `words` words: paragraphs of reported, plain and analysis sentences."""
    paragraphs: list[str] = []
    count = 0
    while count < words:
        if len(paragraphs) % 4 == 3:
            paragraphs.append(rng.choice(["What to watch next", "Who gains, who loses", "The state of play"]))
        sentences = [_sentence(rng, rng.choice([REPORTED, REPORTED, PLAIN, ANALYSIS])) for _ in range(rng.randint(2, 4))]
        paragraphs.append(" ".join(sentences))
        count += sum(len(s.split()) for s in sentences)
    topic = rng.choice(TOPICS)
    return {
        "id": f"bench-{index:04d}",
        "title": f"{rng.choice(ACTORS).capitalize()} and {rng.choice(ACTORS)} at odds over {topic} ({index})",
        "outlet": rng.choice(OUTLETS),
        "published_at": f"2026-0{rng.randint(1, 9)}-{rng.randint(10, 28)}",
        "text": "\n".join(paragraphs),
    }


def write_corpus(folder: Path, articles: int, words: int, seed: int = 7) -> Path:
    """Write `articles` records as one JSONL file; returns its path."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench-corpus.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for i in range(articles):
            f.write(json.dumps(article(rng, i, words), ensure_ascii=False) + "\n")
    return path
