"""System entities (@sys.*) found in an utterance, with DialogFlow-shaped values."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Collection

from chatops.engine.nlu import EntityMatch
from chatops.engine.nlu.dates import find_moments
from chatops.engine.nlu.numbers import find_numbers
from chatops.engine.nlu.quantities import find_quantities

ANY = "sys.any"
# Every system entity needs a digit or one of these words; most utterances have neither.
TRIGGERS = re.compile(
    r"\d|\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty|forty|"
    r"fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|half|today|tonight|tomorrow|tmrw|"
    r"yesterday|noon|midday|midnight|mon|monday|tue|tues|tuesday|wed|wednesday|thu|thurs|thursday|fri|friday|"
    r"saturday|sunday|an?\s+(?:h|hours?|hrs?|min|mins|minutes?|s|secs?|seconds?|days?|weeks?|wks?|months?|mos?"
    r"|years?|yrs?|y|d))\b",
    re.IGNORECASE,
)
MOMENT_KINDS = frozenset({"sys.date", "sys.time", "sys.date-time"})
QUANTITY_KINDS = frozenset({"sys.duration", "sys.area"})
NUMBER_KINDS = frozenset({"sys.number", "sys.number-integer"})


def find_system(text: str, now: datetime | None = None, kinds: Collection[str] | None = None) -> list[EntityMatch]:
    """Every system entity except @sys.any (which only a tagger or a prompt answer can delimit).

    With ``kinds``, a parser whose entities none of them is does not run (the parsers are
    most of an extraction's cost); what the others find is returned whole, for the caller to filter.
    """
    if not TRIGGERS.search(text):
        return []
    now = now or datetime.now()
    matches: list[EntityMatch] = []
    # The numbers need the moments too: the 24 of "24 November" is no number.
    moments = find_moments(text, now) if _asked(kinds, MOMENT_KINDS | NUMBER_KINDS) else []
    for moment in moments:
        matches.append(EntityMatch(f"sys.{moment.kind}", moment.start, moment.end, text[moment.start : moment.end], moment.value))
        if moment.kind != "date-time":
            # A date or a time alone also answers a @sys.date-time parameter.
            value = f"{moment.value}T00:00:00" if moment.kind == "date" else f"{now.date().isoformat()}T{moment.value}"
            matches.append(EntityMatch("sys.date-time", moment.start, moment.end, text[moment.start : moment.end], value))
    for quantity in find_quantities(text) if _asked(kinds, QUANTITY_KINDS) else ():
        span = text[quantity.start : quantity.end]
        matches.append(EntityMatch(f"sys.{quantity.kind}", quantity.start, quantity.end, span, quantity.value))
    for number in find_numbers(text) if _asked(kinds, NUMBER_KINDS) else ():
        if any(m.start < number.end and number.start < m.end for m in moments):
            continue  # the 24 of "24 November" is part of a date, not a number
        span = text[number.start : number.end]
        matches.append(EntityMatch("sys.number", number.start, number.end, span, number.value))
        if isinstance(number.value, int):
            matches.append(EntityMatch("sys.number-integer", number.start, number.end, span, number.value))
    return sorted(matches, key=lambda m: (m.start, -m.end, m.entity))


def _asked(kinds: Collection[str] | None, group: frozenset[str]) -> bool:
    return kinds is None or not group.isdisjoint(kinds)
