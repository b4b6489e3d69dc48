"""Rate limits shared by separate server processes through a real `redis-server` (BRIEFBOT_REDIS_URL)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port
from tests.ops.conftest import ServeProcess, serve_env

REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A throwaway `redis-server` on loopback (no persistence), killed at the end."""
    if not os.path.exists(REDIS):
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing in CI: `make redis-server` should have installed it")
        pytest.skip("redis-server is not installed (`make redis-server` as root, or apt-get install redis-server)")
    port = free_port()
    proc = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                import redis

                if redis.Redis(port=port, socket_timeout=1).ping():
                    break
            except Exception:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.kill()
        proc.wait(10)


def statuses(url: str, n: int) -> list[int]:
    """`n` reads, each on a new connection."""
    out = []
    for _ in range(n):
        with httpx.Client(timeout=30) as client:
            out.append(client.get(f"{url}/v1/articles").status_code)
    return out


def test_two_server_processes_share_one_limit_through_redis(tmp_path: Path, redis_url: str) -> None:
    env = {"rate_limit_per_minute": "4", "redis_url": redis_url}
    with ServeProcess(serve_env(tmp_path / "a", **env)) as a, ServeProcess(serve_env(tmp_path / "b", **env)) as b:
        pids = {httpx.get(f"{s.url}/healthz").headers["x-briefbot-worker"] for s in (a, b)}
        assert len(pids) == 2, "two separate processes"
        codes = statuses(a.url, 2) + statuses(b.url, 2) + statuses(a.url, 1) + statuses(b.url, 1)
        assert codes == [200, 200, 200, 200, 429, 429], "4 a minute in all, whichever process answers"
        limited = httpx.get(f"{b.url}/v1/articles")
        assert limited.status_code == 429 and 1 <= int(limited.headers["retry-after"]) <= 60


def test_without_redis_each_process_counts_alone(tmp_path: Path) -> None:
    env = {"rate_limit_per_minute": "2"}
    with ServeProcess(serve_env(tmp_path / "a", **env)) as a, ServeProcess(serve_env(tmp_path / "b", **env)) as b:
        assert statuses(a.url, 3) == [200, 200, 429]
        assert statuses(b.url, 3) == [200, 200, 429], "the other process has its own count"
