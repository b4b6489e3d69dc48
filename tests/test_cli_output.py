"""The CLI never prints a control character that came from an article (titles, outlets, quotes)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main

CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
TITLE = "Port strike\x1b[2J\x1b]0;pwned\x07 \x9b31m"


def _run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_escape_sequences_from_a_feed_do_not_reach_the_terminal(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    text = "Dockers struck in Rotterdam on Monday over pay\x1b[31m, Reuters reported.\nThe port authority said talks would resume."
    feed.write_text(json.dumps({"id": "port", "title": TITLE, "outlet": "Reuters", "text": text}) + "\n", encoding="utf-8")
    assert _run("ingest", str(feed)).exit_code == 0

    listed = _run("articles", "list")
    assert "Port strike[2J]0;pwned 31m" in listed.output and not CONTROLS.search(listed.output)
    as_json = _run("articles", "list", "--json")
    assert not CONTROLS.search(as_json.output)
    assert json.loads(as_json.output)[0]["title"] == TITLE  # the data is unchanged, only escaped

    answer = _run("ask", "Where did dockers strike?")
    assert "Port strike" in answer.output and "Rotterdam" in answer.output
    assert not CONTROLS.search(answer.output)
    answer_json = _run("ask", "Where did dockers strike?", "--json")
    assert not CONTROLS.search(answer_json.output) and json.loads(answer_json.output)["citations"][0]["article_title"] == TITLE

    for args in (["brief"], ["brief", "--json"]):
        brief = _run(*args)
        assert brief.exit_code == 0 and not CONTROLS.search(brief.output)
