"""Print every sentence of a JSONL corpus with its outlets, speaker and kind, to eyeball attribution.

    .venv/bin/python bench/attribution_report.py ../shared/devsets/*/articles.jsonl [--only-attributed]

Reads the corpora where they are; nothing is written (the dev texts are not ours to copy).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.analyze import analyze  # noqa: E402
from index.parse import read_path  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--only-attributed", action="store_true", help="skip plain publisher sentences")
    args = parser.parse_args()
    counts: dict[str, int] = {}
    started = time.perf_counter()
    sentences = 0
    for path in args.paths:
        records, errors = read_path(path)
        for error in errors:
            print(f"! {error}")
        for record in records:
            article = analyze(record)
            print(f"\n=== {article.id} | publisher={article.publisher!r} | {article.title}")
            for s in article.sentences:
                sentences += 1
                counts[s.kind] = counts.get(s.kind, 0) + 1
                plain = s.outlets == ((article.publisher,) if article.publisher else ()) and s.speaker is None
                if args.only_attributed and plain and s.kind == "reported":
                    continue
                speaker = f" speaker={s.speaker!r}" if s.speaker else ""
                print(f"- [{s.kind[:3]}] {list(s.outlets)}{speaker} :: {s.text[:160]!r}")
    elapsed = time.perf_counter() - started
    print(f"\n{sentences} sentences in {elapsed:.1f} s; kinds: {counts}")


if __name__ == "__main__":
    main()
