"""Shared fixtures: isolated state per test, the real model loaded once, real Chroma in tmp dirs."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "articles"
SEED_FILE = SEED / "putin-peace-signal.txt"
SEED_ALIASES = ROOT / "data" / "aliases.json"  # the seed's actor grouping: optional configuration, as `make run` uses it
CORPUS = ROOT / "tests" / "fixtures" / "corpus"

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: object) -> object:
    host = address[0] if isinstance(address, tuple) else None
    if self.family in (socket.AF_INET, socket.AF_INET6) and host is not None:
        if not (str(host).startswith("127.") or host in ("::1", "localhost")):
            raise OSError(f"tests may only talk to loopback, not {host}")
    return _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """All state under tmp_path; no BRIEFBOT_* leaking in from the machine; loopback only."""
    for key in list(os.environ):
        if key.startswith("BRIEFBOT_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("BRIEFBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
    yield


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    """The real all-MiniLM-L6-v2, loaded once for the whole session."""
    from index.embedding import MiniLMEmbedder

    model = MiniLMEmbedder()
    model.load()
    return model


def make_bot(data_dir: Path, embedder, *paths: Path, **settings):  # type: ignore[no-untyped-def]
    from bot.config import Settings
    from bot.service import Briefbot

    bot = Briefbot(Settings(data_dir=data_dir, **settings), embedder=embedder)
    if paths:
        report = bot.ingest_paths(list(paths))
        assert not report.failed, report.results
    return bot


@pytest.fixture(scope="session")
def seed_bot(tmp_path_factory: pytest.TempPathFactory, embedder):  # type: ignore[no-untyped-def]
    """A bot over the bundled seed article, configured as `make run` serves it (the seed's actor
    aliases) — shared: tests must not write articles to it."""
    return make_bot(tmp_path_factory.mktemp("seed"), embedder, SEED, aliases_file=SEED_ALIASES)


@pytest.fixture(scope="session")
def corpus_bot(tmp_path_factory: pytest.TempPathFactory, embedder):  # type: ignore[no-untyped-def]
    """A bot over the multi-article test corpus (several publishers, none of them the seed)."""
    return make_bot(tmp_path_factory.mktemp("corpus"), embedder, CORPUS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """A real uvicorn server in a thread, serving `create_app(bot=...)` over loopback HTTP."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        import httpx

        self.thread.start()
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not become ready")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def seed_server(seed_bot):  # type: ignore[no-untyped-def]
    from bot.api import create_app

    with LiveServer(create_app(bot=seed_bot)) as server:
        yield server


@pytest.fixture(scope="session")
def corpus_server(corpus_bot):  # type: ignore[no-untyped-def]
    from bot.api import create_app

    with LiveServer(create_app(bot=corpus_bot)) as server:
        yield server


def load_jsonl(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
