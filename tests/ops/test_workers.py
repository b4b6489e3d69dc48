"""`briefbot serve --workers 2` (real subprocess) sharing one Chroma server and one data dir."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families

from bot.cli import main
from tests.conftest import SEED
from tests.ops.conftest import ADMIN_TOKEN, CHROMA, ChromaServer, ServeProcess, ask, briefbot, serve_env

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def _record(article_id: str, place: str) -> dict[str, str]:
    return {
        "id": article_id, "title": f"Fishing talks in {place} stall", "outlet": "Nordic Wire",
        "text": (f"Fishing talks in {place} stall\n\n"
                 f"Norway rejected the proposed cod quota for the {place} grounds, Reuters reported. "
                 f"Iceland wants the {place} quota cut by a third before the next season, according to the BBC. "
                 f"The next round of talks on the {place} grounds is set for June 3 in Oslo, AP reported."),
    }


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    if not CHROMA.exists():
        pytest.skip("the chroma CLI is not installed")
    root = tmp_path_factory.mktemp("cluster")
    chroma = ChromaServer(root / "chroma").start()
    env = serve_env(root / "data", chroma.url)
    try:
        with ServeProcess(env, workers=2) as server:
            yield SimpleNamespace(chroma=chroma, server=server, env=env, data=root / "data")
    finally:
        chroma.kill()


def until_every_worker(call: Callable[[], httpx.Response], workers: int = 2, tries: int = 80) -> dict[str, list[httpx.Response]]:
    """Repeat `call` (a fresh connection each time) until `workers` distinct worker pids answered."""
    seen: dict[str, list[httpx.Response]] = {}
    for _ in range(tries):
        response = call()
        seen.setdefault(response.headers["x-briefbot-worker"], []).append(response)
        if len(seen) >= workers:
            return seen
    raise AssertionError(f"only workers {sorted(seen)} answered in {tries} tries")


def test_an_article_added_through_one_worker_is_answered_by_every_worker(cluster) -> None:  # type: ignore[no-untyped-def]
    url = cluster.server.url
    added = httpx.post(f"{url}/v1/articles", json=_record("fish-skagen", "Skagen"), headers=ADMIN, timeout=120)
    assert added.status_code == 201, added.text
    writer = added.headers["x-briefbot-worker"]

    seen = until_every_worker(lambda: ask(url, "What does Iceland want on the Skagen quota?"))
    assert writer in seen and len(seen) == 2
    for responses in seen.values():
        for r in responses:
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["grounded"] and body["citations"][0]["article_id"] == "fish-skagen"
            assert "BBC" in body["answer"]


def test_a_conversation_continues_on_another_worker(cluster) -> None:  # type: ignore[no-untyped-def]
    url = cluster.server.url
    report = briefbot("ingest", str(SEED), "--json", env=cluster.env)  # the CLI, next to the running workers
    assert json.loads(report.stdout)["summary"].startswith("1 added")

    first = ask(url, "What does Zelenskyy want?")
    assert first.status_code == 200 and first.json()["grounded"]
    cid, started_on = first.json()["conversation_id"], first.headers["x-briefbot-worker"]

    def follow_up() -> httpx.Response:
        return ask(url, "Which outlet reported that?", conversation_id=cid)

    for _ in range(80):
        follow = follow_up()
        assert follow.status_code == 200, follow.text
        if follow.headers["x-briefbot-worker"] != started_on:
            break
    else:
        raise AssertionError("every follow-up landed on the first worker")
    body = follow.json()
    assert body["conversation_id"] == cid
    assert "BBC" in {o for c in body["citations"] for o in c["outlets"]}, "the other worker resolved 'that' from history"
    turns = until_every_worker(lambda: httpx.get(f"{url}/v1/conversations/{cid}"))
    counts = {len(r.json()["turns"]) for rs in turns.values() for r in rs}
    assert len(counts) == 1 and counts.pop() >= 2, "every worker sees the same turns"


def test_a_delete_through_one_worker_is_seen_by_every_worker(cluster) -> None:  # type: ignore[no-untyped-def]
    url = cluster.server.url
    assert httpx.post(f"{url}/v1/articles", json=_record("fish-bergen", "Bergen"), headers=ADMIN, timeout=120).status_code == 201
    listed = json.loads(briefbot("articles", "list", "--json", env=cluster.env).stdout)
    assert "fish-bergen" in {a["id"] for a in listed}, "the CLI sees what the API wrote"
    assert httpx.delete(f"{url}/v1/articles/fish-bergen", headers=ADMIN).status_code == 204
    seen = until_every_worker(lambda: ask(url, "What does Iceland want on the Bergen quota?"))
    for responses in seen.values():
        for r in responses:
            assert all(c["article_id"] != "fish-bergen" for c in r.json()["citations"])


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_metrics_add_up_every_worker(cluster) -> None:  # type: ignore[no-untyped-def]
    url = cluster.server.url
    asks = until_every_worker(lambda: ask(url, "What happens next?"))
    scrapes = until_every_worker(lambda: httpx.get(f"{url}/metrics"))
    key = ("briefbot_http_requests_total", (("method", "POST"), ("route", "/v1/ask"), ("status", "200")))
    totals = {pid: _samples(rs[-1].text)[key] for pid, rs in scrapes.items()}
    assert len(set(totals.values())) == 1, f"each worker reports the sum of all: {totals}"
    assert next(iter(totals.values())) >= sum(len(rs) for rs in asks.values())
    sample = _samples(next(iter(scrapes.values()))[-1].text)
    articles = json.loads(briefbot("articles", "list", "--json", env=cluster.env).stdout)
    assert sample[("briefbot_index_articles", ())] == len(articles)
    assert sample[("briefbot_answers_total", (("grounded", "true"),))] >= 2
    assert list((cluster.data / "metrics").glob("*.db")), "multiprocess samples live under the data dir"


def test_json_logs_carry_the_request_id_and_the_worker(cluster) -> None:  # type: ignore[no-untyped-def]
    url = cluster.server.url
    tagged = until_every_worker(
        lambda: httpx.get(f"{url}/v1/articles", headers={"X-Request-ID": f"trace-{time.monotonic_ns()}"})
    )
    log: Path = cluster.server.log
    deadline = time.monotonic() + 10
    while True:
        lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
        by_id = {line.get("request_id"): line for line in lines if line["logger"] == "briefbot.access"}
        wanted = {r.headers["x-request-id"]: pid for pid, rs in tagged.items() for r in rs}
        if set(wanted) <= set(by_id) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    for request_id, pid in wanted.items():
        line = by_id[request_id]
        assert line["pid"] == int(pid) and line["route"] == "/v1/articles" and line["status"] == 200


def test_every_worker_answers_503_while_chroma_is_down_and_recovers(cluster) -> None:  # type: ignore[no-untyped-def]
    """A worker answers from its in-memory snapshot while Chroma is down, or says 503 when it needs the
    store (to load a newer index version); never a 500. Readiness says 503 until the store is back."""
    url = cluster.server.url
    cluster.chroma.kill()
    down = until_every_worker(lambda: ask(url, "What does Zelenskyy want?", timeout=30))
    for responses in down.values():
        for r in responses:
            assert r.status_code in (200, 503), r.text
            if r.status_code == 503:
                assert r.json()["detail"].startswith("the article store is unavailable, try again shortly")
    assert httpx.get(f"{url}/readyz", timeout=30).status_code == 503
    cluster.chroma.start()  # same path and port
    deadline = time.monotonic() + 60
    while httpx.get(f"{url}/readyz", timeout=30).status_code != 200:
        assert time.monotonic() < deadline, "the API did not reconnect to Chroma"
        time.sleep(0.25)
    back = until_every_worker(lambda: ask(url, "What does Zelenskyy want?"))
    assert all(r.status_code == 200 and r.json()["grounded"] for rs in back.values() for r in rs)


def test_several_workers_need_a_chroma_server() -> None:
    result = CliRunner().invoke(main, ["serve", "--workers", "2"])
    assert result.exit_code == 2
    assert "--workers > 1 needs a Chroma server (set BRIEFBOT_CHROMA_URL)" in result.output
