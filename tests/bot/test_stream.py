"""POST /v1/ask/stream (Server-Sent Events) over real HTTP, CORS for browser clients, the web routes."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.api.routes.stream import answer_events, word_groups
from bot.models import Answer
from tests.bot.test_api import check_invariants
from tests.conftest import LiveServer, make_bot

Event = tuple[str, dict]  # type: ignore[type-arg]
WIDGET_JS = Path(__file__).resolve().parents[2] / "bot" / "static" / "widget.js"


def parse_sse(text: str) -> list[Event]:
    """Split a text/event-stream body into (event, data) pairs; every frame must be well formed."""
    events: list[Event] = []
    for block in text.split("\n\n"):
        lines = [line for line in block.split("\n") if line and not line.startswith(":")]  # keep-alive comments
        if not lines:
            continue
        fields = dict(line.split(": ", 1) for line in lines)
        assert set(fields) == {"event", "data"}, block
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def stream(url: str, body: dict, headers: dict[str, str] | None = None) -> tuple[httpx.Response, list[Event]]:  # type: ignore[type-arg]
    """POST to the stream route, reading the body as it arrives; non-SSE bodies are kept readable."""
    with httpx.stream("POST", f"{url}/v1/ask/stream", json=body, headers=headers, timeout=60) as r:
        if not r.headers.get("content-type", "").startswith("text/event-stream"):
            r.read()
            return r, []
        text = "".join(r.iter_text())
    return r, parse_sse(text)


def test_events_arrive_in_order_and_the_deltas_join_to_the_answer(seed_server) -> None:  # type: ignore[no-untyped-def]
    r, events = stream(seed_server.url, {"question": "What does Zelenskyy want?"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    assert r.headers["cache-control"] == "no-cache" and r.headers["x-accel-buffering"] == "no"
    names = [name for name, _ in events]
    assert names[0] == "meta" and names[-2:] == ["citations", "done"]
    assert set(names[1:-2]) == {"delta"} and len(names) - 3 >= 3, "the text arrives in several deltas"
    meta, citations, done = events[0][1], events[-2][1], events[-1][1]
    assert set(meta) == {"conversation_id"} and meta["conversation_id"] == done["conversation_id"]
    assert "".join(data["text"] for name, data in events if name == "delta") == done["answer"]
    assert citations == {"citations": done["citations"]}
    assert {"conversation_id", "answer", "grounded", "citations", "intent", "mode"} <= set(done)
    check_invariants(done)
    assert done["grounded"] and "BBC" in done["answer"] and "security guarantees" in done["answer"]
    plain = httpx.post(f"{seed_server.url}/v1/ask", json={"question": "What does Zelenskyy want?"}, timeout=60).json()
    assert {k: v for k, v in plain.items() if k != "conversation_id"} == {k: v for k, v in done.items() if k != "conversation_id"}


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_reads_the_stream(seed_server) -> None:  # type: ignore[no-untyped-def]
    out = subprocess.run(
        ["curl", "-sN", f"{seed_server.url}/v1/ask/stream", "-H", "content-type: application/json",
         "-d", json.dumps({"question": "What should we watch next?"})],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout
    events = parse_sse(out)
    assert events[0][0] == "meta" and events[-1][0] == "done"
    assert "".join(d["text"] for n, d in events if n == "delta") == events[-1][1]["answer"]


def test_a_streamed_follow_up_continues_the_conversation(seed_server) -> None:  # type: ignore[no-untyped-def]
    _, first = stream(seed_server.url, {"question": "Would Putin meet Zelenskyy?"})
    conv = first[0][1]["conversation_id"]
    _, second = stream(seed_server.url, {"question": "Where would he meet him?", "conversation_id": conv})
    assert second[0] == ("meta", {"conversation_id": conv})
    done = second[-1][1]
    assert done["grounded"] and "third country" in done["answer"]
    assert any("Al Jazeera" in c["outlets"] for c in done["citations"])
    turns = httpx.get(f"{seed_server.url}/v1/conversations/{conv}").json()["turns"]
    assert [t["question"] for t in turns] == ["Would Putin meet Zelenskyy?", "Where would he meet him?"]
    assert turns[1]["answer"] == done["answer"]


def test_an_ungrounded_answer_streams_with_no_citations(seed_server) -> None:  # type: ignore[no-untyped-def]
    _, events = stream(seed_server.url, {"question": "Give me a recipe for banana bread."})
    done = events[-1][1]
    assert events[-1][0] == "done" and done["grounded"] is False and done["citations"] == []
    assert events[-2] == ("citations", {"citations": []})
    assert "".join(d["text"] for n, d in events if n == "delta") == done["answer"]


@pytest.mark.parametrize(
    "body,fragment",
    [
        ({}, "question: Field required"),
        ({"question": ""}, "question"),
        ({"question": "   "}, "question must not be empty"),
        ({"question": "x" * 5000}, "too long"),
        ({"question": "What next?", "filters": {"outlets": "BBC"}}, "filters.outlets"),
    ],
)
def test_invalid_requests_are_plain_422_json_before_any_event(seed_server, body: dict, fragment: str) -> None:  # type: ignore[no-untyped-def, type-arg]
    r, events = stream(seed_server.url, body)
    assert r.status_code == 422 and events == []
    assert r.headers["content-type"] == "application/json"
    assert fragment in r.json()["detail"]


def test_malformed_json_is_a_422(seed_server) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(f"{seed_server.url}/v1/ask/stream", content=b"{nope", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "detail" in r.json()


def test_a_failure_after_the_stream_started_is_an_error_event(tmp_path, embedder, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bot.api import create_app
    from index import StoreUnavailable

    bot = make_bot(tmp_path / "err", embedder)

    def store_down(*args: object, **kwargs: object) -> Iterator[str | Answer]:
        raise StoreUnavailable("Chroma at http://127.0.0.1:9 refused the connection")
        yield  # a generator: it fails when iterated, i.e. after the stream started

    def crash_midway(*args: object, **kwargs: object) -> Iterator[str | Answer]:
        yield "Kyiv wants "
        raise RuntimeError("secret internals /srv/app.py line 3")

    with LiveServer(create_app(bot=bot)) as server:
        monkeypatch.setattr(bot, "answer_stream", store_down)
        r, events = stream(server.url, {"question": "What happens next?"})
        assert r.status_code == 200 and [name for name, _ in events] == ["meta", "error"]
        assert events[1][1] == {"detail": "the article store is unavailable, try again shortly (Chroma at http://127.0.0.1:9 refused the connection)"}
        monkeypatch.setattr(bot, "answer_stream", crash_midway)
        _, events = stream(server.url, {"question": "What happens next?"})
        assert [name for name, _ in events] == ["meta", "delta", "error"]
        assert events[2] == ("error", {"detail": "the answer could not be completed; try again"}), "no internals leak"
        conv = events[0][1]["conversation_id"]
        assert httpx.get(f"{server.url}/v1/conversations/{conv}").status_code == 404, "a failed answer is not stored"


# ----- the event generator on its own (a future LLM source feeds it token deltas) -----------------

class ScriptedSource:
    """An `AnswerSource` that streams `pieces` and then reports `final` as the answer."""

    def __init__(self, pieces: list[str], final: str) -> None:
        self._pieces, self.final = pieces, final

    def pieces(self) -> Iterator[str]:
        yield from self._pieces

    def result(self) -> Answer:
        return Answer(answer=self.final, grounded=True, conversation_id="c1")


def collect(source: ScriptedSource) -> list[Event]:
    async def run() -> list[str]:
        return [frame.encode().decode() async for frame in answer_events("c1", source)]

    return parse_sse("".join(asyncio.run(run())))


def deltas_after_last_reset(events: list[Event]) -> str:
    names = [n for n, _ in events]
    start = len(names) - names[::-1].index("reset") if "reset" in names else 0
    return "".join(d["text"] for n, d in events[start:] if n == "delta")


def test_token_deltas_are_passed_through_as_they_come() -> None:
    events = collect(ScriptedSource(["Kyiv wants", " guarantees", ", BBC reported."], "Kyiv wants guarantees, BBC reported."))
    assert [d["text"] for n, d in events if n == "delta"] == ["Kyiv wants", " guarantees", ", BBC reported."]
    assert [n for n, _ in events] == ["meta", "delta", "delta", "delta", "citations", "done"]
    whole = "A composer writes the answer whole, and it still streams in word groups [1]."
    split = collect(ScriptedSource([whole], whole))
    assert [d["text"] for n, d in split if n == "delta"] == list(word_groups(whole)) and len(list(word_groups(whole))) == 4


def test_a_final_answer_that_differs_from_the_stream_resets_or_completes_it() -> None:
    replaced = collect(ScriptedSource(["Russia has won", " the war."], "The articles don't say who has won."))
    assert "reset" in [n for n, _ in replaced]
    assert deltas_after_last_reset(replaced) == replaced[-1][1]["answer"]
    completed = collect(ScriptedSource(["Talks are set"], "Talks are set for May 15 [1]."))
    deltas = [d["text"] for n, d in completed if n == "delta"]
    assert deltas[0] == "Talks are set" and "".join(deltas) == "Talks are set for May 15 [1]." and "reset" not in [n for n, _ in completed]
    whole = collect(ScriptedSource([], "A composer that writes the answer whole still streams it in word groups [1]."))
    assert len([n for n, _ in whole if n == "delta"]) == 4 and deltas_after_last_reset(whole) == whole[-1][1]["answer"]


@pytest.mark.parametrize(
    "text",
    ["", "one", "  leading and trailing  ", "Line one.\nLine two,\n\nthree [1]. ", "Zelenskyy’s “position” — unchanged [2].", "a b c d e f g h i"],
)
def test_word_groups_concatenate_to_the_text(text: str) -> None:
    pieces = list(word_groups(text))
    assert "".join(pieces) == text and all(pieces)
    assert all(len(p.split()) <= 4 for p in pieces)


# ----- CORS: the widget on another site ------------------------------------------------------------

SITE = "http://news.example"


@pytest.fixture(scope="module")
def cors_server(tmp_path_factory, embedder):  # type: ignore[no-untyped-def]
    from bot.api import create_app
    from tests.conftest import SEED

    bot = make_bot(tmp_path_factory.mktemp("cors"), embedder, SEED, cors_origins=[SITE])
    with LiveServer(create_app(bot=bot)) as server:
        yield server


def preflight(url: str, path: str, origin: str) -> httpx.Response:
    return httpx.options(f"{url}{path}", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type",
    })


def test_configured_origins_may_stream_and_send_feedback(cors_server) -> None:  # type: ignore[no-untyped-def]
    for path in ("/v1/ask/stream", "/v1/feedback"):
        r = preflight(cors_server.url, path, SITE)
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == SITE
        assert "POST" in r.headers["access-control-allow-methods"]
        assert "content-type" in r.headers["access-control-allow-headers"].lower()
    r, events = stream(cors_server.url, {"question": "What happens next?"}, headers={"Origin": SITE})
    assert r.headers["access-control-allow-origin"] == SITE and events[-1][0] == "done"
    conv = events[0][1]["conversation_id"]
    fb = httpx.post(f"{cors_server.url}/v1/feedback", json={"conversation_id": conv, "turn": 0, "rating": "down"}, headers={"Origin": SITE})
    assert fb.status_code == 201 and fb.headers["access-control-allow-origin"] == SITE
    bad = httpx.post(f"{cors_server.url}/v1/ask/stream", json={}, headers={"Origin": SITE})
    assert bad.status_code == 422 and bad.headers["access-control-allow-origin"] == SITE, "errors are readable cross-origin too"


def test_other_origins_are_not_allowed(cors_server, seed_server) -> None:  # type: ignore[no-untyped-def]
    assert preflight(cors_server.url, "/v1/ask/stream", "http://evil.example").status_code == 400
    r, _ = stream(cors_server.url, {"question": "What happens next?"}, headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in r.headers
    # With BRIEFBOT_CORS_ORIGINS unset, no cross-origin caller is allowed at all.
    assert "access-control-allow-origin" not in preflight(seed_server.url, "/v1/ask/stream", SITE).headers
    r, _ = stream(seed_server.url, {"question": "What happens next?"}, headers={"Origin": SITE})
    assert "access-control-allow-origin" not in r.headers


# ----- GET / and GET /widget.js ------------------------------------------------------------------------

def test_demo_page_and_widget_script_are_served(seed_server) -> None:  # type: ignore[no-untyped-def]
    page = httpx.get(f"{seed_server.url}/")
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<script src="/widget.js"' in page.text and "/v1/articles" in page.text
    script = httpx.get(f"{seed_server.url}/widget.js")
    assert script.status_code == 200 and script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert script.headers["x-content-type-options"] == "nosniff"
    assert "customElements.define" in script.text and script.text == WIDGET_JS.read_text(encoding="utf-8")
    assert "/" not in {p for p in httpx.get(f"{seed_server.url}/openapi.json").json()["paths"]}


def test_the_widget_never_parses_data_as_html() -> None:
    source = WIDGET_JS.read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "srcdoc"):
        assert sink not in source, sink
    # links only from safeHref (http/https), never straight from data
    assert re.findall(r"\.href = (\w+)", source) == ["href"]


def test_an_idle_stream_gets_keep_alive_comments(llm_bot, llm) -> None:  # type: ignore[no-untyped-def]
    """While a slow model thinks, `: ping` comments keep proxies from closing the stream."""
    from bot.api import create_app
    from tests.scripted_llm import Reply, source_number

    llm.script(Reply(lambda m: f"Putin would meet Zelenskyy only in a third country, according to Al Jazeera "
                               f"[{source_number(m, 'third country')}].", delay=1.0))
    settings = llm_bot.settings.model_copy(update={"sse_ping_s": 0.2})
    with LiveServer(create_app(settings=settings, bot=llm_bot)) as server:
        with httpx.stream("POST", f"{server.url}/v1/ask/stream", json={"question": "Where would Putin meet Zelenskyy?"}, timeout=60) as r:
            text = "".join(r.iter_text())
    assert r.status_code == 200 and r.headers["x-accel-buffering"] == "no"
    before_first_delta = text[: text.index("event: delta")]
    assert before_first_delta.count(": ping\n\n") >= 2, text[:400]
    events = parse_sse(text)
    assert [n for n, _ in events][0] == "meta" and [n for n, _ in events][-2:] == ["citations", "done"]
    assert events[-1][1]["mode"] == "llm" and "".join(d["text"] for n, d in events if n == "delta") == events[-1][1]["answer"]
