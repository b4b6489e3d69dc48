"""Evaluation harness: run a JSONL question set against Briefbot and measure it without an LLM judge.

    testset = load_testset("data/eval/seed.jsonl")
    report = run_evaluation(testset, InProcessTarget(bot))      # or HttpTarget("http://host:port")
    report.apply_gates([Gate.parse("keyword_recall=0.9")])
    Path("report.md").write_text(to_markdown(report))

    results = evaluate_sets(default_sets(repo_root))       # several corpora, one model, fresh indexes
"""

from .checks import normalize, score
from .metrics import (
    METRICS,
    METRICS_BY_NAME,
    Gate,
    GateResult,
    Metric,
    MetricValue,
    compute_metrics,
    percentile,
)
from .models import CheckFailure, EvaluationError, LineProblem, QuestionResult, TestCase, TestSet
from .runner import (
    AskFailed,
    EvalReport,
    HttpTarget,
    InProcessTarget,
    Target,
    answer_from_json,
    run_evaluation,
)
from .sets import EvalSet, default_sets, dev_sets, evaluate_sets, folder_sets
from .testset import load_testset

__all__ = [
    "METRICS", "METRICS_BY_NAME", "AskFailed", "CheckFailure", "EvalReport", "EvalSet", "EvaluationError", "Gate",
    "GateResult", "HttpTarget", "InProcessTarget", "LineProblem", "Metric", "MetricValue", "QuestionResult",
    "Target", "TestCase", "TestSet", "answer_from_json", "compute_metrics", "default_sets", "dev_sets",
    "evaluate_sets", "folder_sets", "load_testset", "normalize", "percentile", "run_evaluation", "score",
]
