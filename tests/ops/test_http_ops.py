"""Request ids, JSON logs, metrics, API keys and rate limits on a real uvicorn server (in-process)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from bot.api import create_app
from bot.api.middleware import RateLimiter
from bot.logging_setup import JsonFormatter, log_config, request_id_var
from tests.conftest import LiveServer


def _serve(bot, **settings):  # type: ignore[no-untyped-def]
    return LiveServer(create_app(settings=bot.settings.model_copy(update=settings), bot=bot))


def samples(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics as {(name, sorted labels): value}."""
    r = httpx.get(f"{url}/metrics", timeout=10)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(r.text) for s in family.samples
    }


def sample(values: dict, name: str, **labels: str) -> float:  # type: ignore[type-arg]
    return values.get((name, tuple(sorted(labels.items()))), 0.0)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def plain_server(seed_bot):  # type: ignore[no-untyped-def]
    with _serve(seed_bot) as server:
        yield server


# ----- request ids, worker header, logs ---------------------------------------------------------
def test_request_id_is_echoed_or_generated(plain_server) -> None:  # type: ignore[no-untyped-def]
    mine = httpx.get(f"{plain_server.url}/healthz", headers={"X-Request-ID": "trace-42.a:b"})
    assert mine.headers["x-request-id"] == "trace-42.a:b"
    fresh = httpx.get(f"{plain_server.url}/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", fresh.headers["x-request-id"])
    for junk in ("has spaces in it", "x" * 200, "new\\line"):
        r = httpx.get(f"{plain_server.url}/healthz", headers={"X-Request-ID": junk})
        assert re.fullmatch(r"[0-9a-f]{32}", r.headers["x-request-id"]), "an unsafe id is replaced, not echoed"
    assert fresh.headers["x-briefbot-worker"] == str(os.getpid())


def test_errors_carry_the_request_id_too(plain_server) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(f"{plain_server.url}/v1/ask", json={"question": ""}, headers={"X-Request-ID": "bad-ask-1"})
    assert r.status_code == 422 and r.headers["x-request-id"] == "bad-ask-1"
    r = httpx.get(f"{plain_server.url}/no/such/page", headers={"X-Request-ID": "lost-1"})
    assert r.status_code == 404 and r.headers["x-request-id"] == "lost-1"


