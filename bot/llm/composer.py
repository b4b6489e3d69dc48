"""The LLM composer: a chat model writes the answer from numbered sources; the guard checks it.

Same entry point as the extractive `AnswerEngine` (`compose(ask, previous, outlets, article_ids)`),
and the extractive composer stays in charge of everything deterministic:

1. The extractive answer is composed first. Its refusals stand (nothing indexed, a name the
   articles never mention, an outlet that did not report on it, an injection attempt): the model
   is never asked to answer what the articles cannot support.
2. Sources: the extractive answer's sentences, then the best-scored retrieved sentences, up to
   `max_sources`; for "what did X report" and "who reported that" only the extractive ones.
   Sentences that address the model ("Ignore previous instructions …") are never sources.
3. The chain `prompts/answer.txt | chat model | StrOutputParser` writes the answer; the citation
   guard removes unsupported sentences; the kept ones are renumbered 1..n in order of reference.
4. When the model fails (timeout, HTTP error) or fewer than half of its sentences survive, the
   extractive answer is returned as `mode="extractive-fallback"`, with what the guard saw.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable

from ..answer import NOT_IN_ARTICLES, AnswerEngine, Candidate
from ..config import Settings
from ..intent import Ask
from ..models import Answer
from .chat_model import build_chat_model
from .guard import NOT_ANSWERED, CitationGuard, Embed, GuardResult, renumber
from .prompts import load_prompt
from .sources import Source, format_sources, looks_like_instruction

log = logging.getLogger(__name__)

_ONLY_EXTRACTIVE_SOURCES = frozenset({"outlet", "source"})
_HISTORY_TURNS = 6


@dataclass
class _Plan:
    ask: Ask
    extractive: Answer
    sources: list[Source]
    planted: list[str]

    @property
    def inputs(self) -> dict[str, str]:
        """The variables of prompts/answer.txt."""
        return {"question": self.ask.text, "sources": format_sources(self.sources), "not_answered": NOT_ANSWERED}


class LLMComposer:
    """Answers written by a chat model and checked by the citation guard, falling back to extractive."""

    def __init__(self, extractive: AnswerEngine, model: BaseChatModel, max_sources: int = 8, embed: Embed | None = None) -> None:
        if max_sources < 1:
            raise ValueError(f"max_sources must be >= 1, got {max_sources}")
        self.extractive = extractive
        self.model = model
        self.max_sources = max_sources
        self.embed = embed
        self.answer_chain: Runnable[dict[str, str], str] = load_prompt("answer") | model | StrOutputParser()
        self.condense_chain: Runnable[dict[str, str], str] = load_prompt("condense") | model | StrOutputParser()

    @classmethod
    def from_settings(cls, settings: Settings, extractive: AnswerEngine) -> LLMComposer:
        """The composer for `BRIEFBOT_ANSWER_MODE=llm`; the guard's cosine uses the index's MiniLM."""
        return cls(extractive, build_chat_model(settings), settings.llm_max_sources, embed=extractive.index.embedder.encode)

    # ----- answering -------------------------------------------------------------------------
    def compose(
        self, ask: Ask, previous: Answer | None = None, outlets: list[str] | None = None, article_ids: list[str] | None = None
    ) -> Answer:
        """The guarded LLM answer, or the extractive one (see the module docstring)."""
        plan = self._plan(ask, previous, outlets, article_ids)
        if isinstance(plan, Answer):
            return plan
        try:
            reply = self.answer_chain.invoke(plan.inputs)
        except Exception as exc:  # timeouts, HTTP errors, malformed replies: all mean "no LLM answer"
            return self._model_failed(plan, exc)
        return self._finish(plan, reply)

    def stream(
        self, ask: Ask, previous: Answer | None = None, outlets: list[str] | None = None, article_ids: list[str] | None = None
    ) -> Iterator[str | Answer]:
        """The model's tokens as they arrive (str), then the final `Answer`.

        The guard runs after the last token, so the final answer can differ from the joined
        tokens (sentences removed, attribution added, or the extractive fallback): clients must
        render the final `Answer.answer`.
        """
        plan = self._plan(ask, previous, outlets, article_ids)
        if isinstance(plan, Answer):
            yield plan.answer
            yield plan
            return
        parts: list[str] = []
        try:
            for piece in self.answer_chain.stream(plan.inputs):
                parts.append(piece)
                yield piece
        except Exception as exc:
            yield self._model_failed(plan, exc)
            return
        yield self._finish(plan, "".join(parts))

    def condense(self, question: str, history: list[str]) -> str | None:
        """A standalone version of a follow-up, written by the model; None when that fails."""
        if not history:
            return question
        try:
            reply = self.condense_chain.invoke(condense_inputs(question, history))
        except Exception as exc:
            log.warning("condensing the follow-up failed, using rule-based resolution: %s", _describe(exc))
            return None
        lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
        if not lines:
            return None
        standalone = re.sub(r"^(?:standalone\s+question|question)\s*:\s*", "", lines[0], flags=re.IGNORECASE).strip(" \"“”'")
        if not standalone or len(standalone) > max(300, 3 * len(question)):
            return None
        return standalone

    # ----- steps -----------------------------------------------------------------------------
    def _plan(self, ask: Ask, previous: Answer | None, outlets: list[str] | None, article_ids: list[str] | None) -> _Plan | Answer:
        extractive = self.extractive.compose(ask, previous=previous, outlets=outlets, article_ids=article_ids)
        if not extractive.grounded or not extractive.citations:
            return extractive
        sources, planted = self._sources(ask, extractive, outlets, article_ids)
        if not sources:
            return extractive
        return _Plan(ask, extractive, sources, planted)

    def _sources(
        self, ask: Ask, extractive: Answer, outlets: list[str] | None, article_ids: list[str] | None
    ) -> tuple[list[Source], list[str]]:
        chunks = self.extractive.index.chunks()
        candidates: list[Candidate] = []
        for citation in extractive.citations:
            chunk = chunks.get(citation.chunk_id)
            sentence = next((s for s in chunk.sentences if s.start == citation.start), None) if chunk else None
            if chunk and sentence:
                candidates.append(Candidate(sentence, chunk, 1.0, 1.0, 1.0))
        if ask.intent not in _ONLY_EXTRACTIVE_SOURCES:
            candidates += self.extractive.ranked(ask, outlets, article_ids)
        sources: list[Source] = []
        planted: list[str] = []
        seen: set[tuple[str, int]] = set()
        for c in candidates:
            key = (c.chunk.article_id, c.sentence.start)
            if key in seen:
                continue
            seen.add(key)
            if looks_like_instruction(c.sentence.text):
                planted.append(c.sentence.text)
            elif len(sources) < self.max_sources:
                sources.append(Source(len(sources) + 1, c.sentence, c.chunk, self.extractive.clarified(c)))
        return sources, planted

    def _finish(self, plan: _Plan, reply: str) -> Answer:
        guard = CitationGuard(self.embed, self.extractive.index.outlets()).check(reply, plan.sources, plan.planted)
        report = _report(guard)
        if guard.removed:
            log.info("citation guard removed %d of %d sentences: %s", len(guard.removed), guard.written,
                     "; ".join(f"{r.check}: {r.reason}" for r in guard.removed))
        claims = [k for k in guard.kept if k.cited]
        if guard.not_answered and not claims:
            return Answer(
                answer=NOT_IN_ARTICLES + " The indexed articles don't answer that.", grounded=False, citations=[],
                intent=plan.ask.intent, mode="llm", resolved_question=plan.ask.text, guard=report,
            )
        if not guard.enough:
            why = "nothing the model wrote" if not claims else f"only {len(claims)} of {guard.written} sentences"
            return self._fallback(plan, report, f"{why} passed the citation guard")
        mapping: dict[int, int] = {}
        for kept in claims:
            for n in kept.cited:
                mapping.setdefault(n, len(mapping) + 1)
        by_n = {s.n: s for s in plan.sources}
        text = " ".join(renumber(k.text, mapping) for k in guard.kept)
        citations = [by_n[n].citation(m) for n, m in mapping.items()]
        return Answer(
            answer=text, grounded=True, citations=citations, intent=plan.ask.intent, mode="llm",
            resolved_question=plan.ask.text, guard=report,
        )

    def _model_failed(self, plan: _Plan, exc: Exception) -> Answer:
        log.warning("the language model failed, answering extractively: %s", _describe(exc))
        return self._fallback(plan, _report(GuardResult()), f"the language model did not answer ({_describe(exc)})")

    @staticmethod
    def _fallback(plan: _Plan, report: dict[str, Any], reason: str) -> Answer:
        return replace(plan.extractive, mode="extractive-fallback", guard={**report, "fallback": reason})


def condense_inputs(question: str, history: list[str]) -> dict[str, str]:
    """The variables of prompts/condense.txt."""
    return {"history": "\n".join(f"- {h}" for h in history[-_HISTORY_TURNS:]), "question": question}


def _report(guard: GuardResult) -> dict[str, Any]:
    return {**guard.to_dict(), "fallback": None}


def _describe(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__
