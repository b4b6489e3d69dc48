"""`briefbot eval`: the command-line client of the evaluation harness (registered by `bot.cli`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click

if TYPE_CHECKING:
    from .metrics import Gate

_OutPath = click.Path(dir_okay=False, writable=True, path_type=Path)


def _gates(specs: tuple[str, ...], direction: Literal["under", "over"]) -> list[Gate]:
    from .metrics import Gate

    gates = []
    for spec in specs:
        try:
            gates.append(Gate.parse(spec, direction))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint=f"--fail-{direction}") from exc
    return gates


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from exc
    click.echo(f"wrote {path}", err=True)


@click.command("eval")
@click.argument("testset", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", help="Evaluate a running server (POST /v1/ask) instead of the library in this process.")
@click.option("--out", type=_OutPath, help="Write the full JSON report here.")
@click.option("--markdown", type=_OutPath, help="Write a Markdown report (summary table + failures) here.")
@click.option("--html", "html_path", type=_OutPath, help="Write a self-contained HTML report here.")
@click.option("--fail-under", multiple=True, metavar="METRIC=VALUE",
              help="Exit 1 when METRIC is below VALUE, e.g. keyword_recall=0.9 (repeatable).")
@click.option("--fail-over", multiple=True, metavar="METRIC=VALUE",
              help="Exit 1 when a lower-is-better METRIC is above VALUE, e.g. latency_p95_ms=800 (repeatable).")
@click.option("--junit", "junit_path", type=_OutPath,
              help="Write JUnit XML here (one testcase per question, grouped by category) for CI test viewers.")
@click.option("--outlet-match", type=click.Choice(["all", "any"]), default="all", show_default=True,
              help="all: every expected outlet must be cited and named; any: at least one of them.")
@click.option("--export", "export_format", type=click.Choice(["ragas", "deepeval"]),
              help="Also write the answers for an LLM-judged tool to --export-out: RAGAS JSONL or a DeepEval JSON list.")
@click.option("--export-out", type=_OutPath, help="Where --export writes.")
@click.option("--timeout", default=60.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds to wait for each answer in --url mode.")
def eval_command(testset: Path, url: str | None, out: Path | None, markdown: Path | None, html_path: Path | None,
                 fail_under: tuple[str, ...], fail_over: tuple[str, ...], junit_path: Path | None,
                 outlet_match: Literal["all", "any"], export_format: str | None, export_out: Path | None,
                 timeout: float) -> None:
    """Run a JSONL question set and report correctness, citations and refusals.

    In-process by default (the index in BRIEFBOT_DATA_DIR); with --url against a running server.
    Prints a summary table; exits 1 when a --fail-under/--fail-over gate fails.
    """
    from tqdm import tqdm

    from . import EvaluationError, HttpTarget, InProcessTarget, Target, load_testset, run_evaluation
    from .html_report import to_html
    from .junit import to_junit_xml
    from .reports import summary_text, to_deepeval_json, to_json, to_markdown, to_ragas_jsonl

    gates = _gates(fail_under, "under") + _gates(fail_over, "over")
    if bool(export_format) != bool(export_out):
        raise click.UsageError("--export and --export-out go together, e.g. --export ragas --export-out ragas.jsonl "
                               "or --export deepeval --export-out deepeval.json")
    try:
        cases = load_testset(testset)
    except EvaluationError as exc:
        raise click.ClickException(str(exc)) from exc
    for w in cases.warnings:
        click.echo(f"warning: {testset}, {w}", err=True)
    for b in cases.broken:
        click.echo(f"error: {testset}, {b} (reported as an error row)", err=True)

    target: Target
    if url:
        try:
            target = HttpTarget(url, timeout=timeout)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--url") from exc
    else:
        from ..cli import _bot

        bot = _bot()
        if not bot.index.articles():
            click.echo(f"warning: no articles are indexed in {bot.settings.data_dir}; answerable questions will be "
                       "declined (run `briefbot ingest PATH` first)", err=True)
        target = InProcessTarget(bot)

    bar: Any = tqdm(total=len(cases), unit="q", desc="eval", file=sys.stderr, disable=None, leave=False)
    try:
        report = run_evaluation(cases, target, progress=lambda row: bar.update(1), outlet_match=outlet_match)
    except EvaluationError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        bar.close()
        close = getattr(target, "close", None)
        if close is not None:
            close()

    report.apply_gates(gates)
    if out:
        _write(out, to_json(report))
    if markdown:
        _write(markdown, to_markdown(report))
    if html_path:
        _write(html_path, to_html(report))
    if junit_path:
        _write(junit_path, to_junit_xml(report))
    if export_out:
        exported = (to_deepeval_json(report, target.article_text) if export_format == "deepeval"
                    else to_ragas_jsonl(report))
        _write(export_out, exported)
    click.echo(summary_text(report), nl=False)
    if not report.gates_passed:
        failed = [g.message for g in report.gates if not g.passed]
        click.echo("eval failed its gates: " + "; ".join(failed), err=True)
        sys.exit(1)
