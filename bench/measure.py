"""What the benchmarks share: a free loopback port, percentiles (the eval's own `percentile`), one timed ask."""

from __future__ import annotations

import socket
import time
from collections import Counter

import httpx

from bot.evaluation.metrics import percentile


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of `values`: `bot.evaluation.percentile` at 100·q, so a benchmark's p95
    and `briefbot eval`'s latency_p95_ms are the same statistic. Raises ValueError when empty."""
    value = percentile(values, q * 100)
    if value is None:
        raise ValueError("no values to take a percentile of")
    return value


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def timed_ask(client: httpx.AsyncClient, question: str, errors: Counter[str]) -> tuple[httpx.Response | None, float]:
    """POST /v1/ask once: (response, seconds). A failure is counted in `errors` (`HTTP <status>`, or the
    exception's name, when the response is None)."""
    started = time.perf_counter()
    try:
        r = await client.post("/v1/ask", json={"question": question})
    except httpx.HTTPError as exc:
        errors[type(exc).__name__] += 1
        return None, time.perf_counter() - started
    if r.status_code != 200:
        errors[f"HTTP {r.status_code}"] += 1
    return r, time.perf_counter() - started
