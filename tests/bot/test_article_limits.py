"""A 1.6 MB article is refused at once, before any embedding, by the CLI and the API; what follows it still ingests."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from bot.cli import main
from index.embedding import MiniLMEmbedder
from index.limits import DEFAULT_MAX_ARTICLE_CHARS
from tests.conftest import SEED_FILE, LiveServer, make_bot

ADMIN = "article-limits-admin-token"


def _huge_article_text() -> str:
    """The seed article's lines, numbered and repeated to ~1.6 MB (thousands of chunks)."""
    paragraphs = [line for line in SEED_FILE.read_text(encoding="utf-8").splitlines() if len(line) > 80]
    parts: list[str] = []
    size = 0
    while size < 1_600_000:
        paragraph = f"Part {len(parts)}. {paragraphs[len(parts) % len(paragraphs)]}"
        parts.append(paragraph)
        size += len(paragraph) + 2
    return "\n\n".join(parts)


def test_cli_fails_an_oversized_article_at_once_and_ingests_the_files_after_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    embedded: list[int] = []
    encode = MiniLMEmbedder.encode

    def counting_encode(self, texts, *args, **kwargs):  # type: ignore[no-untyped-def]
        embedded.append(len(texts))
        return encode(self, texts, *args, **kwargs)

    monkeypatch.setattr(MiniLMEmbedder, "encode", counting_encode)
    folder = tmp_path / "feed"
    folder.mkdir()
    text = _huge_article_text()
    assert len(text) > DEFAULT_MAX_ARTICLE_CHARS
    (folder / "a-huge.txt").write_text(f"The whole archive\n\n{text}", encoding="utf-8")
    (folder / "b-small.txt").write_text(SEED_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    started = time.monotonic()
    result = CliRunner().invoke(main, ["ingest", str(folder), "--json"], catch_exceptions=False)
    elapsed = time.monotonic() - started
    assert result.exit_code == 1, result.output  # something failed
    report = json.loads(result.output)
    by_file = {Path(r["source"]).name: r for r in report["results"]}
    assert by_file["a-huge.txt"]["status"] == "failed"
    assert "article too large" in by_file["a-huge.txt"]["message"] and "a-huge.txt" in by_file["a-huge.txt"]["message"]
    assert by_file["b-small.txt"]["status"] == "added" and by_file["b-small.txt"]["chunks"] > 0
    assert sum(embedded) == by_file["b-small.txt"]["chunks"]  # nothing of the huge article was embedded
    assert elapsed < 300, f"took {elapsed:.0f}s"
    listed = json.loads(CliRunner().invoke(main, ["articles", "list", "--json"]).output)
    assert [a["id"] for a in listed] == ["b-small"]


def test_api_refuses_an_oversized_article_with_413_at_once(tmp_path: Path, embedder, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from bot.api import create_app

    embedded: list[str] = []
    encode = embedder.encode
    monkeypatch.setattr(embedder, "encode", lambda texts, *a, **kw: embedded.extend(texts) or encode(texts, *a, **kw))
    bot = make_bot(tmp_path / "w", embedder, admin_token=ADMIN)
    auth = {"Authorization": f"Bearer {ADMIN}"}
    with LiveServer(create_app(bot=bot)) as server:
        huge = {"id": "archive", "title": "The whole archive", "outlet": "Reuters", "text": _huge_article_text()}
        started = time.monotonic()
        refused = httpx.post(f"{server.url}/v1/articles", json=huge, headers=auth, timeout=60)
        elapsed = time.monotonic() - started
        assert refused.status_code == 413, refused.text
        assert "article too large" in refused.json()["detail"] and f"{DEFAULT_MAX_ARTICLE_CHARS:,}" in refused.json()["detail"]
        assert elapsed < 30, f"the refusal took {elapsed:.1f}s"  # embedding it would take minutes
        assert embedded == []  # refused before any embedding
        after = {"id": "port", "title": "Port strike", "outlet": "Reuters", "text": "Dockers struck in Rotterdam on Monday, AP reported."}
        created = httpx.post(f"{server.url}/v1/articles", json=after, headers=auth, timeout=60)
        assert created.status_code == 201 and created.json()["status"] == "added"
        assert [a["id"] for a in httpx.get(f"{server.url}/v1/articles").json()] == ["port"]
