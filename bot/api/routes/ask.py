"""Questions and conversations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ...service import Filters
from ..deps import BotDep
from ..schemas import AskRequest, AskResponse, ConversationOut, ErrorOut, FeedbackIn, FeedbackOut

router = APIRouter(prefix="/v1", tags=["ask"])
ERRORS: dict[int | str, dict[str, Any]] = {400: {"model": ErrorOut}, 404: {"model": ErrorOut}, 422: {"model": ErrorOut}, 503: {"model": ErrorOut}}


@router.post("/ask", response_model=AskResponse, responses=ERRORS)
def ask(body: AskRequest, bot: BotDep) -> AskResponse:
    """Answer a question from the indexed articles, with numbered citations naming the outlets."""
    filters = Filters(outlets=body.filters.outlets, article_ids=body.filters.article_ids) if body.filters else None
    answer = bot.ask(body.question, body.conversation_id, filters)
    return AskResponse.model_validate(answer.to_dict())


@router.get("/conversations/{conversation_id}", response_model=ConversationOut, responses=ERRORS)
def conversation(conversation_id: str, bot: BotDep) -> ConversationOut:
    """A conversation's turns, oldest first."""
    turns = bot.conversation(conversation_id)
    return ConversationOut.model_validate({"conversation_id": conversation_id, "turns": [t.to_dict() for t in turns]})


@router.post("/feedback", response_model=FeedbackOut, status_code=201, responses=ERRORS)
def feedback(body: FeedbackIn, bot: BotDep) -> FeedbackOut:
    """Record a thumbs up or down on an answer."""
    turn = bot.record_feedback(body.conversation_id, body.turn, body.rating, body.comment, source="api")
    return FeedbackOut(id=turn[0], conversation_id=body.conversation_id, turn=turn[1], rating=body.rating)
