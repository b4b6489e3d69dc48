"""Resolve follow-up questions against the conversation: pronouns and elliptical asks."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .actors import Actors, Mention

_PRONOUN = re.compile(r"\b(he|him|his|she|her|they|them|their|it|its|that|this|those|these|there)\b", re.IGNORECASE)
_ELLIPTIC_START = re.compile(r"^\s*(and|but|so|also|what\s+about|how\s+about|and\s+what\s+about|why|under\s+what)\b", re.IGNORECASE)
_WHAT_ABOUT = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(?P<rest>.+?)\??\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Resolved:
    """The question as asked, the standalone version used for retrieval, and whether it leaned on history."""

    asked: str
    text: str
    followup: bool
    current: str  # the asked question with pronouns replaced, without appended context


def resolve(question: str, previous: list[str], actors: Actors, previous_answer: str = "",
            answer_people: list[str] | None = None) -> Resolved:
    """Rewrite `question` into a standalone ask using the earlier resolved questions (oldest first).

    A pronoun with no antecedent in the last question ("Which detainee was freed?" → "Why had she
    been locked up?") takes the person the previous answer was about: an actor it mentions, else
    the first person its cited sentences name (`answer_people`, from the index's entities).
    """
    asked = question.strip()
    if not previous:
        return Resolved(asked, asked, False, asked)
    last = previous[-1]
    own = actors.mentions(asked)
    what_about = _WHAT_ABOUT.match(asked)
    if what_about and own:
        # "What about Zelenskyy?" after "What is Putin's position?" → "What is Zelenskyy's position?"
        prev_mentions = actors.mentions(last)
        if prev_mentions:
            # every mention of that actor: the last question may carry its own context ("What did Babayev
            # say at the closing? Who is Mukhtar Babayev?"), which must not pull the answer back to Babayev
            swapped = last
            for m in reversed([m for m in prev_mentions if m.actor == prev_mentions[0].actor]):
                swapped = swapped[: m.start] + own[0].surface + swapped[m.start + len(m.surface) :]
            return Resolved(asked, swapped, True, swapped)
        return Resolved(asked, f"{what_about.group('rest')} {last}", True, asked)
    # a person the last question named who is no actor ("Who is Shou Chew?") comes before anyone the answer named
    named = actors.people_named(last)
    if not own:
        substituted = _replace_pronouns(asked, actors.mentions(last), actors.mentions(previous_answer), people=answer_people,
                                        named=named)
    elif not any(m.person for m in own):
        # "how big a stake did he want the US side to hold?": the US is named, "he" is still the last person
        substituted = _replace_pronouns(asked, actors.mentions(last), actors.mentions(previous_answer), people_only=True,
                                        people=answer_people, named=named)
    else:
        substituted = asked
    has_pronoun = bool(_PRONOUN.search(asked))
    short = len(re.findall(r"\w+", asked)) <= 5
    # "And how did Hamas respond?" names its actor, yet responds to what the last question was about
    needs_context = bool(_ELLIPTIC_START.match(asked)) or (not own and (has_pronoun or short))
    if not needs_context:
        return Resolved(asked, substituted, substituted != asked, substituted)
    return Resolved(asked, f"{substituted} {last}", True, substituted)


def _replace_pronouns(question: str, mentions: list[Mention], answered: list[Mention] | None = None,
                      people_only: bool = False, people: list[str] | None = None, named: list[str] | None = None) -> str:
    """Pronouns replaced by who they stand for: a person the last question mentions (an actor, else
    one it `named`), else one the previous answer mentions, else the first of the answer's `people`."""
    asked_people = [m for m in mentions if m.person]
    persons = asked_people or ([] if named else [m for m in answered or [] if m.person])
    names = [m.surface for m in persons] or list(named or []) or list(people or [])[:1]
    if not mentions and not names:
        return question
    groups = [m for m in mentions if not m.person] or mentions or persons
    subject = names[0] if names else None
    obj = names[1] if len(names) > 1 else subject

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        lower = word.lower()
        if lower == "he" or lower == "she":
            return subject or word
        if lower in ("him",) or (lower == "her" and obj):
            return obj or word
        if lower == "his":
            return f"{subject}'s" if subject else word
        if lower in ("they", "them"):
            return groups[0].surface if groups else word
        if lower == "their":
            return f"{groups[0].surface}'s" if groups else word
        return word

    pronouns = r"\b(he|him|his|she|her)\b" if people_only else r"\b(he|him|his|she|her|they|them|their)\b"
    return re.sub(pronouns, swap, question, flags=re.IGNORECASE)
