"""Soak benchmark: asks under load while articles are posted, deleted and ingested beside the server.

One Chroma server (`chroma run`) and one `briefbot serve --workers N` subprocess on loopback, the seed
article ingested. Then, at the same time:

- `--clients` clients (asyncio + httpx) ask `POST /v1/ask` in a loop for `--duration` seconds, and on
  until the writes below are done;
- one writer posts `--post` generated articles through `POST /v1/articles` and deletes `--delete` of
  them (`DELETE /v1/articles/{id}`) along the way;
- `briefbot ingest` (a CLI process against the same Chroma server and data dir) adds `--cli` more.

Reported: asks answered and errors (by status or exception; must be 0), p50/p95/p99/max latency,
write outcomes, peak RSS (serve and its workers, Chroma, the CLI ingest). Afterwards every article
that should be there is asked about with an `article_ids` filter and must be answered from itself;
every deleted one must be gone. Exits 1 on any error or failed check.

    .venv/bin/python bench/bench_soak.py [--clients 50] [--duration 60] [--post 100] [--delete 10] \\
        [--cli 100] [--workers 2] [--json soak.json]

A small run: `--clients 8 --duration 15 --post 10 --delete 2 --cli 10`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import article  # noqa: E402
from bench.measure import free_port, pct, timed_ask  # noqa: E402
from bench.questions import questions  # noqa: E402

BIN = Path(sys.executable).parent
ADMIN_TOKEN = "bench-soak-admin-token-0123456789"
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@dataclass
class Soak:
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)  # asks that did not answer 200
    writes: Counter[str] = field(default_factory=Counter)  # "post 201", "delete 204", "post 503", ...
    writes_seconds: float = 0.0  # from the start of the load until the last API write answered
    started: float = 0.0
    failed_writes: int = 0
    problems: list[str] = field(default_factory=list)  # the first failed writes and 5xx asks, for the report
    cli: dict[str, Any] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    checked: int = 0
    unanswerable: list[str] = field(default_factory=list)
    not_deleted: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        ms = [x * 1000 for x in self.latencies]
        return {
            "seconds": round(self.seconds, 1), "asks": len(ms), "errors": dict(self.errors),
            "req_per_s": round(len(ms) / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(pct(ms, 0.50)) if ms else None, "p95_ms": round(pct(ms, 0.95)) if ms else None,
            "p99_ms": round(pct(ms, 0.99)) if ms else None, "max_ms": round(max(ms)) if ms else None,
            "writes": dict(self.writes), "api_writes_seconds": self.writes_seconds, "problems": self.problems, "cli": self.cli,
            "peak_rss_mb": {k: round(v) for k, v in self.peak_rss_mb.items()},
            "checked": self.checked, "unanswerable": self.unanswerable, "not_deleted": self.not_deleted,
        }

    @property
    def failed(self) -> bool:
        return bool(self.errors or self.failed_writes or self.cli.get("exit") != 0 or self.unanswerable or self.not_deleted)


# ----- processes ---------------------------------------------------------------------------------
def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def _wait_until(url: str, proc: subprocess.Popen[bytes], what: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{what} did not become ready within {timeout:.0f} s")


def _tree_rss_mb(pid: int) -> tuple[float, float]:
    """(sum, largest single process) resident memory of a process and its children, MB."""
    try:
        root = psutil.Process(pid)
        values = [p.memory_info().rss for p in [root, *root.children(recursive=True)]]
    except psutil.Error:
        return 0.0, 0.0
    return sum(values) / 1e6, max(values, default=0) / 1e6


# ----- the load ----------------------------------------------------------------------------------
async def _asker(client: httpx.AsyncClient, pool: list[str], offset: int, stop_at: float, writes_done: asyncio.Event,
                 soak: Soak) -> None:
    """Ask in a loop for the duration, and on until the writes are done (every write happens under load)."""
    i = offset
    while time.perf_counter() < stop_at or not writes_done.is_set():
        question = pool[i % len(pool)]
        i += 7
        r, seconds = await timed_ask(client, question, soak.errors)
        if r is not None and r.status_code == 200:
            soak.latencies.append(seconds)
        elif r is not None and r.status_code >= 500 and len(soak.problems) < 20:
            soak.problems.append(f"ask {question!r}: {r.status_code} {r.text[:200]}")


async def _write(client: httpx.AsyncClient, method: str, path: str, ok: tuple[int, ...], soak: Soak, **kwargs: Any) -> None:
    """One admin write; a failure (status or transport) is counted and kept for the report. Both writes
    are idempotent, so a connection dropped before any response is retried once (and still counted)."""
    verb = "post" if method == "POST" else "delete"
    for attempt in (1, 2):
        try:
            r = await client.request(method, path, headers=AUTH, **kwargs)
        except httpx.HTTPError as exc:
            soak.writes[f"{verb} {type(exc).__name__}"] += 1
            soak.failed_writes += 1
            soak.problems.append(f"{verb} {path} (attempt {attempt}): {type(exc).__name__}: {exc}")
            continue
        soak.writes[f"{verb} {r.status_code}"] += 1
        if r.status_code not in ok:
            soak.failed_writes += 1
            soak.problems.append(f"{verb} {path}: {r.status_code} {r.text[:200]}")
        return


async def _writer(client: httpx.AsyncClient, records: list[dict[str, Any]], delete: int, soak: Soak) -> list[str]:
    """Post every record; delete `delete` of them along the way (an earlier one after every few posts)."""
    every = max(1, len(records) // max(1, delete)) if delete else 0
    deleted: list[str] = []
    for n, record in enumerate(records, start=1):
        await _write(client, "POST", "/v1/articles", (200, 201), soak, json=record)
        if every and n % every == 0 and len(deleted) < delete:
            victim = records[n - 1 - every // 2]["id"]
            await _write(client, "DELETE", f"/v1/articles/{victim}", (204,), soak)
            deleted.append(victim)
    soak.writes_seconds = round(time.perf_counter() - soak.started, 1)
    return deleted


async def _cli_ingest(path: Path, env: dict[str, str], soak: Soak, pids: dict[str, int]) -> None:
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        str(BIN / "briefbot"), "ingest", str(path), "--json", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    pids["cli ingest"] = proc.pid
    out, err = await proc.communicate()
    soak.cli = {"exit": proc.returncode, "seconds": round(time.perf_counter() - started, 1)}
    try:
        soak.cli["summary"] = json.loads(out)["summary"]
    except (ValueError, KeyError):
        soak.cli["stderr"] = err.decode(errors="replace")[-1000:]


async def _sample_rss(pids: dict[str, int], soak: Soak, stop: asyncio.Event) -> None:
    while not stop.is_set():
        for name, pid in list(pids.items()):
            total, largest = _tree_rss_mb(pid)
            soak.peak_rss_mb[name] = max(soak.peak_rss_mb.get(name, 0.0), total)
            if name == "serve":
                soak.peak_rss_mb["largest serve process"] = max(soak.peak_rss_mb.get("largest serve process", 0.0), largest)
        try:
            await asyncio.wait_for(stop.wait(), 0.5)
        except TimeoutError:
            pass


async def _soak(url: str, args: argparse.Namespace, posted: list[dict[str, Any]], cli_file: Path, env: dict[str, str],
                pids: dict[str, int], soak: Soak) -> list[str]:
    pool = questions(10_000)
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample_rss(pids, soak, stop))
    limits = httpx.Limits(max_connections=args.clients + 4, max_keepalive_connections=args.clients + 4)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        started = soak.started = time.perf_counter()
        stop_at = started + args.duration
        cli = asyncio.create_task(_cli_ingest(cli_file, env, soak, pids))
        writer = asyncio.create_task(_writer(client, posted, args.delete, soak))
        writes_done = asyncio.Event()
        both = asyncio.gather(cli, writer)
        both.add_done_callback(lambda _: writes_done.set())
        await asyncio.gather(*(_asker(client, pool, i, stop_at, writes_done, soak) for i in range(args.clients)))
        soak.seconds = time.perf_counter() - started
        _, deleted = await both
    stop.set()
    await sampler
    return deleted


# ----- afterwards: every article answerable with a filter, every deleted one gone -------------------
def _question_for(record: dict[str, Any]) -> str:
    """A question the article answers: its own, or its first sentence's opening words."""
    if record.get("question"):
        return str(record["question"])
    first = next(line for line in record["text"].split("\n") if len(line.split()) > 6)
    return " ".join(first.split()[:10]).rstrip(",.") + "?"


