"""A self-contained HTML report, rendered from the package's `templates/report.html.j2` with
autoescaping on: inline CSS, an inline SVG bar chart, no scripts, every text escaped by Jinja."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from .reports import headline
from .runner import EvalReport

TEMPLATE = "report.html.j2"
_BAR_W, _LABEL_W, _ROW_H = 420, 180, 24


@cache
def environment() -> jinja2.Environment:
    """The Jinja environment of the reports: package templates, autoescape always on, undefined names fail."""
    return jinja2.Environment(loader=jinja2.PackageLoader("bot.evaluation", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def _chart(report: EvalReport) -> dict[str, Any]:
    """Geometry of the horizontal bars for the ratio metrics (0–1), gate thresholds as ticks."""
    ratios = [m for m in report.metrics.values() if m.metric.unit == "ratio"]
    height = _ROW_H * len(ratios) + 30
    bars = []
    for i, m in enumerate(ratios):
        bar: dict[str, Any] = {"name": m.name, "y": i * _ROW_H + 4, "width": None, "display": m.display(), "n": m.n}
        if m.value is not None:
            good = m.value if m.metric.higher_is_better else 1 - m.value
            width = max(0.0, min(1.0, m.value)) * _BAR_W
            bar |= {"width": f"{width:.1f}", "text_x": f"{_LABEL_W + width + 4:.1f}",
                    "colour": "#2f855a" if good >= 0.9 else "#c05621" if good >= 0.7 else "#c53030",
                    "gates": [{"x": f"{_LABEL_W + max(0.0, min(1.0, g.gate.threshold)) * _BAR_W:.1f}",
                               "threshold": f"{g.gate.threshold:g}"} for g in report.gates if g.gate.metric == m.name]}
        bars.append(bar)
    ticks = [{"x": f"{_LABEL_W + t * _BAR_W:.1f}", "label": f"{t:g}"} for t in (0, 0.5, 1)]
    return {"width": _LABEL_W + _BAR_W + 70, "height": height, "label_width": _LABEL_W, "bar_height": _ROW_H - 8,
            "bars": bars, "ticks": ticks}


def to_html(report: EvalReport) -> str:
    """One standalone page: summary, metric chart and table, per-category table, failures, every question."""
    return environment().get_template(TEMPLATE).render(
        report=report, counts=report.counts, headline=headline(report), chart=_chart(report),
        problems=report.problems, categorised=bool(report.by_category),
    )
