"""Run a test set against a target (the library in-process, or a server over HTTP) and score it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from index import BriefbotIndexError

from ..errors import BotError
from ..models import Answer, Citation
from .checks import ArticleText, OutletMatch, Retrieved, score
from .metrics import Gate, GateResult, MetricValue, compute_metrics
from .models import EvaluationError, LineProblem, QuestionResult, TestCase, TestSet

if TYPE_CHECKING:
    import httpx

    from ..service import Briefbot

log = logging.getLogger(__name__)


class AskFailed(EvaluationError):
    """One question could not be asked (an HTTP error, a timeout); the run goes on."""


class Target(Protocol):
    """What the runner asks. `article_text`/`retrieved` are None when the target cannot offer them."""

    description: str
    article_text: ArticleText | None
    retrieved: Retrieved | None

    def prepare(self) -> None:
        """Get ready before the clock starts; raise `EvaluationError` when the target is unusable."""

    def ask(self, question: str, conversation_id: str | None) -> Answer: ...


class InProcessTarget:
    """The `Briefbot` library in this process: every check is available."""

    def __init__(self, bot: Briefbot, check_retrieval: bool = True) -> None:
        self.bot = bot
        self.description = f"in-process ({bot.settings.data_dir}, {bot.settings.answer_mode} answers)"
        self._texts: dict[str, str | None] = {}
        self.article_text: ArticleText | None = self._article_text
        self.retrieved: Retrieved | None = self._retrieved if check_retrieval else None

    def prepare(self) -> None:
        """Load the model and open the stores, and run one search, so the first latency is not a cold start."""
        try:
            self.bot.ready()
            self.bot.index.search("warm-up", k=1)
        except BriefbotIndexError as exc:
            raise EvaluationError(f"Briefbot is not usable in-process: {exc}") from exc

    def ask(self, question: str, conversation_id: str | None) -> Answer:
        return self.bot.ask(question, conversation_id)

    def _article_text(self, article_id: str) -> str | None:
        if article_id not in self._texts:
            self._texts[article_id] = self.bot.index.article_text(article_id)
        return self._texts[article_id]

    def _retrieved(self, resolved_question: str) -> set[str]:
        passages = self.bot.index.search(resolved_question, k=self.bot.settings.retrieval_k)
        return {p.chunk.id for p in passages}


class HttpTarget:
    """A running server: `POST /v1/ask`. Citation support and retrieval cannot be checked from here."""

    article_text: ArticleText | None = None
    retrieved: Retrieved | None = None

    def __init__(self, url: str, timeout: float = 60.0, client: httpx.Client | None = None) -> None:
        import httpx

        url = url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"--url must start with http:// or https://, got '{url}'")
        self.url = url
        self.description = url
        self.timeout = timeout
        self._httpx = httpx
        self.client = client or httpx.Client(base_url=url, timeout=timeout)

    def prepare(self) -> None:
        """Raise `EvaluationError` naming the URL when no Briefbot answers there."""
        try:
            response = self.client.get("/healthz")
        except self._httpx.HTTPError as exc:
            raise EvaluationError(f"cannot reach Briefbot at {self.url} ({exc or type(exc).__name__}); "
                                  "is `briefbot serve` running there?") from exc
        if response.status_code != 200:
            raise EvaluationError(f"{self.url}/healthz answered HTTP {response.status_code}; is this a Briefbot server?")

    def ask(self, question: str, conversation_id: str | None) -> Answer:
        body: dict[str, Any] = {"question": question}
        if conversation_id:
            body["conversation_id"] = conversation_id
        try:
            response = self.client.post("/v1/ask", json=body)
        except self._httpx.TimeoutException as exc:
            raise AskFailed(f"POST {self.url}/v1/ask timed out after {self.timeout:g} s") from exc
        except self._httpx.HTTPError as exc:
            raise AskFailed(f"POST {self.url}/v1/ask failed: {exc or type(exc).__name__}") from exc
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.status_code >= 400:
            detail = data.get("detail") if isinstance(data, dict) else None
            raise AskFailed(f"HTTP {response.status_code}: {detail or response.text[:200]}")
        try:
            return answer_from_json(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise AskFailed(f"unexpected /v1/ask response ({type(exc).__name__}: {exc})") from exc

    def close(self) -> None:
        self.client.close()


def answer_from_json(data: Any) -> Answer:
    """A v1 `/v1/ask` body as an `Answer`; keys this client does not know are ignored."""
    if not isinstance(data, dict):
        raise ValueError("the body is not a JSON object")
    citations = [
        Citation(
            n=int(c["n"]), outlets=[str(o) for o in c.get("outlets") or []], kind=str(c["kind"]),
            quote=str(c["quote"]), article_id=str(c["article_id"]), article_title=str(c.get("article_title") or ""),
            publisher=c.get("publisher"), url=c.get("url"), chunk_id=str(c.get("chunk_id") or ""),
            start=int(c["start"]), end=int(c["end"]), published_at=c.get("published_at"), section=c.get("section"),
        )
        for c in data.get("citations") or []
    ]
    if not isinstance(data["answer"], str) or not isinstance(data["grounded"], bool):
        raise ValueError("'answer' must be a string and 'grounded' a boolean")
    return Answer(
        answer=data["answer"], grounded=data["grounded"], citations=citations,
        conversation_id=str(data.get("conversation_id") or ""), intent=str(data.get("intent") or "general"),
        mode=str(data.get("mode") or "extractive"), resolved_question=data.get("resolved_question"),
    )


@dataclass
class EvalReport:
    """One run: every row in test-set order, the aggregate metrics and (once applied) the gates."""

    testset: str
    target: str
    started_at: str
    duration_s: float
    rows: list[QuestionResult]
    warnings: list[LineProblem] = field(default_factory=list)
    gates: list[GateResult] = field(default_factory=list)
    outlet_match: OutletMatch = "all"
    metrics: dict[str, MetricValue] = field(init=False)

    def __post_init__(self) -> None:
        self.metrics = compute_metrics(self.rows)

    @property
    def counts(self) -> dict[str, int]:
        statuses = [r.status for r in self.rows]
        return {"questions": len(statuses), "passed": statuses.count("passed"),
                "failed": statuses.count("failed"), "errors": statuses.count("error")}

    @property
    def by_category(self) -> dict[str, dict[str, Any]]:
        """`{category: {n, passed, pass_rate}}` in first-seen order; empty when no row has a category.

        Rows without one (in a set where others have one) count under "(none)".
        """
        if not any(r.category for r in self.rows):
            return {}
        groups: dict[str, list[QuestionResult]] = {}
        for r in self.rows:
            groups.setdefault(r.category or "(none)", []).append(r)
        return {name: {"n": len(rows), "passed": sum(r.passed for r in rows),
                       "pass_rate": round(sum(r.passed for r in rows) / len(rows), 4)}
                for name, rows in groups.items()}

    @property
    def problems(self) -> list[QuestionResult]:
        """Rows that failed a check or could not run."""
        return [r for r in self.rows if not r.passed]

    def apply_gates(self, gates: Iterable[Gate]) -> list[GateResult]:
        self.gates = [g.check(self.metrics) for g in gates]
        return self.gates

    @property
    def gates_passed(self) -> bool:
        return all(g.passed for g in self.gates)

    def to_dict(self) -> dict[str, Any]:
        return {
            "testset": self.testset, "target": self.target, "started_at": self.started_at,
            "duration_s": round(self.duration_s, 3), "outlet_match": self.outlet_match, "summary": self.counts,
            "metrics": {name: m.to_dict() for name, m in self.metrics.items()},
            "by_category": self.by_category,
            "gates": [g.to_dict() for g in self.gates],
            "warnings": [{"line": w.line, "id": w.id, "message": w.message} for w in self.warnings],
            "results": [r.to_dict() for r in self.rows],
        }


def run_evaluation(
    testset: TestSet,
    target: Target,
    progress: Callable[[QuestionResult], None] | None = None,
    outlet_match: OutletMatch = "all",
) -> EvalReport:
    """Ask every case (its history first, in one conversation), score it, and aggregate.

    `outlet_match` is how the expected outlets are checked (see `checks.score`).

    Raises `EvaluationError` only when the target cannot be prepared (a server that is down); after
    that a broken line or a question that raises becomes an error row and the run always finishes.
    """
    target.prepare()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.perf_counter()
    work: list[tuple[int, TestCase | LineProblem]] = [(c.line, c) for c in testset.cases]
    work += [(p.line, p) for p in testset.broken]
    rows = []
    for _, item in sorted(work, key=lambda pair: pair[0]):
        if isinstance(item, LineProblem):
            row = QuestionResult(item.line, item.id or f"line-{item.line}", item.question, error=item.message,
                                 category=item.category)
        else:
            row = _run_case(item, target, outlet_match)
        rows.append(row)
        if progress is not None:
            progress(row)
    return EvalReport(testset.path, target.description, started_at, time.perf_counter() - started, rows,
                      list(testset.warnings), outlet_match=outlet_match)


def _describe(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, BotError) and str(exc) else f"{type(exc).__name__}: {exc}"


def _run_case(case: TestCase, target: Target, outlet_match: OutletMatch = "all") -> QuestionResult:
    row = QuestionResult(case.line, case.id, case.question, case)
    conversation: str | None = None
    previous: Answer | None = None
    for turn, earlier in enumerate(case.history, start=1):
        try:
            previous = target.ask(earlier, conversation)
            conversation = previous.conversation_id or None
        except Exception as exc:  # one broken question never aborts the run
            log.debug("history turn %d of %s failed", turn, case.id, exc_info=True)
            row.error = f"history turn {turn} ({earlier!r}) failed: {_describe(exc)}"
            return row
    try:
        started = time.perf_counter()
        answer = target.ask(case.question, conversation)
        row.latency_ms = (time.perf_counter() - started) * 1000
    except Exception as exc:
        log.debug("question %s failed", case.id, exc_info=True)
        row.error = _describe(exc)
        return row
    try:
        score(row, case, answer, target.article_text, target.retrieved, previous, outlet_match)
    except Exception as exc:  # a check that breaks is reported, not fatal
        log.warning("checking %s failed", case.id, exc_info=True)
        row.error = f"checking the answer failed: {_describe(exc)}"
    return row
