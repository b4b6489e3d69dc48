"""Render an `EvalReport`: JSON (machines), Markdown (PR comments), a terminal summary, RAGAS and
DeepEval rows."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ..models import Answer
from .checks import ArticleText
from .models import QuestionResult
from .runner import EvalReport

MAX_MARKDOWN_FAILURES = 50
MAX_MARKDOWN_CHARS = 60_000  # GitHub refuses comments over 65,536 characters
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#!])")


def to_json(report: EvalReport) -> str:
    """The whole report (every row, metric, gate and warning) as indented JSON."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def headline(report: EvalReport) -> str:
    c = report.counts
    return (f"{c['questions']} questions: {c['passed']} passed, {c['failed']} failed, {c['errors']} errors "
            f"({report.duration_s:.1f} s)")


def _outlet_rule(report: EvalReport) -> str:
    """Said only when it is not the default: passes under `--outlet-match any` are easier."""
    return " · outlets: any one expected outlet cited and named" if report.outlet_match == "any" else ""


def _gate_cell(report: EvalReport, name: str) -> str:
    cells = []
    for g in report.gates:
        if g.gate.metric == name:
            op = "≥" if g.gate.direction == "under" else "≤"
            cells.append(f"{'pass' if g.passed else 'FAIL'} {op} {g.gate.threshold:g}")
    return ", ".join(cells)


def summary_text(report: EvalReport, max_problems: int = 10) -> str:
    """A short plain-text table for the terminal: metrics, gates, the first few problems."""
    lines = [f"{report.testset} → {report.target}{_outlet_rule(report)}", headline(report), ""]
    width = max(len(n) for n in report.metrics)
    lines.append(f"{'metric':<{width}}  {'value':>8}  {'n':>5}  gate")
    for name, m in report.metrics.items():
        lines.append(f"{name:<{width}}  {m.display():>8}  {m.n:>5}  {_gate_cell(report, name)}".rstrip())
    if report.by_category:
        lines += ["", *category_table(report.by_category)]
    problems = report.problems
    if problems:
        lines += ["", f"problems ({len(problems)}):"]
        for row in problems[:max_problems]:
            reason = row.error if row.error is not None else "; ".join(f"{f.check}: {f.detail}" for f in row.failures)
            lines.append(f"  {row.status.upper():<6} {row.id} (line {row.line}): {_one_line(reason, 160)}")
        if len(problems) > max_problems:
            lines.append(f"  … and {len(problems) - max_problems} more (see the JSON/Markdown/HTML report)")
    for g in report.gates:
        lines.append(("gate passed: " if g.passed else "GATE FAILED: ") + g.message)
    return "\n".join(lines) + "\n"


def category_table(by_category: dict[str, dict[str, Any]]) -> list[str]:
    """Plain-text lines of a per-category table (n, passed, pass rate), for terminals and test failures."""
    width = max(len("category"), *(len(name) for name in by_category))
    lines = [f"{'category':<{width}}  {'n':>4}  {'passed':>6}  {'pass rate':>9}"]
    for name, c in by_category.items():
        lines.append(f"{name:<{width}}  {c['n']:>4}  {c['passed']:>6}  {c['pass_rate']:>9.3f}")
    return lines


def _one_line(text: str, limit: int | None = None) -> str:
    text = " ".join(text.split())
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def md_escape(text: str, limit: int | None = None) -> str:
    """Untrusted text (answers quote article text) made inert in GitHub Markdown, on one line."""
    text = _one_line(text, limit).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text.replace("@", "@\u200b")  # no @-mentions from article text in a PR comment


def _citation_lines(answer: Answer) -> list[str]:
    out = []
    for c in answer.citations:
        who = ", ".join(c.outlets) if c.outlets else "no outlet"
        out.append(f"  - \\[{c.n}\\] {md_escape(who)} ({c.kind}) — {md_escape(c.article_id)} "
                   f"{c.start}–{c.end}: “{md_escape(c.quote, 300)}”")
    return out


