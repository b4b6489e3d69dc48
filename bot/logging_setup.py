"""Structured logs for the server: one JSON object a line, each carrying the request id.

The request id lives in a context variable set by the HTTP middleware; sync routes run in a
worker thread that copies the context, so everything logged while serving a request is tagged.
"""

from __future__ import annotations

import json
import logging
import os
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id_var: ContextVar[str | None] = ContextVar("briefbot_request_id", default=None)

# LogRecord attributes that are plumbing, not payload: everything else passed in `extra=` is logged.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message", "taskName"}


class RequestIdFilter(logging.Filter):
    """Put the current request id on every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """`{"ts", "level", "logger", "msg", "pid", "request_id", ...extra}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "pid": os.getpid(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def log_config(fmt: str = "json", level: str = "info") -> dict[str, Any]:
    """A `logging.config.dictConfig` for uvicorn (applied in every worker process)."""
    level = level.upper()
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"}
        if fmt == "json"
        else {"format": "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s [req=%(request_id)s]"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": f"{__name__}.RequestIdFilter"}},
        "formatters": {"default": formatter},
        "handlers": {
            "default": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "default",
                        "filters": ["request_id"]},
        },
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            "uvicorn": {"level": level},
            "uvicorn.error": {"level": level},
            # one access line per request comes from bot.api.middleware (with the request id)
            "uvicorn.access": {"level": "WARNING", "propagate": False},
        },
    }
