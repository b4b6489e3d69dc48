"""Ask benchmark over HTTP: time from `briefbot serve` start to /readyz, warm /v1/ask p50/p95 on
distinct questions next to one query embedding (same model, same run), and 8 concurrent clients.

    .venv/bin/python bench/bench_ask.py [--questions 60] [--clients 8]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.measure import free_port, pct  # noqa: E402
from bench.questions import ACTORS, EXTRA, FORMS, questions  # noqa: E402
from index.embedding import MiniLMEmbedder  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--per-client", type=int, default=15)
    args = parser.parse_args()

    data = tempfile.mkdtemp(prefix="bench-ask-")
    env = dict(os.environ, BRIEFBOT_DATA_DIR=data, HF_HUB_OFFLINE="1")
    cli = str(ROOT / ".venv" / "bin" / "briefbot")
    subprocess.run([cli, "ingest", str(ROOT / "data" / "articles")], env=env, check=True, capture_output=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    server = subprocess.Popen([cli, "serve", "--port", str(port), "--log-level", "warning"], env=env, start_new_session=True)
    try:
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.perf_counter() - started > 120:
                raise SystemExit("server never became ready")
            time.sleep(0.05)
        ready = time.perf_counter() - started
        print(f"serve start -> /readyz 200: {ready:.2f} s")

        embedder = MiniLMEmbedder(cache_size=0)
        embedder.load()
        qs = questions(args.questions)
        for q in qs[:3]:
            embedder.encode([q + " warm"])
        floor_samples = []
        for q in qs:
            t = time.perf_counter()
            embedder.encode([q], batch_size=1)
            floor_samples.append(time.perf_counter() - t)
        floor = statistics.median(floor_samples)

        with httpx.Client(base_url=url, timeout=30) as client:
            client.post("/v1/ask", json={"question": "warm up: what happens next?"})
            latencies = []
            for q in qs:
                t = time.perf_counter()
                r = client.post("/v1/ask", json={"question": q})
                latencies.append(time.perf_counter() - t)
                assert r.status_code == 200, r.text
        p50, p95 = pct(latencies, 0.5), pct(latencies, 0.95)
        print(f"one query embedding (floor, median of {len(qs)}): {floor * 1000:.1f} ms")
        print(f"warm /v1/ask over HTTP, {len(qs)} distinct questions: p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
        print(f"p50 / floor = {p50 / floor:.2f}x (goal <= 3x)")

        errors: list[str] = []
        done = []
        lock = threading.Lock()
        pool = questions(len(FORMS) * len(ACTORS) + len(EXTRA))

        def client_loop(i: int) -> None:
            with httpx.Client(base_url=url, timeout=60) as c:
                for j in range(args.per_client):
                    q = pool[(i * args.per_client + j) % len(pool)] + f" ({i}-{j})"
                    t = time.perf_counter()
                    try:
                        r = c.post("/v1/ask", json={"question": q})
                        ok = r.status_code == 200
                    except httpx.HTTPError as exc:
                        ok, r = False, exc  # type: ignore[assignment]
                    with lock:
                        done.append(time.perf_counter() - t)
                        if not ok:
                            errors.append(str(r))

        t = time.perf_counter()
        threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(args.clients)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t
        print(f"{args.clients} concurrent clients: {len(done)} requests, {len(errors)} errors, "
              f"{len(done) / wall:.1f} req/s, p50 {pct(done, 0.5) * 1000:.0f} ms, p95 {pct(done, 0.95) * 1000:.0f} ms")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
