"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "model or index not loaded"}})
def readyz(request: Request) -> JSONResponse:
    """200 only when the embedding model and the index are loaded and the store answers."""
    state = request.app.state
    if not state.warm.is_set():
        return JSONResponse({"status": "starting", "detail": "loading the embedding model and the index"}, status_code=503)
    if state.warm_error is not None:
        return JSONResponse({"status": "failed", "detail": str(state.warm_error)}, status_code=503)
    try:
        state.bot.index.vectors.ping()
    except Exception as exc:
        return JSONResponse({"status": "unavailable", "detail": str(exc)}, status_code=503)
    return JSONResponse({"status": "ready", "articles": len(state.bot.index.articles()), "chunks": len(state.bot.index.chunks())})
