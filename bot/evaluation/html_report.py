"""A self-contained HTML report: inline CSS, an inline SVG bar chart, no scripts, every text escaped."""

from __future__ import annotations

from html import escape

from .metrics import MetricValue
from .models import QuestionResult
from .reports import headline
from .runner import EvalReport

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1d2330}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d8dce3;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f8}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.pass{color:#17733a;font-weight:600}.fail{color:#b42318;font-weight:600}.error{color:#8a4b00;font-weight:600}
.muted{color:#5b6474}.check{font-weight:600}blockquote{margin:.25rem 0 .25rem 1rem;color:#3b4252}
ol.cites{margin:.25rem 0;padding-left:1.25rem}details{margin:.5rem 0}
"""

_BAR_W, _LABEL_W, _ROW_H = 420, 180, 24


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _chart(report: EvalReport) -> str:
    """Horizontal bars for the ratio metrics (0–1); gate thresholds drawn as ticks."""
    ratios: list[MetricValue] = [m for m in report.metrics.values() if m.metric.unit == "ratio"]
    height = _ROW_H * len(ratios) + 30
    width = _LABEL_W + _BAR_W + 70
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="metric values from 0 to 1">']
    for tick in (0, 0.5, 1):
        x = _LABEL_W + tick * _BAR_W
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 18}" stroke="#e3e6eb"/>'
                     f'<text x="{x:.1f}" y="{height - 4}" font-size="11" text-anchor="middle" fill="#5b6474">{tick:g}</text>')
    for i, m in enumerate(ratios):
        y = i * _ROW_H + 4
        parts.append(f'<text x="{_LABEL_W - 8}" y="{y + 14}" font-size="12" text-anchor="end">{_e(m.name)}</text>')
        if m.value is None:
            parts.append(f'<text x="{_LABEL_W + 4}" y="{y + 14}" font-size="12" fill="#5b6474">not measured</text>')
            continue
        good = m.value if m.metric.higher_is_better else 1 - m.value
        colour = "#2f855a" if good >= 0.9 else "#c05621" if good >= 0.7 else "#c53030"
        w = max(0.0, min(1.0, m.value)) * _BAR_W
        parts.append(f'<rect x="{_LABEL_W}" y="{y}" width="{w:.1f}" height="{_ROW_H - 8}" fill="{colour}">'
                     f'<title>{_e(m.name)}: {_e(m.display())} (n={m.n})</title></rect>'
                     f'<text x="{_LABEL_W + w + 4:.1f}" y="{y + 13}" font-size="12">{_e(m.display())}</text>')
        for g in report.gates:
            if g.gate.metric == m.name:
                x = _LABEL_W + max(0.0, min(1.0, g.gate.threshold)) * _BAR_W
                parts.append(f'<line x1="{x:.1f}" y1="{y - 2}" x2="{x:.1f}" y2="{y + _ROW_H - 6}" stroke="#1d2330" '
                             f'stroke-width="2" stroke-dasharray="3,2"><title>gate {g.gate.threshold:g}</title></line>')
    parts.append("</svg>")
    return "".join(parts)


def _metrics_table(report: EvalReport) -> str:
    rows = []
    gates = {g.gate.metric: g for g in report.gates}
    for name, m in report.metrics.items():
        gate = gates.get(name)
        cell = "" if gate is None else f'<span class="{"pass" if gate.passed else "fail"}">{_e(gate.message)}</span>'
        rows.append(f"<tr><td>{_e(name)}</td><td class=num>{_e(m.display())}</td><td class=num>{m.n}</td>"
                    f"<td>{cell}</td><td class=muted>{_e(m.metric.definition)}</td></tr>")
    return ("<table><tr><th>metric</th><th>value</th><th>n</th><th>gate</th><th>definition</th></tr>"
            + "".join(rows) + "</table>")


def _row(r: QuestionResult) -> str:
    checks = []
    if r.error is not None:
        checks.append(f'<div><span class="check error">error</span>: {_e(r.error)}</div>')
    checks += [f'<div><span class="check fail">{_e(f.check)}</span>: {_e(f.detail)}</div>' for f in r.failures]
    checks += [f'<div class=muted><span class="check">{_e(n.check)}</span> (note): {_e(n.detail)}</div>' for n in r.notes]
    answer = ""
    if r.answer is not None:
        cites = "".join(
            f"<li value={c.n}>{_e(', '.join(c.outlets) or 'no outlet')} · {_e(c.kind)} · {_e(c.article_id)} "
            f"{c.start}–{c.end}<blockquote>{_e(c.quote)}</blockquote></li>"
            for c in r.answer.citations
        )
        flag = "" if r.answer.grounded else ' <span class="muted">(not grounded)</span>'
        if r.answer.mode != "extractive":
            flag += f' <span class="muted">({_e(r.answer.mode)})</span>'
        answer = f"{_e(r.answer.answer)}{flag}" + (f"<ol class=cites>{cites}</ol>" if cites else "")
    history = "".join(f'<div class=muted>↳ after: {_e(h)}</div>' for h in r.history)
    latency = "" if r.latency_ms is None else f"{r.latency_ms:.0f}"
    status = {"passed": "pass", "failed": "fail", "error": "error"}[r.status]
    return (f"<tr><td>{_e(r.id)}<div class=muted>line {r.line}</div></td>"
            f"<td>{_e(r.question or '(no question)')}{history}</td><td class={status}>{_e(r.status)}</td>"
            f"<td>{''.join(checks)}</td><td>{answer}</td><td class=num>{latency}</td></tr>")


def _rows_table(rows: list[QuestionResult]) -> str:
    head = "<tr><th>id</th><th>question</th><th>status</th><th>checks</th><th>answer and citations</th><th>ms</th></tr>"
    return "<table>" + head + "".join(_row(r) for r in rows) + "</table>"


def to_html(report: EvalReport) -> str:
    """One standalone page: summary, metric chart and table, failures, then every question folded."""
    c = report.counts
    gates = ""
    if report.gates:
        cls = "pass" if report.gates_passed else "fail"
        gates = f'<p class="{cls}">{"gates passed" if report.gates_passed else "GATES FAILED"}: ' + "; ".join(
            _e(g.message) for g in report.gates) + "</p>"
    warnings = ""
    if report.warnings:
        items = "".join(f"<li>line {w.line}: {_e(w.message)}</li>" for w in report.warnings)
        warnings = f"<details><summary>{len(report.warnings)} test-set warnings</summary><ul>{items}</ul></details>"
    problems = report.problems
    failures = _rows_table(problems) if problems else "<p class=pass>Every question passed.</p>"
    return (
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>Briefbot evaluation: {c['passed']}/{c['questions']} passed</title><style>{_CSS}</style></head><body>"
        f"<h1>Briefbot evaluation: {c['passed']}/{c['questions']} passed</h1>"
        f"<p class=muted>{_e(report.testset)} against {_e(report.target)} · started {_e(report.started_at)} · "
        f"{_e(headline(report))}</p>{gates}{warnings}"
        f"<h2>Metrics</h2>{_chart(report)}{_metrics_table(report)}"
        f"<h2>Failures and errors ({len(problems)})</h2>{failures}"
        f"<h2>All questions</h2><details><summary>show all {c['questions']}</summary>{_rows_table(report.rows)}</details>"
        "</body></html>\n"
    )
