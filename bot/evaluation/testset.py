"""Read a JSONL test set: every line becomes a runnable case or a named problem, never a crash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .models import EvaluationError, LineProblem, TestCase, TestSet

KNOWN_FIELDS = ("id", "question", "answerable", "expected_keywords", "expected_outlets", "expected_kind", "history",
                "category", "source_ids", "note")
KINDS = ("reported", "analysis")


class _Broken(ValueError):
    """A line that cannot run; the message names the field."""


def load_testset(path: Path | str) -> TestSet:
    """Parse `path` (JSONL, one question a line; blank lines skipped).

    Malformed lines (bad JSON, no `question`, wrong types) become `broken` entries that the run
    reports as error rows; unknown fields and duplicate ids become `warnings`. Raises
    `EvaluationError` when the file cannot be read or holds no lines at all.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EvaluationError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise EvaluationError(f"{path}: cannot read the test set ({exc.strerror or exc})") from exc
    testset = TestSet(path=str(path))
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            testset.broken.append(LineProblem(number, f"not valid JSON ({exc.msg}, column {exc.colno})"))
            continue
        if not isinstance(data, dict):
            testset.broken.append(LineProblem(number, f"expected a JSON object, got {type(data).__name__}"))
            continue
        raw_id = data.get("id")
        usable_id = isinstance(raw_id, str | int) and not isinstance(raw_id, bool) and str(raw_id).strip()
        ident = str(raw_id).strip() if usable_id else f"line-{number}"
        question = data.get("question") if isinstance(data.get("question"), str) else None
        category = (data["category"].strip() or None) if isinstance(data.get("category"), str) else None
        try:
            case = _case(data, ident, number)
        except _Broken as exc:
            testset.broken.append(LineProblem(number, str(exc), ident, question, category))
            continue
        unknown = sorted(set(data) - set(KNOWN_FIELDS))
        if unknown:
            names = ", ".join(f"'{u}'" for u in unknown)
            testset.warnings.append(LineProblem(number, f"unknown field{'s' if len(unknown) > 1 else ''} {names} ignored", ident))
        if not usable_id:
            what = "no 'id'" if raw_id is None else f"'id' {json.dumps(raw_id)} is not a string or number"
            testset.warnings.append(LineProblem(number, f"{what}; using '{ident}'", ident))
        if ident in seen:
            testset.warnings.append(LineProblem(number, f"duplicate id '{ident}' (also on line {seen[ident]})", ident))
        seen.setdefault(ident, number)
        testset.cases.append(case)
    if not len(testset):
        raise EvaluationError(f"{path}: the test set is empty (expected one JSON object per line)")
    return testset


def _case(data: dict[str, Any], ident: str, line: int) -> TestCase:
    question = data.get("question")
    if question is None:
        raise _Broken("'question' is missing")
    if not isinstance(question, str) or not question.strip():
        raise _Broken("'question' must be a non-empty string")
    if "answerable" not in data:
        raise _Broken("'answerable' is missing (true when the articles support an answer, else false)")
    if not isinstance(data["answerable"], bool):
        raise _Broken(f"'answerable' must be true or false, not {json.dumps(data['answerable'])}")
    kind = data.get("expected_kind")
    if kind is not None and kind not in KINDS:
        raise _Broken(f"'expected_kind' must be 'reported' or 'analysis', not {json.dumps(kind)}")
    for key in ("category", "note"):
        if data.get(key) is not None and (not isinstance(data[key], str) or not data[key].strip()):
            raise _Broken(f"'{key}' must be a non-empty string")
    return TestCase(
        id=ident,
        question=question.strip(),
        answerable=data["answerable"],
        expected_keywords=_strings(data, "expected_keywords"),
        expected_outlets=_strings(data, "expected_outlets"),
        expected_kind=kind,
        history=_strings(data, "history"),
        line=line,
        category=data["category"].strip() if data.get("category") is not None else None,
        source_ids=_strings(data, "source_ids"),
        note=data.get("note"),
    )


def _strings(data: dict[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _Broken(f"'{key}' must be a list of non-empty strings")
    return tuple(v.strip() for v in value)