def test_a_bug_is_a_json_500_naming_the_request_id(seed_bot, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    app = create_app(bot=seed_bot)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("kaboom")

    with LiveServer(app) as server:
        r = httpx.get(f"{server.url}/boom", headers={"X-Request-ID": "bug-1"})
    assert r.status_code == 500 and r.headers["x-request-id"] == "bug-1"
    assert r.json() == {"detail": "internal error; quote request id bug-1 when reporting it"}
    errors = [rec for rec in caplog.records if rec.name == "briefbot.errors"]
    assert errors and errors[0].request_id == "bug-1" and "kaboom" in JsonFormatter().format(errors[0])  # type: ignore[attr-defined]


def test_one_json_access_line_per_request(plain_server, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="briefbot.access")
    httpx.get(f"{plain_server.url}/v1/conversations/nope", headers={"X-Request-ID": "log-me-1"})
    records = [r for r in caplog.records if r.name == "briefbot.access" and getattr(r, "request_id", None) == "log-me-1"]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["request_id"] == "log-me-1" and line["level"] == "INFO"
    assert line["route"] == "/v1/conversations/{conversation_id}" and line["path"] == "/v1/conversations/nope"
    assert line["status"] == 404 and line["method"] == "GET" and line["duration_ms"] >= 0


def test_json_formatter_tags_records_with_the_current_request() -> None:
    token = request_id_var.set("req-7")
    try:
        record = logging.makeLogRecord({"name": "bot.x", "levelname": "ERROR", "msg": "store down: %s", "args": ("boom",)})
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert line["msg"] == "store down: boom" and line["request_id"] == "req-7" and line["pid"] == os.getpid()
    config = log_config("json", "warning")
    assert config["root"]["level"] == "WARNING" and config["formatters"]["default"]["()"].endswith("JsonFormatter")
    assert "format" in log_config("text")["formatters"]["default"]


# ----- metrics ---------------------------------------------------------------------------------------
def test_metrics_count_requests_answers_and_index_size(plain_server, seed_bot) -> None:  # type: ignore[no-untyped-def]
    before = samples(plain_server.url)
    good = httpx.post(f"{plain_server.url}/v1/ask", json={"question": "What does Zelenskyy want?"}, timeout=60).json()
    bad = httpx.post(f"{plain_server.url}/v1/ask", json={"question": "What is the best bread recipe?"}, timeout=60).json()
    assert good["grounded"] is True and bad["grounded"] is False
    httpx.get(f"{plain_server.url}/v1/conversations/{good['conversation_id']}")
    httpx.get(f"{plain_server.url}/v1/no-such-route/123")
    after = samples(plain_server.url)

    def delta(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert delta("briefbot_http_requests_total", method="POST", route="/v1/ask", status="200") == 2
    assert delta("briefbot_http_requests_total", method="GET", route="/v1/conversations/{conversation_id}", status="200") == 1
    assert delta("briefbot_http_requests_total", method="GET", route="<unmatched>", status="404") == 1
    assert not any("no-such-route" in str(labels) for _, labels in after), "raw paths never become labels"
    assert delta("briefbot_http_request_duration_seconds_count", method="POST", route="/v1/ask", status="200") == 2
    assert delta("briefbot_answers_total", grounded="true") >= 1 and delta("briefbot_answers_total", grounded="false") >= 1
    assert delta("briefbot_compose_seconds_count") == 2 and delta("briefbot_retrieval_seconds_count") >= 1
    assert sample(after, "briefbot_compose_seconds_sum") > 0
    assert sample(after, "briefbot_index_articles") == len(seed_bot.index.articles()) == 1
    assert sample(after, "briefbot_index_chunks") == len(seed_bot.index.chunks()) > 0


# ----- API keys --------------------------------------------------------------------------------------
READ_API = [
    ("POST", "/v1/ask", {"question": "What does Zelenskyy want?"}),
    ("POST", "/v1/ask/stream", {"question": "What does Zelenskyy want?"}),
    ("GET", "/v1/briefing", None),
    ("GET", "/v1/conversations/abc", None),
    ("GET", "/v1/articles", None),
    ("GET", "/v1/articles/putin-peace-signal", None),
    ("POST", "/v1/feedback", {"conversation_id": "abc", "rating": "up"}),
    ("POST", "/v1/chat/completions", {"model": "briefbot", "messages": [{"role": "user", "content": "What does Zelenskyy want?"}]}),
]


@pytest.fixture(scope="module")
def keyed_server(seed_bot):  # type: ignore[no-untyped-def]
    with _serve(seed_bot, api_keys=[SecretStr("key-one"), SecretStr("key-two")], cors_origins=["https://news.example"]) as server:
        yield server


@pytest.mark.parametrize("method,path,body", READ_API)
def test_the_read_api_needs_a_key(keyed_server, method: str, path: str, body) -> None:  # type: ignore[no-untyped-def]
    url = f"{keyed_server.url}{path}"
    missing = httpx.request(method, url, json=body, timeout=60)
    assert missing.status_code == 401, missing.text
    assert missing.json() == {"detail": "missing API key: send 'X-API-Key: <key>' or 'Authorization: Bearer <key>'"}
    assert missing.headers["www-authenticate"] == "Bearer"
    wrong = httpx.request(method, url, json=body, headers={"X-API-Key": "key-three"}, timeout=60)
    assert wrong.status_code == 401 and wrong.json() == {"detail": "invalid API key"}
    for headers in ({"X-API-Key": "key-one"}, {"Authorization": "Bearer key-two"}):
        ok = httpx.request(method, url, json=body, headers=headers, timeout=60)
        assert ok.status_code not in (401, 403), (headers, ok.text)


def test_open_routes_stay_open_and_writes_keep_the_admin_token(keyed_server) -> None:  # type: ignore[no-untyped-def]
    for path in ("/healthz", "/readyz", "/metrics", "/", "/widget.js", "/openapi.json"):
        assert httpx.get(f"{keyed_server.url}{path}").status_code == 200, path
    write = httpx.post(f"{keyed_server.url}/v1/articles", json={"title": "T", "text": "Some text here."})
    assert write.status_code == 403 and "BRIEFBOT_ADMIN_TOKEN" in write.json()["detail"], "admin auth, not API keys"
    slack = httpx.post(f"{keyed_server.url}/slack/commands", content=b"text=hi")
    assert slack.status_code != 401 or "API key" not in slack.text, "Slack has its own signature auth"


def test_browsers_may_send_the_key_cross_origin(keyed_server) -> None:  # type: ignore[no-untyped-def]
    origin = {"Origin": "https://news.example"}
    preflight = httpx.options(f"{keyed_server.url}/v1/ask", headers={
        **origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-api-key"})
    assert preflight.status_code == 200
    assert "x-api-key" in preflight.headers["access-control-allow-headers"].lower()
    refused = httpx.post(f"{keyed_server.url}/v1/ask", json={"question": "hi"}, headers=origin)
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == "https://news.example", "the browser can read the 401"
    assert "x-request-id" in refused.headers["access-control-expose-headers"].lower()


# ----- rate limits -----------------------------------------------------------------------------------
def test_rate_limit_per_key_with_retry_after(seed_bot) -> None:  # type: ignore[no-untyped-def]
    with _serve(seed_bot, api_keys=[SecretStr("key-one"), SecretStr("key-two")], rate_limit_per_minute=3) as server:
        one = {"X-API-Key": "key-one"}
        codes = [httpx.get(f"{server.url}/v1/articles", headers=one).status_code for _ in range(3)]
        assert codes == [200, 200, 200]
        limited = httpx.get(f"{server.url}/v1/articles", headers=one)
        assert limited.status_code == 429
        assert limited.json()["detail"].startswith("rate limit exceeded: 3 requests per minute per client; retry in ")
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert httpx.get(f"{server.url}/v1/articles", headers={"X-API-Key": "key-two"}).status_code == 200
        assert httpx.get(f"{server.url}/healthz").status_code == 200, "health is never limited"
        guesses = [httpx.get(f"{server.url}/v1/articles", headers={"X-API-Key": f"guess-{i}"}).status_code for i in range(5)]
        assert guesses[:3] == [401, 401, 401] and guesses[3:] == [429, 429], "key guessing is limited per address"
        assert sample(samples(server.url), "briefbot_rate_limited_total") == 3


def test_rate_limit_off_by_default(plain_server) -> None:  # type: ignore[no-untyped-def]
    assert all(httpx.get(f"{plain_server.url}/v1/articles").status_code == 200 for _ in range(20))


def test_article_writes_are_rate_limited_too(seed_bot) -> None:  # type: ignore[no-untyped-def]
    with _serve(seed_bot, rate_limit_per_minute=2, api_keys=[SecretStr("read-key")]) as server:
        codes = [httpx.delete(f"{server.url}/v1/articles/nope").status_code for _ in range(3)]
        assert codes == [403, 403, 429], "writes need no API key (the admin token guards them) but are counted"


def test_burst_window_and_clients_are_independent() -> None:
    limiter = RateLimiter(per_minute=60, burst=2)
    assert [limiter.items[0].amount, limiter.items[0].get_expiry()] == [2, 2], "2 requests per the 2 s they take to earn"

    async def takes() -> list[float]:
        return [await limiter.take("a"), await limiter.take("a"), await limiter.take("a"), await limiter.take("b")]

    waits = asyncio.run(takes())
    assert waits[:2] == [0, 0] and 0 < waits[2] <= 2 and waits[3] == 0
    with pytest.raises(ValueError, match="per_minute must be positive"):
        RateLimiter(0)
