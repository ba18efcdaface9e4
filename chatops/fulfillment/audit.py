"""Audit records: every dispatched action leaves one, with secret parameters masked."""

from __future__ import annotations

import logging
import time
from typing import Any, Mapping

from chatops.errors import ChatOpsError
from chatops.models import Principal
from chatops.security.masking import mask_parameters, redact
from chatops.store.base import AuditRecord, Store

log = logging.getLogger(__name__)

class AuditLog:
    """Writes audit records; a store failure is logged, never turned into a user-facing failure."""

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
            principal=f"{principal.channel}:{principal.id}",
            channel=principal.channel,
            action=action,
            parameters=_shorten(mask_parameters(parameters)),
            decision=decision,
            outcome=redact(outcome),
            duration_ms=round((now - started) * 1000, 3) if started else 0.0,
            session=session,
            request_id=request_id,
        )
        try:
            await self.store.append_audit(record)
        except ChatOpsError as exc:
            log.error("audit record for %s could not be written: %s", action, exc.detail)


# An uploaded CSV is a parameter too: the audit keeps what was done, not the whole upload.
LONGEST_VALUE = 200


def _shorten(parameters: dict[str, Any]) -> dict[str, Any]:
    return {
        name: f"{value[:LONGEST_VALUE]}... ({len(value)} characters)" if isinstance(value, str) and len(value) > LONGEST_VALUE else value
        for name, value in parameters.items()
    }