def to_markdown(report: EvalReport, max_failures: int = MAX_MARKDOWN_FAILURES, max_chars: int = MAX_MARKDOWN_CHARS) -> str:
    """A PR-comment-sized report: the summary table, the gates, then failing questions while they fit."""
    c = report.counts
    verdict = "" if not report.gates else (" — gates passed" if report.gates_passed else " — GATES FAILED")
    lines = [
        f"### Briefbot evaluation: {c['passed']}/{c['questions']} passed{verdict}",
        "",
        f"{md_escape(report.testset)} against {md_escape(report.target)} · {md_escape(headline(report))}"
        f"{_outlet_rule(report)}",
        "",
        "| metric | value | n | gate |",
        "|---|---:|---:|---|",
    ]
    for name, m in report.metrics.items():
        lines.append(f"| {name} | {m.display()} | {m.n} | {_gate_cell(report, name)} |")
    if report.by_category:
        lines += ["", "| category | n | passed | pass rate |", "|---|---:|---:|---:|"]
        lines += [f"| {md_escape(name, 80)} | {c['n']} | {c['passed']} | {c['pass_rate']:.3f} |"
                  for name, c in report.by_category.items()]
    failed_gates = [g for g in report.gates if not g.passed]
    if failed_gates:
        lines += ["", *(f"- **gate failed**: {md_escape(g.message)}" for g in failed_gates)]
    if report.warnings:
        lines += ["", f"<details><summary>{len(report.warnings)} test-set warnings</summary>", ""]
        lines += [f"- line {w.line}: {md_escape(w.message)}" for w in report.warnings]
        lines += ["", "</details>"]
    problems = report.problems
    lines += ["", f"#### Failures ({len(problems)})" if problems else "#### No failures"]
    size = sum(len(line) + 1 for line in lines)
    shown = 0
    for row in problems[:max_failures]:
        block = _failure_block(row)
        size += sum(len(line) + 1 for line in block)
        if size > max_chars:
            break
        lines += block
        shown += 1
    if shown < len(problems):
        lines += ["", f"… and {len(problems) - shown} more failures in the JSON report."]
    return "\n".join(lines) + "\n"


def _failure_block(row: QuestionResult) -> list[str]:
    lines = ["", f"**{md_escape(row.id, 80)}** (line {row.line}, {row.status}): {md_escape(row.question or '(no question)', 300)}"]
    if row.history:
        lines.append(f"- history: {' → '.join(md_escape(h, 200) for h in row.history)}")
    if row.error is not None:
        lines.append(f"- **error**: {md_escape(row.error, 300)}")
    lines += [f"- **{f.check}**: {md_escape(f.detail, 300)}" for f in row.failures]
    if row.answer is not None:
        grounded = "grounded" if row.answer.grounded else "not grounded"
        lines.append(f"- answer ({grounded}): {md_escape(row.answer.answer, 600)}")
        lines += _citation_lines(row.answer)
    return lines


def ragas_rows(report: EvalReport) -> list[dict[str, Any]]:
    """One row per answered question, with both the classic and the current RAGAS column names.

    `contexts`/`retrieved_contexts` are the cited quotes; `ground_truth`/`reference` is the
    expected keywords joined by spaces. Error rows have no answer and are left out.
    """
    rows = []
    for r, question, answer, reference in _answered(report):
        contexts = [c.quote for c in answer.citations]
        rows.append({
            "id": r.id, "question": question, "answer": answer.answer, "contexts": contexts,
            "ground_truth": reference, "user_input": question, "response": answer.answer,
            "retrieved_contexts": contexts, "reference": reference, "answerable": r.answerable,
            "grounded": answer.grounded,
        })
    return rows


def _answered(report: EvalReport) -> Iterator[tuple[QuestionResult, str, Answer, str]]:
    """The rows that have an answer (error rows do not), with the expected keywords as one reference text."""
    for r in report.rows:
        if r.answer is not None and r.error is None and r.question is not None:
            yield r, r.question, r.answer, " ".join(r.case.expected_keywords) if r.case else ""


def to_ragas_jsonl(report: EvalReport) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in ragas_rows(report))


def deepeval_rows(report: EvalReport, article_text: ArticleText | None = None) -> list[dict[str, Any]]:
    """One row per answered question with DeepEval's `LLMTestCase` field names.

    `input`/`actual_output` are the question and the answer; `retrieval_context` the cited quotes;
    `expected_output` the expected keywords joined by spaces (as RAGAS's `reference`); `context`
    (DeepEval's ground-truth context) the stored text of the case's `source_ids` articles when
    `article_text` can read them, else null. `name` is the id; `additional_metadata` carries the
    category, answerability, grounding and the failed checks.
    """
    rows = []
    for r, question, answer, reference in _answered(report):
        sources = [article_text(i) for i in r.case.source_ids] if r.case and article_text else []
        context = [text for text in sources if text]
        rows.append({
            "name": r.id, "input": question, "actual_output": answer.answer, "expected_output": reference,
            "retrieval_context": [c.quote for c in answer.citations], "context": context or None,
            "additional_metadata": {"category": r.category, "answerable": r.answerable,
                                    "grounded": answer.grounded, "passed": r.passed,
                                    "failed_checks": [f.check for f in r.failures]},
        })
    return rows


def to_deepeval_json(report: EvalReport, article_text: ArticleText | None = None) -> str:
    """A JSON list (what `EvaluationDataset.add_test_cases_from_json_file` reads) of `deepeval_rows`."""
    return json.dumps(deepeval_rows(report, article_text), indent=2, ensure_ascii=False) + "\n"
