"""Slack's request URLs: slash command, Events API, interactivity — all handed to the Bolt app.

The translation to and from Bolt is slack-bolt's own FastAPI adapter (`slack_bolt.adapter.fastapi`
re-exports the Starlette handler whose helpers are used here). Its `handle()` would call the
synchronous `App.dispatch` on the event loop; dispatch runs in the threadpool instead, and the
bridge verifies the signature before Bolt parses anything.
"""

from __future__ import annotations

import logging
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response

from ...slack import RefusedSlackRequest, SlackBridge, missing_slack_settings
from ..deps import BotDep, SettingsDep
from ..schemas import ErrorOut

log = logging.getLogger(__name__)

router = APIRouter(prefix="/slack", tags=["slack"])
ERRORS: dict[int | str, dict[str, Any]] = {400: {"model": ErrorOut}, 401: {"model": ErrorOut}, 404: {"model": ErrorOut}}
_build_lock = threading.Lock()


def get_slack(request: Request, settings: SettingsDep, bot: BotDep) -> SlackBridge:
    """The app's Slack bridge, built on first use; 404 while the Slack settings are missing."""
    bridge: SlackBridge | None = getattr(request.app.state, "slack", None)
    if bridge is None:
        missing = missing_slack_settings(settings)
        if missing:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"Slack is not configured on this server: set {' and '.join(missing)}")
        with _build_lock:
            bridge = getattr(request.app.state, "slack", None)
            if bridge is None:
                bridge = SlackBridge(settings, bot)
                request.app.state.slack = bridge
    return bridge


SlackDep = Annotated[SlackBridge, Depends(get_slack)]


@router.post("/commands", responses=ERRORS)
async def commands(request: Request, slack: SlackDep) -> Response:
    """Slack slash command `/brief`: acked at once, the answer follows on `response_url`."""
    return await _dispatch(request, slack)


@router.post("/events", responses=ERRORS)
async def events(request: Request, slack: SlackDep) -> Response:
    """Slack Events API: `url_verification`, `app_mention`, direct messages (answered in the thread)."""
    return await _dispatch(request, slack)


@router.post("/interactions", responses=ERRORS)
async def interactions(request: Request, slack: SlackDep) -> Response:
    """Slack interactivity: the 👍/👎 buttons under an answer."""
    return await _dispatch(request, slack)


async def _dispatch(request: Request, slack: SlackBridge) -> Response:
    try:
        body = slack.prepare(await request.body(), request.headers)
        bolt_request = to_bolt_request(request, body)
    except RefusedSlackRequest as exc:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status)
    except ValueError as exc:  # Bolt parses the body on construction: JSONDecodeError and the like
        return JSONResponse({"detail": f"unreadable Slack request body: {exc}"}, status_code=400)
    bolt_response = await run_in_threadpool(slack.app.dispatch, bolt_request)
    if bolt_response.status >= 500:
        # Bolt answers 500 when its own middleware fails (e.g. auth.test unreachable): that is our
        # outage, not the client's fault; a 503 tells Slack to retry later
        log.error("Slack request failed inside Bolt (status %s)", bolt_response.status)
        return JSONResponse({"detail": "the Slack request could not be handled right now"}, status_code=503,
                            headers={"Retry-After": "5"})
    return to_starlette_response(bolt_response)
