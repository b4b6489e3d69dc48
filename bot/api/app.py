"""The FastAPI app factory: builds the bot once in the lifespan, maps errors to 4xx/503 JSON."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from index import BriefbotIndexError, EmbedderUnavailable, ParseError, StoreUnavailable

from ..config import Settings
from ..errors import BadRequest, BotError, ConversationNotFound, NotReady
from ..service import Briefbot
from .deps import ApiKeyDoc
from .ops import install_ops
from .routes import articles, ask, briefing, health, openai_compat, stream, web
from .routes.slack import router as slack_router

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, bot: Briefbot | None = None) -> FastAPI:
    """Build the app. `bot` may be injected (tests share one model); otherwise built from settings."""
    settings = settings or (bot.settings if bot else Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.bot = bot or Briefbot(settings)
        app.state.warm = threading.Event()
        app.state.warm_error = None

        def warm() -> None:
            try:
                app.state.bot.ready()
            except Exception as exc:  # reported by /readyz, asks retry lazily
                log.error("warm-up failed: %s", exc)
                app.state.warm_error = exc
            finally:
                app.state.warm.set()

        threading.Thread(target=warm, name="briefbot-warmup", daemon=True).start()
        yield
        slack = getattr(app.state, "slack", None)
        if slack is not None:
            slack.store.close()
        if bot is None:
            app.state.bot.close()

    app = FastAPI(
        title="Briefbot",
        version="1.0.0",
        summary="Grounded answers about news articles that name the outlet that reported each fact.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.add_middleware(DeclaredBodySize, max_bytes=settings.max_request_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Content-Type", "Authorization", "X-API-Key", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After", "Link", "X-Next-Cursor"],
        )
    _install_error_handlers(app)
    install_ops(app, settings)  # /metrics, request ids + JSON access logs, API keys, rate limits
    for router in (ask.router, articles.router, briefing.router, health.router, openai_compat.router,
                   slack_router,  # 404 with a clear detail until the Slack settings are set
                   stream.router, web.router):
        reads = [ApiKeyDoc] if router in (ask.router, briefing.router, openai_compat.router, stream.router) else []
        app.include_router(router, max_body_size=settings.max_request_bytes, dependencies=reads)  # 413 past the limit
    return app


def _json_error(status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"detail": detail, **extra}, status_code=status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        parts = []
        for e in errors[:5]:
            where = ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body"
            parts.append(f"{where}: {e.get('msg', 'invalid')}")
        return _json_error(422, "; ".join(parts) or "invalid request", errors=[
            {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in errors[:20]
        ])

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = str(exc.detail)
        if exc.status_code == 413 and detail == "Content Too Large":  # FastAPI's body limit: say which
            detail = body_too_large(request.app.state.settings.max_request_bytes)
        return _json_error(exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(ConversationNotFound)
    async def not_found(_: Request, exc: ConversationNotFound) -> JSONResponse:
        return _json_error(404, str(exc))

    @app.exception_handler(BadRequest)
    async def bad_request(_: Request, exc: BadRequest) -> JSONResponse:
        return _json_error(422, str(exc))

    @app.exception_handler(ParseError)
    async def unparseable(_: Request, exc: ParseError) -> JSONResponse:
        return _json_error(422, str(exc))

    @app.exception_handler(StoreUnavailable)
    async def store_down(_: Request, exc: StoreUnavailable) -> JSONResponse:
        log.error("store unavailable: %s", exc)
        return _json_error(503, f"the article store is unavailable, try again shortly ({exc})", headers={"Retry-After": "5"})

    @app.exception_handler(EmbedderUnavailable)
    async def model_missing(_: Request, exc: EmbedderUnavailable) -> JSONResponse:
        return _json_error(503, str(exc))

    @app.exception_handler(NotReady)
    async def not_ready(_: Request, exc: NotReady) -> JSONResponse:
        return _json_error(503, str(exc), headers={"Retry-After": "2"})

    @app.exception_handler(BotError)
    async def bot_error(_: Request, exc: BotError) -> JSONResponse:
        return _json_error(400, str(exc))

    @app.exception_handler(BriefbotIndexError)
    async def index_error(_: Request, exc: BriefbotIndexError) -> JSONResponse:
        return _json_error(400, str(exc))


class DeclaredBodySize:
    """Refuse a body whose Content-Length is over `max_bytes` with a JSON 413, before it is read.

    FastAPI's own limit (`max_body_size`, given to every router) counts the bytes as they arrive
    and its 413 goes through the exception handlers (JSON). A *declared* oversized body, though, it
    answers in plain text, replacing whatever the app sent: no `detail`, request id or CORS
    headers (a browser could not read it). This check answers those first, so FastAPI never sees them.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = dict(scope.get("headers") or []).get(b"content-length") if scope["type"] == "http" else None
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _json_error(413, body_too_large(self.max_bytes))(scope, receive, send)
            return
        await self.app(scope, receive, send)


def body_too_large(limit: int) -> str:
    return f"request body too large (limit {limit} bytes)"
