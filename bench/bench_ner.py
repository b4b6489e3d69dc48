"""NER's share of ingest: spaCy tagging of every sentence vs raw `model.encode` of every chunk,
measured in one process on the synthetic bench corpus (interleaved, so machine load hits both).

    .venv/bin/python bench/bench_ner.py [--articles 40] [--words 800] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.corpus import write_corpus  # noqa: E402
from index import collect_records  # noqa: E402
from index.analyze import analyze  # noqa: E402
from index.chunking import chunk_article  # noqa: E402
from index.embedding import MiniLMEmbedder  # noqa: E402
from index.entities import Entity, EntityTagger, default_tagger  # noqa: E402


class _NoTagger(EntityTagger):
    def tag(self, texts: list[str], batch_size: int | None = None) -> list[tuple[Entity, ...]]:
        return [() for _ in texts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--words", type=int, default=800)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    corpus = write_corpus(Path(tempfile.mkdtemp(prefix="bench-ner-")) / "corpus", args.articles, args.words)
    records, failures = collect_records([corpus])
    assert not failures, failures
    embedder, tagger, none = MiniLMEmbedder(), default_tagger(), _NoTagger()
    embedder.load()
    tagger.load()
    articles = [analyze(r, tagger=none) for r in records]
    sentences = [s.text for a in articles for s in a.sentences]
    chunks = [c.embedding_text() for a in articles for c in chunk_article(a)]
    print(f"corpus: {len(records)} articles, {len(sentences)} sentences, {len(chunks)} chunks", flush=True)
    totals = {"encode": 0.0, "ner": 0.0, "analyze without NER": 0.0, "analyze with NER": 0.0}
    for _ in range(args.rounds):
        for name, work in (
            ("encode", lambda: embedder.encode(chunks)),
            ("ner", lambda: tagger.tag(sentences)),
            ("analyze without NER", lambda: [analyze(r, tagger=none) for r in records]),
            ("analyze with NER", lambda: [analyze(r, tagger=tagger) for r in records]),
        ):
            t = time.perf_counter()
            work()
            totals[name] += time.perf_counter() - t
    for name, total in totals.items():
        print(f"{name:22s} {total / args.rounds:7.2f} s")
    share = totals["ner"] / totals["encode"]
    print(f"NER = {share:.2f}x raw encode; with the ingest at 0.83x raw encode before NER, "
          f"it becomes about {1 / (1 / 0.83 + share):.2f}x")


if __name__ == "__main__":
    main()