async def _verify(url: str, expected: list[dict[str, Any]], deleted: list[str], soak: Soak, concurrency: int = 8) -> None:
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for record in expected:
        queue.put_nowait(record)

    async def check(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            record = queue.get_nowait()
            body = {"question": _question_for(record), "filters": {"article_ids": [record["id"]]}}
            r = await client.post("/v1/ask", json=body)
            soak.checked += 1
            answer = r.json() if r.status_code == 200 else {}
            cited = {c["article_id"] for c in answer.get("citations", [])}
            if r.status_code != 200 or not answer.get("grounded") or cited != {record["id"]}:
                soak.unanswerable.append(f"{record['id']}: HTTP {r.status_code} grounded={answer.get('grounded')} cited={sorted(cited)}")

    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        await asyncio.gather(*(check(client) for _ in range(concurrency)))
        for article_id in deleted:
            if (await client.get(f"/v1/articles/{article_id}")).status_code != 404:
                soak.not_deleted.append(article_id)


# ----- main --------------------------------------------------------------------------------------
def _records(n: int, first: int, words: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [article(rng, first + i, words) for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50, help="concurrent asking clients")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of asks")
    parser.add_argument("--post", type=int, default=100, help="articles posted through the API")
    parser.add_argument("--delete", type=int, default=10, help="of those, deleted through the API")
    parser.add_argument("--cli", type=int, default=100, help="articles the CLI ingests meanwhile")
    parser.add_argument("--words", type=int, default=250, help="words per generated article")
    parser.add_argument("--workers", type=int, default=2, help="serve --workers")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if args.delete > args.post:
        parser.error("--delete cannot exceed --post")

    tmp = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    chroma_port, port = free_port(), free_port()
    chroma = _start([str(BIN / "chroma"), "run", "--path", str(tmp / "chroma"), "--host", "127.0.0.1",
                     "--port", str(chroma_port)], dict(os.environ), tmp / "chroma.log")
    serve: subprocess.Popen[bytes] | None = None
    soak = Soak()
    try:
        _wait_until(f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat", chroma, "chroma", 60)
        env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFBOT_")}
        env.update(BRIEFBOT_DATA_DIR=str(tmp / "data"), BRIEFBOT_CHROMA_URL=f"http://127.0.0.1:{chroma_port}",
                   BRIEFBOT_ADMIN_TOKEN=ADMIN_TOKEN, BRIEFBOT_LOG_FORMAT="text", BRIEFBOT_LOG_LEVEL="WARNING",
                   HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
        subprocess.run([str(BIN / "briefbot"), "ingest", str(ROOT / "data" / "articles")], env=env, check=True,
                       capture_output=True)
        posted = _records(args.post, 0, args.words, seed=11)
        from_cli = _records(args.cli, args.post, args.words, seed=13)
        cli_file = tmp / "cli-articles.jsonl"
        cli_file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in from_cli), encoding="utf-8")
        serve = _start([str(BIN / "briefbot"), "serve", "--host", "127.0.0.1", "--port", str(port),
                        "--workers", str(args.workers)], env, tmp / "serve.log")
        url = f"http://127.0.0.1:{port}"
        _wait_until(f"{url}/readyz", serve, "serve")
        print(f"soak: {args.clients} clients x {args.duration:.0f} s, {args.post} posted / {args.delete} deleted via the API, "
              f"{args.cli} by the CLI, {args.workers} worker(s) ...", file=sys.stderr, flush=True)
        pids = {"serve": serve.pid, "chroma": chroma.pid}
        deleted = asyncio.run(_soak(url, args, posted, cli_file, env, pids, soak))
        seed = {"id": "putin-peace-signal", "question": "What does Zelenskyy want?"}
        expected = [seed] + [r for r in posted if r["id"] not in set(deleted)] + from_cli
        print(f"checking {len(expected)} articles with filtered asks ...", file=sys.stderr, flush=True)
        asyncio.run(_verify(url, expected, deleted, soak))
    finally:
        if serve is not None:
            _stop(serve)
        _stop(chroma, signal.SIGKILL)

    figures = soak.to_dict()
    print(f"\nSoak: POST /v1/ask by {args.clients} clients for {figures['seconds']} s while {args.post} articles were "
          f"posted and {args.delete} deleted through the API and the CLI ingested {args.cli}; {args.workers} worker(s), "
          f"one Chroma server, {os.cpu_count()} CPUs\n")
    print("| asks | req/s | errors | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {figures['asks']} | {figures['req_per_s']} | {sum(soak.errors.values())} | {figures['p50_ms']} | "
          f"{figures['p95_ms']} | {figures['p99_ms']} | {figures['max_ms']} |")
    print(f"\nask errors: {figures['errors'] or 'none'}")
    print(f"API writes: {figures['writes']} (done after {figures['api_writes_seconds']} s); CLI ingest: {figures['cli']}")
    print(f"peak RSS (MB): {figures['peak_rss_mb']}")
    print(f"afterwards: {figures['checked'] - len(soak.unanswerable)} of {figures['checked']} articles answered from "
          f"themselves with an article_ids filter; {len(deleted)} deleted, {len(soak.not_deleted)} still there")
    for line in (soak.problems + soak.unanswerable)[:20]:
        print(f"  ! {line}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    if soak.failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
