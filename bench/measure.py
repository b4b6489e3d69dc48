"""What the benchmarks share: a free loopback port and percentiles (the eval's own `percentile`)."""

from __future__ import annotations

import socket

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
