"""A validly signed Slack request replayed within the 5-minute signature window is handled once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pytest

from tests.bot.test_slack import TEAM, SlackReceiver, _slack_settings, sign
from tests.conftest import SEED, LiveServer, make_bot


@pytest.fixture(scope="module")
def receiver() -> Iterator[SlackReceiver]:
    with SlackReceiver() as r:
        yield r


@pytest.fixture(scope="module")
def slack_server(tmp_path_factory: pytest.TempPathFactory, embedder, receiver: SlackReceiver) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    from bot.api import create_app

    bot = make_bot(tmp_path_factory.mktemp("slack-replay"), embedder, SEED, **_slack_settings(receiver))
    with LiveServer(create_app(bot=bot)) as server:
        yield server
    bot.close()


def test_a_replayed_brief_command_is_answered_once(slack_server: LiveServer, receiver: SlackReceiver) -> None:
    form = {"token": "legacy", "team_id": TEAM, "channel_id": "C0NEWS", "user_id": "U0ASKER", "command": "/brief",
            "text": "What did European leaders ask for?", "response_url": f"{receiver.url}/response/replayed",
            "trigger_id": "1.2.3", "api_app_id": "ABRIEF"}
    body = urlencode(form).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}  # one signature, sent twice
    first = httpx.post(f"{slack_server.url}/slack/commands", content=body, headers=headers, timeout=30)
    assert first.status_code == 200 and first.json()["text"].startswith("Looking that up")
    receiver.wait_for(lambda r: r.path == "/response/replayed")
    replay = httpx.post(f"{slack_server.url}/slack/commands", content=body, headers=headers, timeout=30)
    assert replay.status_code == 200 and "already handled" in replay.json()["detail"]
    again = {"Content-Type": "application/x-www-form-urlencoded", **sign(body, timestamp=int(time.time()) + 1)}
    fresh = httpx.post(f"{slack_server.url}/slack/commands", content=body, headers=again, timeout=30)
    assert fresh.status_code == 200 and fresh.json()["text"].startswith("Looking that up")  # a new signature is a new request
    receiver.wait_for(lambda r: r.path == "/response/replayed", count=2)
    time.sleep(1.0)  # a second answer to the replay would arrive within this
    assert len(receiver.matching(lambda r: r.path == "/response/replayed")) == 2
