"""Evaluate several corpora with their question sets in one process: one model, a fresh index each.

    results = evaluate_sets(default_sets(ROOT))            # seed, our fixture corpus, the dev sets
    results["seed"]["metrics"]["pass_rate"], results["seed"]["by_category"], results["seed"]["rows"]

Used by `bench/bench_quality.py` (`make bench-quality`), the per-set CI gates
(`tests/bot/test_quality_gates.py`) and any script that fits ranking or refusal parameters.
"""

from __future__ import annotations

import itertools
import logging
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .checks import OutletMatch
from .models import EvaluationError, QuestionResult
from .runner import InProcessTarget, run_evaluation
from .testset import load_testset

if TYPE_CHECKING:
    from index.embedding import Embedder

log = logging.getLogger(__name__)

DEV_ARTICLES, DEV_QUESTIONS, DEV_ALIASES = "articles.jsonl", "qa.jsonl", "aliases.json"
SetProgress = Callable[[str, int, int], None]  # set name, questions done, questions in the set


@dataclass(frozen=True)
class EvalSet:
    """A corpus (`articles`: any file or folder `briefbot ingest` takes) and the question set about it."""

    name: str
    articles: Path
    questions: Path
    outlet_match: OutletMatch = "all"
    aliases: Path | None = None  # the corpus's actor configuration (`BRIEFBOT_ALIASES_FILE`), as deployed


def folder_set(folder: Path, outlet_match: OutletMatch = "any") -> EvalSet | None:
    """The set in a dev-set style folder (`articles.jsonl` + `qa.jsonl`, and `aliases.json` when the
    corpus is served with one), None when either of the first two is missing.

    Dev sets list every outlet that carried a fact, so by default any one of them is enough.
    """
    articles, questions, aliases = folder / DEV_ARTICLES, folder / DEV_QUESTIONS, folder / DEV_ALIASES
    if not (articles.is_file() and questions.is_file()):
        return None
    return EvalSet(folder.name, articles, questions, outlet_match, aliases if aliases.is_file() else None)


def folder_sets(folders: Iterable[Path], outlet_match: OutletMatch = "any") -> list[EvalSet]:
    """One set per folder; raises `EvaluationError` naming a folder without the two files."""
    sets = []
    for folder in folders:
        found = folder_set(folder, outlet_match)
        if found is None:
            raise EvaluationError(f"{folder}: expected {DEV_ARTICLES} and {DEV_QUESTIONS} in it")
        sets.append(found)
    return sets


def dev_sets(devsets_dir: Path) -> list[EvalSet]:
    """Every folder under `devsets_dir` with both files, by name; [] when the directory does not exist."""
    if not devsets_dir.is_dir():
        return []
    found = (folder_set(d) for d in sorted(devsets_dir.iterdir()) if d.is_dir())
    return [s for s in found if s is not None]


def default_sets(root: Path) -> list[EvalSet]:
    """The repo's seed set, its multi-publisher fixture set, then the shared dev sets next to the repo."""
    return [
        # the seed as `make run` serves it: with its actor grouping (data/aliases.json)
        EvalSet("seed", root / "data" / "articles", root / "data" / "eval" / "seed.jsonl", aliases=root / "data" / "aliases.json"),
        EvalSet("corpus", root / "tests" / "fixtures" / "corpus", root / "tests" / "fixtures" / "corpus_eval.jsonl"),
        *dev_sets(root.parent / "shared" / "devsets"),
    ]


def _counting(name: str, total: int, progress: SetProgress | None) -> Callable[[QuestionResult], None] | None:
    """A per-row callback for `run_evaluation` that reports (name, done, total) to `progress`."""
    if progress is None:
        return None
    done = itertools.count(1)
    return lambda _row: progress(name, next(done), total)


def evaluate_sets(
    sets: Iterable[EvalSet],
    embedder: Embedder | None = None,
    progress: SetProgress | None = None,
    settings: Mapping[str, Any] | None = None,
    check_retrieval: bool = True,
) -> dict[str, dict[str, Any]]:
    """Ingest each set's articles into a fresh temporary index and run its questions in-process.

    One `embedder` (loaded here when None: the installed MiniLM) serves every set. `settings`
    overrides `Settings` fields (e.g. `retrieval_k`) for every set's `Briefbot`; the data dir is
    always a new temporary one and never a Chroma server, so sets cannot see each other's articles.
    `check_retrieval=False` skips the diagnostic retrieval search per answer (faster; the
    `retrieval_hit_rate` metric is then not measured).

    Returns `{set name: result}` in the order given, each result JSON-serialisable:
    `articles`, `questions`, `outlet_match`, `ingest` (`summary`, `failed`: file or record names),
    `counts` (questions/passed/failed/errors), `metrics` (`{metric: value or None}`), `metric_n`,
    `by_category` (`{category: {n, passed, pass_rate}}`, empty when the set has no categories),
    `duration_s` and `rows`: one per question (`id`, `question`, `category`, `passed`, `status`,
    `failed_checks`, `answer`, `grounded`, `citations`, the scores, …; see `QuestionResult.to_dict`).
    Raises `EvaluationError` when a question file cannot be read or two sets share a name.
    """
    from ..config import Settings
    from ..service import Briefbot

    if embedder is None:
        from index.embedding import MiniLMEmbedder

        embedder = MiniLMEmbedder()
        embedder.load()
    results: dict[str, dict[str, Any]] = {}
    for evalset in sets:
        if evalset.name in results:
            raise EvaluationError(f"two sets are named '{evalset.name}'")
        testset = load_testset(evalset.questions)
        total = len(testset)
        log.info("%s: %d questions on %s", evalset.name, total, evalset.articles)
        with tempfile.TemporaryDirectory(prefix=f"briefbot-eval-{evalset.name}-") as tmp:
            bot = Briefbot(Settings(**{**(settings or {}), "data_dir": Path(tmp) / "data", "chroma_url": None,
                                       "aliases_file": evalset.aliases}), embedder=embedder)
            try:
                ingested = bot.ingest_paths([evalset.articles])
                failed = [f"{r.source}: {r.message}" for r in ingested.results if r.status == "failed"]
                if failed:
                    log.warning("%s: %d articles failed to ingest: %s", evalset.name, len(failed), ", ".join(failed))
                report = run_evaluation(testset, InProcessTarget(bot, check_retrieval), _counting(evalset.name, total, progress),
                                        outlet_match=evalset.outlet_match)
            finally:
                bot.close()
        results[evalset.name] = {
            "articles": str(evalset.articles), "questions": str(evalset.questions),
            "outlet_match": evalset.outlet_match,
            "ingest": {"summary": ingested.summary(), "failed": failed},
            "counts": report.counts,
            "metrics": {name: m.value for name, m in report.metrics.items()},
            "metric_n": {name: m.n for name, m in report.metrics.items()},
            "by_category": report.by_category,
            "duration_s": round(report.duration_s, 3),
            "rows": [{**row.to_dict(), "passed": row.passed} for row in report.rows],
        }
    return results
