"""@sys.duration and @sys.area: a number with a unit, as DialogFlow's ``{"amount", "unit"}``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chatops.engine.nlu.numbers import QUANTITY, quantity_value

DURATION_UNITS = {
    "s": r"s|secs?|seconds?", "min": r"mins?|minutes?", "h": r"h|hrs?|hours?", "day": r"d|days?",
    "wk": r"wks?|weeks?", "mo": r"mos?|months?", "yr": r"y|yrs?|years?",
}
AREA_UNITS = {
    "sq ft": r"sq\.?\s*ft\.?|sq\.?\s*feet|sqft|ft2|ft²|square\s+f(?:ee|oo)t",
    "sq m": r"sq\.?\s*m\b\.?|sqm|m2|m²|square\s+met(?:er|re)s?|sq\.?\s*met(?:er|re)s?",
    "sq km": r"sq\.?\s*km|km2|km²|square\s+kilomet(?:er|re)s?",
    "sq mi": r"sq\.?\s*mi(?:les?)?|square\s+miles?",
    "sq yd": r"sq\.?\s*y(?:ar)?ds?|square\s+yards?",
    "acre": r"acres?|ac\b",
    "ha": r"hectares?|ha\b",
}


@dataclass(frozen=True)
class Quantity:
    kind: str  # "duration" or "area"
    start: int
    end: int
    value: dict[str, Any]


def _compile(units: dict[str, str]) -> re.Pattern[str]:
    alternatives = "|".join(f"(?P<u{i}>{pattern})" for i, pattern in enumerate(units.values()))
    return re.compile(rf"(?<![\w.,])(?:{QUANTITY})\s*(?:{alternatives})(?!\w)", re.IGNORECASE)


PATTERNS = {"duration": (_compile(DURATION_UNITS), list(DURATION_UNITS)), "area": (_compile(AREA_UNITS), list(AREA_UNITS))}
HALF_HOUR = re.compile(r"\bhalf\s+an?\s+hour\b", re.IGNORECASE)
# A unit written against its number ("5d", "2h") only follows digits; after a spelled number the unit is
# a separate, spelled-out word, or "and" would read as "an" + "d" (a day), "as" as a second, "ah" as an hour.
SHORTEST_UNIT_AFTER_WORDS = 3


def _spelled_unit_ok(text: str, m: re.Match[str], unit: int) -> bool:
    if m.group("words") is None:
        return True
    gap = text[m.end("words"):m.start(f"u{unit}")]
    return bool(gap) and gap.isspace() and len(m.group(f"u{unit}")) >= SHORTEST_UNIT_AFTER_WORDS


def find_quantities(text: str) -> list[Quantity]:
    found = [Quantity("duration", m.start(), m.end(), {"amount": 30, "unit": "min"}) for m in HALF_HOUR.finditer(text)]
    for kind, (pattern, units) in PATTERNS.items():
        for m in pattern.finditer(text):
            amount = quantity_value(m)
            index = next(i for i in range(len(units)) if m.group(f"u{i}"))
            if amount is None or not _spelled_unit_ok(text, m, index):
                continue
            if not any(q.start < m.end() and m.start() < q.end for q in found):
                found.append(Quantity(kind, m.start(), m.end(), {"amount": amount, "unit": units[index]}))
    return sorted(found, key=lambda q: q.start)
