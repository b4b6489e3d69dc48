"""Load benchmark: 1 vs 2 `briefbot serve` workers behind one Chroma server, on loopback.

For each worker count: a real `briefbot serve --workers N` subprocess (BRIEFBOT_CHROMA_URL set, the
seed article ingested), a short warm-up, then `--clients` concurrent clients (asyncio + httpx, each
with its own keep-alive connection) asking distinct questions for `--duration` seconds. Reports
throughput, p50/p95/p99, errors and how the requests spread over the workers, then the ratios.

    .venv/bin/python bench/bench_load.py [--clients 50] [--duration 60] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import free_port, pct, timed_ask  # noqa: E402
from bench.questions import questions  # noqa: E402

BIN = Path(sys.executable).parent


@dataclass
class Run:
    workers: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    by_worker: Counter[str] = field(default_factory=Counter)
    load_before: float = 0.0
    load_after: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds used during the run, by whom

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def _wait(url: str, workers: int, proc: subprocess.Popen[bytes], timeout: float = 300) -> None:
    """Until every worker has answered /readyz 200 (new connection each time, so any worker may take it)."""
    ready: set[str] = set()
    deadline = time.monotonic() + timeout
    while len(ready) < workers:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"serve --workers {workers} did not become ready (exit {proc.poll()})")
        try:
            with httpx.Client(timeout=5) as client:
                r = client.get(f"{url}/readyz")
            if r.status_code == 200:
                ready.add(r.headers["x-briefbot-worker"])
                continue
        except httpx.HTTPError:
            pass
        time.sleep(0.2)


async def _client(url: str, pool: list[str], offset: int, stop_at: float, run: Run, per_connection: int) -> None:
    """One client: asks in a loop on a keep-alive connection it replaces every `per_connection` asks,
    so the kernel spreads connections over the workers as the run goes (one accept decides a worker)."""
    i = offset
    while time.perf_counter() < stop_at:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            for _ in range(per_connection):
                if time.perf_counter() >= stop_at:
                    break
                r, seconds = await timed_ask(client, pool[i % len(pool)], run.errors)
                i += 7
                if r is None:
                    break
                if r.status_code != 200:
                    continue
                run.latencies.append(seconds)
                run.by_worker[r.headers.get("x-briefbot-worker", "?")] += 1


async def _load(url: str, clients: int, duration: float, run: Run, per_connection: int = 20) -> None:
    pool = questions(10_000)
    stop_at = time.perf_counter() + duration
    started = time.perf_counter()
    await asyncio.gather(*(_client(url, pool, i, stop_at, run, per_connection) for i in range(clients)))
    run.seconds = time.perf_counter() - started


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of these processes and their children (gone ones count 0)."""
    total = 0.0
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            for p in [proc, *proc.children(recursive=True)]:
                times = p.cpu_times()
                total += times.user + times.system
        except psutil.Error:
            pass
    return total


def bench(workers: int, env: dict[str, str], clients: int, duration: float, warmup: float, chroma_pid: int) -> Run:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [str(BIN / "briefbot"), "serve", "--port", str(port), "--workers", str(workers), "--log-level", "warning"],
        env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait(url, workers, proc)
        asyncio.run(_load(url, min(clients, 8), warmup, Run(workers)))  # warm both workers' caches and pools
        run = Run(workers, load_before=os.getloadavg()[0])
        who = {"serve": [proc.pid], "chroma": [chroma_pid]}
        before = {name: _cpu_seconds(pids) for name, pids in who.items()}
        me = psutil.Process()  # the load generator alone (serve and chroma are its children)
        mine = sum(me.cpu_times()[:2])
        machine = sum(psutil.cpu_times()[:3])  # user + nice + system, every process on the machine
        asyncio.run(_load(url, clients, duration, run))
        run.cpu = {name: _cpu_seconds(pids) - before[name] for name, pids in who.items()}
        run.cpu["clients"] = sum(me.cpu_times()[:2]) - mine
        run.cpu["machine"] = sum(psutil.cpu_times()[:3]) - machine
        run.load_after = os.getloadavg()[0]
        return run
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def _row(run: Run) -> str:
    ms = [x * 1000 for x in run.latencies] or [0.0]
    spread = "/".join(str(n) for _, n in sorted(run.by_worker.items()))
    errors = sum(run.errors.values())
    return (f"| {run.workers} | {len(run.latencies)} | {run.throughput:.1f} | {pct(ms, 0.50):.0f} | {pct(ms, 0.95):.0f} | "
            f"{pct(ms, 0.99):.0f} | {max(ms):.0f} | {errors} | {spread} | {run.load_before:.1f} → {run.load_after:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load per worker count")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    chroma_port = free_port()
    chroma = subprocess.Popen(
        [str(BIN / "chroma"), "run", "--path", str(tmp / "chroma"), "--host", "127.0.0.1", "--port", str(chroma_port)],
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    runs: list[Run] = []
    try:
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        env = dict(os.environ, BRIEFBOT_DATA_DIR=str(tmp / "data"), BRIEFBOT_CHROMA_URL=f"http://127.0.0.1:{chroma_port}",
                   HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", BRIEFBOT_LOG_FORMAT="text")
        env.pop("BRIEFBOT_API_KEYS", None)
        env.pop("BRIEFBOT_RATE_LIMIT_PER_MINUTE", None)
        subprocess.run([str(BIN / "briefbot"), "ingest", str(ROOT / "data" / "articles")], env=env, check=True,
                       capture_output=True)
        for workers in args.workers:
            print(f"{workers} worker(s): {args.clients} clients for {args.duration:.0f} s ...", file=sys.stderr, flush=True)
            runs.append(bench(workers, env, args.clients, args.duration, args.warmup, chroma.pid))
    finally:
        os.killpg(chroma.pid, signal.SIGKILL)
        chroma.wait(10)

    print(f"\nPOST /v1/ask, {args.clients} concurrent clients x {args.duration:.0f} s, one Chroma server, "
          f"{os.cpu_count()} CPUs (load average before → after each run)\n")
    print("| workers | answers | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | per worker | load |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for run in runs:
        print(_row(run))
    print(f"\nCPU seconds used during each run ({os.cpu_count()} CPUs x run time available):\n")
    print("| workers | available | whole machine | briefbot serve | chroma | load generator | others |")
    print("|---|---|---|---|---|---|---|")
    for run in runs:
        c = run.cpu
        others = c["machine"] - c["serve"] - c["chroma"] - c["clients"]
        print(f"| {run.workers} | {(os.cpu_count() or 1) * run.seconds:.0f} | {c['machine']:.0f} | {c['serve']:.0f} | "
              f"{c['chroma']:.0f} | {c['clients']:.0f} | {others:.0f} |")
    for run in runs:
        if run.errors:
            print(f"errors with {run.workers} worker(s): {dict(run.errors)}")
    if len(runs) >= 2 and runs[0].latencies and runs[-1].latencies:
        a, b = runs[0], runs[-1]
        pa = [x * 1000 for x in a.latencies]
        pb = [x * 1000 for x in b.latencies]
        print(f"\n{b.workers} vs {a.workers} workers: throughput x{b.throughput / a.throughput:.2f}, "
              f"p50 x{pct(pb, 0.5) / pct(pa, 0.5):.2f}, p95 x{pct(pb, 0.95) / pct(pa, 0.95):.2f}, "
              f"p99 x{pct(pb, 0.99) / pct(pa, 0.99):.2f} (latency ratios below 1 are better)")
    if any(run.errors for run in runs):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
