"""ASGI middleware for running in production: request ids and access logs, API keys, rate limits.

Pure ASGI (no `BaseHTTPMiddleware`), so Server-Sent Events stream through untouched.
"""

from __future__ import annotations

import hmac
import json
import logging
import math
import os
import re
import time
import uuid
from collections.abc import Callable

from limits import RateLimitItem, RateLimitItemPerMinute, RateLimitItemPerSecond
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.datastructures import MutableHeaders
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..logging_setup import request_id_var

access_log = logging.getLogger("briefbot.access")
error_log = logging.getLogger("briefbot.errors")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
UNMATCHED = "<unmatched>"


class RequestContext:
    """Tag each request with an id (the client's `X-Request-ID` when sane, else a new one).

    Sets it for logging, returns it as `X-Request-ID` with `X-Briefbot-Worker` (this process's
    pid), logs one access line and reports method, route template, status and duration.
    """

    def __init__(self, app: ASGIApp, observe: Callable[[str, str, int, float], None], routes: Router) -> None:
        self.app = app
        self.observe = observe
        self.routes = routes
        self.worker = str(os.getpid())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = _header(scope, b"x-request-id")
        request_id = offered if offered and _REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        responded = False

        async def send_tagged(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                headers["X-Briefbot-Worker"] = self.worker
            await send(message)

        try:
            await self.app(scope, receive, send_tagged)
        except Exception:
            # a bug: log it with the request id, and answer JSON that names the id (when still possible)
            error_log.exception("unhandled error in %s %s", scope["method"], scope["path"], extra={"request_id": request_id})
            if responded:
                raise
            await _reply(send_tagged, 500, f"internal error; quote request id {request_id} when reporting it", {})
        finally:
            elapsed = time.perf_counter() - started
            route = self._route(scope)
            self.observe(scope["method"], route, status, elapsed)
            access_log.info(
                "%s %s %d %.1fms", scope["method"], scope["path"], status, elapsed * 1000,
                extra={"request_id": request_id, "method": scope["method"], "path": scope["path"], "route": route, "status": status,
                       "duration_ms": round(elapsed * 1000, 2), "client": (scope.get("client") or ("-",))[0]},
            )
            request_id_var.reset(token)

    def _route(self, scope: Scope) -> str:
        """The matched route's template (never the raw path: ids would explode the label set)."""
        route = scope.get("route")
        if route is None:  # refused before routing (401, 429, 413): match it ourselves
            for candidate in self.routes.routes:
                match, _ = candidate.matches(scope)
                if match is Match.FULL:
                    route = candidate
                    break
        return getattr(route, "path", None) or UNMATCHED


class AccessControl:
    """API keys on the read API (every `/v1/...` route but article writes) and per-client rate limits.

    Open: health, readiness, metrics, docs, the demo page and widget, Slack (signed by Slack) and
    CORS preflights. Article writes keep their admin token (no API key needed) but are counted like
    every other `/v1/...` request. A key is sent as `X-API-Key: KEY` or `Authorization: Bearer KEY`.
    Limits are per API key, or per client address without one (`RateLimiter`): shared by every
    worker through Redis when `BRIEFBOT_REDIS_URL` is set, else kept in each worker process.
    """

    def __init__(
        self, app: ASGIApp, api_keys: list[str], per_minute: int = 0, burst: int | None = None,
        on_limited: Callable[[], None] | None = None, redis_url: str | None = None,
    ) -> None:
        self.app = app
        self.api_keys = [k.encode() for k in api_keys if k]
        self.limiter = RateLimiter(per_minute, burst, redis_url) if per_minute > 0 else None
        self.on_limited = on_limited

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _counted(scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        needs_key = bool(self.api_keys) and not _is_article_write(scope["method"], scope["path"])
        key = _offered_key(scope) if self.api_keys else None
        number = None if key is None else next(
            (i for i, k in enumerate(self.api_keys) if hmac.compare_digest(key.encode(), k)), None
        )
        # a known key is its own client; anything else counts against its address (so guessing keys is limited too)
        client = f"key:{number}" if number is not None else f"ip:{(scope.get('client') or ('unknown',))[0]}"
        if self.limiter is not None:
            wait = await self.limiter.take(client)
            if wait > 0:
                if self.on_limited:
                    self.on_limited()
                retry = max(1, math.ceil(wait))
                await _reply(send, 429, f"rate limit exceeded: {self.limiter.per_minute} requests per minute per client; "
                             f"retry in {retry} s", {"Retry-After": str(retry)})
                return
        if needs_key and number is None:
            detail = "invalid API key" if key else "missing API key: send 'X-API-Key: <key>' or 'Authorization: Bearer <key>'"
            await _reply(send, 401, detail, {"WWW-Authenticate": "Bearer"})
            return
        await self.app(scope, receive, send)


class RateLimiter:
    """`per_minute` requests a minute per client, at most `burst` of them close together (`limits`).

    A moving window of one minute, plus — when `burst` is smaller — a window of `burst` requests
    per the seconds that many take to earn at the rate (120/min, burst 10: 10 per 5 s). With
    `redis_url` the windows live in Redis and every worker (and host) shares them; without it,
    in this process's memory. `take` answers 0 when the request may go, else the seconds to wait.
    """

    def __init__(self, per_minute: int, burst: int | None = None, redis_url: str | None = None) -> None:
        if per_minute <= 0:
            raise ValueError(f"per_minute must be positive, not {per_minute}")
        self.per_minute = per_minute
        self.items: list[RateLimitItem] = []
        if burst and burst < per_minute:
            self.items.append(RateLimitItemPerSecond(burst, max(1, math.ceil(burst * 60 / per_minute))))
        self.items.append(RateLimitItemPerMinute(per_minute))
        if redis_url:
            # "async+redis://…" with redis-py's asyncio client; a key prefix keeps our counts apart
            uri = "async+" + redis_url if not redis_url.startswith("async+") else redis_url
            storage = storage_from_string(uri, implementation="redispy", key_prefix="briefbot")
        else:
            storage = storage_from_string("async+memory://")
        assert isinstance(storage, Storage)
        self.strategy = MovingWindowRateLimiter(storage)

    async def take(self, client: str) -> float:
        for item in self.items:  # the burst window first: a refused burst does not use up the minute
            if not await self.strategy.hit(item, client):
                reset, _ = await self.strategy.get_window_stats(item, client)
                return max(reset - time.time(), 0.001)
        return 0.0


def _counted(method: str, path: str) -> bool:
    return method != "OPTIONS" and path.startswith("/v1/")


def _is_article_write(method: str, path: str) -> bool:
    return (path == "/v1/articles" or path.startswith("/v1/articles/")) and method not in ("GET", "HEAD")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key == name:
            return value.decode("latin-1").strip()
    return None


def _offered_key(scope: Scope) -> str | None:
    key = _header(scope, b"x-api-key")
    if key:
        return key
    scheme, _, token = (_header(scope, b"authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def _reply(send: Send, status: int, detail: str, headers: dict[str, str]) -> None:
    body = json.dumps({"detail": detail}).encode()
    raw: list[tuple[bytes, bytes]] = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
