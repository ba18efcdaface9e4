"""@sys.date, @sys.time and @sys.date-time values as DialogFlow ES reports them.

Inside chatops (and to our handlers) a date is "2026-12-08", a time "15:30:00"
and a date-time "2026-12-08T15:30:00". ES sends every one of them as a full
ISO 8601 date-time with the agent's time zone offset: a date at noon
("2026-12-08T12:00:00+01:00"), a time on today's date. Query results and
webhook bodies of an agent with a time zone (agent.json ``defaultTimezone``)
carry that form, so an ES webhook reads what it always read.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

DATE_ENTITIES = frozenset({"sys.date", "sys.time", "sys.date-time"})
NOON = time(12, 0)


def agent_now(timezone: str) -> datetime | None:
    """The wall-clock time in the agent's zone, which ES reads "today" and "in 1 hour" in; None: the machine's."""
    return datetime.now(ZoneInfo(timezone)).replace(tzinfo=None) if timezone else None


def es_moments(values: Mapping[str, Any], names: Collection[str], *, timezone: str) -> dict[str, Any]:
    """``values`` with those under ``names`` (date, time or date-time parameters) in ES's form for ``timezone``."""
    if not timezone:
        return dict(values)
    zone = ZoneInfo(timezone)
    today = datetime.now(zone).date()
    return {k: es_moment(v, zone=zone, today=today) if k in names else v for k, v in values.items()}


def es_moment(value: Any, *, zone: ZoneInfo, today: date) -> Any:
    """One of our date, time or date-time values (or a list of them) as ES writes it; anything else as it is."""
    if isinstance(value, list):
        return [es_moment(v, zone=zone, today=today) for v in value]
    if not isinstance(value, str):
        return value
    moment = _parse(value, today)
    if moment is None:
        return value
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).isoformat()


def _parse(value: str, today: date) -> datetime | None:
    try:
        if "T" in value:
            return datetime.fromisoformat(value)
        if ":" in value:
            return datetime.combine(today, time.fromisoformat(value))
        return datetime.combine(date.fromisoformat(value), NOON)
    except ValueError:
        return None
