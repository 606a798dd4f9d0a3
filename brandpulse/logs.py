"""Logging: one JSON object per line for machines, readable lines on a terminal, the level from settings.

A record's `extra=` fields and the fields bound with `fields(...)` for the current task (a batch id, a
source) become keys of the JSON object, so `jq 'select(.batch_id == "...")'` follows one batch.
"""

import json
import logging
import logging.config
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.logging import RichHandler

_bound: ContextVar[dict[str, Any] | None] = ContextVar("brandpulse_log_fields", default=None)
# Attributes every LogRecord has (and uvicorn's ANSI copy of its message): the rest came from `extra=`.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName", "color_message"}
QUIET = {"httpx": "WARNING", "elastic_transport": "WARNING"}  # a line per request is noise


@contextmanager
def fields(**values: Any) -> Iterator[None]:
    """Add `values` to every record logged inside the block (by this task and threads started from it)."""
    token = _bound.set({**(_bound.get() or {}), **values})
    try:
        yield
    finally:
        _bound.reset(token)


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The bound fields and the record's own `extra=` fields."""
    own = {key: value for key, value in vars(record).items() if key not in _STANDARD}
    return {**(_bound.get() or {}), **own}


class JsonFormatter(logging.Formatter):
    """`{"ts", "level", "logger", "message", ...extra fields, "exception"?}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        event = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **extra_fields(record),
        }
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        return json.dumps(event, ensure_ascii=False, default=str)


class ReadableFormatter(logging.Formatter):
    """The message followed by its extra fields as `key=value`."""

    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(f"{key}={value}" for key, value in extra_fields(record).items())
        message = record.getMessage()
        return f"{message}  {extras}" if extras else message


def terminal_handler() -> logging.Handler:
    """Rich's handler on stderr."""
    return RichHandler(console=Console(stderr=True), show_path=False)


def config(level: str, *, terminal: bool | None = None) -> dict[str, Any]:
    """A `logging.config.dictConfig` dict (uvicorn applies it in each API worker process too)."""
    terminal = sys.stderr.isatty() if terminal is None else terminal
    handler = (
        {"()": f"{__name__}.terminal_handler", "formatter": "readable"}
        if terminal
        else {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "json"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": f"{__name__}.JsonFormatter"},
            "readable": {"()": f"{__name__}.ReadableFormatter"},
        },
        "handlers": {"default": handler},
        "root": {"level": level, "handlers": ["default"]},
        "loggers": {name: {"level": quiet} for name, quiet in QUIET.items()},
    }


def configure(level: str) -> None:
    """Log at `level`: JSON lines, or readable lines when stderr is a terminal."""
    logging.config.dictConfig(config(level))
