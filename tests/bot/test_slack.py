"""The Slack app over real HTTP: a real uvicorn server, requests signed as Slack signs them, and a
local receiver standing in for Slack's Web API (`chat.postMessage`, `reactions.*`, `users.info`, with
429s on demand) and for `response_url`."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest

from bot.models import Answer, Citation
from bot.slack.app import event_keys, question_from
from bot.slack.blocks import (
    FEEDBACK_DOWN,
    FEEDBACK_UP,
    SHARE_ACTION,
    answer_message,
    escape_mrkdwn,
    parse_feedback_value,
    shorten,
    slack_link,
)
from bot.slack.channels import ChannelSettings, ConfigError, parse_config
from bot.slack.ordered import OrderedWork
from bot.slack.store import SlackStore
from tests.conftest import SEED, LiveServer, make_bot

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-briefbot-test"
TEAM = "T0BRIEF"
BOT_USER = "UBRIEFBOT"
ZWJ = "\u200d"
_ts = itertools.count(1)


# ----- a stand-in for Slack ------------------------------------------------------------------
@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: str
    status: int = 200
    at: float = 0.0


class SlackReceiver:
    """The Web API methods Briefbot calls and any `response_url` on 127.0.0.1; records every request.

    `users.info` says a user is a workspace admin when the id starts with `UADMIN`. `throttle(method,
    n)` makes the next `n` calls of a method answer 429 with `Retry-After`, as Slack does.
    """

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.changed = threading.Condition()
        self.throttled: dict[str, int] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
                if "json" in (self.headers.get("content-type") or ""):
                    body = json.loads(raw or "{}")
                else:
                    body = dict(parse_qsl(raw))
                method = self.path.rsplit("/", 1)[-1]
                with receiver.changed:
                    limited = receiver.throttled.get(method, 0) > 0
                    if limited:
                        receiver.throttled[method] -= 1
                    receiver.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body, raw,
                                                      429 if limited else 200, time.monotonic()))
                    receiver.changed.notify_all()
                if limited:
                    data = json.dumps({"ok": False, "error": "ratelimited"}).encode()
                    self.send_response(429)
                    self.send_header("Retry-After", "1")
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                if self.path.endswith("/auth.test"):
                    reply = {"ok": True, "user_id": BOT_USER, "bot_id": "BBRIEF", "team_id": TEAM, "team": "Test",
                             "user": "briefbot", "url": "https://test.slack.com/"}
                elif self.path.endswith("/chat.postMessage"):
                    reply = {"ok": True, "channel": body.get("channel"), "ts": f"{time.time():.6f}", "message": body}
                elif self.path.endswith("/users.info"):
                    user = str(body.get("user"))
                    reply = {"ok": True, "user": {"id": user, "is_admin": user.startswith("UADMIN"), "is_owner": False}}
                else:
                    reply = {"ok": True}
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SlackReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def throttle(self, method: str, times: int) -> None:
        with self.changed:
            self.throttled[method] = times

    def matching(self, predicate: Callable[[Received], bool]) -> list[Received]:
        with self.changed:
            return [r for r in self.requests if predicate(r)]

    def wait_for(self, predicate: Callable[[Received], bool], count: int = 1, timeout: float = 60) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                found = [r for r in self.requests if predicate(r)]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"Slack receiver got {len(found)} matching request(s), wanted {count}: "
                                         f"{[r.path for r in self.requests]}")
                self.changed.wait(left)


def posts_to(thread_ts: str, method: str = "chat.postMessage") -> Callable[[Received], bool]:
    """Messages Slack accepted (not a 429) in the thread of `thread_ts`."""
    return lambda r: r.path.endswith(f"/{method}") and r.body.get("thread_ts") == thread_ts and r.status == 200


def reactions_on(ts: str) -> Callable[[Received], bool]:
    return lambda r: "/reactions." in r.path and r.body.get("timestamp") == ts


# ----- signing, as Slack documents it --------------------------------------------------------
def sign(body: bytes, secret: str = SECRET, timestamp: int | str | None = None) -> dict[str, str]:
    """`X-Slack-Signature: v0=hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body))`."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def post(server: LiveServer, path: str, body: bytes, content_type: str, headers: dict[str, str] | None = None,
         **signing: Any) -> httpx.Response:
    all_headers = {"Content-Type": content_type, **sign(body, **signing), **(headers or {})}
    return httpx.post(f"{server.url}{path}", content=body, headers=all_headers, timeout=30)


def post_event(server: LiveServer, event: dict[str, Any], event_id: str | None = None,
               headers: dict[str, str] | None = None, **signing: Any) -> httpx.Response:
    payload = {
        "token": "legacy", "team_id": TEAM, "api_app_id": "ABRIEF", "type": "event_callback",
        "event": event, "event_id": event_id or f"Ev{next(_ts):08d}", "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
    }
    return post(server, "/slack/events", json.dumps(payload).encode(), "application/json", headers, **signing)


