"""`briefbot serve` caps the request head: a huge header or request line is a quick 4xx, and others stay served."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.ops.conftest import ServeProcess, serve_env


def _send_head(port: int, head_start: bytes, filler: int, chunk: int = 64 * 1024) -> tuple[bytes, float]:
    """Send `head_start` then up to `filler` bytes of header value; returns (first bytes of the reply, seconds)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head_start)
        sent = 0
        try:
            while sent < filler:
                sock.sendall(b"a" * chunk)
                sent += chunk
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: exactly what it should do
        reply = b""
        try:
            while not reply.endswith(b"\r\n\r\n") and len(reply) < 4096:
                data = sock.recv(4096)
                if not data:
                    break
                reply += data
        except ConnectionResetError:
            pass
    return reply, time.monotonic() - started


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    data = tmp_path_factory.mktemp("limits") / "data"
    with ServeProcess(serve_env(data), log=data.parent / "serve.log") as proc:
        yield proc


def test_a_huge_header_is_refused_quickly_while_healthz_stays_fast(server: ServeProcess) -> None:
    timings: list[float] = []
    stop = threading.Event()

    def probe() -> None:
        with httpx.Client(timeout=10) as client:
            while not stop.is_set():
                started = time.monotonic()
                assert client.get(f"{server.url}/healthz").status_code == 200
                timings.append(time.monotonic() - started)
                time.sleep(0.05)

    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    try:
        head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: "
        reply, seconds = _send_head(server.port, head, 50 * 1024 * 1024)  # would be 50 MB of header
    finally:
        time.sleep(0.3)
        stop.set()
        prober.join(15)
    status_line = reply.split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.1 4"), reply[:200]
    assert seconds < 10, f"the refusal took {seconds:.1f}s"  # bounds are loose: CI machines are busy
    assert timings and max(timings) < 3.0, f"/healthz took up to {max(timings):.2f}s meanwhile"


def test_a_huge_request_line_is_refused(server: ServeProcess) -> None:
    reply, seconds = _send_head(server.port, b"GET /v1/conversations/", 8 * 1024 * 1024)
    assert reply.split(b"\r\n", 1)[0].startswith(b"HTTP/1.1 4"), reply[:200]
    assert seconds < 10


def test_ordinary_headers_still_pass(server: ServeProcess) -> None:
    r = httpx.get(f"{server.url}/healthz", headers={"X-Request-ID": "ok-1", "Cookie": "c=" + "x" * 8000})
    assert r.status_code == 200 and r.headers["x-request-id"] == "ok-1"


def test_an_idle_keep_alive_connection_outlives_a_clients_own_expiry(server: ServeProcess) -> None:
    """httpx drops idle connections after 5 s; the server must not close one first (uvicorn's default is also 5 s)."""
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        replies = []
        for pause in (0.0, 6.5):
            time.sleep(pause)
            sock.sendall(request)
            reply = b""
            while b'"ok"' not in reply:
                data = sock.recv(4096)
                if not data:
                    break  # closed by the server while idle
                reply += data
            replies.append(reply.split(b"\r\n", 1)[0])
    assert replies == [b"HTTP/1.1 200 OK", b"HTTP/1.1 200 OK"]


def test_the_header_cap_is_a_setting(tmp_path: Path) -> None:
    from bot.config import Settings

    assert Settings().max_header_bytes == 32 * 1024
    with pytest.raises(ValueError, match="max_header_bytes"):
        Settings(max_header_bytes=100)
