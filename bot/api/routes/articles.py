"""The article collection: list for everyone, writes for the admin."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response, status

from index import ArticleInfo
from index.limits import article_too_large
from index.models import ID_CONFLICT
from index.text import normalize_outlet

from ..deps import AdminDep, ApiKeyDoc, BotDep
from ..schemas import ArticleIn, ArticleOut, ArticleWriteResponse, ErrorOut

router = APIRouter(prefix="/v1/articles", tags=["articles"])
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}, 422: {"model": ErrorOut}}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    409: {"model": ErrorOut, "description": "The id (as a slug) belongs to another article; nothing was replaced."},
    413: {"model": ErrorOut, "description": "The article's text is over the limit."},
}


@router.get("", response_model=list[ArticleOut], dependencies=[ApiKeyDoc], responses={422: {"model": ErrorOut}})
def list_articles(
    bot: BotDep, request: Request, response: Response,
    limit: Annotated[int | None, Query(ge=1, le=1000, description="Page size; without it every article is listed.")] = None,
    cursor: Annotated[str | None, Query(max_length=400, description="`X-Next-Cursor` of the previous page.")] = None,
) -> list[ArticleOut]:
    """The indexed articles, oldest ingest first: a JSON list, a page of it with `limit`/`cursor`.

    When more follow, the response has `X-Next-Cursor` and a `Link: <…>; rel="next"` header.
    """
    found = bot.index.articles()
    if cursor is not None:
        after = _decode_cursor(cursor)
        found = [a for a in found if _order(a) > after]
    if limit is not None and len(found) > limit:
        found = found[:limit]
        token = _encode_cursor(_order(found[-1]))
        response.headers["X-Next-Cursor"] = token
        response.headers["Link"] = f'<{request.url.include_query_params(limit=limit, cursor=token)}>; rel="next"'
    return [ArticleOut.model_validate(a.to_dict()) for a in found]


def _order(article: ArticleInfo) -> tuple[str, str]:
    """The listing's sort key (the manifest lists by ingest time, then id)."""
    return (article.ingested_at or "", article.id)


def _encode_cursor(key: tuple[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if isinstance(key, list) and len(key) == 2 and all(isinstance(k, str) for k in key):
            return (key[0], key[1])
    except (ValueError, UnicodeDecodeError):
        pass
    raise HTTPException(422, "cursor: not a cursor from X-Next-Cursor; start again without one")


@router.get("/{article_id}", response_model=ArticleOut, dependencies=[ApiKeyDoc], responses=ERRORS)
def get_article(article_id: str, bot: BotDep) -> ArticleOut:
    """One indexed article's metadata."""
    info = bot.index.article(article_id)
    if info is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no article with id '{article_id}'")
    return ArticleOut.model_validate(info.to_dict())


@router.post("", response_model=ArticleWriteResponse, status_code=201, responses={
    **WRITE_ERRORS, 200: {"model": ArticleWriteResponse, "description": "Replaced, or already indexed unchanged."},
})
def add_article(body: ArticleIn, bot: BotDep, _: AdminDep, response: Response) -> ArticleWriteResponse:
    """Add or replace an article (JSON record); an unchanged article is a no-op."""
    too_large = article_too_large(body.text)
    if too_large:  # refused before any embedding: a huge article would hold a worker for minutes
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, too_large)
    record = body.model_dump()
    for key in ("outlet", "publisher"):  # one spelling of each outlet, so outlet filters match
        if isinstance(record.get(key), str):
            record[key] = normalize_outlet(record[key])
    report = bot.ingest_record(record)
    result = report.results[0]
    if result.status == "failed":
        if result.reason == ID_CONFLICT:  # never a silent replace of another article
            raise HTTPException(status.HTTP_409_CONFLICT, result.message or "another article has this id")
        raise HTTPException(422, result.message or "the article could not be ingested")
    info = bot.index.article(result.article_id or "")
    if info is None:  # pragma: no cover - committed just above
        raise HTTPException(status.HTTP_409_CONFLICT, "the article changed while it was being written; retry")
    if result.status != "added":
        response.status_code = status.HTTP_200_OK
    return ArticleWriteResponse(status=result.status, article=ArticleOut.model_validate(info.to_dict()))  # type: ignore[arg-type]


@router.delete("/{article_id}", status_code=204, responses=ERRORS)
def delete_article(article_id: str, bot: BotDep, _: AdminDep) -> Response:
    """Remove an article from both indexes."""
    if not bot.delete_article(article_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no article with id '{article_id}'")
    return Response(status_code=204)
