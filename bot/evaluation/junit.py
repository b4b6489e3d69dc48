"""JUnit XML for CI test viewers (GitHub, GitLab, Jenkins): one testcase per question.

A testcase's `classname` is its category (or the set's name when it has none), so viewers group
the questions by category; a question that failed checks carries a `<failure>` naming them, one
that could not run an `<error>`; the answer and its citations go to `<system-out>`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from .models import QuestionResult
from .runner import EvalReport

# Characters XML 1.0 cannot carry even escaped; article text may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


def _output(row: QuestionResult) -> str:
    if row.answer is None:
        return ""
    lines = [f"answer ({'grounded' if row.answer.grounded else 'not grounded'}): {row.answer.answer}"]
    for c in row.answer.citations:
        lines.append(f"[{c.n}] {', '.join(c.outlets) or 'no outlet'} ({c.kind}) {c.article_id} "
                     f"{c.start}-{c.end}: {c.quote}")
    lines += [f"note {n.check}: {n.detail}" for n in row.notes]
    return "\n".join(lines)


def to_junit_xml(report: EvalReport) -> str:
    """The report as one JUnit `<testsuite>` inside `<testsuites>`; every text XML-safe."""
    suite_name = Path(report.testset).stem or report.testset
    c = report.counts
    seconds = sum(r.latency_ms or 0.0 for r in report.rows) / 1000
    suites = ET.Element("testsuites", name="briefbot-eval", tests=str(c["questions"]), failures=str(c["failed"]),
                        errors=str(c["errors"]), time=f"{seconds:.3f}")
    suite = ET.SubElement(suites, "testsuite", name=_text(suite_name), tests=str(c["questions"]),
                          failures=str(c["failed"]), errors=str(c["errors"]), skipped="0", time=f"{seconds:.3f}",
                          timestamp=report.started_at)
    properties = ET.SubElement(suite, "properties")
    for name, value in (("target", report.target), ("outlet_match", report.outlet_match)):
        ET.SubElement(properties, "property", name=name, value=_text(value))
    for name, metric in report.metrics.items():
        ET.SubElement(properties, "property", name=name, value=metric.display())
    for row in report.rows:
        case = ET.SubElement(suite, "testcase", name=_text(f"{row.id}: {row.question or '(no question)'}"),
                             classname=_text(row.category or suite_name),
                             time=f"{(row.latency_ms or 0.0) / 1000:.3f}")
        if row.error is not None:
            ET.SubElement(case, "error", message=_text(row.error), type="error").text = _text(row.error)
        elif row.failures:
            checks = ", ".join(dict.fromkeys(f.check for f in row.failures))
            details = "\n".join(f"{f.check}: {f.detail}" for f in row.failures)
            ET.SubElement(case, "failure", message=_text(f"failed: {checks}"), type="eval").text = _text(details)
        if output := _output(row):
            ET.SubElement(case, "system-out").text = _text(output)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
