"""The briefing: positions, next steps, gains and losses, who reported what."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from ..deps import BotDep
from ..schemas import BriefingOut, ErrorOut

router = APIRouter(prefix="/v1", tags=["briefing"])
ERRORS: dict[int | str, dict[str, Any]] = {422: {"model": ErrorOut}, 503: {"model": ErrorOut}}


@router.get("/briefing", response_model=BriefingOut, responses=ERRORS)
def briefing(
    bot: BotDep,
    topic: Annotated[str | None, Query(max_length=1000, description="Limit the briefing to material about this.")] = None,
    article_ids: Annotated[list[str] | None, Query(max_length=200, description="Only these articles.")] = None,
    outlets: Annotated[list[str] | None, Query(max_length=50, description="Only what these outlets reported.")] = None,
) -> BriefingOut:
    """Who wants what and what happens next, every item cited like /v1/ask."""
    return BriefingOut.model_validate(bot.brief(topic, article_ids, outlets).to_dict())
