"""`Briefbot`: the library API every client (HTTP, CLI, Slack, eval) talks to."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from index import IngestReport, KnowledgeIndex, ingest_paths, record_from_mapping
from index.embedding import Embedder
from index.entities import NAME_LABELS
from index.ingest import Overrides

from .actors import Actors
from .answer import AnswerEngine
from .briefing import Briefer, Briefing
from .config import Settings
from .conversations import ConversationStore, Turn
from .errors import BadRequest, ConversationNotFound
from .followup import Resolved, resolve
from .intent import Ask, classify, mend_typos
from .models import Answer

if TYPE_CHECKING:
    from .llm import LLMComposer

log = logging.getLogger(__name__)


@dataclass
class Filters:
    outlets: list[str] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)


class Briefbot:
    """Index + composer + conversations, built once per process from `Settings`."""

    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings or Settings()
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.index = KnowledgeIndex(
            self.settings.data_dir, self.settings.chroma_url, embedder, chroma_timeout_s=self.settings.chroma_timeout_s
        )
        self._actors_version = -1
        self._names: list[str] = []
        self.actors = Actors()
        self.conversations = ConversationStore(self.settings.conversations_path)
        self.composer = AnswerEngine(self.index, self.actors, k=self.settings.retrieval_k)
        self.llm: LLMComposer | None = None
        if self.settings.answer_mode == "llm":
            from .llm import LLMComposer  # langchain is only imported when the LLM mode is on

            self.llm = LLMComposer.from_settings(self.settings, self.composer)
        self.briefer = Briefer(self.index, Actors())  # current_actors() fills it
        self._briefings: dict[tuple[object, ...], Briefing] = {}  # LRU: least recently used first
        self._briefing_cache_size = 32  # each holds a whole briefing; a topic is free text, so bound them
        self._briefing_lock = threading.Lock()

    def ready(self) -> None:
        """Load the model and open the stores now (raises when they are unavailable)."""
        self.index.ready()

    # ----- asking -------------------------------------------------------------------------
    def ask(self, question: str, conversation_id: str | None = None, filters: Filters | None = None) -> Answer:
        """Answer one question, continuing `conversation_id` when given (a new id otherwise)."""
        question, conversation_id, turns = self._open_turn(question, conversation_id)
        answer = self.answer(question, [t.resolved for t in turns], turns[-1].answer if turns else None, filters)
        return self._store_turn(conversation_id, question, answer)

    def ask_stream(self, question: str, conversation_id: str | None = None, filters: Filters | None = None) -> AnswerStream:
        """`ask` for streaming clients: `pieces()` yields text as it is written, then `result()` is the stored answer.

        Validates the question before returning (raises `BadRequest`). In LLM mode the pieces are
        the model's tokens before the citation guard ran: render `result().answer` as final.
        """
        question, conversation_id, turns = self._open_turn(question, conversation_id)
        items = self.answer_stream(question, [t.resolved for t in turns], turns[-1].answer if turns else None, filters)
        return AnswerStream(items, lambda answer: self._store_turn(conversation_id, question, answer))

    def _open_turn(self, question: str, conversation_id: str | None) -> tuple[str, str, list[Turn]]:
        question = (question or "").strip()
        if not question:
            raise BadRequest("question must not be empty")
        if len(question) > self.settings.max_question_chars:
            raise BadRequest(f"question is too long ({len(question)} characters; the limit is {self.settings.max_question_chars})")
        turns: list[Turn] = []
        if conversation_id:
            turns = self.conversations.turns(conversation_id)
        else:
            conversation_id = self.conversations.new_id()
        return question, conversation_id, turns

    def _store_turn(self, conversation_id: str, question: str, answer: Answer) -> Answer:
        answer.conversation_id = conversation_id
        answer.turn = self.conversations.append(conversation_id, question, answer.resolved_question or question, answer)
        return answer

    def answer(
        self, question: str, history: list[str], previous: Answer | None = None, filters: Filters | None = None
    ) -> Answer:
        """Answer without storing anything: `history` is the earlier resolved questions."""
        ask = self._classify(question, history, previous)
        filters = filters or Filters()
        answer = (self.llm or self.composer).compose(
            ask, previous=previous, outlets=filters.outlets or None, article_ids=filters.article_ids or None
        )
        answer.resolved_question = ask.text
        return answer

    def answer_stream(
        self, question: str, history: list[str], previous: Answer | None = None, filters: Filters | None = None
    ) -> Iterator[str | Answer]:
        """`answer` as text pieces (the LLM's tokens in LLM mode), then the final `Answer`."""
        ask = self._classify(question, history, previous)
        filters = filters or Filters()
        outlets, article_ids = filters.outlets or None, filters.article_ids or None
        if self.llm is None:
            items: Iterator[str | Answer] = iter([self.composer.compose(ask, previous=previous, outlets=outlets, article_ids=article_ids)])
        else:
            items = self.llm.stream(ask, previous=previous, outlets=outlets, article_ids=article_ids)
        for item in items:
            if isinstance(item, Answer):
                item.resolved_question = ask.text
                if self.llm is None:
                    yield item.answer
            yield item

    def current_actors(self) -> Actors:
        """The actors of what is indexed now (grouped from the articles' entities, plus the aliases
        file), rebuilt when an ingest or delete moves the index version; every component shares them."""
        version = self.index.version
        if version != self._actors_version:
            with self._briefing_lock:
                if version != self._actors_version:
                    sentences = [s for c in self.index.chunks().values() for s in c.sentences]
                    actors = Actors.from_corpus(sentences, self.settings.aliases_file, outlets=self.index.outlets())
                    self.actors = self.composer.actors = self.briefer.actors = actors
                    # every name the articles spell, once or more: what a misspelt name is read as
                    self._names = sorted({*actors.names(), *(s.text[a:b] for s in sentences
                                                             for a, b, label in s.entities if label in NAME_LABELS)})
                    self._actors_version = version
        return self.actors

    def _classify(self, question: str, history: list[str], previous: Answer | None = None) -> Ask:
        """Resolve a follow-up (by the model in LLM mode, by rules otherwise or when it fails) and classify it."""
        self.current_actors()
        vocabulary = self.index.vocabulary()
        question = mend_typos(question, vocabulary, self._names)
        earlier = " ".join(c.quote for c in previous.citations[:2]) if previous is not None and previous.grounded else ""
        people = self._people_cited(previous) if history else []
        resolved = resolve(question, history, self.actors, earlier, people)
        if self.llm is not None and history:
            standalone = self.llm.condense(question, history)
            if standalone:
                resolved = Resolved(question.strip(), standalone, True, standalone)
        outlets = self.index.outlets()
        ask = classify(resolved.current, self.actors, outlets, vocabulary)
        if resolved.followup and resolved.text != resolved.current:
            context = classify(resolved.text, self.actors, outlets, vocabulary)
            if ask.intent == "general":
                ask.intent = context.intent
            if not ask.actors:
                ask.actors, ask.book = context.actors, context.book
        ask.text = resolved.text
        ask.current = resolved.current
        return ask

    def _people_cited(self, previous: Answer | None) -> list[str]:
        """The people (named entities) of the previous answer's cited sentences, in citation order."""
        if previous is None or not previous.grounded:
            return []
        names: list[str] = []
        for c in self.composer.cited(previous):
            names += [n for n in c.sentence.entity_texts("PERSON") if n not in names]
        return names

    def conversation(self, conversation_id: str) -> list[Turn]:
        if not self.conversations.exists(conversation_id):
            raise ConversationNotFound(f"no conversation with id '{conversation_id}'")
        return self.conversations.turns(conversation_id)

    def record_feedback(
        self, conversation_id: str, turn: int | None, rating: str, comment: str | None, source: str
    ) -> tuple[int, int]:
        """Store a rating on a turn (the latest when `turn` is None); returns (feedback id, turn)."""
        turns = self.conversation(conversation_id)
        if not turns:
            raise ConversationNotFound(f"conversation '{conversation_id}' has no turns")
        if turn is None:
            turn = turns[-1].index
        elif not any(t.index == turn for t in turns):
            raise BadRequest(f"conversation '{conversation_id}' has no turn {turn} (it has {len(turns)})")
        return self.conversations.add_feedback(conversation_id, turn, rating, comment, source), turn

    # ----- briefing -----------------------------------------------------------------------
    def brief(self, topic: str | None = None, article_ids: list[str] | None = None, outlets: list[str] | None = None) -> Briefing:
        """The positions / next steps / gains and losses / who-reported-what briefing.

        Cached per index version and filters (the 32 most recently used): any ingest or delete
        moves the version and the next call recomputes.
        """
        topic = (topic or "").strip() or None
        if topic and len(topic) > self.settings.max_question_chars:
            raise BadRequest(f"topic is too long ({len(topic)} characters; the limit is {self.settings.max_question_chars})")
        self.current_actors()
        key = (self.index.version, topic, tuple(sorted(article_ids or ())), tuple(sorted(outlets or ())))
        with self._briefing_lock:
            cached = self._briefings.pop(key, None)  # re-inserted below: now the most recently used
            if cached is None:
                cached = self.briefer.brief(topic, article_ids or None, outlets or None)
                self._briefings = {k: v for k, v in self._briefings.items() if k[0] == key[0]}
                while len(self._briefings) >= self._briefing_cache_size:
                    del self._briefings[next(iter(self._briefings))]
            self._briefings[key] = cached
        return cached

    # ----- articles -----------------------------------------------------------------------
    def ingest_paths(self, paths: list[Path], overrides: Overrides | None = None, progress=None) -> IngestReport:  # type: ignore[no-untyped-def]
        return ingest_paths(self.index, paths, overrides, progress, max_bytes=self.settings.max_article_bytes)

    def ingest_record(self, data: dict) -> IngestReport:  # type: ignore[type-arg]
        record = record_from_mapping(data, source="POST /v1/articles")
        if record.id is None:
            record.set_id(record.title)
        return self.index.ingest_records([record])

    def delete_article(self, article_id: str) -> bool:
        return self.index.delete(article_id)

    def close(self) -> None:
        self.index.manifest.close()
        self.conversations.close()


class AnswerStream:
    """Text pieces of an answer as it is written, then the final stored `Answer` (what SSE routes consume)."""

    def __init__(self, items: Iterator[str | Answer], finish: Callable[[Answer], Answer]) -> None:
        self._items = items
        self._finish = finish
        self._answer: Answer | None = None

    def pieces(self) -> Iterator[str]:
        for item in self._items:
            if isinstance(item, Answer):
                self._answer = self._finish(item)
            elif item:
                yield item

    def result(self) -> Answer:
        if self._answer is None:
            raise RuntimeError("result() called before pieces() was exhausted")
        return self._answer
