"""The embeddable widget script and the demo page that shows it next to the article list."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

router = APIRouter(tags=["web"], include_in_schema=False)

STATIC = Path(str(files("bot") / "static"))
# Revalidate every time (FileResponse sends ETag/Last-Modified), so a deploy is picked up at once.
HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}


@router.get("/")
def demo_page() -> FileResponse:
    """A demo page: the indexed articles next to the chat widget."""
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8", headers=HEADERS)


@router.get("/widget.js")
def widget_script() -> FileResponse:
    """The chat widget: add it to a page with one `<script src=".../widget.js" data-api=...>` tag."""
    return FileResponse(STATIC / "widget.js", media_type="text/javascript; charset=utf-8", headers=HEADERS)
