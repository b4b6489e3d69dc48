"""`/v1/chat/completions` and `/v1/models`, driven by the official `openai` package against a live server."""

from __future__ import annotations

import httpx
import openai
import pytest

from tests.conftest import LiveServer
from tests.scripted_llm import ScriptedLLM, source_number

TITLE = "Putin’s Ukraine Peace Signal Looks Like a Tactical Reset"


def client(server) -> openai.OpenAI:  # type: ignore[no-untyped-def]
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0, timeout=60)


def extra(obj) -> dict:  # type: ignore[no-untyped-def, type-arg]
    """The `briefbot` field the SDK keeps as an extra on its pydantic models."""
    return (obj.model_extra or {})["briefbot"]  # type: ignore[no-any-return]


def test_models_lists_briefbot(seed_server) -> None:  # type: ignore[no-untyped-def]
    assert [m.id for m in client(seed_server).models.list()] == ["briefbot"]
    assert client(seed_server).models.retrieve("briefbot").id == "briefbot"
    missing = httpx.get(f"{seed_server.url}/v1/models/gpt-4", timeout=10)
    assert missing.status_code == 404 and missing.json()["detail"] == "no model 'gpt-4'; this server offers 'briefbot'"


def test_a_completion_is_the_cited_answer_with_sources(seed_server) -> None:  # type: ignore[no-untyped-def]
    completion = client(seed_server).chat.completions.create(
        model="briefbot", messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What does Zelenskyy want?"}],
    )
    content = completion.choices[0].message.content or ""
    answer, _, sources = content.partition("\n\nSources:\n")
    assert "security guarantees" in answer and "BBC" in answer and "[1]" in answer
    assert sources.startswith("[1] ") and f"] BBC — {TITLE}: “Zelenskyy’s position remains unchanged" in sources
    assert len(sources.splitlines()) == len(extra(completion)["citations"]) and completion.choices[0].finish_reason == "stop"
    data = extra(completion)
    assert data["grounded"] is True and data["mode"] == "extractive" and data["answer"] == answer
    assert ["BBC"] in [c["outlets"] for c in data["citations"]] and all(c["quote"] in sources for c in data["citations"])
    assert completion.model == "briefbot" and completion.object == "chat.completion"


def test_a_streamed_completion_matches_the_plain_one(seed_server) -> None:  # type: ignore[no-untyped-def]
    messages = [{"role": "user", "content": "What should we watch next?"}]
    plain = client(seed_server).chat.completions.create(model="briefbot", messages=messages)  # type: ignore[arg-type]
    chunks = list(client(seed_server).chat.completions.create(model="briefbot", messages=messages, stream=True))  # type: ignore[arg-type]
    assert chunks[0].choices[0].delta.role == "assistant"
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert streamed == plain.choices[0].message.content and len(chunks) > 5
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert {o for c in extra(chunks[-1])["citations"] for o in c["outlets"]} >= {"POLITICO", "BBC"}


def test_earlier_user_messages_are_the_conversation(seed_server) -> None:  # type: ignore[no-untyped-def]
    completion = client(seed_server).chat.completions.create(model="briefbot", messages=[
        {"role": "user", "content": "What did European leaders ask for?"},
        {"role": "assistant", "content": "They pressed for a 30-day ceasefire [1]."},
        {"role": "user", "content": [{"type": "text", "text": "And what did they threaten?"}]},
    ])
    assert "sanctions" in (completion.choices[0].message.content or "")
    assert "European leaders" in extra(completion)["resolved_question"]


def test_an_unanswerable_question_has_no_sources(seed_server) -> None:  # type: ignore[no-untyped-def]
    completion = client(seed_server).chat.completions.create(
        model="briefbot", messages=[{"role": "user", "content": "Give me a recipe for banana bread."}],
    )
    assert "Sources:" not in (completion.choices[0].message.content or "")
    assert extra(completion)["grounded"] is False and extra(completion)["citations"] == []


@pytest.mark.parametrize(
    "body,fragment",
    [
        ({"model": "briefbot", "messages": []}, "messages: List should have at least 1 item"),
        ({"model": "briefbot"}, "messages: Field required"),
        ({"messages": [{"role": "system", "content": "hi"}]}, "at least one message with role 'user' and text content is required"),
        ({"messages": [{"role": "user", "content": "   "}]}, "at least one message with role 'user'"),
        ({"messages": [{"role": "wizard", "content": "hi"}]}, "messages.0.role"),
        ({"messages": [{"role": "user", "content": "x" * 5000}]}, "question is too long"),
        ({"messages": "What next?"}, "messages"),
    ],
)
def test_bad_requests_get_a_4xx_json_detail(seed_server, body: dict, fragment: str) -> None:  # type: ignore[no-untyped-def, type-arg]
    r = httpx.post(f"{seed_server.url}/v1/chat/completions", json=body, timeout=30)
    assert r.status_code == 422, r.text
    assert fragment in r.json()["detail"]


def test_the_sdk_sees_a_bad_request_as_a_client_error(seed_server) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(openai.UnprocessableEntityError):
        client(seed_server).chat.completions.create(model="briefbot", messages=[{"role": "system", "content": "hi"}])
    r = httpx.post(f"{seed_server.url}/v1/chat/completions", content=b"{nope", headers={"content-type": "application/json"}, timeout=10)
    assert r.status_code == 422 and "detail" in r.json()


def test_llm_mode_through_the_openai_sdk(llm_bot, llm: ScriptedLLM) -> None:  # type: ignore[no-untyped-def]
    from bot.api import create_app

    def reply(m):  # type: ignore[no-untyped-def]
        return (f"Putin would meet Zelenskyy only in a third country, according to Al Jazeera [{source_number(m, 'third country')}]. "
                "He will sign a deal in Geneva, Reuters reported [1].")

    with LiveServer(create_app(bot=llm_bot)) as server:
        llm.script(reply, reply)
        question = [{"role": "user", "content": "Where would Putin meet Zelenskyy?"}]
        plain = client(server).chat.completions.create(model="briefbot", messages=question)  # type: ignore[arg-type]
        content = plain.choices[0].message.content or ""
        assert content.startswith("Putin would meet Zelenskyy only in a third country, according to Al Jazeera [1].\n\nSources:\n[1] Al Jazeera — ")
        assert "Reuters" not in content and extra(plain)["mode"] == "llm"
        assert [r["check"] for r in extra(plain)["guard"]["removed"]] == ["outlet"]
        chunks = list(client(server).chat.completions.create(model="briefbot", messages=question, stream=True))  # type: ignore[arg-type]
        assert "".join(c.choices[0].delta.content or "" for c in chunks) == content, "streaming sends the guarded answer only"
        llm.script("The war is over.")
        fallback = client(server).chat.completions.create(model="briefbot", messages=question)  # type: ignore[arg-type]
        assert extra(fallback)["mode"] == "extractive-fallback" and "war is over" not in (fallback.choices[0].message.content or "")


def test_a_source_line_names_its_outlets_like_the_answer_does() -> None:
    from bot.api.routes.openai_compat import source_line
    from bot.models import Citation

    citation = Citation(n=2, outlets=["Reuters", "AP", "BBC"], kind="reported", quote="Talks  resumed.", article_id="a",
                        article_title="Talks", publisher=None, url=None, chunk_id="c", start=0, end=14)
    assert source_line(citation) == "[2] Reuters, AP and BBC — Talks: “Talks resumed.”"
