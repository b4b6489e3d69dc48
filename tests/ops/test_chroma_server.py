"""Chroma server mode (BRIEFBOT_CHROMA_URL): a real `chroma run` behind the CLI and the HTTP API."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from bot.api import create_app
from index.vectors import ChromaVectors
from tests.conftest import SEED, LiveServer, make_bot
from tests.ops.conftest import ADMIN_TOKEN, briefbot, serve_env


def test_cli_ingest_ask_delete_against_a_chroma_server(chroma_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    env = serve_env(data, chroma_server.url)
    vectors = ChromaVectors(url=chroma_server.url)

    report = json.loads(briefbot("ingest", str(SEED), "--json", env=env).stdout)
    assert report["summary"].startswith("1 added") and report["results"][0]["article_id"] == "putin-peace-signal"
    chunks = report["results"][0]["chunks"]
    assert vectors.count() == chunks > 0, "the vectors live in the Chroma server"
    assert not (data / "chroma").exists(), "no embedded store was opened"

    answer = json.loads(briefbot("ask", "What does Zelenskyy want?", "--json", env=env).stdout)
    assert answer["grounded"] and "BBC" in {o for c in answer["citations"] for o in c["outlets"]}

    assert "deleted putin-peace-signal" in briefbot("articles", "delete", "putin-peace-signal", env=env).stdout
    assert vectors.count() == 0


def test_http_ingest_ask_delete_against_a_chroma_server(chroma_server, tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    bot = make_bot(tmp_path / "data", embedder, chroma_url=chroma_server.url, admin_token=ADMIN_TOKEN)
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    record = {"id": "seed", "title": "Putin's peace signal", "outlet": "Briefbot Desk",
              "text": (SEED / "putin-peace-signal.txt").read_text(encoding="utf-8")}
    with LiveServer(create_app(bot=bot)) as server:
        added = httpx.post(f"{server.url}/v1/articles", json=record, headers=admin, timeout=120)
        assert added.status_code == 201, added.text
        assert ChromaVectors(url=chroma_server.url).count() == added.json()["article"]["chunks"]
        answer = httpx.post(f"{server.url}/v1/ask", json={"question": "What does Zelenskyy want?"}, timeout=60).json()
        assert answer["grounded"] and answer["citations"][0]["article_id"] == "seed"
        assert httpx.delete(f"{server.url}/v1/articles/seed", headers=admin).status_code == 204
        assert ChromaVectors(url=chroma_server.url).count() == 0
        after = httpx.post(f"{server.url}/v1/ask", json={"question": "What does Zelenskyy want?"}, timeout=60).json()
        assert after["grounded"] is False and after["citations"] == []
