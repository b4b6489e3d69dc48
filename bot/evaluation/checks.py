"""Per-question checks without an LLM judge: refusals, keywords, outlets, kind, citations, markers."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Literal

from ..models import Answer
from .models import CheckFailure, QuestionResult, TestCase

ArticleText = Callable[[str], str | None]  # article id → stored text (None: not indexed)
Retrieved = Callable[[str], set[str]]  # resolved question → top-k chunk ids
OutletMatch = Literal["all", "any"]  # every expected outlet cited and named, or at least one of them
OUTLET_MATCHES: tuple[OutletMatch, ...] = ("all", "any")

_MARKER = re.compile(r"\[(\d+)\]")
# Test sets are typed on keyboards; stored article text keeps typographic quotes and dashes.
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"',
                       "\u2013": "-", "\u2014": "-", "\u00a0": " "})


def normalize(text: str) -> str:
    """Casefolded, typographic quotes and dashes made plain, whitespace collapsed."""
    return " ".join(text.translate(_FOLD).casefold().split())


def _quoted(items: list[str] | set[str]) -> str:
    return ", ".join(f"'{i}'" for i in sorted(items))


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def score(
    result: QuestionResult,
    case: TestCase,
    answer: Answer,
    article_text: ArticleText | None = None,
    retrieved: Retrieved | None = None,
    previous: Answer | None = None,
    outlet_match: OutletMatch = "all",
) -> None:
    """Fill `result`'s scores, failures and notes from `answer` to `case`.

    `outlet_match="all"` fails a question unless every expected outlet is cited and named;
    `"any"` passes it when at least one expected outlet is both cited and named (the dev sets list
    every outlet that carried the fact). The outlet scores are the same either way.

    `article_text` enables the citation-support check and `retrieved` the retrieval check; without
    them those scores stay None ("not checked"). `previous` is the answer to the last history turn:
    a "who reported that?" answer that carries its citations over was retrieved for that turn, so
    the retrieval check skips it (and the search for a question the composer never searched).
    """
    result.answer = answer
    result.refused = not answer.grounded
    fail = result.failures.append
    if not case.answerable:
        if answer.grounded:
            fail(CheckFailure("refusal", "answered a question the articles do not support (grounded: true)"))
    else:
        if not answer.grounded:
            fail(CheckFailure("false_refusal", f"declined an answerable question: {_short(answer.answer)}"))
        _keywords(result, case, answer)
        _outlets(result, case, answer, outlet_match)
        if case.expected_kind:
            first = answer.citations[0].kind if answer.citations else None
            result.kind_ok = first == case.expected_kind
            if not result.kind_ok:
                fail(CheckFailure("kind", f"first citation is {first or 'missing'}, expected {case.expected_kind}"))
    _markers(result, answer)
    if article_text is not None:
        _support(result, answer, article_text)
    carried = (previous is not None and answer.intent == "source"  # the composer's "who reported that?"
               and {c.chunk_id for c in answer.citations} <= {c.chunk_id for c in previous.citations})
    if retrieved is not None and answer.citations and carried:
        result.notes.append(CheckFailure("retrieval", "not checked: the citations are carried over from the previous turn"))
    elif retrieved is not None and answer.citations:
        ids = retrieved(answer.resolved_question or case.question)
        misses = [c.n for c in answer.citations if c.chunk_id not in ids]
        result.retrieval_checked = len(answer.citations)
        result.retrieval_hits = result.retrieval_checked - len(misses)
        if misses:
            cited = ", ".join(f"[{n}]" for n in misses)
            result.notes.append(CheckFailure("retrieval", f"cited chunk of {cited} not in the top-k search results"))


def _keywords(result: QuestionResult, case: TestCase, answer: Answer) -> None:
    if not case.expected_keywords:
        return
    haystack = normalize(" ".join([answer.answer, *(c.quote for c in answer.citations)]))
    missing = [k for k in case.expected_keywords if normalize(k) not in haystack]
    result.keyword_recall = 1 - len(missing) / len(case.expected_keywords)
    if missing:
        result.failures.append(CheckFailure("keywords", f"missing from answer and quotes: {_quoted(set(missing))}"))


def _outlets(result: QuestionResult, case: TestCase, answer: Answer, outlet_match: OutletMatch) -> None:
    if not case.expected_outlets:
        return
    expected = {o.casefold(): o for o in case.expected_outlets}
    cited = {o.casefold(): o for c in answer.citations for o in c.outlets}
    hits = expected.keys() & cited.keys()
    result.outlet_recall = len(hits) / len(expected)
    result.outlet_precision = len(hits) / len(cited) if cited else 0.0
    extra = {cited[k] for k in cited.keys() - expected.keys()}
    if extra:
        result.notes.append(CheckFailure("outlet_precision", f"also cited: {_quoted(extra)}"))
    text = normalize(answer.answer)
    named = {k for k, o in expected.items() if re.search(rf"(?<!\w){re.escape(normalize(o))}(?!\w)", text)}
    result.outlet_named = len(named) / len(expected)
    also = f" (cited: {_quoted(set(cited.values()))})" if cited else " (no outlet cited)"
    if outlet_match == "any":
        if not hits:
            result.failures.append(CheckFailure("outlets_cited", f"none of {_quoted(set(expected.values()))} cited{also}"))
        elif not hits & named:
            result.failures.append(CheckFailure(
                "outlets_named", f"no cited expected outlet is named in the answer text: {_quoted({expected[k] for k in hits})}"))
        return
    if len(hits) < len(expected):
        missing = {expected[k] for k in expected.keys() - hits}
        result.failures.append(CheckFailure("outlets_cited", f"not cited: {_quoted(missing)}{also}"))
    if unnamed := {expected[k] for k in expected.keys() - named}:
        result.failures.append(CheckFailure("outlets_named", f"not named in the answer text: {_quoted(unnamed)}"))


def _markers(result: QuestionResult, answer: Answer) -> None:
    used = {int(m) for m in _MARKER.findall(answer.answer)}
    numbers = Counter(c.n for c in answer.citations)
    problems = []
    if dangling := used - numbers.keys():
        problems.append("no citation for " + ", ".join(f"[{n}]" for n in sorted(dangling)))
    if unreferenced := numbers.keys() - used:
        problems.append("never referenced: " + ", ".join(f"[{n}]" for n in sorted(unreferenced)))
    if repeated := [n for n, count in numbers.items() if count > 1]:
        problems.append("numbered twice: " + ", ".join(f"[{n}]" for n in sorted(repeated)))
    result.markers_ok = not problems
    if problems:
        result.failures.append(CheckFailure("markers", "; ".join(problems)))


def _support(result: QuestionResult, answer: Answer, article_text: ArticleText) -> None:
    supported = 0
    for c in answer.citations:
        text = article_text(c.article_id)
        if text is None:
            problem = f"[{c.n}] cites article '{c.article_id}', which is not indexed"
        elif text[c.start : c.end] == c.quote and c.quote:
            supported += 1
            continue
        else:
            found = text.find(c.quote) if c.quote else -1
            where = f"; it is at {found}–{found + len(c.quote)}" if found >= 0 else "; it is nowhere in the article"
            problem = f"[{c.n}] quote is not the stored text at {c.start}–{c.end}{where}"
        result.failures.append(CheckFailure("citation_support", problem))
    result.citations_checked = len(answer.citations)
    result.citations_supported = supported
