"""Dated answers: `as_of` and `published_range` computed from an answer's citations, on every surface."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.models import Answer, Citation, PublishedRange
from bot.rendering import as_of_line, report_dates_line
from tests.conftest import ROOT, LiveServer, make_bot

TIDEWATER = ROOT / "tests" / "fixtures" / "tidewater.jsonl"  # two reports 12 days apart (Reuters, then BBC)
QUESTION = "What happened in Tidewater?"


def cite(n: int, article_id: str, published_at: str | None, publisher: str | None = None) -> Citation:
    return Citation(n=n, outlets=["BBC"], kind="reported", quote="q", article_id=article_id, article_title=f"T {article_id}",
                    publisher=publisher, url=None, chunk_id=f"c{n}", start=0, end=1, published_at=published_at)


def expected_dating(citations: list[dict]) -> tuple[str | None, dict]:  # type: ignore[type-arg]
    """What as_of/published_range must be for the citations an API response carries."""
    by_article = {c["article_id"]: (c["published_at"] or "")[:10] or None for c in citations}
    dates = sorted(d for d in by_article.values() if d)
    latest = dates[-1] if dates else None
    return latest, {"earliest": dates[0] if dates else None, "latest": latest, "articles": len(by_article),
                    "undated": len(by_article) - len(dates)}


# ----- the computation -------------------------------------------------------------------------
def test_as_of_is_the_newest_cited_article_and_each_article_counts_once() -> None:
    answer = Answer("a [1] b [2] c [3] d [4].", True, [
        cite(1, "a", "2025-05-04"), cite(2, "b", "2025-05-16T09:00:00Z", "POLITICO"), cite(3, "a", "2025-05-04"),
        cite(4, "c", None),
    ])
    assert answer.as_of == "2025-05-16"
    assert answer.published_range == PublishedRange("2025-05-04", "2025-05-16", articles=3, undated=1)
    assert answer.to_dict()["published_range"] == {"earliest": "2025-05-04", "latest": "2025-05-16", "articles": 3, "undated": 1}
    assert as_of_line(answer) == "As of 16 May 2025 · 3 articles (1 undated)"
    assert report_dates_line(answer) == "Reported on different dates: 4 May 2025 BBC [1][3] · 16 May 2025 POLITICO [2] (newest)"


def test_undated_ungrounded_and_close_together_answers() -> None:
    undated = Answer("a [1] b [2].", True, [cite(1, "a", None), cite(2, "b", "not a date")])
    assert undated.as_of is None and undated.published_range == PublishedRange(None, None, 2, 2)
    assert as_of_line(undated) == "Undated: none of the 2 cited articles has a publication date"
    assert as_of_line(Answer("a [1].", True, [cite(1, "a", "")])) == "Undated: the cited article has no publication date"
    refused = Answer("The articles don't say.", False)
    assert refused.as_of is None and refused.to_dict()["published_range"] is None and as_of_line(refused) is None
    week = Answer("a [1] b [2].", True, [cite(1, "a", "2025-05-09"), cite(2, "b", "2025-05-16")])
    assert as_of_line(week) == "As of 16 May 2025 · 2 articles"
    assert report_dates_line(week) is None, "7 days apart is not 'more than a week'"
    assert report_dates_line(Answer("a [1] b [2].", True, [cite(1, "a", "2025-05-08"), cite(2, "b", "2025-05-16")]))


def test_stored_turns_keep_computing_their_dates() -> None:
    answer = Answer("a [1].", True, [cite(1, "a", "2025-05-04")], conversation_id="c")
    again = Answer.from_dict(json.loads(json.dumps(answer.to_dict())))
    assert again.as_of == "2025-05-04" and again.to_dict() == answer.to_dict()


# ----- every surface ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dated_server(tmp_path_factory: pytest.TempPathFactory, embedder):  # type: ignore[no-untyped-def]
    from bot.api import create_app

    bot = make_bot(tmp_path_factory.mktemp("dated"), embedder, TIDEWATER)
    with LiveServer(create_app(bot=bot)) as server:
        yield server
    bot.close()


def test_ask_stream_conversation_and_openai_carry_the_same_dates(dated_server) -> None:  # type: ignore[no-untyped-def]
    url = dated_server.url
    ask = httpx.post(f"{url}/v1/ask", json={"question": QUESTION}, timeout=60).json()
    assert ask["grounded"] and ask["citations"]
    as_of, published = expected_dating(ask["citations"])
    assert as_of is not None and ask["as_of"] == as_of and ask["published_range"] == published
    assert all(c["published_at"] for c in ask["citations"])

    with httpx.stream("POST", f"{url}/v1/ask/stream", json={"question": QUESTION}, timeout=60) as r:
        frames = r.read().decode().split("\n\n")
    done = json.loads(next(f for f in frames if f.startswith("event: done")).split("data: ", 1)[1])
    assert (done["as_of"], done["published_range"]) == expected_dating(done["citations"])

    turns = httpx.get(f"{url}/v1/conversations/{ask['conversation_id']}", timeout=30).json()["turns"]
    assert (turns[0]["as_of"], turns[0]["published_range"]) == (as_of, published)

    chat = httpx.post(f"{url}/v1/chat/completions", json={"model": "briefbot", "messages": [{"role": "user", "content": QUESTION}]},
                      timeout=60).json()
    extra = chat["briefbot"]
    assert (extra["as_of"], extra["published_range"]) == expected_dating(extra["citations"])

    schema = httpx.get(f"{url}/openapi.json", timeout=30).json()["components"]["schemas"]["AskResponse"]["properties"]
    assert {"as_of", "published_range"} <= set(schema)


def test_an_ungrounded_answer_has_no_date(dated_server) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(f"{dated_server.url}/v1/ask", json={"question": "Give me a recipe for banana bread."}, timeout=60).json()
    assert r["grounded"] is False and r["as_of"] is None and r["published_range"] is None


def test_the_cli_prints_as_of_and_the_report_dates(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(TIDEWATER)], catch_exceptions=False).exit_code == 0
    as_json = json.loads(runner.invoke(main, ["ask", QUESTION, "--json"], catch_exceptions=False).output)
    printed = runner.invoke(main, ["ask", QUESTION], catch_exceptions=False).output
    lines = printed.splitlines()
    answer = Answer.from_dict(as_json)
    assert as_of_line(answer) in lines and as_of_line(answer).startswith("As of ")  # type: ignore[union-attr]
    assert as_json["as_of"] in ("2025-05-04", "2025-05-16")
    if {c["article_id"] for c in as_json["citations"]} == {"tidewater-early", "tidewater-late"}:
        assert report_dates_line(answer) in lines
        assert "4 May 2025 Reuters [" in printed and "16 May 2025 BBC [" in printed and "(newest)" in printed
