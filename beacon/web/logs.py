"""Logging for the node and the aggregator: JSON lines (or text) with the request id on each.

Shared by both programs' command lines. :func:`configure` sets one handler on the root logger;
every record gets the id of the request being served (``request_id``), taken from the context
variable that the request-id middlewares set, so a slow-query line or a node failure can be
matched with the access-log line of its request. Records carry their ``extra`` fields as JSON
keys (``method``, ``path``, ``status``, ``ms`` ...). Tokens and database URIs are never logged.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from beacon.config import LogFormat

#: The id of the request being served in this task (and the tasks it starts).
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record that does not carry one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = REQUEST_ID.get()
        return True


class _Json(JsonFormatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        when = dt.datetime.fromtimestamp(record.created, dt.UTC)
        return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _Text(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        rid = getattr(record, "request_id", "")
        return f"{text} [{rid}]" if rid else text


def formatter(kind: LogFormat) -> logging.Formatter:
    if kind == "json":
        return _Json(
            "{asctime}{levelname}{name}{message}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    return _Text("%(asctime)s %(levelname)s %(name)s %(message)s")


def configure(kind: LogFormat = "json", level: int = logging.INFO) -> None:
    """Log to stderr in ``kind`` format at ``level`` (replaces earlier handlers)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(kind))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
