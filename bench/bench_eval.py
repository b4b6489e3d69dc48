"""Eval benchmark: the shipped seed set through the evaluation harness vs the same questions (and
their history turns) asked directly through `Briefbot.ask` — same process, same bot, same run,
paired question by question in alternating order, the query-embedding cache emptied before each
arm — then one full eval run for latencies, then `briefbot eval` end to end as a user runs it
(a fresh process: imports, model load, reports written).

    .venv/bin/python bench/bench_eval.py [--rounds 3] [--testset data/eval/seed.jsonl]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from bot import Answer, Briefbot, Settings  # noqa: E402
from bot.evaluation import EvalReport, InProcessTarget, TestCase, load_testset, percentile, run_evaluation  # noqa: E402
from bot.evaluation.html_report import to_html  # noqa: E402
from bot.evaluation.reports import to_json, to_markdown  # noqa: E402
from bot.evaluation.runner import _run_case  # noqa: E402  (one case, exactly as run_evaluation runs it)

T = TypeVar("T")


def forget_queries(bot: Briefbot) -> None:
    """Empty the query-embedding LRU so both arms start from the same (cold-query) state."""
    cache = getattr(bot.index.embedder, "_cache", None)
    if cache is not None:
        cache.clear()


class Clock:
    """Wall and CPU (this process, all threads) time, summed over timed blocks."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def time(self, fn: Callable[[], T]) -> T:
        w, c = time.perf_counter(), time.process_time()
        try:
            return fn()
        finally:
            self.wall += time.perf_counter() - w
            self.cpu += time.process_time() - c


def ask_directly(bot: Briefbot, case: TestCase) -> None:
    """What a client does for one case, with no checks: history turns, then the question."""
    conversation = None
    for earlier in case.history:
        conversation = bot.ask(earlier, conversation).conversation_id
    bot.ask(case.question, conversation)


def render(report: EvalReport, out: Path) -> None:
    (out / "report.json").write_text(to_json(report), encoding="utf-8")
    (out / "report.md").write_text(to_markdown(report), encoding="utf-8")
    (out / "report.html").write_text(to_html(report), encoding="utf-8")


def ms(values: list[float], q: float) -> str:
    value = percentile(values, q)
    return "n/a" if value is None else f"{value:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="passes over the test set")
    parser.add_argument("--testset", type=Path, default=ROOT / "data" / "eval" / "seed.jsonl")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-eval-"))
    testset = load_testset(args.testset)
    asks = sum(1 + len(c.history) for c in testset.cases)
    bot = Briefbot(Settings(data_dir=work / "data"))
    ingested = bot.ingest_paths([ROOT / "data" / "articles"])
    assert not ingested.failed, ingested.summary()
    target = InProcessTarget(bot)
    target.prepare()
    for case in testset.cases[:5]:
        bot.ask(case.question)
    print(f"test set: {args.testset.name}, {len(testset.cases)} questions, {asks} asks with history turns", flush=True)

    # Paired per question, order alternating, so load from other processes hits both arms alike.
    direct, harness, asking = Clock(), Clock(), Clock()
    plain_ask = target.ask

    def timed_ask(question: str, conversation_id: str | None) -> Answer:
        return asking.time(partial(plain_ask, question, conversation_id))

    target.ask = timed_ask  # type: ignore[method-assign]
    for round_ in range(args.rounds):
        rows = []
        for i, case in enumerate(testset.cases):
            for arm in (("direct", "harness") if (i + round_) % 2 == 0 else ("harness", "direct")):
                forget_queries(bot)
                if arm == "direct":
                    direct.time(partial(ask_directly, bot, case))
                else:
                    rows.append(harness.time(partial(_run_case, case, target)))
        report = harness.time(partial(EvalReport, testset.path, target.description, "now", 0.0, rows))
        harness.time(partial(render, report, work))
        print(f"round {round_ + 1}: direct {direct.wall:.2f} s wall / {direct.cpu:.2f} s CPU, harness "
              f"{harness.wall:.2f} s wall / {harness.cpu:.2f} s CPU (cumulative)", flush=True)

    target.ask = plain_ask  # type: ignore[method-assign]
    own_wall, own_cpu = harness.wall - asking.wall, harness.cpu - asking.cpu
    forget_queries(bot)
    started = time.perf_counter()
    full = run_evaluation(testset, target)
    wall = time.perf_counter() - started
    latencies = [r.latency_ms for r in full.rows if r.latency_ms is not None]
    c = full.counts
    print(f"one full eval run: {wall:.2f} s wall, {c['passed']}/{c['questions']} passed, {c['errors']} errors; "
          f"per question p50 {ms(latencies, 50)}, p95 {ms(latencies, 95)}, max {max(latencies):.0f} ms")
    print(f"harness / direct Briefbot.ask, same questions, {args.rounds} paired rounds: "
          f"{harness.wall / direct.wall:.3f}x wall, {harness.cpu / direct.cpu:.3f}x CPU (goal <= 1.1x)")
    print(f"the harness's own work (checks, retrieval searches, 3 reports; its asks excluded): {own_wall:.2f} s wall, "
          f"{own_cpu:.2f} s CPU = 1 + {own_wall / direct.wall:.3f} x direct wall, 1 + {own_cpu / direct.cpu:.3f} x direct CPU")

    cli = ROOT / ".venv" / "bin" / "briefbot"
    env = dict(os.environ, BRIEFBOT_DATA_DIR=str(work / "data"))
    started = time.perf_counter()
    done = subprocess.run([str(cli), "eval", str(args.testset), "--out", str(work / "cli.json"), "--markdown",
                           str(work / "cli.md"), "--html", str(work / "cli.html")],
                          env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    headline = next((line for line in done.stdout.splitlines() if " questions: " in line), done.stderr.strip()[-200:])
    print(f"`briefbot eval` end to end (new process, model load, reports): {wall:.2f} s wall, exit {done.returncode}; "
          f"{headline}")
    bot.close()


if __name__ == "__main__":
    main()
