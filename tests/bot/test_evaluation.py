"""The evaluation harness: test-set loading, checks, metrics, reports, the CLI and the CI gate."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from importlib.resources import files
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.evaluation import (
    METRICS,
    EvalReport,
    EvaluationError,
    Gate,
    HttpTarget,
    InProcessTarget,
    QuestionResult,
    TestCase,
    load_testset,
    percentile,
    run_evaluation,
    score,
)
from bot.evaluation.html_report import TEMPLATE, _chart, environment, to_html
from bot.evaluation.junit import to_junit_xml
from bot.evaluation.reports import (
    deepeval_rows,
    headline,
    md_escape,
    ragas_rows,
    summary_text,
    to_json,
    to_markdown,
)
from bot.models import Answer, Citation
from tests.conftest import ROOT, SEED, free_port, make_bot

SEED_SET = ROOT / "data" / "eval" / "seed.jsonl"

# The agreed CI thresholds for the shipped seed set (`make test` fails under them).
CI_GATES = [  # the seed set's floors for the fitted answer engine (aggregate, never per question)
    Gate.parse("completed=1.0"),
    Gate.parse("keyword_recall=0.85"),
    Gate.parse("outlet_recall=0.85"),
    Gate.parse("outlet_named=0.85"),
    Gate.parse("kind_accuracy=0.75"),
    Gate.parse("refusal_accuracy=0.85"),
    Gate.parse("citation_support=1.0"),
    Gate.parse("marker_consistency=1.0"),
    Gate.parse("retrieval_hit_rate=0.9"),
    Gate.parse("false_refusal_rate=0.07", "over"),
]

ARTICLE = "Talks stall\nThe ceasefire holds, BBC reported. Analysts expect a summit in May."


def _cite(n: int, quote: str, start: int, outlets: tuple[str, ...] = ("BBC",), kind: str = "reported",
          chunk: str = "c1") -> Citation:
    return Citation(n=n, outlets=list(outlets), kind=kind, quote=quote, article_id="a1", article_title="Talks stall",
                    publisher=None, url=None, chunk_id=chunk, start=start, end=start + len(quote))


QUOTE_1 = "The ceasefire holds, BBC reported."
QUOTE_2 = "Analysts expect a summit in May."
GOOD = Answer("The ceasefire holds, BBC reported [1]. Analysts expect a summit in May [2].", True,
              [_cite(1, QUOTE_1, ARTICLE.index(QUOTE_1)), _cite(2, QUOTE_2, ARTICLE.index(QUOTE_2), (), "analysis", "c2")],
              conversation_id="conv", resolved_question="What next?")
REFUSAL = Answer("The articles don't say.", False, [], conversation_id="conv")


class FakeTarget:
    """Canned answers by question; a question mapped to an exception raises it."""

    description = "fake"

    def __init__(self, answers: dict[str, Answer | Exception], retrieved: set[str] | None = None) -> None:
        self.answers = answers
        self.asked: list[tuple[str, str | None]] = []
        self.article_text = {"a1": ARTICLE}.get
        self.retrieved = (lambda _q: retrieved) if retrieved is not None else None

    def prepare(self) -> None:
        pass

    def ask(self, question: str, conversation_id: str | None) -> Answer:
        self.asked.append((question, conversation_id))
        answer = self.answers[question]
        if isinstance(answer, Exception):
            raise answer
        return answer


def _case(**kw) -> TestCase:  # type: ignore[no-untyped-def]
    base = {"id": "q1", "question": "What next?", "answerable": True, "line": 1}
    return TestCase(**{**base, **kw})


def _scored(case: TestCase, answer: Answer, retrieved: set[str] | None = None) -> QuestionResult:
    row = QuestionResult(case.line, case.id, case.question, case)
    score(row, case, answer, {"a1": ARTICLE}.get, (lambda _q: retrieved) if retrieved is not None else None)
    return row


def _write(path: Path, *lines: object) -> Path:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return path


def _run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["eval", *args], catch_exceptions=False)


# ----- loading a test set -------------------------------------------------------------------
def test_seed_set_loads_cleanly() -> None:
    testset = load_testset(SEED_SET)
    assert len(testset.cases) == 50 and not testset.broken and not testset.warnings
    assert testset.cases[33].history == ("What did European leaders ask for?",)


def test_bad_lines_become_error_rows_and_unknown_fields_warnings(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "set.jsonl",
        {"id": "ok", "question": "What next?", "answerable": True, "notes": "x", "tags": []},
        "{not json",
        "",
        {"id": "noq", "answerable": True},
        {"id": "blank", "question": "  ", "answerable": True},
        ["a", "list"],
        {"id": "noanswerable", "question": "Q?"},
        {"id": "kw", "question": "Q?", "answerable": True, "expected_keywords": "ceasefire"},
        {"id": "kind", "question": "Q?", "answerable": True, "expected_kind": "opinion"},
        {"question": "No id?", "answerable": False},
        {"id": "ok", "question": "Again?", "answerable": False},
        {"id": ["x"], "question": "List id?", "answerable": False},
    )
    testset = load_testset(path)
    assert [c.id for c in testset.cases] == ["ok", "line-10", "ok", "line-12"]
    broken = {p.line: p.message for p in testset.broken}
    assert broken == {
        2: "not valid JSON (Expecting property name enclosed in double quotes, column 2)",
        4: "'question' is missing",
        5: "'question' must be a non-empty string",
        6: "expected a JSON object, got list",
        7: "'answerable' is missing (true when the articles support an answer, else false)",
        8: "'expected_keywords' must be a list of non-empty strings",
        9: "'expected_kind' must be 'reported' or 'analysis', not \"opinion\"",
    }
    assert [str(w) for w in testset.warnings] == [
        "line 1: unknown fields 'notes', 'tags' ignored",
        "line 10: no 'id'; using 'line-10'",
        "line 11: duplicate id 'ok' (also on line 1)",
        "line 12: 'id' [\"x\"] is not a string or number; using 'line-12'",
    ]
    assert len(testset) == 11


def test_dev_set_fields_are_known_and_category_is_kept(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "set.jsonl",
        {"id": "p1", "category": " position ", "question": "What does Kestria want?", "answerable": True,
         "expected_outlets": ["BBC"], "source_ids": ["a1", "a2"], "note": "BBC: 'a ceasefire first'"},
        {"id": "u1", "category": "unanswerable", "answerable": False},  # broken, but its category is known
        {"id": "bad", "category": 7, "question": "Q?", "answerable": True},
        {"id": "blank", "question": "Q?", "answerable": True, "note": "  "},
    )
    testset = load_testset(path)
    assert not testset.warnings
    (case,) = testset.cases
    assert (case.category, case.source_ids, case.note) == ("position", ("a1", "a2"), "BBC: 'a ceasefire first'")
    assert case.to_dict()["category"] == "position" and case.to_dict()["source_ids"] == ["a1", "a2"]
    assert [(p.line, p.message, p.category) for p in testset.broken] == [
        (2, "'question' is missing", "unanswerable"),
        (3, "'category' must be a non-empty string", None),
        (4, "'note' must be a non-empty string", None),
    ]
    report = run_evaluation(testset, FakeTarget({"What does Kestria want?": GOOD}))
    assert [(r.id, r.category, r.status) for r in report.rows] == [
        ("p1", "position", "passed"), ("u1", "unanswerable", "error"), ("bad", None, "error"), ("blank", None, "error")]
    assert [r["category"] for r in report.to_dict()["results"]] == ["position", "unanswerable", None, None]


@pytest.mark.parametrize("content", [b"", b"\n  \n", b"\xef\xbb\xbf\n"])
def test_an_empty_test_set_is_an_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(content)
    with pytest.raises(EvaluationError, match="empty.jsonl: the test set is empty"):
        load_testset(path)


def test_a_binary_test_set_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_bytes(b'{"question": "\xff"}\n')
    with pytest.raises(EvaluationError, match="not UTF-8"):
        load_testset(path)


# ----- per-question checks --------------------------------------------------------------------
def test_a_good_answer_passes_every_check() -> None:
    case = _case(expected_keywords=("CEASEFIRE", "summit"), expected_outlets=("bbc",), expected_kind="reported")
    row = _scored(case, GOOD, retrieved={"c1", "c2"})
    assert row.passed and not row.notes
    assert (row.keyword_recall, row.outlet_recall, row.outlet_precision, row.outlet_named) == (1, 1, 1, 1)
    assert (row.kind_ok, row.markers_ok, row.refused) == (True, True, False)
    assert (row.citations_supported, row.citations_checked, row.retrieval_hits, row.retrieval_checked) == (2, 2, 2, 2)


def test_keywords_match_typographic_quotes_and_dashes() -> None:
    answer = Answer("Putin’s offer — a “clean exit” [1].", True, [_cite(1, QUOTE_1, ARTICLE.index(QUOTE_1))])
    row = _scored(_case(expected_keywords=("putin's offer - a \"clean exit\"",)), answer)
    assert row.keyword_recall == 1.0


def test_failed_checks_say_what_is_wrong() -> None:
    wrong = Answer(
        "The ceasefire holds [1]. It happens in May [3].", True,
        [_cite(1, QUOTE_1, 0, ("BBC", "Reuters")), _cite(2, QUOTE_2, ARTICLE.index(QUOTE_2), (), "analysis")],
        resolved_question="What next?",
    )
    case = _case(expected_keywords=("ceasefire", "Istanbul", "truce"), expected_outlets=("AP", "BBC"),
                 expected_kind="analysis")
    row = _scored(case, wrong, retrieved={"other"})
    failed = {f.check: f.detail for f in row.failures}
    assert failed == {
        "keywords": "missing from answer and quotes: 'Istanbul', 'truce'",
        "outlets_cited": "not cited: 'AP' (cited: 'BBC', 'Reuters')",
        "outlets_named": "not named in the answer text: 'AP', 'BBC'",  # "happens" does not name AP
        "kind": "first citation is reported, expected analysis",
        "markers": "no citation for [3]; never referenced: [2]",
        "citation_support": f"[1] quote is not the stored text at 0–{len(QUOTE_1)}; it is at "
                            f"{ARTICLE.index(QUOTE_1)}–{ARTICLE.index(QUOTE_1) + len(QUOTE_1)}",
    }
    assert row.keyword_recall == pytest.approx(1 / 3)
    assert (row.outlet_recall, row.outlet_precision, row.outlet_named) == (0.5, 0.5, 0.0)
    assert (row.citations_supported, row.retrieval_hits) == (1, 0)
    notes = {n.check: n.detail for n in row.notes}  # diagnostics: they do not fail the question
    assert notes == {"outlet_precision": "also cited: 'Reuters'",
                     "retrieval": "cited chunk of [1], [2] not in the top-k search results"}


def test_outlet_match_any_needs_one_expected_outlet_cited_and_named() -> None:
    case = _case(expected_outlets=("AP", "BBC", "Reuters"))
    row = _scored(case, GOOD)  # cites and names BBC only
    assert {f.check: f.detail for f in row.failures} == {
        "outlets_cited": "not cited: 'AP', 'Reuters' (cited: 'BBC')",
        "outlets_named": "not named in the answer text: 'AP', 'Reuters'",
    }
    any_row = QuestionResult(1, case.id, case.question, case)
    score(any_row, case, GOOD, outlet_match="any")
    assert any_row.passed
    scores = ("outlet_recall", "outlet_precision", "outlet_named")  # defined as with "all"
    assert [getattr(any_row, s) for s in scores] == [getattr(row, s) for s in scores] == [pytest.approx(1 / 3), 1.0,
                                                                                       pytest.approx(1 / 3)]
    cited_not_named = Answer("The ceasefire holds, AP and Reuters say [1].", True, [GOOD.citations[0]])
    failures = {}
    for answer in (cited_not_named, replace(GOOD, citations=[replace(GOOD.citations[0], outlets=["TASS"])])):
        row = QuestionResult(1, case.id, case.question, case)
        score(row, case, answer, outlet_match="any")
        failures.update({f.check: f.detail for f in row.failures if f.check.startswith("outlets")})
    assert failures == {  # named but not cited does not count, nor cited but not named
        "outlets_named": "no cited expected outlet is named in the answer text: 'BBC'",
        "outlets_cited": "none of 'AP', 'BBC', 'Reuters' cited (cited: 'TASS')",
    }


def test_refusals_are_scored_both_ways() -> None:
    declined = _scored(_case(answerable=False), REFUSAL)
    assert declined.passed and declined.refused and declined.markers_ok
    answered = _scored(_case(answerable=False), GOOD)
    assert [f.check for f in answered.failures] == ["refusal"]
    false_refusal = _scored(_case(expected_keywords=("ceasefire",), expected_outlets=("BBC",)), REFUSAL)
    assert [f.check for f in false_refusal.failures] == ["false_refusal", "keywords", "outlets_cited", "outlets_named"]
    assert false_refusal.outlet_precision == 0.0


def test_citations_carried_over_from_the_previous_turn_skip_the_retrieval_check() -> None:
    source = replace(GOOD, intent="source")
    searched: list[str] = []

    def retrieved(question: str) -> set[str]:
        searched.append(question)
        return {"c1", "c2"}

    for previous, expect_search in ((GOOD, False), (None, True), (replace(GOOD, citations=GOOD.citations[:1]), True)):
        row = QuestionResult(1, "q1", "Who reported that?", _case())
        score(row, _case(), source, {"a1": ARTICLE}.get, retrieved, previous)
        assert (searched.pop() == "What next?") if expect_search else not searched
        assert row.retrieval_hits == (2 if expect_search else None) and row.passed
        assert [n.detail for n in row.notes] == ([] if expect_search else
                                                 ["not checked: the citations are carried over from the previous turn"])


def test_a_quote_from_an_unknown_article_is_unsupported() -> None:
    answer = Answer("x [1].", True, [Citation(1, [], "analysis", "x", "gone", "", None, None, "c", 0, 1)])
    row = _scored(_case(), answer)
    assert [f.detail for f in row.failures] == ["[1] cites article 'gone', which is not indexed"]


# ----- running ----------------------------------------------------------------------------------
def test_one_broken_question_never_aborts_the_run(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "set.jsonl",
        {"id": "boom", "question": "Boom?", "answerable": True},
        "garbage",
        {"id": "hist", "question": "And then?", "answerable": True, "history": ["First?", "Broken?"]},
        {"id": "ok", "question": "What next?", "answerable": True, "expected_keywords": ["summit"],
         "history": ["First?"]},
        {"id": "no", "question": "Weather?", "answerable": False},
    )
    target = FakeTarget({"Boom?": RuntimeError("kaboom"), "First?": GOOD, "Broken?": EvaluationError("HTTP 422: too long"),
                         "What next?": GOOD, "Weather?": REFUSAL})
    report = run_evaluation(load_testset(path), target)
    assert [(r.id, r.status) for r in report.rows] == [
        ("boom", "error"), ("line-2", "error"), ("hist", "error"), ("ok", "passed"), ("no", "passed")]
    assert report.rows[0].error == "RuntimeError: kaboom"
    assert report.rows[2].error == "history turn 2 ('Broken?') failed: HTTP 422: too long"
    assert ("What next?", "conv") in target.asked  # the history's conversation is continued
    assert report.counts == {"questions": 5, "passed": 2, "failed": 0, "errors": 3}
    assert report.metrics["completed"].value == pytest.approx(0.4)
    assert report.metrics["pass_rate"].value == pytest.approx(0.4)
    assert report.metrics["keyword_recall"].value == 1.0 and report.metrics["keyword_recall"].n == 1


def test_percentile_interpolates() -> None:
    assert percentile([], 50) is None
    assert percentile([10.0], 95) == 10.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile(list(map(float, range(1, 101))), 95) == pytest.approx(95.05)
    with pytest.raises(ValueError, match="within 0..100"):
        percentile([1.0], 0.95 * 1000)


def test_benchmarks_take_the_same_percentile_as_the_eval() -> None:
    from bench.measure import pct

    for values in ([1.0, 2.0, 3.0, 4.0], [120.0, 80.0, 95.0, 300.0, 101.0, 99.0, 87.0], list(map(float, range(1, 21)))):
        for q in (0.5, 0.95, 0.99):
            assert pct(values, q) == percentile(values, q * 100)
    assert pct([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5  # nearest rank said 3
    with pytest.raises(ValueError, match="no values"):
        pct([], 0.95)


def test_gates_parse_and_name_what_failed() -> None:
    for spec, direction, message in [
        ("keyword_recall", "under", "expected METRIC=VALUE"),
        ("recall=0.9", "under", "'recall' is not a metric; choose from pass_rate, "),
        ("keyword_recall=high", "under", "'high' is not a number"),
        ("latency_p95_ms=500", "under", "use --fail-over|gate it with --fail-over latency_p95_ms=500"),
        ("keyword_recall=0.9", "over", "gate it with --fail-under keyword_recall=0.9"),
    ]:
        with pytest.raises(ValueError, match=message.split("|")[-1].replace("(", r"\(")):
            Gate.parse(spec, direction)  # type: ignore[arg-type]
    rows = [_scored(_case(expected_keywords=("ceasefire", "Istanbul")), GOOD)]
    report = EvalReport("set.jsonl", "fake", "now", 1.0, rows)
    results = report.apply_gates([Gate.parse("keyword_recall=0.9"), Gate.parse("refusal_accuracy=1"),
                                  Gate.parse("latency_p95_ms=800", "over")])
    assert [(g.passed, g.message) for g in results] == [
        (False, "keyword_recall 0.500 < 0.9"),
        (False, "refusal_accuracy was not measured (no questions it applies to)"),
        (False, "latency_p95_ms was not measured (no questions it applies to)"),
    ]
    assert not report.gates_passed


# ----- reports ----------------------------------------------------------------------------------
HOSTILE = '<script>alert("x")</script> | @octocat [link](http://evil) <img src=x onerror=alert(1)> & *bold*'


def _hostile_report() -> EvalReport:
    quote = HOSTILE
    article = {"a1": "intro " + quote}
    answer = Answer(f"{HOSTILE} [1].", True, [Citation(1, ["<b>BBC</b>"], "reported", quote, "a1", "<t>", None, None,
                                                       "c1", 6, 6 + len(quote))])
    case = TestCase("<id>", f"Q {HOSTILE}?", True, ("missing <kw>",), ("AP",), line=3)
    row = QuestionResult(3, case.id, case.question, case)
    score(row, case, answer, article.get)
    return EvalReport("set.jsonl", "fake", "now", 0.5, [row])


def test_html_report_is_self_contained_and_escapes_untrusted_text() -> None:
    page = to_html(_hostile_report())
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "<style>" in page
    lowered = page.lower()
    for forbidden in ("<script", "<img", "<b>", "<link", "<iframe", "onerror=alert(1)>", "@import", "url("):
        assert forbidden not in lowered, forbidden
    assert not re.search(r"<[^>]*\s(src|href)=", page)  # no external assets
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "missing from answer and quotes: &#39;missing &lt;kw&gt;&#39;" in page


def test_markdown_report_is_inert_in_a_pr_comment() -> None:
    report = _hostile_report()
    text = to_markdown(report)
    assert text.startswith("### Briefbot evaluation: 0/1 passed\n")
    assert "| keyword_recall | 0.000 | 1 |  |" in text
    assert "<script" not in text and "<img" not in text and "[link](" not in text and "@octocat" not in text
    failure_lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert all(re.search(r"(?<!\\)\|", line) is None for line in failure_lines)
    assert md_escape("a|b <c> & @d\nnext") == "a\\|b &lt;c&gt; &amp; @\u200bd next"


def test_markdown_report_fits_a_pr_comment() -> None:
    long = Answer("word " * 400 + " ".join(f"[{n}]" for n in range(1, 6)), True,
                  [_cite(n, "q" * 2000, 0) for n in range(1, 6)])
    rows = []
    for i in range(200):
        case = _case(id=f"q{i}", expected_keywords=("missing",))
        rows.append(_scored(case, long))
    text = to_markdown(EvalReport("set.jsonl", "fake", "now", 1.0, rows))
    assert len(text) <= 60_000
    shown = text.count("- **keywords**")
    assert 10 < shown < 50 and f"… and {200 - shown} more failures in the JSON report." in text


def _categorised_report() -> EvalReport:
    hostile = "<i>gains</i> | @here"
    rows = [_scored(_case(id="p1", category="position", expected_keywords=("ceasefire",)), GOOD),
            _scored(_case(id="p2", category="position", expected_keywords=("Istanbul",)), GOOD),
            _scored(_case(id="u1", category="unanswerable", answerable=False), REFUSAL),
            _scored(_case(id="g1", category=hostile, expected_keywords=("summit",)), GOOD),
            QuestionResult(5, "u2", None, error="'question' is missing", category="unanswerable"),
            _scored(_case(id="x1"), GOOD)]
    return EvalReport("devset/qa.jsonl", "fake", "now", 1.0, rows)


def test_every_report_has_the_per_category_table() -> None:
    report = _categorised_report()
    expected = {"position": {"n": 2, "passed": 1, "pass_rate": 0.5},
                "unanswerable": {"n": 2, "passed": 1, "pass_rate": 0.5},
                "<i>gains</i> | @here": {"n": 1, "passed": 1, "pass_rate": 1.0},
                "(none)": {"n": 1, "passed": 1, "pass_rate": 1.0}}
    assert report.by_category == expected
    assert json.loads(to_json(report))["by_category"] == expected
    summary = summary_text(report)
    assert re.search(r"category\s+n\s+passed\s+pass rate\n", summary)
    assert re.search(r"\nposition\s+2\s+1\s+0\.500\n", summary)
    markdown = to_markdown(report)
    assert "| category | n | passed | pass rate |" in markdown and "| position | 2 | 1 | 0.500 |" in markdown
    assert "| &lt;i&gt;gains&lt;/i&gt; \\| @\u200bhere | 1 | 1 | 1.000 |" in markdown
    page = to_html(report)
    assert "<h2>By category</h2>" in page and "<tr><td>position</td><td class=num>2</td><td class=num>1</td>" in page
    assert "&lt;i&gt;gains&lt;/i&gt;" in page and "<i>gains" not in page
    plain = EvalReport("set.jsonl", "fake", "now", 1.0, [_scored(_case(), GOOD)])
    assert plain.by_category == {} and "category" not in summary_text(plain) and "By category" not in to_html(plain)


def test_html_report_comes_from_an_autoescaped_package_template() -> None:
    template = files("bot.evaluation") / "templates" / TEMPLATE
    assert template.is_file() and "{{ r.answer.answer }}" in template.read_text(encoding="utf-8")
    assert environment().autoescape is True
    assert "<script" not in template.read_text(encoding="utf-8")  # the page runs no script of its own
    hostile = _hostile_report()
    assert to_html(hostile) == environment().get_template(TEMPLATE).render(
        report=hostile, counts=hostile.counts, headline=headline(hostile), chart=_chart(hostile),
        problems=hostile.problems, categorised=False)


def test_junit_xml_has_one_testcase_per_question() -> None:
    report = _categorised_report()
    report.rows[0].answer = replace(GOOD, answer=GOOD.answer + " \x0b\x00<b>&")  # not XML 1.0 characters
    root = ET.fromstring(to_junit_xml(report))
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "qa" and (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("6", "1", "1")
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("position", "p1: What next?"), ("position", "p2: What next?"), ("unanswerable", "u1: What next?"),
        ("<i>gains</i> | @here", "g1: What next?"), ("unanswerable", "u2: (no question)"), ("qa", "x1: What next?")]
    failure = cases[1].find("failure")
    assert failure is not None and failure.get("message") == "failed: keywords"
    assert failure.text == "keywords: missing from answer and quotes: 'Istanbul'"
    error = cases[4].find("error")
    assert error is not None and error.get("message") == "'question' is missing"
    assert cases[0].find("failure") is None and cases[0].find("error") is None
    out = cases[0].findtext("system-out")
    assert out is not None and out.startswith("answer (grounded): The ceasefire holds") and "\ufffd\ufffd<b>&" in out
    assert f"[1] BBC (reported) a1 {ARTICLE.index(QUOTE_1)}-" in out
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["outlet_match"] == "all" and properties["pass_rate"] == "0.667"


def test_deepeval_rows_use_deepevals_field_names() -> None:
    case = _case(expected_keywords=("ceasefire", "summit"), category="single", source_ids=("a1", "gone"))
    rows = [_scored(case, GOOD), QuestionResult(2, "line-2", None, error="not valid JSON")]
    report = EvalReport("set.jsonl", "fake", "now", 0.5, rows)
    (row,) = deepeval_rows(report, {"a1": ARTICLE}.get)
    assert row == {
        "name": "q1", "input": "What next?", "actual_output": GOOD.answer, "expected_output": "ceasefire summit",
        "retrieval_context": [QUOTE_1, QUOTE_2], "context": [ARTICLE],
        "additional_metadata": {"category": "single", "answerable": True, "grounded": True, "passed": True,
                                "failed_checks": []},
    }
    assert deepeval_rows(report)[0]["context"] is None  # no article text (--url mode): no ground-truth context


def test_json_summary_and_ragas_exports() -> None:
    rows = [_scored(_case(expected_keywords=("ceasefire", "summit")), GOOD),
            QuestionResult(2, "line-2", None, error="not valid JSON")]
    report = EvalReport("set.jsonl", "fake", "now", 0.5, rows)
    data = json.loads(to_json(report))
    assert data["summary"] == {"questions": 2, "passed": 1, "failed": 0, "errors": 1}
    assert set(data["metrics"]) == {m.name for m in METRICS}
    assert data["metrics"]["keyword_recall"] == {"value": 1.0, "n": 1, "higher_is_better": True, "unit": "ratio",
                                                 "definition": METRICS[2].definition}
    first = data["results"][0]
    assert first["citations"][0]["quote"] == QUOTE_1 and first["status"] == "passed"
    assert data["results"][1].items() >= {"status": "error", "error": "not valid JSON", "line": 2}.items()
    (row,) = ragas_rows(report)
    assert row == {
        "id": "q1", "question": "What next?", "answer": GOOD.answer, "contexts": [QUOTE_1, QUOTE_2],
        "ground_truth": "ceasefire summit", "user_input": "What next?", "response": GOOD.answer,
        "retrieved_contexts": [QUOTE_1, QUOTE_2], "reference": "ceasefire summit", "answerable": True,
        "grounded": True,
    }
    summary = summary_text(report)
    assert "2 questions: 1 passed, 0 failed, 1 errors" in summary
    assert "ERROR  line-2 (line 2): not valid JSON" in summary


def test_readme_defines_every_metric() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Evaluation", 1)[1].split("\n## ", 1)[0]
    for metric in METRICS:
        assert f"`{metric.name}`" in section, metric.name


# ----- the real bot: the CI gate, HTTP mode, the CLI -------------------------------------------
def test_seed_set_meets_the_ci_gates(seed_bot) -> None:  # type: ignore[no-untyped-def]
    report = run_evaluation(load_testset(SEED_SET), InProcessTarget(seed_bot))
    report.apply_gates(CI_GATES)
    failures = [(r.id, [f.check for f in r.failures], r.error) for r in report.problems]
    assert report.gates_passed, ([g.message for g in report.gates if not g.passed], failures)
    assert report.counts["questions"] == 50
    assert report.metrics["retrieval_hit_rate"].n > 50  # every citation was checked


def test_url_mode_asks_a_running_server(seed_server, seed_bot) -> None:  # type: ignore[no-untyped-def]
    testset = load_testset(SEED_SET)
    testset.cases = [c for c in testset.cases if c.history or not c.answerable or c.id in ("seed-01", "seed-18")]
    over_http = run_evaluation(testset, HttpTarget(seed_server.url))
    in_process = run_evaluation(testset, InProcessTarget(seed_bot))
    assert over_http.target == seed_server.url
    assert over_http.counts == in_process.counts
    assert in_process.counts["questions"] == 19 and in_process.counts["errors"] == 0
    assert [r.answer.answer for r in over_http.rows if r.answer] == [r.answer.answer for r in in_process.rows if r.answer]
    for name in ("citation_support", "retrieval_hit_rate"):  # not visible over HTTP
        assert over_http.metrics[name].value is None and in_process.metrics[name].value == pytest.approx(1, abs=0.1)
    assert over_http.metrics["latency_p50_ms"].value is not None


def test_url_mode_reports_http_errors_as_error_rows(seed_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path / "set.jsonl", {"id": "long", "question": "x" * 1500, "answerable": False},
                  {"id": "ok", "question": "What happens next?", "answerable": True})
    report = run_evaluation(load_testset(path), HttpTarget(seed_server.url))
    assert report.rows[0].error is not None and report.rows[0].error.startswith("HTTP 422: ")
    assert report.rows[1].passed


def test_a_down_url_is_a_clear_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # bound then closed: nothing listens
    with pytest.raises(EvaluationError, match=re.escape(f"cannot reach Briefbot at {url}")):
        run_evaluation(load_testset(SEED_SET), HttpTarget(url))
    result = _run(str(SEED_SET), "--url", url)
    assert result.exit_code == 1
    assert f"Error: cannot reach Briefbot at {url}" in result.output and "briefbot serve" in result.output
    bad_scheme = _run(str(SEED_SET), "--url", "localhost:8000")
    assert bad_scheme.exit_code == 2 and "--url must start with http:// or https://" in bad_scheme.output


def test_cli_in_process_writes_every_report(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    make_bot(tmp_path / "data", embedder, SEED).close()  # BRIEFBOT_DATA_DIR points here (conftest)
    path = _write(
        tmp_path / "set.jsonl",
        {"id": "pos", "question": "What does Zelenskyy want?", "answerable": True,
         "expected_keywords": ["ceasefire"], "expected_outlets": ["BBC"], "expected_kind": "reported"},
        {"id": "follow", "question": "Which outlet reported that?", "answerable": True,
         "expected_outlets": ["BBC"], "history": ["What does Zelenskyy want?"]},
        {"id": "no", "question": "What did China say about the ceasefire proposal?", "answerable": False},
    )
    out = tmp_path / "reports"
    result = _run(str(path), "--out", str(out / "r.json"), "--markdown", str(out / "r.md"), "--html",
                  str(out / "r.html"), "--export", "ragas", "--export-out", str(out / "ragas.jsonl"),
                  "--fail-under", "citation_support=1", "--fail-under", "pass_rate=1")
    assert result.exit_code == 0, result.output
    assert "3 questions: 3 passed, 0 failed, 0 errors" in result.stdout
    assert re.search(r"citation_support\s+1\.000\s+\d+\s+pass ≥ 1", result.stdout)
    assert "gate passed: pass_rate 1.000 >= 1" in result.stdout
    report = json.loads((out / "r.json").read_text())
    assert report["target"] == f"in-process ({tmp_path / 'data'}, extractive answers)"
    assert [r["status"] for r in report["results"]] == ["passed"] * 3
    assert report["results"][1]["citations"] and report["results"][1]["history"] == ["What does Zelenskyy want?"]
    assert "#### No failures" in (out / "r.md").read_text()
    assert "3/3 passed" in (out / "r.html").read_text()
    ragas = [json.loads(line) for line in (out / "ragas.jsonl").read_text().splitlines()]
    assert [r["id"] for r in ragas] == ["pos", "follow", "no"] and ragas[0]["reference"] == "ceasefire"


def test_cli_fails_under_a_gate_and_reports_bad_lines(seed_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _write(
        tmp_path / "set.jsonl",
        {"id": "pos", "question": "What does Zelenskyy want?", "answerable": True,
         "expected_keywords": ["ceasefire", "no such phrase"], "expected_outlets": ["BBC"], "priority": 1},
        "{oops",
        {"id": "noq", "answerable": True},
    )
    result = _run(str(path), "--url", seed_server.url, "--out", str(tmp_path / "r.json"),
                  "--fail-under", "keyword_recall=0.9", "--fail-under", "outlet_recall=0.9")
    assert result.exit_code == 1
    assert "warning: " + str(path) + ", line 1: unknown field 'priority' ignored" in result.stderr
    assert f"error: {path}, line 2: not valid JSON" in result.stderr
    assert f"error: {path}, line 3: 'question' is missing (reported as an error row)" in result.stderr
    assert "GATE FAILED: keyword_recall 0.500 < 0.9" in result.stdout
    assert "gate passed: outlet_recall 1.000 >= 0.9" in result.stdout
    assert "eval failed its gates: keyword_recall 0.500 < 0.9" in result.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["summary"] == {"questions": 3, "passed": 0, "failed": 1, "errors": 2}
    assert [(r["line"], r["status"]) for r in report["results"]] == [(1, "failed"), (2, "error"), (3, "error")]
    assert report["metrics"]["citation_support"]["value"] is None  # not visible over HTTP


def test_cli_outlet_match_junit_and_deepeval(seed_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _write(
        tmp_path / "set.jsonl",
        {"id": "pos", "category": "position", "question": "What does Zelenskyy want?", "answerable": True,
         "expected_keywords": ["ceasefire"], "expected_outlets": ["BBC", "The Kestria Herald"],
         "source_ids": ["putin-peace-signal"], "note": "either outlet will do"},
        {"id": "off", "category": "off_topic", "question": "What did China say about the ceasefire proposal?",
         "answerable": False},
    )
    strict = _run(str(path), "--url", seed_server.url, "--fail-under", "pass_rate=1")
    assert strict.exit_code == 1 and "not cited: 'The Kestria Herald'" in strict.stdout
    assert "warning" not in strict.stderr  # category, source_ids and note are known fields
    out = tmp_path / "out"
    result = _run(str(path), "--url", seed_server.url, "--outlet-match", "any", "--fail-under", "pass_rate=1",
                  "--out", str(out / "r.json"), "--junit", str(out / "junit.xml"),
                  "--export", "deepeval", "--export-out", str(out / "deepeval.json"))
    assert result.exit_code == 0, result.output
    assert re.search(r"\nposition\s+1\s+1\s+1\.000\noff_topic\s+1\s+1\s+1\.000\n", result.stdout)
    assert "outlets: any one expected outlet cited and named" in result.stdout.splitlines()[0]
    assert "outlets: any" not in strict.stdout
    report = json.loads((out / "r.json").read_text())
    assert report["outlet_match"] == "any" and report["by_category"]["position"] == {"n": 1, "passed": 1, "pass_rate": 1.0}
    suite = ET.parse(out / "junit.xml").getroot().find("testsuite")
    assert suite is not None and [c.get("classname") for c in suite.iter("testcase")] == ["position", "off_topic"]
    assert suite.get("failures") == "0"
    deepeval = json.loads((out / "deepeval.json").read_text())
    assert [r["input"] for r in deepeval] == ["What does Zelenskyy want?", "What did China say about the ceasefire proposal?"]
    assert deepeval[0]["context"] is None and deepeval[0]["retrieval_context"]  # over HTTP: no article text


def test_cli_usage_errors(tmp_path: Path) -> None:
    missing = _run(str(tmp_path / "nope.jsonl"))
    assert missing.exit_code == 2 and "does not exist" in missing.output
    empty = _write(tmp_path / "empty.jsonl", "")
    result = _run(str(empty), "--url", "http://127.0.0.1:9")
    assert result.exit_code == 1 and "the test set is empty" in result.output
    unknown = _run(str(SEED_SET), "--fail-under", "accuracy=0.9")
    assert unknown.exit_code == 2 and "'accuracy' is not a metric" in unknown.output
    export = _run(str(SEED_SET), "--export", "ragas")
    assert export.exit_code == 2 and "--export and --export-out go together" in export.output