def mention(text: str, channel: str = "C0NEWS", thread_ts: str | None = None) -> dict[str, Any]:
    ts = f"1700000000.{next(_ts):06d}"
    event = {"type": "app_mention", "user": "U0ASKER", "text": f"<@{BOT_USER}> {text}", "ts": ts,
             "channel": channel, "event_ts": ts, "team": TEAM}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def post_command(server: LiveServer, text: str, response_path: str, receiver: SlackReceiver, channel: str = "C0NEWS",
                 user: str = "U0ASKER") -> httpx.Response:
    form = {"token": "legacy", "team_id": TEAM, "channel_id": channel, "user_id": user, "command": "/brief",
            "text": text, "response_url": f"{receiver.url}{response_path}", "trigger_id": "1.2.3", "api_app_id": "ABRIEF"}
    return post(server, "/slack/commands", urlencode(form).encode(), "application/x-www-form-urlencoded")


def strings(value: Any) -> Iterator[str]:
    """Every string in a Slack payload (text, blocks, button values…)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def message_text(received: Received) -> str:
    return " ".join(strings({"text": received.body.get("text"), "blocks": received.body.get("blocks")}))


def feedback_value(received: Received) -> str:
    actions = [b for b in received.body["blocks"] if b["type"] == "actions"]
    assert len(actions) == 1, received.body["blocks"]
    ids = [e["action_id"] for e in actions[0]["elements"]]
    assert ids[:2] == [FEEDBACK_UP, FEEDBACK_DOWN] and ids[2:] in ([], [SHARE_ACTION])
    return str(actions[0]["elements"][0]["value"])


def click(server: LiveServer, action_id: str, value: str, response_path: str, receiver: SlackReceiver,
          user: str = "U0ASKER", channel: str = "C0NEWS") -> httpx.Response:
    """A button click as Slack sends it to the interactivity URL."""
    payload = {
        "type": "block_actions", "team": {"id": TEAM}, "user": {"id": user}, "api_app_id": "ABRIEF",
        "token": "legacy", "trigger_id": "1.2.3", "channel": {"id": channel},
        "container": {"type": "message", "message_ts": "1.2", "channel_id": channel},
        "message": {"ts": "1.2", "text": "an answer"},
        "response_url": f"{receiver.url}{response_path}",
        "actions": [{"type": "button", "action_id": action_id, "block_id": "briefbot_feedback", "value": value,
                     "action_ts": str(time.time())}],
    }
    return post(server, "/slack/interactions", urlencode({"payload": json.dumps(payload)}).encode(),
                "application/x-www-form-urlencoded")


# ----- fixtures -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def receiver() -> Iterator[SlackReceiver]:
    with SlackReceiver() as r:
        yield r


def _slack_settings(receiver: SlackReceiver) -> dict[str, Any]:
    return {"slack_signing_secret": SECRET, "slack_bot_token": BOT_TOKEN, "slack_api_url": f"{receiver.url}/api/"}


@pytest.fixture(scope="module")
def slack_bot(tmp_path_factory: pytest.TempPathFactory, embedder, receiver: SlackReceiver):  # type: ignore[no-untyped-def]
    bot = make_bot(tmp_path_factory.mktemp("slack"), embedder, SEED, **_slack_settings(receiver))
    yield bot
    bot.close()


@pytest.fixture(scope="module")
def slack_server(slack_bot) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    from bot.api import create_app

    with LiveServer(create_app(bot=slack_bot)) as server:
        yield server


# ----- the protocol ---------------------------------------------------------------------------
def test_slack_routes_say_404_until_configured(seed_server) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(f"{seed_server.url}/slack/events", content=b"{}", headers={"Content-Type": "application/json"})
    assert r.status_code == 404
    assert r.json()["detail"] == (
        "Slack is not configured on this server: set BRIEFBOT_SLACK_SIGNING_SECRET and BRIEFBOT_SLACK_BOT_TOKEN"
    )


def test_url_verification_echoes_the_challenge(slack_server) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"}).encode()
    r = post(slack_server, "/slack/events", body, "application/json")
    assert r.status_code == 200
    assert r.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


@pytest.mark.parametrize(
    "signing,headers",
    [
        ({"secret": "not-the-signing-secret"}, {}),  # forged
        ({"timestamp": int(time.time()) - 6 * 60}, {}),  # stale: older than 5 minutes (replay)
        ({"timestamp": "yesterday"}, {}),  # malformed timestamp
        ({}, {"X-Slack-Signature": "v0=" + "0" * 64}),  # right timestamp, wrong signature
        ({}, {"X-Slack-Signature": ""}),  # no signature
    ],
    ids=["forged", "stale", "bad-timestamp", "wrong-signature", "unsigned"],
)
def test_forged_and_stale_requests_are_refused_with_401(slack_server, receiver, signing, headers) -> None:  # type: ignore[no-untyped-def]
    event = mention("What did European leaders ask for?", channel="C0FORGED")
    r = post_event(slack_server, event, headers=headers, **signing)
    assert r.status_code == 401, r.text
    assert r.json() == {"detail": "invalid or expired Slack request signature"}
    for path in ("/slack/commands", "/slack/interactions"):
        assert post(slack_server, path, b"payload=%7B%7D", "application/x-www-form-urlencoded", **signing,
                    headers=headers).status_code == 401
    time.sleep(0.3)
    assert receiver.matching(posts_to(event["ts"])) == []


def test_a_signed_but_unreadable_body_is_a_400_not_a_500(slack_server) -> None:  # type: ignore[no-untyped-def]
    r = post(slack_server, "/slack/events", b'{"type": "event_callback", ', "application/json")
    assert r.status_code == 400
    assert r.json()["detail"].startswith("unreadable Slack request body")


# ----- /brief ---------------------------------------------------------------------------------
def test_slash_command_is_acked_at_once_and_answered_on_response_url(slack_server, slack_bot, receiver) -> None:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    r = post_command(slack_server, "What did European leaders ask for?", "/response/command-1", receiver)
    ack_seconds = time.perf_counter() - started
    assert r.status_code == 200, r.text
    assert ack_seconds < 3.0, f"Slack needs the ack within 3 s, took {ack_seconds:.2f} s"
    assert r.json()["text"].startswith("Looking that up")
    assert r.json()["response_type"] == "ephemeral"

    (answer,) = receiver.wait_for(lambda q: q.path == "/response/command-1")
    text = answer.body["text"]
    assert "POLITICO reported [1]" in text and "30-day ceasefire" in text
    section, *contexts = answer.body["blocks"]
    assert section["type"] == "section" and "POLITICO reported [1]" in section["text"]["text"]
    citations = [b for b in contexts if b["type"] == "context"]
    assert citations and citations[0]["elements"][0]["text"].startswith("*[1]* POLITICO · ")
    quote = citations[0]["elements"][0]["text"].split("“", 1)[1].rstrip("”")
    assert len(quote) <= 200
    conversation_id, turn = parse_feedback_value(feedback_value(answer))
    assert turn == 0 and len(slack_bot.conversation(conversation_id)) == 1


def test_a_question_with_the_word_payload_is_not_dropped(slack_server, receiver) -> None:  # type: ignore[no-untyped-def]
    """slack-bolt parses any form body containing "payload" as {}; the bridge works around it."""
    r = post_command(slack_server, "What payload did the drones carry?", "/response/command-payload", receiver)
    assert r.status_code == 200, r.text
    assert r.json()["text"].startswith("Looking that up")
    receiver.wait_for(lambda q: q.path == "/response/command-payload")


def test_errors_become_a_polite_reply(slack_server, receiver) -> None:  # type: ignore[no-untyped-def]
    r = post_command(slack_server, "Why? " * 300 + "<!channel>", "/response/command-long", receiver)
    assert r.status_code == 200
    assert "<!channel>" not in r.text
    (reply,) = receiver.wait_for(lambda q: q.path == "/response/command-long")
    assert reply.body["text"].startswith(":warning: question is too long (")


def test_acks_stay_fast_while_answers_queue_up(slack_server, receiver) -> None:  # type: ignore[no-untyped-def]
    """Twelve commands at once: more answers than workers, yet every ack comes back in time."""
    from concurrent.futures import ThreadPoolExecutor

    questions = ["What is Putin's position?", "What does Zelenskyy want?", "What should we watch next?"] * 4

    def send(i: int) -> tuple[int, float]:
        started = time.perf_counter()
        r = post_command(slack_server, questions[i], f"/response/burst-{i}", receiver)
        return r.status_code, time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=len(questions)) as pool:
        results = list(pool.map(send, range(len(questions))))
    assert all(status == 200 for status, _ in results), results
    slowest = max(seconds for _, seconds in results)
    assert slowest < 3.0, f"slowest ack took {slowest:.2f} s"
    answers = receiver.wait_for(lambda q: q.path.startswith("/response/burst-"), count=len(questions), timeout=120)
    assert len({a.path for a in answers}) == len(questions)


def test_empty_slash_command_posts_the_briefing(slack_server, receiver) -> None:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    r = post_command(slack_server, "  ", "/response/command-empty", receiver)
    assert r.status_code == 200 and time.perf_counter() - started < 3.0
    assert "briefing" in r.json()["text"].lower()
    (posted,) = receiver.wait_for(lambda q: q.path == "/response/command-empty")
    body = posted.body
    text = " ".join(strings(body["blocks"]))
    for heading in ("*Positions*", "*Next steps / what to watch*", "*Who gains, who loses*", "*Who reported what*"):
        assert heading in text
    for outlet in ("Al Jazeera", "POLITICO", "BBC"):
        assert outlet in text
    assert "May 15" in text and "Monday" in text
    assert len(body["blocks"]) <= 50 and all(len(b.get("text", {}).get("text", "")) <= 3000 for b in body["blocks"])


# ----- mentions, DMs, threads -----------------------------------------------------------------
def test_mentions_are_answered_in_the_thread_and_a_follow_up_continues_it(slack_server, slack_bot, receiver) -> None:  # type: ignore[no-untyped-def]
    first = mention("What did European leaders ask for?", channel="C0THREAD")
    started = time.perf_counter()
    r = post_event(slack_server, first)
    assert r.status_code == 200 and time.perf_counter() - started < 3.0
    (answer,) = receiver.wait_for(posts_to(first["ts"]))
    assert answer.body["channel"] == "C0THREAD"
    assert answer.headers["authorization"] == f"Bearer {BOT_TOKEN}"
    assert "POLITICO reported [1]" in answer.body["text"]
    conversation_id, turn = parse_feedback_value(feedback_value(answer))
    assert turn == 0

    follow_up = mention("And what did they threaten?", channel="C0THREAD", thread_ts=first["ts"])
    assert post_event(slack_server, follow_up).status_code == 200
    replies = receiver.wait_for(posts_to(first["ts"]), count=2)
    second = replies[1]
    assert "sanctions" in second.body["text"]
    assert parse_feedback_value(feedback_value(second)) == (conversation_id, 1)
    turns = slack_bot.conversation(conversation_id)
    assert [t.question for t in turns] == ["What did European leaders ask for?", "And what did they threaten?"]
    assert "European leaders" in turns[1].resolved, "the follow-up was resolved against the thread's first question"
    assert receiver.matching(posts_to(follow_up["ts"])) == [], "a thread reply is answered in the thread, not under itself"


def test_direct_messages_are_answered_in_a_thread_and_bot_messages_ignored(slack_server, receiver) -> None:  # type: ignore[no-untyped-def]
    ts = f"1700000100.{next(_ts):06d}"
    dm = {"type": "message", "channel_type": "im", "channel": "D0DIRECT", "user": "U0ASKER", "ts": ts,
          "event_ts": ts, "text": "What does Zelenskyy want?"}
    assert post_event(slack_server, dm).status_code == 200
    (answer,) = receiver.wait_for(posts_to(ts))
    assert answer.body["channel"] == "D0DIRECT"
    assert "BBC" in answer.body["text"] and "security guarantees" in answer.body["text"]

    ignored = [
        {**dm, "ts": f"1700000101.{next(_ts):06d}", "bot_id": "BOTHER", "text": "What does Zelenskyy want?"},
        {**dm, "ts": f"1700000102.{next(_ts):06d}", "user": BOT_USER, "bot_id": "BBRIEF", "text": "an answer of ours"},
        {**dm, "ts": f"1700000103.{next(_ts):06d}", "subtype": "message_changed"},
        {**dm, "ts": f"1700000104.{next(_ts):06d}", "channel_type": "channel", "channel": "C0PUBLIC"},
    ]
    for event in ignored:
        assert post_event(slack_server, event).status_code == 200
    time.sleep(2)
    for event in ignored:
        assert receiver.matching(posts_to(event["ts"])) == [], event


def test_a_retried_event_is_answered_once(slack_server, receiver) -> None:  # type: ignore[no-untyped-def]
    event = mention("What is Putin's position?", channel="C0RETRY")
    event_id = f"EvRETRY{next(_ts)}"
    assert post_event(slack_server, event, event_id=event_id).status_code == 200
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert post_event(slack_server, event, event_id=event_id, headers=retry).status_code == 200  # while answering
    receiver.wait_for(posts_to(event["ts"]))
    retry = {"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout"}
    assert post_event(slack_server, event, event_id=event_id, headers=retry).status_code == 200  # after answering
    time.sleep(2)
    assert len(receiver.matching(posts_to(event["ts"]))) == 1


def test_a_feedback_click_is_recorded(slack_server, slack_bot, receiver) -> None:  # type: ignore[no-untyped-def]
    event = mention("What should we watch next?", channel="C0FEEDBACK")
    post_event(slack_server, event)
    (answer,) = receiver.wait_for(posts_to(event["ts"]))
    value = feedback_value(answer)
    conversation_id, turn = parse_feedback_value(value)
    r = click(slack_server, FEEDBACK_DOWN, value, "/response/feedback-1", receiver, channel="C0FEEDBACK")
    assert r.status_code == 200
    (thanks,) = receiver.wait_for(lambda q: q.path == "/response/feedback-1")
    assert thanks.body["response_type"] == "ephemeral" and thanks.body["replace_original"] is False
    recorded = [f for f in slack_bot.conversations.feedback() if f["conversation_id"] == conversation_id]
    assert [(f["turn"], f["rating"], f["source"]) for f in recorded] == [(turn, "down", "slack")]


# ----- working signal, channel settings, share, rate limits -----------------------------------
def test_the_eyes_reaction_shows_while_the_answer_is_prepared(slack_server, receiver) -> None:  # type: ignore[no-untyped-def]
    event = mention("What does Zelenskyy want?", channel="C0EYES")
    assert post_event(slack_server, event).status_code == 200
    (answer,) = receiver.wait_for(posts_to(event["ts"]))
    added, removed = receiver.wait_for(reactions_on(event["ts"]), count=2)
    assert added.path.endswith("/reactions.add") and removed.path.endswith("/reactions.remove")
    for reaction in (added, removed):
        assert (reaction.body["channel"], reaction.body["name"]) == ("C0EYES", "eyes")
        assert reaction.headers["authorization"] == f"Bearer {BOT_TOKEN}"
    assert added.at <= answer.at <= removed.at, "👀 goes on before the answer is posted and comes off after"


def command_reply(server: LiveServer, receiver: SlackReceiver, text: str, channel: str, user: str) -> str:
    path = f"/response/config-{next(_ts)}"
    r = post_command(server, text, path, receiver, channel=channel, user=user)
    assert r.status_code == 200 and not r.text.strip(), r.text  # acked empty; the reply follows
    (reply,) = receiver.wait_for(lambda q: q.path == path)
    assert reply.body["response_type"] == "ephemeral"
    return message_text(reply)


def test_channel_settings_change_only_by_admins_and_are_enforced(slack_server, slack_bot, receiver, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    channel = "C0DESK"
    asked: list[Any] = []
    ask = slack_bot.ask
    monkeypatch.setattr(slack_bot, "ask", lambda q, c=None, f=None: asked.append(f) or ask(q, c, f))
    shown = command_reply(slack_server, receiver, "config", channel, "U0READER")
    assert "answers: only when mentioned" in shown and "outlets: all" in shown

    refused = command_reply(slack_server, receiver, "config answer questions", channel, "U0READER")
    assert "Only workspace admins" in refused
    assert SlackStore(slack_bot.settings.data_dir / "slack.sqlite").channel_settings(TEAM, channel) == ChannelSettings()
    ts = f"1700000200.{next(_ts):06d}"
    unasked = {"type": "message", "channel_type": "channel", "channel": channel, "user": "U0ASKER", "ts": ts,
               "event_ts": ts, "text": "What does Zelenskyy want?"}
    assert post_event(slack_server, unasked).status_code == 200  # not mentioned, channel not designated

    for setting in ("config answer questions", "config replies ephemeral", "config outlets BBC"):
        assert "Only workspace admins" not in command_reply(slack_server, receiver, setting, channel, "UADMIN1")
    shown = command_reply(slack_server, receiver, "config", channel, "U0READER")
    assert "every question asked here" in shown and "ephemeral" in shown and "outlets: BBC" in shown
    assert "takes mentions or questions" in command_reply(slack_server, receiver, "config answer always", channel, "UADMIN1")
    assert "no indexed article with id `nope`" in command_reply(slack_server, receiver, "config articles nope", channel, "UADMIN1")

    # Now every question in the channel is answered, privately to the asker, from the BBC's reporting only.
    ts = f"1700000201.{next(_ts):06d}"
    question = {**unasked, "ts": ts, "event_ts": ts}
    chatter = {**unasked, "ts": f"1700000202.{next(_ts):06d}", "text": "lunch at noon, everyone"}
    for event in (question, chatter):
        assert post_event(slack_server, event).status_code == 200
    (private,) = receiver.wait_for(posts_to(ts, "chat.postEphemeral"))
    assert private.body["user"] == "U0ASKER" and private.body["channel"] == channel
    assert [(f.outlets, f.article_ids) for f in asked] == [(["BBC"], [])]
    sources = [b["elements"][0]["text"] for b in private.body["blocks"] if b["type"] == "context" and "*[" in str(b)]
    assert all(" BBC" in line.split(" · ")[0] for line in sources), sources
    assert "Al Jazeera" not in message_text(private), "unfiltered, this question also cites Al Jazeera"
    time.sleep(2)
    assert receiver.matching(posts_to(unasked["ts"])) == [] and receiver.matching(posts_to(unasked["ts"], "chat.postEphemeral")) == []
    assert receiver.matching(lambda r: r.body.get("thread_ts") == chatter["ts"]) == [], "chatter without a question mark"

    # A workspace admin can let another user change settings; that user cannot hand the right on.
    assert "Only workspace admins" in command_reply(slack_server, receiver, "config replies thread", channel, "U0EDITOR")
    command_reply(slack_server, receiver, "config admins add U0EDITOR", channel, "UADMIN1")
    assert "public, in the thread" in command_reply(slack_server, receiver, "config replies thread", channel, "U0EDITOR")
    assert "Only workspace admins can" in command_reply(slack_server, receiver, "config admins add U0OTHER", channel, "U0EDITOR")
    assert "outlets: all" in command_reply(slack_server, receiver, "config outlets all", channel, "U0EDITOR")


def test_an_ephemeral_answer_can_be_shared_in_the_channel(slack_server, slack_bot, receiver) -> None:  # type: ignore[no-untyped-def]
    r = post_command(slack_server, "What did European leaders ask for?", "/response/share-answer", receiver)
    assert r.status_code == 200
    (private,) = receiver.wait_for(lambda q: q.path == "/response/share-answer")
    assert private.body["response_type"] == "ephemeral"
    (actions,) = [b for b in private.body["blocks"] if b["type"] == "actions"]
    share = actions["elements"][-1]
    assert share["action_id"] == SHARE_ACTION and share["text"]["text"] == "Share in channel"

    assert click(slack_server, SHARE_ACTION, share["value"], "/response/share-click", receiver, user="U0SHARER").status_code == 200
    public, deleted = receiver.wait_for(lambda q: q.path == "/response/share-click", count=2)
    assert public.body["response_type"] == "in_channel" and public.body["replace_original"] is False
    text = message_text(public)
    assert "Shared by <@U0SHARER>" in text and "POLITICO reported [1]" in text and ":calendar:" in text
    assert [e["action_id"] for b in public.body["blocks"] if b["type"] == "actions" for e in b["elements"]] == [
        FEEDBACK_UP, FEEDBACK_DOWN], "the shared copy has no Share button"
    assert deleted.body["delete_original"] is True and not deleted.body.get("blocks"), "the private copy is removed"

    assert click(slack_server, SHARE_ACTION, "unknown:0", "/response/share-gone", receiver).status_code == 200
    (gone,) = receiver.wait_for(lambda q: q.path == "/response/share-gone")
    assert gone.body["response_type"] == "ephemeral" and "can no longer be shared" in gone.body["text"]


def test_a_burst_of_mentions_under_slack_rate_limits_is_answered_in_order(slack_server, receiver) -> None:  # type: ignore[no-untyped-def]
    questions = ["What does Zelenskyy want?", "What did European leaders ask for?", "What happens next?",
                 "Would Putin meet Zelenskyy?", "What is Putin's position?"]
    receiver.throttle("chat.postMessage", 5)
    events = [mention(f"{questions[i % len(questions)]}", channel="C0BURST") for i in range(30)]
    for event in events:
        started = time.perf_counter()
        assert post_event(slack_server, event).status_code == 200
        assert time.perf_counter() - started < 3.0
    thread_of = {e["ts"] for e in events}
    answered = receiver.wait_for(lambda r: r.path.endswith("/chat.postMessage") and r.body.get("thread_ts") in thread_of
                                 and r.status == 200, count=30, timeout=240)
    assert [a.body["thread_ts"] for a in answered] == [e["ts"] for e in events], "answered in the order asked, none lost"
    attempts = receiver.matching(lambda r: r.path.endswith("/chat.postMessage") and r.body.get("thread_ts") in thread_of)
    limited = [r for r in attempts if r.status == 429]
    assert len(limited) == 5 and len(attempts) == 35
    first_retry = next(r for r in attempts if r.at > limited[0].at and r.body["thread_ts"] == limited[0].body["thread_ts"])
    assert first_retry.at - limited[0].at >= 1.0, "the retry waited for Retry-After"
    assert all(len(receiver.matching(posts_to(e["ts"]))) == 1 for e in events)


def test_channel_queues_keep_order_per_channel_and_run_channels_side_by_side() -> None:
    from concurrent.futures import ThreadPoolExecutor

    done: list[tuple[str, int]] = []
    slow_started, fast_done = threading.Event(), threading.Event()

    def job(key: str, i: int) -> Callable[[], None]:
        def run() -> None:
            if key == "slow" and i == 0:
                slow_started.set()
                assert fast_done.wait(10), "another channel was held up behind a slow one"
            if key == "fast" and i == 0:
                raise RuntimeError("a failed job does not stop its queue")
            done.append((key, i))
            if key == "fast" and i == 19:
                fast_done.set()
        return run

    work = OrderedWork(ThreadPoolExecutor(max_workers=2))
    work.submit("slow", job("slow", 0))
    assert slow_started.wait(5)
    for i in range(20):
        work.submit("fast", job("fast", i))
        if i:
            work.submit("slow", job("slow", i))
    deadline = time.monotonic() + 10
    while work.pending() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [i for k, i in done if k == "fast"] == list(range(1, 20))
    assert [i for k, i in done if k == "slow"] == list(range(20))


def test_config_requests_parse_and_bad_ones_are_named() -> None:
    current = ChannelSettings()
    assert parse_config("config", current).changes_anything is False
    assert parse_config("config outlets BBC, Al Jazeera,BBC", current).settings == ChannelSettings(outlets=("BBC", "Al Jazeera"))
    assert parse_config("config articles a b", current, {"a", "b"}).settings == ChannelSettings(article_ids=("a", "b"))
    assert parse_config("config admins add <@U0AB|jo> U0CD", current).add_admins == ("U0AB", "U0CD")
    restricted = ChannelSettings(answer="questions", outlets=("BBC",))
    assert parse_config("config reset", restricted).settings == ChannelSettings()
    assert ChannelSettings.from_json(restricted.to_json()) == restricted
    assert ChannelSettings.from_json('{"answer": "always", "outlets": ["BBC"], "new": 1}') == ChannelSettings(outlets=("BBC",))
    for text, message in (("config colour blue", "unknown setting `colour`"), ("config replies loud", "`replies` takes thread"),
                          ("config admins add @jo", "`@jo` is not a Slack member ID"), ("config outlets", "takes a list")):
        with pytest.raises(ConfigError, match=re.escape(message)):
            parse_config(text, current)


# ----- untrusted article text never reaches Slack as markup ------------------------------------
MALICIOUS = """Portvale dockworkers threaten strike <!channel>

