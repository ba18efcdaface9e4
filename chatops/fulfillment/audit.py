"""Audit records: every dispatched action leaves one, with secret parameters masked.

The log is fail-closed: ``record`` raises ``AuditUnavailable`` when a record
cannot be written, and the dispatcher writes the record of an attempt before
the handler acts, so nothing runs that the log does not show.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Mapping

from chatops.errors import AuditUnavailable
from chatops.models import Principal
from chatops.security.masking import mask_parameters, redact
from chatops.store.base import AuditRecord, Store

log = logging.getLogger(__name__)

NOT_RECORDED = "Nothing was done: the audit log cannot be written right now. Please try again shortly."


class AuditLog:
    """Writes audit records; a record that cannot be written raises ``AuditUnavailable``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def record(
        self,
        *,
        principal: Principal,
        action: str,
        parameters: Mapping[str, Any],
        decision: str,
        outcome: str,
        session: str,
        started: float | None = None,
        request_id: str = "",
    ) -> None:
        now = time.time()
        record = AuditRecord(
            time=now,
            principal=_clean(principal.identity),
            channel=_clean(principal.channel),
            action=_clean(action),
            parameters=_clean(_shorten(mask_parameters(parameters))),
            decision=decision,
            outcome=_clean(redact(outcome)),
            duration_ms=round((now - started) * 1000, 3) if started else 0.0,
            session=_clean(session),
            request_id=_clean(request_id or ""),
        )
        try:
            await self.store.append_audit(record)
        except Exception as exc:  # whatever the store says, the action must not go unrecorded
            log.error("audit record for %s could not be written: %s", record.action, getattr(exc, "detail", repr(exc)))
            raise AuditUnavailable(NOT_RECORDED, detail=repr(exc)) from exc


def _clean(value: Any) -> Any:
    """Text every store can write: a lone surrogate that slipped past a channel is kept as its escape."""
    if isinstance(value, str):
        return value if value.isascii() else value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


# An uploaded CSV is a parameter too: the audit keeps what was done, not the whole upload.
LONGEST_VALUE = 200


def _shorten(parameters: dict[str, Any]) -> dict[str, Any]:
    return {
        name: f"{value[:LONGEST_VALUE]}... ({len(value)} characters)" if isinstance(value, str) and len(value) > LONGEST_VALUE else value
        for name, value in parameters.items()
    }
