"""Writing chosen sentences into an answer: `[n]` markers, the outlet named, analysis labelled."""

from __future__ import annotations

import re
from collections.abc import Callable

from index import KnowledgeIndex

from ..actors import Actors, Mention
from ..models import Answer, Citation
from ..rendering import balanced_quotes, citation_for, join_names, mark, render_sentence, render_source
from .features import Candidate


class AnswerWriter:
    """Stored sentences, lightly framed, so every claim is verbatim-backed by its citation."""

    def __init__(self, index: KnowledgeIndex, actors: Callable[[], Actors]) -> None:
        self.index = index
        self.actors = actors  # the engine's current actors

    def run(self, chosen: list[Candidate], intent: str, question: str, attribution_first: bool = False,
            lead: str | None = None) -> Answer:
        citations: list[Citation] = []
        parts: list[str] = [lead] if lead else []
        previous_kind: str | None = None
        unnamed = 0  # sentences of the current passage written so far without their outlet
        open_quote: str | None = None  # the mark that closes a quote the passage has open
        for k, c in enumerate(chosen):
            n = len(citations) + 1
            s = c.sentence
            citations.append(citation_for(n, s, c.chunk))
            continued = k + 1 < len(chosen) and _next_in_article(c, chosen[k + 1])
            text, open_quote = balanced_quotes(self.clarified(c), open_quote, continued)
            if attribution_first:
                parts.append(render_source(s, text, n, only=len(chosen) == 1))
            elif k + 1 < len(chosen) and _same_statement(c, chosen[k + 1]) and unnamed < 2:
                parts.append(mark(text, n))  # one passage over a few sentences: its outlet is named at its end
                unnamed += 1
                continue
            else:
                parts.append(render_sentence(s, text, n, c.chunk.publisher, previous_kind == "analysis"))
            previous_kind = s.kind
            unnamed = 0
        return Answer(answer=" ".join(parts), grounded=True, citations=citations, intent=intent, resolved_question=question)

    def false_premise(self, asked_outlet: str, chosen: list[Candidate], intent: str, question: str) -> Answer:
        """'Al Jazeera did not report that; POLITICO reported that … [1]' — grounded and cited."""
        first = chosen[0]
        who = join_names(list(first.sentence.outlets)) or first.chunk.publisher or "the article"
        lead = f"{asked_outlet} did not report that in these articles; {who} did:"
        return self.run(chosen, intent, question, lead=lead)

    def overview(self, leads: list[Candidate], question: str) -> Answer:
        """The lead of each article, each naming its outlet."""
        return self.run(leads, "overview", question)

    def clarified(self, c: Candidate) -> str:
        """'In Moscow, he said …' → 'In Moscow, he (Putin) said …' when the article just named him.

        Parentheses, not brackets: `[n]` is reserved for citation markers.
        """
        text = c.sentence.text
        end, people = self.antecedents(c)
        if not people:
            return text
        return text[:end] + f" ({people[-1].surface})" + text[end:]

    def antecedents(self, c: Candidate, book: Actors | None = None, possessive: bool = False) -> tuple[int, list[Mention]]:
        """Who a leading 'he'/'she' ('his'/'her' too when `possessive`) may be: the people the article
        named in the 400 characters before the sentence, in order (the last is likeliest), among `book`'s
        people (the engine's actors when None), with the pronoun's end offset; none when the sentence
        names a person before its pronoun."""
        text = c.sentence.text
        match = (_POSSESSIVE if possessive else _PRONOUN).search(text[:60])
        if not match:
            return 0, []
        book = book or self.actors()
        if any(m.person for m in book.mentions(text[: match.start()])):
            return 0, []
        before = self.index.text_before(c.chunk, c.sentence.start, 400)
        return match.end(), [m for m in book.mentions(before) if m.person]


_PRONOUN = re.compile(r"\b(he|she)\b", re.IGNORECASE)
_POSSESSIVE = re.compile(r"\b(he|she|his|her)\b", re.IGNORECASE)


def _next_in_article(a: Candidate, b: Candidate) -> bool:
    return a.chunk.article_id == b.chunk.article_id and b.chunk.position == a.chunk.position + 1


def _same_statement(a: Candidate, b: Candidate) -> bool:
    """`b` is the next sentence of `a`'s article, reported by the same outlets: one passage to the reader."""
    return (_next_in_article(a, b) and a.sentence.kind == b.sentence.kind == "reported" and a.sentence.outlets == b.sentence.outlets)


def refuse(message: str, intent: str, question: str) -> Answer:
    return Answer(answer=message, grounded=False, citations=[], intent=intent, resolved_question=question)


__all__ = ["AnswerWriter", "mark", "refuse"]
