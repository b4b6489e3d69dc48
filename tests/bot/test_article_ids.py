"""Unicode article ids through the CLI and the API: no silent replace, 409 on a taken id, non-ASCII URLs."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import httpx
from click.testing import CliRunner

from bot.cli import main
from index.ids import slugify
from tests.conftest import LiveServer, make_bot

ADMIN = "article-ids-admin-token-0123"
TEXT = "Dockers struck in Rotterdam on Monday, Reuters reported. Ships queued offshore."


def test_cli_keeps_unicode_ids_apart_and_fails_a_taken_one(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    rows = [
        {"id": raw, "title": f"About {raw}", "text": f"{TEXT} Story {i}."}
        for i, raw in enumerate(["🔥", "خبر", "新闻", "новость-1"])
    ]
    feed.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    first = CliRunner().invoke(main, ["ingest", str(feed), "--json"], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert [r["status"] for r in json.loads(first.output)["results"]] == ["added"] * 4
    listed = json.loads(CliRunner().invoke(main, ["articles", "list", "--json"]).output)
    assert sorted(a["id"] for a in listed) == sorted(slugify(r["id"]) for r in rows)
    assert "новость-1" in {a["id"] for a in listed}

    clash = tmp_path / "clash.jsonl"
    clash.write_text(
        json.dumps({"id": slugify("🔥"), "title": "Other", "text": "Farmers marched in Lusk, AP reported."}),
        encoding="utf-8",
    )
    second = CliRunner().invoke(main, ["ingest", str(clash)], catch_exceptions=False)
    assert second.exit_code == 1, second.output
    assert (
        "failed" in second.output
        and "clash.jsonl" in second.output
        and "nothing was replaced" in second.output
    )
    again = {a["id"]: a for a in json.loads(CliRunner().invoke(main, ["articles", "list", "--json"]).output)}
    assert again[slugify("🔥")]["title"] == "About 🔥", "the first article is not replaced"
    deleted = CliRunner().invoke(main, ["articles", "delete", "новость-1"])
    assert deleted.exit_code == 0, deleted.output


def test_api_answers_409_on_a_taken_id_and_serves_non_ascii_paths(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    from bot.api import create_app

    bot = make_bot(tmp_path / "d", embedder, admin_token=ADMIN)
    auth = {"Authorization": f"Bearer {ADMIN}"}
    with LiveServer(create_app(bot=bot)) as server:
        url = f"{server.url}/v1/articles"
        for raw in ("🔥", "新闻", "my story"):
            added = httpx.post(
                url, json={"id": raw, "title": f"About {raw}", "text": TEXT}, headers=auth, timeout=120
            )
            assert added.status_code == 201, added.text
            assert added.json()["article"]["id"] == slugify(raw)
        same = httpx.post(
            url,
            json={"id": "MY STORY", "title": "About my story", "text": f"{TEXT} More ships came."},
            headers=auth,
            timeout=120,
        )
        assert same.status_code == 200 and same.json()["status"] == "replaced"

        taken = httpx.post(
            url,
            json={"id": slugify("my story"), "title": "Other", "text": "Farmers marched, AP reported."},
            headers=auth,
            timeout=120,
        )
        assert taken.status_code == 409, taken.text
        assert "nothing was replaced" in taken.json()["detail"] and "'MY STORY'" in taken.json()["detail"]
        assert httpx.get(f"{url}/{quote(slugify('my story'))}").json()["title"] == "About my story"

        for raw in ("🔥", "新闻"):
            path = f"{url}/{quote(slugify(raw))}"  # percent-encoded, as a client sends it
            assert httpx.get(path).status_code == 200 and httpx.get(path).json()["id"] == slugify(raw)
            answer = httpx.post(
                f"{server.url}/v1/ask",
                timeout=60,
                json={"question": "Where did dockers strike?", "filters": {"article_ids": [slugify(raw)]}},
            ).json()
            assert answer["grounded"] and {c["article_id"] for c in answer["citations"]} == {slugify(raw)}
            assert httpx.delete(path, headers=auth).status_code == 204
            assert httpx.get(path).status_code == 404
        assert httpx.get(f"{url}/新闻").status_code == 404, "a raw (unencoded) path is read too"
