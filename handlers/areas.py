"""Areas as people say them: ``{"amount": 5000, "unit": "sq ft"}`` from the area entity, or a bare number of square feet.

The units are those of the engine's @sys.area (DialogFlow's unit names) plus their spelled-out forms.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from chatops.errors import InputError

SQ_FT_PER = {
    "sq ft": 1.0,
    "sq yd": 9.0,
    "sq m": 10.763910416709722,
    "acre": 43_560.0,
    "ha": 107_639.10416709722,
    "sq km": 10_763_910.416709722,
    "sq mi": 27_878_400.0,
}
_UNIT_NAMES = {
    "sq ft": ("sq ft", "sqft", "square feet", "square foot", "sq feet", "ft2", "ft²", "sf"),
    "sq m": ("sq m", "sqm", "square metre", "square metres", "square meter", "square meters", "m2", "m²"),
    "acre": ("acre", "acres", "ac"),
    "ha": ("ha", "hectare", "hectares"),
    "sq yd": ("sq yd", "sq yds", "square yard", "square yards", "yd2", "yd²"),
    "sq km": ("sq km", "square kilometre", "square kilometres", "square kilometer", "square kilometers", "km2", "km²"),
    "sq mi": ("sq mi", "square mile", "square miles", "mi2", "mi²"),
}
_UNITS = {name: unit for unit, names in _UNIT_NAMES.items() for name in names}
_SHOWN = {"sq ft": "sq ft", "sq yd": "sq yd", "sq m": "m²", "acre": "acres", "ha": "hectares", "sq km": "km²", "sq mi": "sq mi"}
# Larger than any plot of land anyone prices as a house lot (about 36 square miles).
ABSURD_SQ_FT = 1e9


@dataclass(frozen=True)
class Area:
    amount: float
    unit: str

    @property
    def square_feet(self) -> float:
        return self.amount * SQ_FT_PER[self.unit]

    def describe(self) -> str:
        """How to say it back: "5,000 sq ft", or "500 m² (5,382 sq ft)"."""
        said = f"{number(self.amount)} {_SHOWN[self.unit]}"
        return said if self.unit == "sq ft" else f"{said} ({number(self.square_feet)} sq ft)"


def parse_area(value: Any) -> Area:
    """The area a parameter holds; a chat-readable ``InputError`` when it is not a usable lot size."""
    if isinstance(value, dict):
        amount, unit = value.get("amount"), _unit(value.get("unit") or "sq ft")
    else:
        amount, unit = value, "sq ft"
    area = Area(_amount(amount), unit)
    if area.amount <= 0:
        raise InputError(f"A lot of {number(area.amount)} {_SHOWN[unit]}? The area must be more than zero.")
    if area.square_feet > ABSURD_SQ_FT:
        raise InputError(f"{area.describe()} is far larger than any house lot; I can't price that.")
    return area


def _amount(value: Any) -> float:
    if isinstance(value, bool):
        raise InputError("How big is the lot? Say something like '5000 sq ft' or 'half an acre'.")
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("_", "")
        if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?", text, re.IGNORECASE):
            raise InputError(f"I need the lot size as a number, not {value!r}. Try '5000 sq ft'.")
        value = float(text)
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError("How big is the lot? Say something like '5000 sq ft' or 'half an acre'.")
    return float(value)


def _unit(name: Any) -> str:
    key = re.sub(r"\s+", " ", str(name).lower().replace(".", " ")).strip()
    if key not in _UNITS:
        raise InputError(f"I don't know the unit {name!r}; I can work in square feet, square metres, acres and hectares.")
    return _UNITS[key]


def number(value: float) -> str:
    """A count or measure for chat: thousands separated, at most two decimals, none when whole."""
    if abs(value - round(value)) < 1e-9 or abs(value) >= 1000:
        return f"{round(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")
