"""An outlet posted with a zero-width character is stored as its plain name, so filters on it work."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.conftest import LiveServer, make_bot

ADMIN = "outlet-names-admin-token"


def test_posted_outlet_is_normalised_and_filterable(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    from bot.api import create_app

    bot = make_bot(tmp_path / "w", embedder, admin_token=ADMIN)
    with LiveServer(create_app(bot=bot)) as server:
        record = {"id": "port", "title": "Port strike", "outlet": "Reu\u200bters",
                  "text": "Dockers struck in Rotterdam on Monday over pay.\nThe port authority said talks would resume."}
        created = httpx.post(f"{server.url}/v1/articles", json=record, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=60)
        assert created.status_code == 201 and created.json()["article"]["publisher"] == "Reuters"
        answer = httpx.post(f"{server.url}/v1/ask", timeout=60, json={
            "question": "What did the port authority say about talks?", "filters": {"outlets": ["Reuters"]}}).json()
        assert answer["grounded"] and {c["article_id"] for c in answer["citations"]} == {"port"}