The Portvale dockworkers union will strike on Friday over pay, Reuters reported. <!here> @here read <https://evil.example/steal|this official notice> now.
Union leader Mara Quill told Reuters the strike <@U0VICTIM> will close the harbour for a week @channel.
Harbour managers said a deal <!everyone> is still possible, according to Reuters, @everyone <https://evil.example|click>.
"""


def test_article_text_cannot_ping_or_inject_links(tmp_path: Path, embedder, receiver) -> None:  # type: ignore[no-untyped-def]
    from bot.api import create_app

    article = tmp_path / "portvale.txt"
    article.write_text(MALICIOUS, encoding="utf-8")
    (tmp_path / "portvale.meta.json").write_text(json.dumps({
        "publisher": "Harbour Gazette @here <!channel>", "url": "https://gazette.example/portvale?a=1&b=<x>|y",
    }), encoding="utf-8")
    bot = make_bot(tmp_path / "data", embedder, article, **_slack_settings(receiver))
    try:
        with LiveServer(create_app(bot=bot)) as server:
            event = mention("What did Reuters report about the Portvale dockworkers strike?", channel="C0EVIL")
            assert post_event(server, event).status_code == 200
            (answer,) = receiver.wait_for(posts_to(event["ts"]))
    finally:
        bot.close()
    posted = list(strings({"text": answer.body["text"], "blocks": answer.body["blocks"]}))
    everything = "\n".join(posted)
    assert "Reuters" in everything and "strike" in everything, everything
    assert "&lt;!here&gt;" in everything or "&lt;!channel&gt;" in everything or "&lt;@U0VICTIM&gt;" in everything
    for text in posted:
        for bad in ("<!channel>", "<!here>", "<!everyone>", "<@U0VICTIM>", "<https://evil"):
            assert bad not in text, text
        lowered = text.lower()
        for word in ("@here", "@channel", "@everyone"):
            assert word not in lowered, text
        # the only Slack markup left is our own link to the article, its URL made inert
        rest = text
        while "<" in rest:
            link = rest[rest.index("<"): rest.index(">", rest.index("<")) + 1]
            assert link.startswith("<https://gazette.example/portvale?a=1&amp;b=%3Cx%3E%7Cy|"), link
            rest = rest[rest.index(link) + len(link):]


# ----- units: escaping, rendering, state ----------------------------------------------------------
def test_escape_mrkdwn_defuses_markup_and_broadcasts() -> None:
    assert escape_mrkdwn("a & b <!channel> <@U1> <https://x|y>") == "a &amp; b &lt;!channel&gt; &lt;@U1&gt; &lt;https://x|y&gt;"
    assert escape_mrkdwn("hey @here and @Channel, @everyone") == f"hey @{ZWJ}here and @{ZWJ}Channel, @{ZWJ}everyone"
    assert escape_mrkdwn("mail me@heresy.org") == "mail me@heresy.org"


def test_links_only_for_http_urls_and_never_breakable() -> None:
    assert slack_link("javascript:alert(1)", "Title") == "Title"
    assert slack_link(None, "<b>") == "&lt;b&gt;"
    assert slack_link("https://a.example/x y|z>", "T <!here>") == "<https://a.example/x%20y%7Cz%3E|T &lt;!here&gt;>"


def test_quotes_are_shortened_at_a_word() -> None:
    long = "word " * 100
    short = shorten(long, 200)
    assert len(short) <= 200 and short.endswith("…") and not short.endswith(" …")


def _answer(grounded: bool) -> Answer:
    citation = Citation(n=1, outlets=["BBC"], kind="reported", quote="Q " * 150, article_id="a", article_title="T",
                        publisher=None, url="https://bbc.example/a", chunk_id="c", start=0, end=10)
    if not grounded:
        return Answer(answer="The articles don't say anything about weather.", grounded=False, conversation_id="cid")
    return Answer(answer="Zelenskyy wants guarantees, the BBC reported [1].", grounded=True, citations=[citation],
                  conversation_id="cid")


def test_answer_blocks_and_ungrounded_styling() -> None:
    grounded = answer_message(_answer(True), turn=2)
    kinds = [b["type"] for b in grounded.blocks]
    assert kinds == ["section", "context", "context", "actions"]
    assert grounded.blocks[1]["elements"][0]["text"].startswith("*[1]* BBC · <https://bbc.example/a|T> — “")
    assert grounded.blocks[2]["elements"][0]["text"] == ":calendar: Undated: the cited article has no publication date"
    assert grounded.blocks[3]["elements"][0]["value"] == "cid:2"
    assert grounded.text == "Zelenskyy wants guarantees, the BBC reported [1]."

    ungrounded = answer_message(_answer(False), turn=0)
    assert [b["type"] for b in ungrounded.blocks] == ["section", "context", "actions"]
    assert ungrounded.blocks[0]["text"]["text"].startswith(":grey_question: _")
    assert "Not in the indexed articles" in ungrounded.blocks[1]["elements"][0]["text"]
    assert ungrounded.text.startswith("Not in the articles: ")


def test_answer_blocks_say_how_current_the_answer_is() -> None:
    def cite(n: int, article_id: str, published_at: str, publisher: str) -> Citation:
        return Citation(n=n, outlets=[publisher], kind="reported", quote="q", article_id=article_id, article_title="T",
                        publisher=publisher, url=None, chunk_id=f"c{n}", start=0, end=1, published_at=published_at)

    answer = Answer(answer="Earlier [1]; later [2].", grounded=True, conversation_id="cid",
                    citations=[cite(1, "a", "2025-05-04", "Reuters"), cite(2, "b", "2025-05-16T08:00:00Z", "<!here> BBC")])
    (dating,) = [b for b in answer_message(answer, turn=0).blocks if ":calendar:" in str(b)]
    assert dating["elements"][0]["text"] == (
        ":calendar: As of 16 May 2025 · 2 articles\n"
        "Reported on different dates: 4 May 2025 Reuters [1] · 16 May 2025 &lt;!here&gt; BBC [2] (newest)"
    )


def test_feedback_values_round_trip_and_bad_ones_are_named() -> None:
    assert parse_feedback_value("abc:3") == ("abc", 3)
    with pytest.raises(ValueError, match="not a feedback value: 'abc'"):
        parse_feedback_value("abc")


def test_question_from_a_mention() -> None:
    assert question_from(f"<@{BOT_USER}> What &amp; why?", BOT_USER) == "What & why?"
    assert question_from("<@UOTHER|bot> What now?", None) == "What now?"
    assert question_from("What did <@U2> say?", BOT_USER) == "What did <@U2> say?"


def test_thread_map_and_seen_events_survive_a_restart(tmp_path: Path) -> None:
    ids = iter(["first", "second"])
    store = SlackStore(tmp_path / "slack.sqlite")
    assert store.conversation_for("T", "C", "1.0", lambda: next(ids)) == "first"
    assert store.conversation_for("T", "C", "1.0", lambda: next(ids)) == "first"
    keys = event_keys({"event_id": "Ev1", "team_id": "T", "event": {"type": "app_mention", "channel": "C", "ts": "1.0"}})
    assert keys == ["event:Ev1", "message:T:C:1.0"]
    assert store.claim(keys) is True
    reopened = SlackStore(tmp_path / "slack.sqlite")
    assert reopened.thread_conversation("T", "C", "1.0") == "first"
    assert reopened.claim(keys) is False
    assert reopened.claim(["event:Ev2", "message:T:C:1.0"]) is False, "same message, other event: still a duplicate"


def test_outlet_names_and_titles_are_escaped_in_citations() -> None:
    citation = Citation(n=1, outlets=["@here <!channel> News"], kind="reported", quote="<@U1> said so.", article_id="a",
                        article_title="<https://evil|Title>", publisher=None, url="ftp://files.example/a",
                        chunk_id="c", start=0, end=10)
    line = answer_message(Answer(answer="x [1].", grounded=True, citations=[citation]), turn=None).blocks[1]
    assert line["elements"][0]["text"] == (
        f"*[1]* @{ZWJ}here &lt;!channel&gt; News · &lt;https://evil|Title&gt; — “&lt;@U1&gt; said so.”"
    )


def test_the_manifest_points_at_the_routes_the_app_serves() -> None:
    import yaml

    from bot.api import create_app
    from bot.config import Settings
    from bot.slack.app import COMMAND

    manifest = yaml.safe_load((Path(__file__).resolve().parents[2] / "slack" / "manifest.yml").read_text(encoding="utf-8"))
    paths = set(create_app(Settings()).openapi()["paths"])
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == COMMAND
    urls = [command["url"], manifest["settings"]["event_subscriptions"]["request_url"],
            manifest["settings"]["interactivity"]["request_url"]]
    assert [u.split("briefbot.example.com", 1)[1] for u in urls] == ["/slack/commands", "/slack/events", "/slack/interactions"]
    assert {"/slack/commands", "/slack/events", "/slack/interactions"} <= paths
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == ["app_mention", "message.channels", "message.groups",
                                                                        "message.im"]
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "app_mentions:read", "channels:history", "chat:write", "commands", "groups:history", "im:history",
        "reactions:write", "users:read",
    }


def test_form_bodies_that_mention_payload_parse_to_the_same_fields() -> None:
    from slack_bolt.request.internals import parse_body

    from bot.slack.app import _shield_form_body

    form = urlencode({"command": "/brief", "text": "What payload did it carry? payload=1&x", "team_id": "T"})
    assert parse_body(form, "application/x-www-form-urlencoded") == {}, "the slack-bolt bug this works around"
    assert parse_body(_shield_form_body(form), "application/x-www-form-urlencoded") == dict(parse_qsl(form))
    interactive = urlencode({"payload": json.dumps({"type": "block_actions", "value": "payload"})})
    assert _shield_form_body(interactive) == interactive
