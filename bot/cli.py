"""The `briefbot` command line: one client of the `Briefbot` library API."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import Any

import click

from index import BriefbotIndexError
from index.ingest import Overrides

from .config import Settings
from .errors import BotError
from .evaluation.cli import eval_command

KEEP_ALIVE_S = 20  # `serve` keeps an idle connection this long
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 but tab and newline, DEL, C1
_RAW_IN_JSON = re.compile(r"[\x7f-\x9f]")  # what json.dumps(ensure_ascii=False) leaves unescaped


def _safe(text: str) -> str:
    """Text from articles (titles, outlets, quotes) made safe to print: C0/C1 control characters are
    dropped, so an escape sequence in a feed cannot drive the user's terminal."""
    return _CONTROLS.sub("", text)


def _safe_json(value: Any) -> str:
    """Indented JSON, non-ASCII kept readable, every control character escaped (the data is unchanged)."""
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, indent=2, ensure_ascii=False))


def _settings() -> Settings:
    try:
        return Settings()
    except Exception as exc:  # pydantic's ValidationError: name the setting
        raise click.ClickException(f"invalid configuration: {exc}") from exc


def _bot() -> Any:
    from .service import Briefbot

    try:
        return Briefbot(_settings())
    except (BriefbotIndexError, BotError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log progress details to stderr.")
def main(verbose: bool) -> None:
    """Briefbot: grounded answers about news articles that name the reporting outlet.

    State lives in BRIEFBOT_DATA_DIR (default ./.briefbot).
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--outlet", help="Publisher of the article (single file only).")
@click.option("--title", help="Title override (single file only).")
@click.option("--url", help="Article URL (single file only).")
@click.option("--published-at", help="Publication date, ISO 8601 (single file only).")
@click.option("--id", "article_id", help="Article id override (single file only).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def ingest(paths: tuple[Path, ...], outlet: str | None, title: str | None, url: str | None,
           published_at: str | None, article_id: str | None, as_json: bool) -> None:
    """Add articles (.txt .md .html .json .jsonl files or folders) to the index."""
    from tqdm import tqdm

    bot = _bot()
    bar: list[Any] = []

    def progress(done: int, total: int) -> None:
        if not bar:
            bar.append(tqdm(total=total, unit="chunk", desc="embedding", file=sys.stderr, disable=as_json or total < 1))
        bar[0].update(done)

    overrides = Overrides(outlet, title, url, published_at, article_id)
    try:
        report = bot.ingest_paths(list(paths), overrides, progress)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    except BriefbotIndexError as exc:
        raise click.ClickException(f"{exc}") from exc
    finally:
        if bar:
            bar[0].close()
    if as_json:
        click.echo(json.dumps({"results": [r.to_dict() for r in report.results], "summary": report.summary()}, indent=2))
    else:
        for r in report.results:
            label = f"{r.source}" + (f" [{r.article_id}]" if r.article_id and r.status != "failed" else "")
            detail = f" ({r.chunks} chunks)" if r.status in ("added", "replaced") else ""
            if r.status == "failed":
                click.echo(_safe(f"failed     {r.message}"), err=True)
            else:
                click.echo(_safe(f"{r.status:<10} {label}{detail}"))
        click.echo(f"ingest: {report.summary()}")
    if report.failed:
        sys.exit(1)


@main.group()
def articles() -> None:
    """List or delete indexed articles."""


@articles.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def articles_list(as_json: bool) -> None:
    """List indexed articles."""
    bot = _bot()
    items = bot.index.articles()
    if as_json:
        click.echo(_safe_json([
            {"id": a.id, "title": a.title, "publisher": a.publisher, "url": a.url, "published_at": a.published_at,
             "chunks": a.chunks, "content_hash": a.content_hash, "ingested_at": a.ingested_at}
            for a in items
        ]))
        return
    if not items:
        click.echo("no articles indexed yet: run `briefbot ingest PATH`")
    for a in items:
        click.echo(_safe(f"{a.id}\t{a.chunks} chunks\t{a.publisher or '-'}\t{a.title}"))


@articles.command("delete")
@click.argument("article_id")
def articles_delete(article_id: str) -> None:
    """Delete an article from the index."""
    bot = _bot()
    try:
        deleted = bot.delete_article(article_id)
    except BriefbotIndexError as exc:
        raise click.ClickException(str(exc)) from exc
    if not deleted:
        raise click.ClickException(f"no article with id '{article_id}' (see `briefbot articles list`)")
    click.echo(f"deleted {article_id}")


def _print_answer(answer: Any, as_json: bool) -> None:
    if as_json:
        click.echo(_safe_json(answer.to_dict()))
        return
    click.echo(_safe(answer.answer))
    for c in answer.citations:
        who = ", ".join(c.outlets) if c.kind == "reported" else "analysis"
        click.echo(_safe(f"  [{c.n}] {who} — {c.article_title}: “{c.quote}”"))
    from .rendering import as_of_line, report_dates_line

    for line in (as_of_line(answer), report_dates_line(answer)):
        if line:
            click.echo(line)


@main.command()
@click.argument("question")
@click.option("--conversation", "conversation_id", help="Continue this conversation.")
@click.option("--json", "as_json", is_flag=True, help="Print the v1 JSON answer.")
def ask(question: str, conversation_id: str | None, as_json: bool) -> None:
    """Ask one question."""
    bot = _bot()
    try:
        answer = bot.ask(question, conversation_id)
    except (BotError, BriefbotIndexError) as exc:
        raise click.ClickException(str(exc)) from exc
    _print_answer(answer, as_json)
    if not as_json:
        click.echo(f"(conversation {answer.conversation_id})", err=True)


@main.command()
@click.option("--conversation", "conversation_id", help="Continue this conversation.")
def chat(conversation_id: str | None) -> None:
    """Interactive chat that keeps the conversation (empty line or Ctrl-D to quit)."""
    bot = _bot()
    click.echo("Ask about the indexed articles. Empty line or Ctrl-D quits.", err=True)
    while True:
        try:
            question = input("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            click.echo("", err=True)
            break
        if not question:
            break
        try:
            answer = bot.ask(question, conversation_id)
        except (BotError, BriefbotIndexError) as exc:
            click.echo(f"error: {exc}", err=True)
            continue
        conversation_id = answer.conversation_id
        click.echo("bot> ", nl=False)
        _print_answer(answer, False)
    if conversation_id:
        click.echo(f"(conversation {conversation_id})", err=True)


@main.command()
@click.option("--topic", help="Limit the briefing to material about this.")
@click.option("--article", "article_ids", multiple=True, help="Only this article (repeatable).")
@click.option("--outlet", "outlets", multiple=True, help="Only what this outlet reported (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the briefing as JSON (the GET /v1/briefing shape).")
def brief(topic: str | None, article_ids: tuple[str, ...], outlets: tuple[str, ...], as_json: bool) -> None:
    """Brief me: positions, next steps, who gains/loses, who reported what (Markdown)."""
    from .briefing import to_markdown

    bot = _bot()
    try:
        briefing = bot.brief(topic, list(article_ids), list(outlets))
    except (BotError, BriefbotIndexError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(_safe_json(briefing.to_dict()))
    else:
        click.echo(_safe(to_markdown(briefing)))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), envvar="BRIEFBOT_WORKERS",
              help="Worker processes (env BRIEFBOT_WORKERS); more than one needs BRIEFBOT_CHROMA_URL.")
@click.option("--log-level", default=None, help="Log level (default: BRIEFBOT_LOG_LEVEL, INFO).")
@click.option("--graceful-timeout", default=30, show_default=True, type=click.IntRange(0, 3600),
              help="On SIGTERM, seconds in-flight requests get to finish.")
def serve(host: str, port: int, workers: int, log_level: str | None, graceful_timeout: int) -> None:
    """Serve the HTTP API (never ingests by itself)."""
    import uvicorn

    from .api.ops import prepare_multiprocess_metrics
    from .logging_setup import log_config

    settings = _settings()  # fail fast on bad configuration
    if workers > 1 and not settings.chroma_url:
        raise click.UsageError(
            "--workers > 1 needs a Chroma server (set BRIEFBOT_CHROMA_URL): the embedded store is one process's"
        )
    prepare_multiprocess_metrics(settings.data_dir, workers)
    log_level = (log_level or settings.log_level).lower()
    uvicorn.run(
        "bot.api:create_app", factory=True, host=host, port=port, workers=workers, log_level=log_level,
        log_config=log_config(settings.log_format, log_level), access_log=False,
        timeout_graceful_shutdown=graceful_timeout,
        # h11, not httptools: httptools buffers a header of any size (a 200 MB header stalled the
        # event loop for every client); h11 answers 400 once the request head passes the cap
        http="h11", h11_max_incomplete_event_size=settings.max_header_bytes,
        # longer than clients' own idle expiry (httpx: 5 s, uvicorn's default too): with equal timers a
        # busy server closed connections clients had just reused ("Server disconnected") in the soak
        timeout_keep_alive=KEEP_ALIVE_S,
    )


main.add_command(eval_command)

if __name__ == "__main__":  # pragma: no cover
    main()
