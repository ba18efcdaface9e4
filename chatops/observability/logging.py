"""Structured logs: one JSON object per line, carrying the request id of the turn that logged it.

The request id lives in a context variable set by the HTTP middleware; tasks
spawned during a request copy the context, so a turn finishing in the
background still logs under its request's id. Every record passes the secret
redaction of ``chatops.security.masking`` before it is formatted.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from contextvars import ContextVar, Token
from datetime import datetime, timezone
from typing import IO, Any, Callable

from chatops.errors import ConfigError
from chatops.security.masking import RedactingFilter, SecretRegistry, install_log_redaction

REQUEST_ID: ContextVar[str | None] = ContextVar("chatops_request_id", default=None)
# What a client may send as X-Request-Id: anything else is replaced, so a header cannot forge log lines.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Attributes every LogRecord has; the rest came through ``extra=`` and go into the JSON object.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


def valid_request_id(value: str | None) -> bool:
    return value is not None and REQUEST_ID_PATTERN.fullmatch(value) is not None


def current_request_id() -> str | None:
    return REQUEST_ID.get()


def bind_request_id(value: str) -> Token[str | None]:
    return REQUEST_ID.set(value)


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request id (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get() or "-"
        return True


def _jsonable(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "message", "pid", "request_id", "exc"?, ...extras}`` on one line.

    ``pid`` tells apart the lines of ``serve --workers`` processes, which share one log.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        if request_id and request_id != "-":
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = _jsonable(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=repr)


def configure_logging(
    *, level: str = "INFO", fmt: str = "json", stream: IO[str] | None = None, registry: SecretRegistry | None = None
) -> Callable[[], None]:
    """Send every log record to ``stream`` (stderr) as JSON (or text), redacted; returns the undo function."""
    if fmt not in ("json", "text"):
        raise ConfigError(f"CHATOPS_LOG_FORMAT must be json or text, not {fmt!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    # Redaction is also installed as the record factory; the handler filter catches records
    # made before that (or by code that builds LogRecords itself).
    handler.addFilter(RedactingFilter(registry))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    previous = (root.level, list(root.handlers))
    root.handlers = [handler]
    root.setLevel(level.upper())
    uninstall = install_log_redaction(registry)

    def undo() -> None:
        uninstall()
        root.setLevel(previous[0])
        root.handlers = previous[1]

    return undo
