"""An OpenAI-compatible face: `POST /v1/chat/completions` and `GET /v1/models`.

So the official `openai` SDK and existing chat UIs can talk to Briefbot. Stateless: the last user
message is the question, the earlier user messages are the conversation so far (assistant and
system messages are ignored — the answer comes from the articles, not from a prompt). The reply's
content is the cited answer followed by a "Sources:" list; the structured answer is in the extra
field `briefbot` ({grounded, mode, citations, guard, resolved_question, as_of, published_range}).

Streaming sends the guarded, final answer in pieces: an OpenAI client cannot take back text it
has shown, so no token is sent before the citation guard has run.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, HTTPException
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import iterate_in_threadpool

from index import BriefbotIndexError

from ...errors import BadRequest, BotError
from ...models import Answer, Citation
from ...rendering import join_names, word_groups
from ...service import Briefbot
from ..deps import BotDep
from ..schemas import ErrorOut

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1", tags=["openai-compatible"])

MODEL_ID = "briefbot"
ERRORS: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}, 422: {"model": ErrorOut}, 503: {"model": ErrorOut}}


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content.strip()
        return " ".join(p.text for p in self.content or [] if p.type == "text" and p.text).strip()


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")  # temperature, max_tokens, … mean nothing to an extractive bot

    model: str = Field(default=MODEL_ID, max_length=200)
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False


class ModelOut(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "briefbot"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelOut]


@router.get("/models", response_model=ModelList)
def models() -> ModelList:
    """The one model this server offers, for OpenAI clients that list models first."""
    return ModelList(data=[ModelOut(id=MODEL_ID)])


@router.get("/models/{model_id}", response_model=ModelOut, responses=ERRORS)
def model(model_id: str) -> ModelOut:
    """One model by id (only `briefbot` exists)."""
    if model_id != MODEL_ID:
        raise HTTPException(404, f"no model '{model_id}'; this server offers '{MODEL_ID}'")
    return ModelOut(id=MODEL_ID)


@router.post("/chat/completions", responses={**ERRORS, 200: {"content": {"text/event-stream": {}}}})
def chat_completions(body: ChatCompletionRequest, bot: BotDep) -> Any:
    """OpenAI Chat Completions: the last user message answered from the articles, with sources."""
    question, history = _question_and_history(body.messages, bot.settings.max_question_chars)
    if body.stream:
        return StreamingResponse(
            iterate_in_threadpool(_stream(bot, question, history)), media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    answer = bot.answer(question, history)
    return {
        "id": _completion_id(), "object": "chat.completion", "created": int(time.time()), "model": MODEL_ID,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": render(answer)}, "finish_reason": "stop", "logprobs": None}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "briefbot": briefbot_field(answer),
    }


def _question_and_history(messages: list[ChatMessage], limit: int) -> tuple[str, list[str]]:
    asked = [m.text() for m in messages if m.role == "user" and m.text()]
    if not asked:
        raise BadRequest("messages: at least one message with role 'user' and text content is required")
    question = asked[-1]
    if len(question) > limit:
        raise BadRequest(f"question is too long ({len(question)} characters; the limit is {limit})")
    return question, [q[:limit] for q in asked[:-1]]


def _stream(bot: Briefbot, question: str, history: list[str]) -> Iterator[str]:
    completion_id, created = _completion_id(), int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        data = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **extra}
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    try:
        answer = bot.answer(question, history)
    except (BotError, BriefbotIndexError) as exc:
        log.warning("chat completion failed: %s", exc)
        yield f"data: {json.dumps({'error': {'message': str(exc), 'type': 'server_error'}})}\n\n"
        return
    except Exception:
        log.exception("chat completion failed")
        yield f"data: {json.dumps({'error': {'message': 'the answer could not be completed; try again', 'type': 'server_error'}})}\n\n"
        return
    for piece in word_groups(render(answer)):
        yield chunk({"content": piece})
    yield chunk({}, "stop", briefbot=briefbot_field(answer))
    yield "data: [DONE]\n\n"


def render(answer: Answer) -> str:
    """The chat content: the answer, then a 'Sources:' list with each citation's outlet, title and quote."""
    if not answer.citations:
        return answer.answer
    return answer.answer + "\n\nSources:\n" + "\n".join(source_line(c) for c in answer.citations)


def source_line(c: Citation) -> str:
    """'[1] POLITICO — Putin's Ukraine Peace Signal …: “The immediate test is …”'."""
    who = join_names(c.outlets) if c.kind == "reported" and c.outlets else "Analysis"
    return f"[{c.n}] {who} — {c.article_title}: “{' '.join(c.quote.split())}”"


def briefbot_field(answer: Answer) -> dict[str, Any]:
    """The structured answer beside the OpenAI fields."""
    return {
        "answer": answer.answer, "grounded": answer.grounded, "mode": answer.mode, "intent": answer.intent,
        "citations": [c.to_dict() for c in answer.citations], "guard": answer.guard,
        "resolved_question": answer.resolved_question, **answer.dating(),
    }


def _completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"
