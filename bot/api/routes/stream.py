"""Answers as Server-Sent Events: `meta`, `delta`…, `citations`, `done` — or `error`.

The route only translates: `Briefbot.ask_stream` (an `AnswerSource`) produces text pieces
(blocking, iterated in a worker thread) and then the final `Answer`; this module turns them into
events, and `sse-starlette` frames them and sends a keep-alive comment (`: ping`) whenever the
stream has been idle for `BRIEFBOT_SSE_PING_S` seconds (15), so a slow LLM answer survives
proxies that drop idle connections. The LLM mode's pieces are the model's tokens; the extractive
composer writes its answer whole, and a piece that long goes out in word groups.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any, Protocol

from fastapi import APIRouter
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import iterate_in_threadpool

from index import BriefbotIndexError, StoreUnavailable

from ...errors import BotError
from ...models import Answer
from ...rendering import word_groups
from ...service import Filters
from ..deps import BotDep, SettingsDep
from ..schemas import AskRequest, AskResponse, ErrorOut

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1", tags=["ask"])

SSE_HEADERS = {"Cache-Control": "no-cache"}  # sse-starlette adds X-Accel-Buffering: no
SEP = "\n"  # frames end in a blank line, "\n\n"


class AnswerSource(Protocol):
    """Produces an answer's text piece by piece, then the final `Answer`."""

    def pieces(self) -> Iterator[str]:
        """Text pieces in order (blocking; iterated in a worker thread)."""
        ...

    def result(self) -> Answer:
        """The final answer; called once `pieces()` is exhausted."""
        ...


def sse(event: str, data: dict[str, Any]) -> ServerSentEvent:
    """One event. JSON escapes CR/LF, so the payload is always a single `data:` line."""
    return ServerSentEvent(json.dumps(data, ensure_ascii=False, separators=(",", ":")), event=event, sep=SEP)


def keep_alive() -> ServerSentEvent:
    """The comment sent on an idle stream: clients ignore it, proxies see traffic."""
    return ServerSentEvent(comment="ping", sep=SEP)


async def answer_events(conversation_id: str, source: AnswerSource) -> AsyncIterator[ServerSentEvent]:
    """The SSE frames of one answer. The deltas (after the last `reset`) join to `done.answer`."""
    yield sse("meta", {"conversation_id": conversation_id})
    try:
        streamed = ""
        async for piece in iterate_in_threadpool(source.pieces()):
            for part in word_groups(piece):  # a token stays whole; a whole answer goes in word groups
                streamed += part
                yield sse("delta", {"text": part})
        body = AskResponse.model_validate(source.result().to_dict()).model_dump(mode="json")
        final: str = body["answer"]
        if final != streamed:
            # The source streamed less than its answer (a composer that writes it whole), or revised
            # it at the end (an LLM answer the citation guard replaced): finish it, or restart it.
            if not final.startswith(streamed):
                yield sse("reset", {})
                streamed = ""
            for piece in word_groups(final[len(streamed) :]):
                yield sse("delta", {"text": piece})
        yield sse("citations", {"citations": body["citations"]})
        yield sse("done", body)
    except (BotError, BriefbotIndexError) as exc:
        if isinstance(exc, StoreUnavailable):
            log.error("store unavailable while streaming: %s", exc)
            detail = f"the article store is unavailable, try again shortly ({exc})"
        else:
            detail = str(exc)
        yield sse("error", {"detail": detail})
    except Exception:
        log.exception("streaming an answer failed")
        yield sse("error", {"detail": "the answer could not be completed; try again"})


STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "`event: meta` {conversation_id}, `event: delta` {text}…, `event: citations` "
        "{citations}, `event: done` (the /v1/ask response); `event: error` {detail} on failure; "
        "`: ping` comments keep an idle stream open.",
        "content": {"text/event-stream": {}},
    },
    413: {"model": ErrorOut},
    422: {"model": ErrorOut},
}


@router.post("/ask/stream", response_class=EventSourceResponse, responses=STREAM_RESPONSES)
def ask_stream(body: AskRequest, bot: BotDep, settings: SettingsDep) -> EventSourceResponse:
    """The /v1/ask answer as Server-Sent Events, the text arriving in deltas."""
    filters = Filters(outlets=body.filters.outlets, article_ids=body.filters.article_ids) if body.filters else None
    conversation_id = body.conversation_id or bot.conversations.new_id()
    # Validates the question now, so a bad one is a plain 422 before any event; the answer is
    # composed (or the LLM's tokens arrive, the citation guard running before `done`) as we iterate.
    source: AnswerSource = bot.ask_stream(body.question, conversation_id, filters)
    return EventSourceResponse(
        answer_events(conversation_id, source), headers=SSE_HEADERS, sep=SEP,
        ping=settings.sse_ping_s, ping_message_factory=keep_alive,
    )
