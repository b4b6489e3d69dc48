"""Faults: the Chroma server dies or stalls under a running API; the ingest is killed -9 mid-way."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from bench.corpus import write_corpus
from bot.api import create_app
from index import KnowledgeIndex
from tests.conftest import SEED, LiveServer, make_bot
from tests.ops.conftest import ADMIN_TOKEN, ServeProcess, briefbot, serve_env

QUESTIONS = ["What does Zelenskyy want?", "What happens next?", "What did POLITICO report?"]
OUTAGE = "the article store is unavailable, try again shortly"


def _post_ask(url: str, question: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = httpx.post(f"{url}/v1/ask", json={"question": question}, timeout=60)
    return response, time.monotonic() - started


def _wait_for_answers(url: str, question: str, within: float = 60) -> httpx.Response:
    deadline = time.monotonic() + within
    while True:
        response, _ = _post_ask(url, question)
        if response.status_code == 200 or time.monotonic() > deadline:
            return response
        assert response.status_code == 503, response.text
        time.sleep(0.25)


def test_chroma_killed_means_503_then_recovery_by_itself(chroma_server, tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    """Asks read the in-memory snapshot of the index, so they keep answering while Chroma is down;
    readiness says the store is unavailable, and an ingest (which needs Chroma) is a 503."""
    bot = make_bot(tmp_path / "data", embedder, SEED, chroma_url=chroma_server.url, chroma_timeout_s=3,
                   admin_token="a-long-enough-admin-token")
    with LiveServer(create_app(bot=bot)) as server:
        before = {q: _post_ask(server.url, q)[0].json() for q in QUESTIONS}
        assert all(a["grounded"] for a in before.values())

        chroma_server.kill()
        for question in [*QUESTIONS, QUESTIONS[0]]:
            response, took = _post_ask(server.url, question)
            assert response.status_code == 200, response.text
            assert response.json()["answer"] == before[question]["answer"], "served from the snapshot"
            assert took < 10, f"an outage answers at once, not after {took:.1f}s"
        write = httpx.post(f"{server.url}/v1/articles", timeout=60,
                           headers={"Authorization": "Bearer a-long-enough-admin-token"},
                           json={"id": "late", "title": "Late", "text": "A late report arrived on Friday, officials said."})
        assert write.status_code == 503 and write.json()["detail"].startswith(OUTAGE), write.text
        assert write.headers["retry-after"] == "5"
        ready = httpx.get(f"{server.url}/readyz")
        assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
        stream = httpx.post(f"{server.url}/v1/ask/stream", json={"question": QUESTIONS[1]}, timeout=60)
        assert stream.status_code == 200 and "event: done" in stream.text, "the stream is answered from the snapshot too"
        assert httpx.get(f"{server.url}/v1/articles").status_code == 200, "the manifest still answers"

        chroma_server.start()  # a new `chroma run` on the same path and port
        recovered = _wait_for_answers(server.url, QUESTIONS[0])
        assert recovered.status_code == 200, recovered.text
        for question in QUESTIONS:
            again = _post_ask(server.url, question)[0].json()
            assert again["answer"] == before[question]["answer"], "the same index came back"
        assert httpx.get(f"{server.url}/readyz").status_code == 200


def test_stalled_chroma_is_a_bounded_503(chroma_server, tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    """SIGSTOP: the port still accepts, nothing answers. chromadb has no timeout of its own."""
    bot = make_bot(tmp_path / "data", embedder, SEED, chroma_url=chroma_server.url, chroma_timeout_s=1.5)
    with LiveServer(create_app(bot=bot)) as server:
        assert _post_ask(server.url, QUESTIONS[0])[0].status_code == 200
        chroma_server.freeze()
        try:
            for question in QUESTIONS[:2]:  # asks read the in-memory snapshot: Chroma is not in their path
                response, took = _post_ask(server.url, question)
                assert response.status_code == 200, response.text
                assert took < 6, f"an ask does not wait on a stalled store, took {took:.1f}s"
            ready = httpx.get(f"{server.url}/readyz", timeout=30)
            assert ready.status_code == 503, "readiness is bounded by BRIEFBOT_CHROMA_TIMEOUT_S and says so"
        finally:
            chroma_server.thaw()
        assert _wait_for_answers(server.url, QUESTIONS[0]).status_code == 200


def _committed_articles(data: Path) -> int:
    path = data / "index.sqlite"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:  # not migrated yet
        return 0


def test_ingest_killed_mid_embedding_leaves_a_consistent_index(chroma_server, tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    articles = 32
    corpus = write_corpus(tmp_path / "corpus", articles=articles, words=600)  # ~570 chunks: 3 embedding batches
    data = tmp_path / "data"
    env = serve_env(data, chroma_server.url)
    ingest = subprocess.Popen([sys.executable, "-m", "bot.cli", "ingest", str(corpus)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while _committed_articles(data) == 0:
        assert ingest.poll() is None, "the ingest finished before it could be killed: make the corpus larger"
        assert time.monotonic() < deadline, "the ingest committed nothing in 300 s"
        time.sleep(0.05)
    ingest.send_signal(signal.SIGKILL)
    ingest.wait(10)

    index = KnowledgeIndex(data, chroma_url=chroma_server.url, embedder=embedder)
    committed = index.articles()
    assert 0 < len(committed) < articles, "killed in the middle, not before or after"
    live = index.manifest.chunk_ids()
    assert live <= index.vectors.ids(), "every live chunk has its vector"
    per_article = Counter(c.article_id for c in index.chunks().values())
    for info in committed:
        assert per_article[info.id] == info.chunks, f"{info.id} is whole, not half an article"
        assert {c.version for c in index.chunks().values() if c.article_id == info.id} == {info.content_hash}
    hits = index.search("ceasefire talks in Geneva", k=8)
    assert hits and all(p.chunk.id in live for p in hits)

    report = json.loads(briefbot("ingest", str(corpus), "--json", env=env).stdout)
    statuses = Counter(r["status"] for r in report["results"])
    assert statuses == {"unchanged": len(committed), "added": articles - len(committed)}, statuses
    assert len(index.articles()) == articles
    assert index.vectors.ids() == index.manifest.chunk_ids(), "leftover vectors of the killed run were swept"


def test_conversations_survive_an_api_restart(tmp_path: Path) -> None:
    """Real `briefbot serve` (embedded store): ask, kill -9, restart, the turns are all there."""
    data = tmp_path / "data"
    env = serve_env(data)
    briefbot("ingest", str(SEED), env=env)
    server = ServeProcess(env).start()
    try:
        first = httpx.post(f"{server.url}/v1/ask", json={"question": "What does Zelenskyy want?"}, timeout=60).json()
        cid = first["conversation_id"]
        second = httpx.post(f"{server.url}/v1/ask", json={"question": "Which outlet reported that?", "conversation_id": cid},
                            timeout=60).json()
        assert second["conversation_id"] == cid
    finally:
        server.kill()
    restarted = ServeProcess(env, port=server.port).start()
    try:
        turns = httpx.get(f"{restarted.url}/v1/conversations/{cid}").json()["turns"]
        assert [t["question"] for t in turns] == ["What does Zelenskyy want?", "Which outlet reported that?"]
        assert turns[0]["answer"] == first["answer"] and turns[1]["answer"] == second["answer"]
        third = httpx.post(f"{restarted.url}/v1/ask", json={"question": "And what does Putin want?", "conversation_id": cid},
                           timeout=60).json()
        assert third["grounded"] and len(httpx.get(f"{restarted.url}/v1/conversations/{cid}").json()["turns"]) == 3
    finally:
        restarted.kill()


def test_sigterm_lets_the_request_in_flight_finish_and_closes_sqlite(tmp_path: Path) -> None:
    """SIGTERM while a large article is being embedded: it is answered 201, stored, and the server
    exits cleanly with every SQLite connection closed (no -wal file left behind)."""
    data = tmp_path / "data"
    env = serve_env(data)
    record = json.loads(write_corpus(tmp_path / "corpus", articles=1, words=12000).read_text())
    server = ServeProcess(env).start()
    httpx.post(f"{server.url}/v1/ask", json={"question": "Anything?"}, timeout=60)  # open the conversations db
    outcome: dict[str, object] = {}

    def add_article() -> None:
        try:
            outcome["response"] = httpx.post(f"{server.url}/v1/articles", json=record, timeout=180,
                                             headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        except httpx.HTTPError as exc:
            outcome["error"] = exc
        outcome["done_at"] = time.monotonic()

    writer = threading.Thread(target=add_article)
    try:
        writer.start()
        time.sleep(1.5)  # the request is in, the embedding takes seconds
        signalled_at = time.monotonic()
        # uvicorn re-raises SIGTERM once it has shut down cleanly, so "killed by SIGTERM" is a clean exit
        assert server.terminate(timeout=120) in (0, -signal.SIGTERM), server.log.read_text()[-3000:]
        writer.join(180)
    finally:
        server.kill()
    assert "error" not in outcome, outcome
    response = outcome["response"]
    assert isinstance(response, httpx.Response) and response.status_code == 201, response
    assert outcome["done_at"] > signalled_at, "the request was still in flight at SIGTERM"  # type: ignore[operator]
    assert response.json()["article"]["id"] == record["id"]
    assert "Application shutdown complete" in server.log.read_text()
    leftovers = sorted(p.name for p in data.glob("*.sqlite-wal"))
    assert leftovers == [], f"connections left open: {leftovers}"
    with sqlite3.connect(data / "index.sqlite") as conn:
        assert conn.execute("SELECT chunk_count FROM articles WHERE id=?", (record["id"],)).fetchone()[0] > 100
