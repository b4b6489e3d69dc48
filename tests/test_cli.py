"""The `briefbot` CLI, driven the way a user types it."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main
from tests.conftest import SEED, SEED_FILE


def _run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_ingest_list_ask_delete(tmp_path: Path) -> None:
    result = _run("ingest", str(SEED))
    assert result.exit_code == 0, result.output
    assert "added      " in result.output and "putin-peace-signal" in result.output
    assert "1 added, 0 unchanged, 0 replaced, 0 failed" in result.output
    again = _run("ingest", str(SEED_FILE))
    assert "unchanged" in again.output and again.exit_code == 0

    listed = json.loads(_run("articles", "list", "--json").output)
    assert [a["id"] for a in listed] == ["putin-peace-signal"]
    assert set(listed[0]) >= {"id", "title", "publisher", "url", "published_at", "chunks"}

    answer = json.loads(_run("ask", "What does Zelenskyy want?", "--json").output)
    assert answer["grounded"] and "BBC" in answer["answer"]
    follow = json.loads(_run("ask", "Which outlet reported that?", "--conversation", answer["conversation_id"], "--json").output)
    assert "BBC" in {o for c in follow["citations"] for o in c["outlets"]}

    assert _run("articles", "delete", "putin-peace-signal").exit_code == 0
    missing = _run("articles", "delete", "putin-peace-signal")
    assert missing.exit_code == 1 and "no article with id 'putin-peace-signal'" in missing.output


def test_bad_files_fail_by_name_and_lose_nothing(tmp_path: Path) -> None:
    assert _run("ingest", str(SEED)).exit_code == 0
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_text("")
    (bad / "data.bin.txt").write_bytes(b"\x00\x01\x02")
    (bad / "records.jsonl").write_text('{"id": "ok", "title": "Fine", "text": "The port reopened, AP reported."}\n{"title": "no text"}\n')
    (bad / "notes.xyz").write_text("hello")
    result = _run("ingest", str(bad), str(bad / "notes.xyz"))
    assert result.exit_code == 1
    assert "empty.txt: empty file" in result.output
    assert "data.bin.txt: binary file" in result.output
    assert "records.jsonl, line 2: record has no 'text'" in result.output
    assert "notes.xyz: unsupported file type '.xyz'" in result.output
    assert "1 added, 0 unchanged, 0 replaced, 4 failed" in result.output
    ids = {a["id"] for a in json.loads(_run("articles", "list", "--json").output)}
    assert ids == {"putin-peace-signal", "ok"}


def test_overrides_apply_to_a_single_file(tmp_path: Path) -> None:
    article = tmp_path / "port.txt"
    article.write_text("Port strike ends\nDockers returned to work on Friday after a week-long strike.\n")
    result = _run("ingest", str(article), "--outlet", "Reuters", "--url", "https://example.org/port", "--published-at", "2026-03-01")
    assert result.exit_code == 0, result.output
    (info,) = json.loads(_run("articles", "list", "--json").output)
    assert (info["publisher"], info["url"], info["published_at"]) == ("Reuters", "https://example.org/port", "2026-03-01")
    both = _run("ingest", str(article), str(SEED_FILE), "--outlet", "AP")
    assert both.exit_code == 2 and "single file" in both.output


def test_ask_with_nothing_indexed_says_so() -> None:
    result = _run("ask", "What happens next?")
    assert result.exit_code == 0 and "No articles are indexed yet" in result.output


def test_chat_keeps_the_conversation() -> None:
    _run("ingest", str(SEED))
    result = CliRunner().invoke(main, ["chat"], input="What did European leaders ask for?\nAnd what did they threaten?\n\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("bot> ") == 2 and "sanctions" in result.output
