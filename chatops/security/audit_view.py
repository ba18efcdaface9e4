"""Reading the audit log: ``chatops audit [--since --principal --action]`` and the admin REST endpoint.

Both take the same filters and show records through ``mask_parameters`` once
more, so even a record written before a secret was registered shows it masked.
"""

from __future__ import annotations

import argparse
import dataclasses
import hmac
import json
import re
import time
from datetime import datetime, timezone
from typing import Any, Callable, Sequence

from aiohttp import web

from chatops.errors import InputError
from chatops.security.masking import mask_parameters, redact
from chatops.store.base import AuditRecord, Store

MAX_LIMIT = 1000
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
AGO = re.compile(r"(\d+)\s*([smhdw])")


@dataclasses.dataclass(frozen=True)
class AuditFilter:
    since: float | None = None
    principal: str | None = None
    action: str | None = None
    limit: int = 100


def parse_since(text: str, *, now: float | None = None) -> float:
    """``30m``, ``2h``, ``7d`` ago, or an ISO-8601 date/time (UTC unless it says otherwise), as epoch seconds."""
    text = text.strip()
    ago = AGO.fullmatch(text.lower())
    if ago:
        return (time.time() if now is None else now) - int(ago.group(1)) * UNITS[ago.group(2)]
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"since: {text!r} is neither an age (30m, 2h, 7d) nor a date (2025-01-31T12:00)") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()


def parse_limit(text: str | int) -> int:
    try:
        limit = int(text)
    except ValueError:
        raise InputError(f"limit: {text!r} is not a number") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"limit: must be between 1 and {MAX_LIMIT}")
    return limit


async def read_audit(store: Store, where: AuditFilter) -> list[AuditRecord]:
    """Matching records, newest first, masked again for display."""
    records = await store.query_audit(since=where.since, principal=where.principal, action=where.action, limit=where.limit)
    return [
        dataclasses.replace(r, parameters=mask_parameters(r.parameters), outcome=redact(r.outcome)) for r in records
    ]


def record_json(record: AuditRecord) -> dict[str, Any]:
    doc = dataclasses.asdict(record)
    doc["time_iso"] = _iso(record.time)
    return doc


def format_records(records: Sequence[AuditRecord]) -> str:
    """One line per record, for a terminal."""
    if not records:
        return "No audit records match."
    lines = []
    for r in records:
        params = ", ".join(f"{k}={v}" for k, v in sorted(r.parameters.items()))
        lines.append(
            f"{_iso(r.time)}  {r.principal}  {r.action}({params})  {r.decision}  "
            f"{r.duration_ms:.0f}ms  {r.outcome}"
        )
    return "\n".join(lines)


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


# command line


def add_audit_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``chatops audit`` options."""
    parser.add_argument("--since", help="age (30m, 2h, 7d) or ISO date/time; default: everything")
    parser.add_argument("--principal", help="who, as recorded: a Slack user id, a CLI or web user name")
    parser.add_argument("--action", help="action name (secrets.put)")
    parser.add_argument("--limit", default="100", help=f"most records to show (1-{MAX_LIMIT}, default 100)")
    parser.add_argument("--json", action="store_true", help="one JSON document per line")


def audit_filter(*, since: str | None, principal: str | None, action: str | None, limit: str | int) -> AuditFilter:
    """The filter from typed options (command line or query string); ``InputError`` explains a bad one."""
    return AuditFilter(
        since=parse_since(since) if since else None,
        principal=principal or None,
        action=action or None,
        limit=parse_limit(limit),
    )


async def audit_command(args: argparse.Namespace, store: Store) -> str:
    """What ``chatops audit`` prints for the parsed ``args``."""
    where = audit_filter(since=args.since, principal=args.principal, action=args.action, limit=args.limit)
    records = await read_audit(store, where)
    if args.json:
        return "\n".join(json.dumps(record_json(r)) for r in records)
    return format_records(records)


# REST endpoint


class AuditEndpoint:
    """``GET`` the audit log as JSON (mount ``.handle``); only for bearer tokens in ``security.admin_tokens``.

    Query parameters: ``since``, ``principal``, ``action``, ``limit``. With no admin
    token configured the endpoint refuses everyone.
    """

    def __init__(self, store_of: Callable[[web.Request], Store], admin_tokens: Sequence[str]) -> None:
        self._store_of = store_of
        self._tokens = [t.encode() for t in admin_tokens if t]

    def _is_admin(self, request: web.Request) -> bool:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        offered = token.strip().encode()
        # Compare against every token in constant time, so timing tells nothing about which one is close.
        matches = [hmac.compare_digest(offered, known) for known in self._tokens]
        return scheme.lower() == "bearer" and bool(offered) and any(matches)

    async def handle(self, request: web.Request) -> web.Response:
        if not self._is_admin(request):
            return web.json_response(
                {"error": "unauthorized", "message": "An admin bearer token is required."},
                status=401,
                headers={"WWW-Authenticate": 'Bearer realm="chatops-audit"'},
            )
        query = request.query
        try:
            where = audit_filter(
                since=query.get("since"), principal=query.get("principal"), action=query.get("action"),
                limit=query.get("limit", "100"),
            )
        except InputError as exc:
            return web.json_response({"error": "bad_request", "message": exc.user_message}, status=400)
        records = await read_audit(self._store_of(request), where)
        return web.json_response({"records": [record_json(r) for r in records]})
