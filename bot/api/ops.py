"""Operations: Prometheus metrics, the `/metrics` route, and `install_ops` that wires them in.

Metrics (all prefixed `briefbot_`):

- `http_requests_total{method,route,status}` and `http_request_duration_seconds{method,route,status}`
  (route is the template, e.g. `/v1/conversations/{conversation_id}`, or `<unmatched>`);
- `answers_total{grounded}`: grounded vs "the articles don't say" answers;
- `retrieval_seconds` (one hybrid search) and `compose_seconds` (classify + retrieve + compose);
- `rate_limited_total`; `index_articles`, `index_chunks` (read from the shared manifest at scrape time).

With several workers, `briefbot serve` points `PROMETHEUS_MULTIPROC_DIR` at `<data dir>/metrics`
and every worker writes its samples there; whichever worker answers `/metrics` sums them all.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.middleware import Middleware

from ..config import Settings
from ..models import Answer
from .middleware import AccessControl, RequestContext

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
STAGE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
_OBSERVERS = "_briefbot_metrics_observers"

router = APIRouter(tags=["ops"], include_in_schema=False)


class Metrics:
    """One app's metric objects, in its own registry (tests build many apps in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter("briefbot_http_requests", "HTTP requests by route template, method and status.",
                                ["method", "route", "status"], registry=r)
        self.latency = Histogram("briefbot_http_request_duration_seconds", "HTTP request latency by route template.",
                                 ["method", "route", "status"], buckets=LATENCY_BUCKETS, registry=r)
        self.answers = Counter("briefbot_answers", "Answers given, by whether the articles supported them.",
                               ["grounded"], registry=r)
        self.retrieval = Histogram("briefbot_retrieval_seconds", "One hybrid search (dense + BM25).",
                                   buckets=STAGE_BUCKETS, registry=r)
        self.compose = Histogram("briefbot_compose_seconds", "Answering one question: classify, retrieve, compose.",
                                 buckets=STAGE_BUCKETS, registry=r)
        self.rate_limited = Counter("briefbot_rate_limited", "Requests refused with 429.", registry=r)
        for grounded in ("true", "false"):  # both series exist from the start, so ratios are defined
            self.answers.labels(grounded=grounded)
        self._bot: Any = None
        if not os.environ.get(MULTIPROC_ENV):
            ProcessCollector(registry=r)
        r.register(_IndexCollector(self))

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route, str(status)).observe(seconds)

    def observe_answer(self, answer: Answer, seconds: float) -> None:
        self.answers.labels(grounded="true" if answer.grounded else "false").inc()
        self.compose.observe(seconds)

    def exposition(self) -> bytes:
        """The text format: this process's registry, or every worker's samples in multiprocess mode."""
        path = os.environ.get(MULTIPROC_ENV)
        if not path:
            return generate_latest(self.registry)
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=path)
        registry.register(_IndexCollector(self))
        return generate_latest(registry)


class _IndexCollector(Collector):
    """Index size read at scrape time from the manifest every worker shares."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[GaugeMetricFamily]:
        bot = self._metrics._bot
        if bot is None:
            return
        try:
            chunks = bot.index.chunks()  # cached per manifest version: cheap to read on every scrape
        except Exception:  # a scrape must not fail because the index is busy or broken
            return
        articles = len({c.article_id for c in chunks.values()})  # every indexed article has chunks
        yield GaugeMetricFamily("briefbot_index_articles", "Articles in the index.", value=articles)
        yield GaugeMetricFamily("briefbot_index_chunks", "Live chunks in the index.", value=len(chunks))


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus metrics (text exposition format)."""
    return Response(request.app.state.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


def install_ops(app: FastAPI, settings: Settings) -> None:
    """Add `/metrics`, request ids + JSON access logs, API keys and rate limits to `app`.

    Middleware order, outermost first: RequestContext (request id, access log, metrics) → CORS
    (so 401/429 carry CORS headers and preflights pass) → AccessControl → the rest.
    """
    metrics = Metrics()
    app.state.metrics = metrics
    app.include_router(router)
    after_cors = next((i + 1 for i, m in enumerate(app.user_middleware) if m.cls is CORSMiddleware), 0)
    app.user_middleware.insert(after_cors, Middleware(
        AccessControl,  # type: ignore[arg-type]
        api_keys=[k.get_secret_value() for k in settings.api_keys],
        per_minute=settings.rate_limit_per_minute,
        burst=settings.rate_limit_burst,
        on_limited=metrics.rate_limited.inc,
        redis_url=settings.redis_url,
    ))
    app.user_middleware.insert(0, Middleware(RequestContext, observe=metrics.observe_request, routes=app.router))  # type: ignore[arg-type]

    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[Any]:
        async with inner(app_) as state:
            metrics._bot = app_.state.bot
            remove = instrument(app_.state.bot, metrics)
            try:
                yield state
            finally:
                remove()

    app.router.lifespan_context = lifespan


def instrument(bot: Any, metrics: Metrics) -> Callable[[], None]:
    """Time retrieval and answers of `bot` into `metrics`; returns the undo.

    A hook from outside: `bot.index.candidates` (every hybrid search goes through it), `bot.answer`
    and `bot.answer_stream` are wrapped on
    the instance once, and the wrappers report to every app currently serving that bot.
    """
    observers: list[Metrics] | None = bot.__dict__.get(_OBSERVERS)
    if observers is None:
        observers = []
        setattr(bot, _OBSERVERS, observers)
        _wrap_search(bot.index, observers)
        _wrap_answer(bot, observers)
        if hasattr(bot, "answer_stream"):
            _wrap_answer_stream(bot, observers)
    observers.append(metrics)
    return lambda: observers.remove(metrics) if metrics in observers else None


def _wrap_search(index: Any, observers: list[Metrics]) -> None:
    search = index.candidates

    def timed_search(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return search(*args, **kwargs)
        finally:
            elapsed = time.perf_counter() - started
            for m in observers:
                m.retrieval.observe(elapsed)

    index.candidates = timed_search


def _wrap_answer(bot: Any, observers: list[Metrics]) -> None:
    answer = bot.answer

    def timed_answer(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        result = answer(*args, **kwargs)
        elapsed = time.perf_counter() - started
        for m in observers:
            m.observe_answer(result, elapsed)
        return result

    bot.answer = timed_answer


def _wrap_answer_stream(bot: Any, observers: list[Metrics]) -> None:
    answer_stream = bot.answer_stream

    def timed_stream(*args: Any, **kwargs: Any) -> Iterator[Any]:
        started = time.perf_counter()
        for item in answer_stream(*args, **kwargs):
            if isinstance(item, Answer):
                elapsed = time.perf_counter() - started
                for m in observers:
                    m.observe_answer(item, elapsed)
            yield item

    bot.answer_stream = timed_stream


def prepare_multiprocess_metrics(data_dir: Path, workers: int) -> Path | None:
    """For several workers: an empty `<data dir>/metrics` exported as PROMETHEUS_MULTIPROC_DIR.

    Must run before the workers start (they import prometheus_client with it set). With one
    worker nothing changes and each process serves its own registry.
    """
    if workers <= 1:
        return None
    path = Path(os.environ.get(MULTIPROC_ENV) or data_dir / "metrics")
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):  # samples of a previous run would be summed in
        stale.unlink()
    os.environ[MULTIPROC_ENV] = str(path)
    return path
