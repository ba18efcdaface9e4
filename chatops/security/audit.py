"""Building audit records that are safe to keep: parameters masked, texts redacted.

The dispatcher writes one record per dispatched action; building it here keeps
the masking rules in one place, next to the policy whose decisions it records.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Mapping

from chatops.models import Principal
from chatops.security.masking import SecretRegistry, mask_parameters, redact
from chatops.store.base import AuditRecord

# What the dispatcher decided about a call.
ALLOWED, DENIED, CONFIRMED, CANCELLED, EXPIRED = "allowed", "denied", "confirmed", "cancelled", "expired"
DECISIONS = (ALLOWED, DENIED, CONFIRMED, CANCELLED, EXPIRED)


def principal_key(principal: Principal) -> str:
    """How a principal is written in audit records: ``<channel>:<id>``, as in policy bindings."""
    return f"{principal.channel}:{principal.id}"


def audit_record(
    *,
    principal: Principal,
    action: str,
    parameters: Mapping[str, Any],
    decision: str,
    outcome: str,
    duration_ms: float = 0.0,
    session: str = "",
    request_id: str = "",
    registry: SecretRegistry | None = None,
    clock: Callable[[], float] = time.time,
) -> AuditRecord:
    """An audit record with secret-named parameters masked and registered secrets redacted."""
    if decision not in DECISIONS:
        raise ValueError(f"unknown audit decision {decision!r}; one of {', '.join(DECISIONS)}")
    return AuditRecord(
        time=clock(),
        principal=principal_key(principal),
        channel=principal.channel,
        action=action,
        parameters=mask_parameters(parameters, registry),
        decision=decision,
        outcome=redact(outcome, registry),
        duration_ms=round(duration_ms, 3),
        session=session,
        request_id=request_id,
    )
