"""Answers as Server-Sent Events: `meta`, `delta`…, `citations`, `done` — or `error`.

The route only translates: `Briefbot.ask_stream` (an `AnswerSource`) produces text pieces
(blocking, iterated in a worker thread) and then the final `Answer`; this module turns them into
SSE frames. The LLM mode's pieces are the model's tokens; the extractive composer writes its answer
whole, and a piece that long goes out in word groups.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any, Protocol

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool

from index import BriefbotIndexError, StoreUnavailable

from ...errors import BotError
from ...models import Answer
from ...service import Filters
from ..deps import BotDep
from ..schemas import AskRequest, AskResponse, ErrorOut

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1", tags=["ask"])

WORDS_PER_DELTA = 4
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


class AnswerSource(Protocol):
    """Produces an answer's text piece by piece, then the final `Answer`."""

    def pieces(self) -> Iterator[str]:
        """Text pieces in order (blocking; iterated in a worker thread)."""
        ...

    def result(self) -> Answer:
        """The final answer; called once `pieces()` is exhausted."""
        ...


def word_groups(text: str, size: int = WORDS_PER_DELTA) -> Iterator[str]:
    """Split `text` into pieces of `size` words (whitespace kept) whose concatenation is `text`."""
    words = re.split(r"(?<=\s)(?=\S)", text)
    for i in range(0, len(words), size):
        piece = "".join(words[i : i + size])
        if piece:
            yield piece


def sse(event: str, data: dict[str, Any]) -> str:
    """One SSE frame. JSON escapes CR/LF, so the payload is always a single `data:` line."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n"


async def answer_events(conversation_id: str, source: AnswerSource) -> AsyncIterator[str]:
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
        "{citations}, `event: done` (the /v1/ask response); `event: error` {detail} on failure.",
        "content": {"text/event-stream": {}},
    },
    413: {"model": ErrorOut},
    422: {"model": ErrorOut},
}


@router.post("/ask/stream", response_class=StreamingResponse, responses=STREAM_RESPONSES)
def ask_stream(body: AskRequest, bot: BotDep) -> StreamingResponse:
    """The /v1/ask answer as Server-Sent Events, the text arriving in deltas."""
    filters = Filters(outlets=body.filters.outlets, article_ids=body.filters.article_ids) if body.filters else None
    conversation_id = body.conversation_id or bot.conversations.new_id()
    # Validates the question now, so a bad one is a plain 422 before any event; the answer is
    # composed (or the LLM's tokens arrive, the citation guard running before `done`) as we iterate.
    source: AnswerSource = bot.ask_stream(body.question, conversation_id, filters)
    return StreamingResponse(answer_events(conversation_id, source), media_type="text/event-stream", headers=SSE_HEADERS)
