"""Keeping secret values out of logs, audit records and anything stored.

Two nets catch a secret. By name: a parameter called ``value``, ``password``,
``token``... is masked wherever parameters are recorded. By value: a handler
that sees a secret (a decrypted SecureString, a new value being written)
registers it, and from then on every text passed through ``redact`` and every
log record has it replaced by ``MASK``, whatever it is called.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import quote, quote_plus

MASK = "********"
SECRET_NAME = re.compile(
    r"value|secret|passw|pwd|passphrase|token|credential|api[_-]?key|access[_-]?key|private[_-]?key", re.IGNORECASE
)
# Shorter values would blank out ordinary words and digits across every log line.
MIN_SECRET_LENGTH = 4


def is_secret_name(name: str) -> bool:
    """Whether a parameter with this name holds a secret by convention."""
    return bool(SECRET_NAME.search(name))


def _variants(value: str) -> set[str]:
    """The ways a value shows up in logs: raw, JSON-escaped, URL-encoded, as a bytes repr."""
    forms = {
        value,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        quote_plus(value),
        quote(value, safe=""),
        repr(value)[1:-1],
        repr(value.encode())[2:-1],
    }
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


class SecretRegistry:
    """Secret values seen recently, for redaction; safe to use from threads.

    Entries expire after ``ttl_seconds`` and the oldest go first past
    ``max_entries``, so the registry does not hold every secret forever.
    """

    def __init__(
        self, *, ttl_seconds: float = 6 * 3600, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._expiry: dict[str, float] = {}
        self._pattern: re.Pattern[str] | None = None
        self._next_expiry = float("inf")

    def register(self, value: str) -> None:
        """Treat ``value`` (and its escaped forms) as secret from now on."""
        if not isinstance(value, str) or len(value.strip()) < MIN_SECRET_LENGTH:
            return
        with self._lock:
            until = self._clock() + self._ttl
            for form in _variants(value) | _variants(value.strip()):
                self._expiry.pop(form, None)
                self._expiry[form] = until
            while len(self._expiry) > self._max:
                del self._expiry[next(iter(self._expiry))]
            self._rebuild()

    def _rebuild(self) -> None:
        # Longest first, so a value is masked whole rather than around a shorter one inside it.
        forms = sorted(self._expiry, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, forms))) if forms else None
        self._next_expiry = min(self._expiry.values(), default=float("inf"))

    def _current(self) -> re.Pattern[str] | None:
        if self._clock() >= self._next_expiry:
            with self._lock:
                now = self._clock()
                self._expiry = {form: until for form, until in self._expiry.items() if until > now}
                self._rebuild()
        return self._pattern

    def active(self) -> bool:
        """Whether any secret is registered (the common case, none, costs nothing)."""
        return self._current() is not None

    def redact(self, text: str) -> str:
        """``text`` with every registered secret replaced by ``MASK``."""
        pattern = self._current()
        return pattern.sub(MASK, text) if pattern is not None and text else text

    def reveals(self, text: str) -> bool:
        """Whether ``text`` contains a registered secret."""
        pattern = self._current()
        return bool(pattern is not None and text and pattern.search(text))

    def clear(self) -> None:
        with self._lock:
            self._expiry.clear()
            self._rebuild()


# The process-wide registry; tests that need isolation pass their own.
default_registry = SecretRegistry()


def _pick(registry: SecretRegistry | None) -> SecretRegistry:
    return default_registry if registry is None else registry


def register_secret(value: str, registry: SecretRegistry | None = None) -> None:
    """Mark ``value`` as a secret for redaction in logs and records."""
    _pick(registry).register(value)


def redact(text: str, registry: SecretRegistry | None = None) -> str:
    """``text`` with registered secrets masked."""
    return _pick(registry).redact(text)


def register_secret_parameters(parameters: Mapping[str, Any], registry: SecretRegistry | None = None) -> None:
    """Register the text values of secret-named parameters (a new password typed in chat)."""
    for name, value in parameters.items():
        if is_secret_name(str(name)):
            for text in _texts(value):
                register_secret(text, registry)
        elif isinstance(value, Mapping):
            register_secret_parameters(value, registry)


def _texts(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _texts(item)


def mask_parameters(parameters: Mapping[str, Any], registry: SecretRegistry | None = None) -> dict[str, Any]:
    """A copy safe to record: secret-named values masked, registered secrets redacted everywhere else."""
    return {str(name): _mask(str(name), value, registry) for name, value in parameters.items()}


def without_secrets(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """A copy without the secret-named values, for parameters echoed back to a caller (context parameters)."""
    return {name: value for name, value in parameters.items() if not is_secret_name(str(name))}


def _mask(name: str, value: Any, registry: SecretRegistry | None) -> Any:
    if is_secret_name(name) and value not in (None, "", [], {}):
        return MASK
    if isinstance(value, str):
        return redact(value, registry)
    if isinstance(value, Mapping):
        return mask_parameters(value, registry)
    if isinstance(value, (list, tuple)):
        return [_mask("", item, registry) for item in value]
    return value


# Attributes every LogRecord has; anything else came in through ``extra=`` and is redacted too.
_RECORD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
# Loggers that dump whole request and response bodies at DEBUG: a decrypted parameter is in
# the body before any handler could register it, so their DEBUG output is dropped outright.
WIRE_LOGGERS = ("botocore.endpoint", "botocore.parsers", "botocore.auth")


def redact_record(record: logging.LogRecord, registry: SecretRegistry | None = None) -> logging.LogRecord:
    """Rewrite ``record`` in place so no registered secret survives in its message, traceback or extras."""
    registry = _pick(registry)
    if not registry.active():
        return record
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # arguments that do not fit the format: keep the raw parts
        message = f"{record.msg} {record.args}"
    if registry.reveals(message):
        record.msg, record.args = registry.redact(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = registry.redact(record.exc_text)
    if record.stack_info:
        record.stack_info = registry.redact(record.stack_info)
    for key, value in list(vars(record).items()):
        if key not in _RECORD_ATTRS and isinstance(value, str):
            setattr(record, key, registry.redact(value))
    return record


class RedactingFilter(logging.Filter):
    """A filter for log handlers: redacts registered secrets, never drops a record."""

    def __init__(self, registry: SecretRegistry | None = None) -> None:
        super().__init__()
        self.registry = registry

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record, self.registry)
        return True


class WireBodyFilter(logging.Filter):
    """Drops the DEBUG records of ``WIRE_LOGGERS`` (HTTP bodies), keeps their warnings and errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.INFO


def install_log_redaction(registry: SecretRegistry | None = None) -> Callable[[], None]:
    """Redact every log record at creation and silence wire dumps; returns the undo function.

    A record factory reaches every handler, including ones added later (a test's
    capture, a library's), which a filter on today's handlers would miss.
    """
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(previous(*args, **kwargs), registry)

    wire = WireBodyFilter()
    logging.setLogRecordFactory(factory)
    for name in WIRE_LOGGERS:
        logging.getLogger(name).addFilter(wire)

    def uninstall() -> None:
        if logging.getLogRecordFactory() is factory:
            logging.setLogRecordFactory(previous)
        for name in WIRE_LOGGERS:
            logging.getLogger(name).removeFilter(wire)

    return uninstall
