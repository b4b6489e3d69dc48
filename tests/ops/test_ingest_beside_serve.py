"""Writers beside a running server (issue 15, items 1 and 2), with real processes.

`briefbot serve` answers asks from several threads while articles are posted through the API and a
`briefbot ingest` process writes into the same data dir: into the embedded Chroma store (the server
must pick up the other process's vectors, and neither writer may overwrite the other's) or into a
Chroma server. No ask answers 5xx, and every new article is answered from itself, with an
`article_ids` filter, as soon as its ingest reports it done.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.corpus import article
from index import KnowledgeIndex
from tests.ops.conftest import ADMIN_TOKEN, ServeProcess, serve_env

ROOT = Path(__file__).resolve().parents[2]
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
QUESTIONS = [
    "What does Zelenskyy want?",
    "What happens next?",
    "What did POLITICO report?",
    "Who gains from the talks?",
]
FALLBACK = "have no stored vector"  # index.knowledge's warning when chunks are found by keywords only


def _records(first: int, n: int, seed: int, words: int = 350) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [article(rng, first + i, words) for i in range(n)]


def _question(record: dict[str, Any]) -> str:
    opening = next(line for line in record["text"].split("\n") if len(line.split()) > 6)
    return " ".join(opening.split()[:10]).rstrip(",.") + "?"


class Askers:
    """Threads asking unfiltered questions in a loop until stopped; counts statuses."""

    def __init__(self, url: str, threads: int = 4) -> None:
        self.url = url
        self.statuses: Counter[int] = Counter()
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]

    def _run(self, offset: int) -> None:
        with httpx.Client(base_url=self.url, timeout=120) as client:
            i = offset
            while not self._stop.is_set():
                r = client.post("/v1/ask", json={"question": QUESTIONS[i % len(QUESTIONS)]})
                self.statuses[r.status_code] += 1
                if r.status_code >= 500 and len(self.failures) < 10:
                    self.failures.append(f"{r.status_code} {r.text[:300]}")
                i += 1

    def __enter__(self) -> Askers:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(150)


def answered_from_itself(url: str, record: dict[str, Any]) -> str | None:
    """None when a filtered ask about `record` is answered (200, grounded) citing only it; else why not."""
    body = {"question": _question(record), "filters": {"article_ids": [record["id"]]}}
    r = httpx.post(f"{url}/v1/ask", json=body, timeout=120)
    if r.status_code != 200:
        return f"{record['id']}: HTTP {r.status_code} {r.text[:300]}"
    answer = r.json()
    cited = {c["article_id"] for c in answer["citations"]}
    if not answer["grounded"] or cited != {record["id"]}:
        return f"{record['id']}: grounded={answer['grounded']} cited={sorted(cited)}"
    return None


def post_and_check(url: str, records: list[dict[str, Any]], problems: list[str]) -> None:
    """Post each record; right after it is stored, it must be answerable with a filter."""
    with httpx.Client(base_url=url, timeout=300) as client:
        for record in records:
            r = client.post("/v1/articles", json=record, headers=AUTH)
            if r.status_code != 201:
                problems.append(f"POST {record['id']}: {r.status_code} {r.text[:300]}")
                continue
            if (why := answered_from_itself(url, record)) is not None:
                problems.append(f"right after POST {why}")


def cli_ingest(path: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "ingest", str(path), "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _ingest_seed(env: dict[str, str]) -> None:
    seeded = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ingest", str(ROOT / "data" / "articles")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert seeded.returncode == 0, seeded.stderr[-2000:]


def _ingest_beside(
    serve: ServeProcess,
    env: dict[str, str],
    tmp_path: Path,
    posted: list[dict[str, Any]],
    by_cli: list[dict[str, Any]],
) -> None:
    """Asks in threads while the API posts `posted` and a CLI process ingests `by_cli`: no ask answers
    5xx, and each new article is answered from itself as soon as its writer reports it done."""
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in by_cli), encoding="utf-8")
    api_problems: list[str] = []
    with Askers(serve.url) as askers:
        ingest = cli_ingest(feed, env)
        poster = threading.Thread(target=post_and_check, args=(serve.url, posted, api_problems))
        poster.start()
        out, err = ingest.communicate(timeout=600)
        assert ingest.returncode == 0, (
            f"the CLI ingest failed ({ingest.returncode}):\n{out[-2000:]}\n{err[-3000:]}"
        )
        statuses = Counter(r["status"] for r in json.loads(out)["results"])
        assert statuses == {"added": len(by_cli)}, statuses
        # the CLI reported done: each of its articles is answerable now, while the API still writes
        cli_problems = [
            why for record in by_cli if (why := answered_from_itself(serve.url, record)) is not None
        ]
        poster.join(600)
        assert not poster.is_alive(), "the API writes did not finish"
    assert askers.statuses[200] > 0 and not any(code >= 500 for code in askers.statuses), (
        askers.statuses,
        askers.failures,
    )
    assert not cli_problems, cli_problems
    assert not api_problems, api_problems


@pytest.mark.slow
def test_cli_ingest_into_the_embedded_store_beside_serve_is_answered_from_its_vectors(tmp_path: Path) -> None:
    """No Chroma server: `serve` and `briefbot ingest` share the embedded store under one data dir."""
    data = tmp_path / "data"
    env = serve_env(data)
    _ingest_seed(env)
    posted, by_cli = _records(0, 4, seed=3), _records(100, 10, seed=5)
    with ServeProcess(env) as serve:
        _ingest_beside(serve, env, tmp_path, posted, by_cli)
        assert all(answered_from_itself(serve.url, r) is None for r in posted + by_cli), (
            "every article still answers"
        )
        log = serve.log.read_text()
        assert FALLBACK not in log, "no article was left to keyword search"
        assert "written by another process: reopening" in log, "the server picked up the CLI's vectors"
        serve.terminate()
    # neither writer overwrote the other's vectors: a fresh process reads every live chunk's vector
    index = KnowledgeIndex(data)
    live = sorted(index.manifest.chunk_ids())
    assert len(index.articles()) == 1 + len(posted) + len(by_cli)
    assert set(index.vectors.embeddings(live)) == set(live)


@pytest.mark.slow
def test_asks_while_the_api_and_a_cli_ingest_write_to_a_chroma_server(chroma_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Two writers (the API and a CLI process) on one Chroma server; each sweep spares the other's new vectors."""
    data = tmp_path / "data"
    env = serve_env(data, chroma_server.url)
    _ingest_seed(env)
    posted, by_cli = _records(0, 6, seed=7), _records(100, 10, seed=9)
    with ServeProcess(env) as serve:
        _ingest_beside(serve, env, tmp_path, posted, by_cli)
        assert FALLBACK not in serve.log.read_text(), "no article was left to keyword search"
    index = KnowledgeIndex(data, chroma_url=chroma_server.url)
    live = index.manifest.chunk_ids()
    assert live <= index.vectors.ids(), "no writer swept vectors the other had stored but not yet committed"
