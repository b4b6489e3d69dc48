"""Typed pieces of an evaluation: test cases, load problems, checks and per-question results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import BotError
from ..models import Answer

Kind = Literal["reported", "analysis"]


class EvaluationError(BotError):
    """The evaluation cannot run at all (empty test set, unreachable server); the message says why."""


@dataclass(frozen=True)
class TestCase:
    """One line of a JSONL test set (see DESIGN.md, "Evaluation set format")."""

    __test__ = False  # not a pytest test class

    id: str
    question: str
    answerable: bool
    expected_keywords: tuple[str, ...] = ()
    expected_outlets: tuple[str, ...] = ()
    expected_kind: Kind | None = None
    history: tuple[str, ...] = ()
    line: int = 0
    category: str | None = None  # what kind of question (the dev sets' "position", "next", "off_topic", …)
    source_ids: tuple[str, ...] = ()  # the articles a good answer draws on (documentation, not checked)
    note: str | None = None  # the set author's note on the expected answer (documentation, not checked)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "question": self.question, "answerable": self.answerable,
            "expected_keywords": list(self.expected_keywords), "expected_outlets": list(self.expected_outlets),
            "expected_kind": self.expected_kind, "history": list(self.history), "line": self.line,
            "category": self.category, "source_ids": list(self.source_ids), "note": self.note,
        }


@dataclass(frozen=True)
class LineProblem:
    """A test-set line that cannot be run (an error row) or that runs with a warning."""

    line: int
    message: str
    id: str | None = None
    question: str | None = None
    category: str | None = None  # kept when the broken line still names one, so error rows count in it

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class TestSet:
    """What `load_testset` read: runnable cases, unrunnable lines and warnings, in file order."""

    __test__ = False

    path: str
    cases: list[TestCase] = field(default_factory=list)
    broken: list[LineProblem] = field(default_factory=list)
    warnings: list[LineProblem] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.cases) + len(self.broken)


@dataclass(frozen=True)
class CheckFailure:
    """A check a question did not pass: its name and what was wrong, in words."""

    check: str
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"check": self.check, "detail": self.detail}


@dataclass
class QuestionResult:
    """Everything measured for one test-set line. Scores are None where a check does not apply."""

    line: int
    id: str
    question: str | None
    case: TestCase | None = None  # None for a line that could not be read
    error: str | None = None
    category: str | None = None  # the case's category (set from `case` when not given)
    answer: Answer | None = None
    latency_ms: float | None = None
    keyword_recall: float | None = None
    outlet_recall: float | None = None
    outlet_precision: float | None = None
    outlet_named: float | None = None
    refused: bool | None = None
    kind_ok: bool | None = None
    markers_ok: bool | None = None
    citations_supported: int | None = None  # None: not checked (no article text to check against)
    citations_checked: int = 0
    retrieval_hits: int | None = None  # None: not checked (HTTP mode)
    retrieval_checked: int = 0
    failures: list[CheckFailure] = field(default_factory=list)
    notes: list[CheckFailure] = field(default_factory=list)  # diagnostics that do not fail the question

    def __post_init__(self) -> None:
        if self.category is None and self.case is not None:
            self.category = self.case.category

    @property
    def answerable(self) -> bool | None:
        return self.case.answerable if self.case else None

    @property
    def history(self) -> tuple[str, ...]:
        return self.case.history if self.case else ()

    @property
    def status(self) -> str:
        if self.error is not None:
            return "error"
        return "failed" if self.failures else "passed"

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def to_dict(self) -> dict[str, Any]:
        answer = self.answer
        return {
            "line": self.line, "id": self.id, "question": self.question, "category": self.category,
            "answerable": self.answerable, "history": list(self.history), "status": self.status, "error": self.error,
            "expected": {
                "keywords": list(self.case.expected_keywords), "outlets": list(self.case.expected_outlets),
                "kind": self.case.expected_kind,
            } if self.case else None,
            "answer": answer.answer if answer else None,
            "grounded": answer.grounded if answer else None,
            "mode": answer.mode if answer else None,
            "resolved_question": answer.resolved_question if answer else None,
            "conversation_id": answer.conversation_id if answer else None,
            "citations": [c.to_dict() for c in answer.citations] if answer else [],
            "latency_ms": None if self.latency_ms is None else round(self.latency_ms, 2),
            "scores": {
                "keyword_recall": self.keyword_recall, "outlet_recall": self.outlet_recall,
                "outlet_precision": self.outlet_precision, "outlet_named": self.outlet_named,
                "refused": self.refused, "kind_ok": self.kind_ok, "markers_ok": self.markers_ok,
                "citations_supported": self.citations_supported, "citations_checked": self.citations_checked,
                "retrieval_hits": self.retrieval_hits, "retrieval_checked": self.retrieval_checked,
            },
            "failed_checks": [f.to_dict() for f in self.failures],
            "notes": [n.to_dict() for n in self.notes],
        }
