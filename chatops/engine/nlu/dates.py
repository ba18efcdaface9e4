"""@sys.date, @sys.time and @sys.date-time, resolved against a reference day ``now``.

Values are ISO 8601: "2026-11-24", "15:30:00", "2026-11-24T15:30:00". Relative
words look forward, as a request to operate something usually does: a bare
"friday" or "24 November" is the next such day on or after ``now``, and
"next friday" is the first Friday after today. A time said relative to now
("in 1 hour", "20 minutes from now", or "1 hour" said alone, answering a prompt)
is read, as ES reads it, as the clock time that far from ``now``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

MONTHS = {
    name: i + 1
    for i, names in enumerate(
        ["january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul",
         "august aug", "september sept sep", "october oct", "november nov", "december dec"]
    )
    for name in names.split()
}
WEEKDAYS = {
    name: i
    for i, names in enumerate(["monday mon", "tuesday tue tues", "wednesday wed", "thursday thu thurs",
                               "friday fri", "saturday", "sunday"])
    for name in names.split()
}
RELATIVE = {"today": 0, "tonight": 0, "tomorrow": 1, "tmrw": 1, "yesterday": -1,
            "day after tomorrow": 2, "day before yesterday": -2}

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>\d{4}))?"
DATE_PATTERNS = [
    ("iso", r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)"),
    ("slash", r"(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})"),
    ("day_month", rf"{_DAY}(?:\s+of)?\s+(?P<month>{_MONTH})\.?{_YEAR}"),
    ("month_day", rf"(?P<month>{_MONTH})\.?\s+{_DAY}{_YEAR}"),
    ("relative", r"(?:the\s+)?(?P<rel>day\s+after\s+tomorrow|day\s+before\s+yesterday|today|tonight|tomorrow|tmrw|yesterday)"),
    ("weekday", rf"(?:(?P<which>next|this|last|coming)\s+)?(?P<weekday>{_WEEKDAY})"),
    ("offset", r"in\s+(?P<n>\d+|a|an|one|two|three|four|five|six|seven)\s+(?P<unit>days?|weeks?)"),
]
DATES = [(kind, re.compile(rf"\b{pattern}\b", re.IGNORECASE)) for kind, pattern in DATE_PATTERNS]
TIMES = [
    ("ampm", re.compile(r"\b(?P<h>1[0-2]|0?\d)(?::(?P<m>[0-5]\d))?(?::(?P<s>[0-5]\d))?\s*(?P<ap>[ap])\.?m\b\.?", re.IGNORECASE)),
    ("clock", re.compile(r"\b(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?\b")),
    ("named", re.compile(r"\b(?P<name>noon|midday|midnight)\b", re.IGNORECASE)),
]
# Tried before the clock patterns so that the "1" of "in 1 hour" is not read as one o'clock.
FROM_NOW = re.compile(
    r"\b(?P<lead>in\s+)?(?P<n>\d+|a|an|one|two|three|four|five|six|seven|half\s+an?)\s+(?P<unit>hours?|minutes?)\b"
    r"(?P<tail>\s+from\s+now\b)?",
    re.IGNORECASE,
)
SMALL = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
ISO_DATE_TIME = re.compile(r"\b(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?(?!\d)")
JOINER = re.compile(r"^\s*(?:,\s*)?(?:at|on|,)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Moment:
    kind: str  # "date", "time" or "date-time"
    start: int
    end: int
    value: str


def _date(kind: str, m: re.Match[str], today: date) -> date | None:
    if kind == "iso":
        return date(int(m["y"]), int(m["m"]), int(m["d"]))
    if kind == "slash":
        first, second = int(m["a"]), int(m["b"])
        day, month = (first, second) if first > 12 else (second, first)  # US order unless impossible
        return date(int(m["y"]), month, day)
    if kind in ("day_month", "month_day"):
        month, day = MONTHS[m["month"].lower()], int(m["day"])
        if m["year"]:
            return date(int(m["year"]), month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate >= today else date(today.year + 1, month, day)
    if kind == "relative":
        return today + timedelta(days=RELATIVE[re.sub(r"\s+", " ", m["rel"].lower())])
    if kind == "weekday":
        return _weekday(WEEKDAYS[m["weekday"].lower()], (m["which"] or "").lower(), today)
    amount = SMALL.get(m["n"].lower()) or int(m["n"])
    return today + timedelta(days=amount * (7 if m["unit"].lower().startswith("week") else 1))


def _weekday(weekday: int, which: str, today: date) -> date:
    ahead = (weekday - today.weekday()) % 7
    if which == "last":
        return today - timedelta(days=(today.weekday() - weekday) % 7 or 7)
    if which == "next" and ahead == 0:
        ahead = 7
    return today + timedelta(days=ahead)


def _time(kind: str, m: re.Match[str]) -> time:
    if kind == "named":
        return time(0) if m["name"].lower() == "midnight" else time(12)
    hour, minute, second = int(m["h"]), int(m["m"] or 0), int(m["s"] or 0)
    if kind == "ampm":
        hour = hour % 12 + (12 if m["ap"].lower() == "p" else 0)
    return time(hour, minute, second)


def _from_now(m: re.Match[str], now: datetime) -> time:
    said = m["n"].lower()
    amount = 0.5 if said.startswith("half") else SMALL.get(said) or int(said)
    minutes = amount * (60 if m["unit"].lower().startswith("h") else 1)
    return (now + timedelta(minutes=minutes)).time().replace(microsecond=0)


def _spans(text: str, now: datetime) -> tuple[list[tuple[int, int, date]], list[tuple[int, int, time]]]:
    today = now.date()
    dates: list[tuple[int, int, date]] = []
    for kind, pattern in DATES:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e, _ in dates):
                continue
            try:
                value = _date(kind, m, today)
            except ValueError:  # "31 February" is not a date
                continue
            if value is not None:
                dates.append((m.start(), m.end(), value))
    # Without "in" or "from now", "2 hours" is a duration unless it is all that was said (a prompt's answer).
    times = [(m.start(), m.end(), _from_now(m, now)) for m in FROM_NOW.finditer(text)
             if m["lead"] or m["tail"] or m[0] == text.strip()]
    for kind, pattern in TIMES:
        for m in pattern.finditer(text):
            if not any(s < m.end() and m.start() < e for s, e, _ in [*times, *dates]):
                times.append((m.start(), m.end(), _time(kind, m)))
    return dates, times


def _iso(m: re.Match[str]) -> Moment | None:
    try:
        value = datetime.fromisoformat(f"{m[1]}T{m[2]}")
    except ValueError:
        return None
    return Moment("date-time", m.start(), m.end(), value.isoformat())


def find_moments(text: str, now: datetime) -> list[Moment]:
    """Dates, times, and a date-time for every date and time written next to each other."""
    iso = [_iso(m) for m in ISO_DATE_TIME.finditer(text)]
    if iso:
        return [m for m in iso if m is not None]
    dates, times = _spans(text, now)
    moments = [Moment("date", s, e, v.isoformat()) for s, e, v in dates]
    moments += [Moment("time", s, e, v.isoformat()) for s, e, v in times]
    for ds, de, day in dates:
        for ts, te, clock in times:
            gap = text[de:ts] if de <= ts else text[te:ds]
            if JOINER.match(gap):
                moments.append(Moment("date-time", min(ds, ts), max(de, te), datetime.combine(day, clock).isoformat()))
    return sorted(moments, key=lambda m: (m.start, -m.end))
