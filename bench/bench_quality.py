"""Answer quality across corpora: each set ingested into a fresh index and its questions run
in-process (one embedding model for all), then one table of the headline metrics per set and, per
set, the pass rate by question category.

Default sets: the seed (`data/articles` + `data/eval/seed.jsonl`), the multi-publisher fixture
corpus (`tests/fixtures/corpus` + `tests/fixtures/corpus_eval.jsonl`) and every folder of
`../shared/devsets/` holding `articles.jsonl` + `qa.jsonl` (dev sets: any one expected outlet
cited and named is enough). `--sets DIR...` evaluates other folders in that layout instead.

    .venv/bin/python bench/bench_quality.py [--sets DIR ...] [--json out.json]
    make bench-quality [SETS="dir1 dir2"] [JSON=out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from bot.evaluation import EvaluationError  # noqa: E402
from bot.evaluation.reports import category_table  # noqa: E402
from bot.evaluation.sets import default_sets, evaluate_sets, folder_sets  # noqa: E402

COLUMNS = ("pass_rate", "refusal_accuracy", "false_refusal_rate", "citation_support", "keyword_recall")


def show_progress(name: str, done: int, total: int) -> None:
    """`set: done/total` on stderr, rewritten in place on a terminal, every 10 questions otherwise."""
    if sys.stderr.isatty():
        print(f"\r{name}: {done}/{total}", end="\n" if done == total else "", file=sys.stderr, flush=True)
    elif done == total or done % 10 == 0:
        print(f"{name}: {done}/{total}", file=sys.stderr, flush=True)


def _cell(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def metrics_table(results: dict[str, dict[str, Any]]) -> list[str]:
    """One Markdown row per set: questions, passed, then the headline metrics."""
    width = max(len("set"), *(len(name) for name in results))
    lines = [f"| {'set':<{width}} | questions | passed | " + " | ".join(COLUMNS) + " |",
             f"|{'-' * (width + 2)}|---:|---:|" + "|".join("---:" for _ in COLUMNS) + "|"]
    for name, result in results.items():
        cells = [f"{_cell(result['metrics'][c]):>{len(c)}}" for c in COLUMNS]
        counts = result["counts"]
        lines.append(f"| {name:<{width}} | {counts['questions']:>9} | {counts['passed']:>6} | " + " | ".join(cells) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", nargs="*", type=Path, default=None,
                        help="folders with articles.jsonl + qa.jsonl to evaluate instead of the default sets")
    parser.add_argument("--json", type=Path, help="write every figure (and every question's row) here")
    args = parser.parse_args()

    try:
        sets = folder_sets(args.sets) if args.sets else default_sets(ROOT)
    except EvaluationError as exc:
        parser.error(str(exc))
    print("sets: " + ", ".join(f"{s.name} ({s.questions}, outlets: {s.outlet_match})" for s in sets), file=sys.stderr)
    started = time.perf_counter()
    results = evaluate_sets(sets, progress=show_progress)
    wall = time.perf_counter() - started

    print(f"\n## Answer quality by set ({wall:.0f} s, one model load)\n")
    print("\n".join(metrics_table(results)))
    for name, result in results.items():
        if result["ingest"]["failed"]:
            print(f"\n{name}: articles that failed to ingest: " + "; ".join(result["ingest"]["failed"]))
        if result["by_category"]:
            print(f"\n### {name} by category\n")
            print("\n".join(category_table(result["by_category"])))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"wall_s": round(wall, 1), "sets": results}, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
        print(f"\nwrote {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
