"""Real processes for the production tests: `chroma run` servers and `briefbot serve` subprocesses.

Everything listens on 127.0.0.1 at a free port, waits with a deadline, and is killed at the end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import free_port

BIN = Path(sys.executable).parent
CHROMA = BIN / "chroma"
ADMIN_TOKEN = "ops-test-admin-token"


class ChromaServer:
    """`chroma run --path PATH --port PORT` on loopback; stop, kill, freeze and restart it at will."""

    def __init__(self, path: Path, port: int | None = None) -> None:
        self.path = path
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = path.parent / f"chroma-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> ChromaServer:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chroma exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"chroma did not answer its heartbeat within {timeout}s: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def freeze(self) -> None:
        """SIGSTOP: the port still accepts connections but nothing answers."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGCONT)


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[ChromaServer]:
    """A fresh Chroma server for one test (tests may kill and restart it)."""
    if not CHROMA.exists():
        pytest.skip(f"the chroma CLI is not installed next to {sys.executable}")
    server = ChromaServer(tmp_path / "chroma-server").start()
    try:
        yield server
    finally:
        server.kill()  # SIGKILL ends a frozen (SIGSTOPped) server too


def serve_env(data_dir: Path, chroma_url: str | None = None, **settings: str) -> dict[str, str]:
    """The environment of a `briefbot` subprocess: this machine's minus any BRIEFBOT_*, plus ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFBOT_") and k != "PROMETHEUS_MULTIPROC_DIR"}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false",
               BRIEFBOT_DATA_DIR=str(data_dir), BRIEFBOT_ADMIN_TOKEN=ADMIN_TOKEN)
    if chroma_url:
        env["BRIEFBOT_CHROMA_URL"] = chroma_url
    env.update({f"BRIEFBOT_{k.upper()}": v for k, v in settings.items()})
    return env


def briefbot(*args: str, env: dict[str, str], timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the `briefbot` CLI as a user would, in a subprocess."""
    result = subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"briefbot {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr[-3000:]}")
    return result


class ServeProcess:
    """`briefbot serve --workers N` as a real subprocess (its own process group)."""

    def __init__(self, env: dict[str, str], workers: int = 1, port: int | None = None, log: Path | None = None) -> None:
        self.env = env
        self.workers = workers
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log or Path(env["BRIEFBOT_DATA_DIR"]).parent / f"serve-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 180) -> ServeProcess:
        """Start and wait until every worker has answered /readyz with 200."""
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 "--workers", str(self.workers), "--graceful-timeout", "60"],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        ready: set[str] = set()
        deadline = time.monotonic() + timeout
        while len(ready) < self.workers:
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited with {self.proc.returncode}: {self.log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"serve: only {len(ready)} of {self.workers} workers ready in {timeout}s")
            try:
                with httpx.Client(timeout=5) as client:  # a new connection each time: any worker may take it
                    r = client.get(f"{self.url}/readyz")
                if r.status_code == 200:
                    ready.add(r.headers["x-briefbot-worker"])
                    continue
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        return self

    def terminate(self, timeout: float = 90) -> int:
        """SIGTERM (graceful: in-flight requests finish) and wait; returns the exit code."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        """SIGKILL the whole process group: the server and its workers die mid-whatever."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def __enter__(self) -> ServeProcess:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.kill()


def ask(url: str, question: str, timeout: float = 60, **body: Any) -> httpx.Response:
    """POST /v1/ask on a fresh connection (so consecutive calls may land on different workers)."""
    with httpx.Client(timeout=timeout) as client:
        return client.post(f"{url}/v1/ask", json={"question": question, **body})
