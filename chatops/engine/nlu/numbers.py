"""@sys.number: digits ("5,000", "2.5", "5k") and words ("five thousand", "twenty-one")."""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
SUFFIXES = {"k": 1_000, "m": 1_000_000, "mm": 1_000_000, "bn": 1_000_000_000}

_WORD = "|".join(sorted([*UNITS, *TENS, *SCALES], key=len, reverse=True))
_SPELLED = rf"(?:{_WORD}|a(?=[\s-]+(?:hundred|thousand|million|billion)\b))"
# "and" joins only after a scale ("a hundred and five"); "five and six" is two numbers, not eleven.
_AND = r"(?:(?<=hundred)|(?<=thousand)|(?<=million)|(?<=billion))\s+and\s+"
SPELLED = re.compile(rf"\b{_SPELLED}(?:(?:[\s-]+|{_AND}){_SPELLED})*\b", re.IGNORECASE)
# No number inside a dotted run: 8.8.8.8 is an address and 1.2.3 a version.
NUMERAL = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
DIGITS = re.compile(
    rf"(?<![\w.,])(?P<sign>-)?(?P<num>{NUMERAL})"
    r"(?:(?P<suffix>k|bn|mm|m)\b|\s*(?P<scale>hundred|thousand|million|billion)\b)?(?![\w,]*\d)(?!\w|\.\d)",
    re.IGNORECASE,
)
# A quantity's number ("5,000 sq ft", "five minutes", "2.5k"), for the unit parsers to build on.
QUANTITY = rf"(?P<num>{NUMERAL})(?:\s*(?P<suffix>k)\b)?|(?P<words>{SPELLED.pattern[2:-2]}|an?)"


@dataclass(frozen=True)
class Number:
    start: int
    end: int
    value: int | float


def tidy(value: float) -> int | float:
    """Whole numbers as int, so "5,000" is 5000 and not 5000.0."""
    return int(value) if float(value).is_integer() else round(value, 10)


def spelled_value(text: str) -> int | None:
    total, current = 0, 0
    for word in re.split(r"[\s-]+", text.lower()):
        if word == "and":
            continue
        if word in UNITS:
            current += UNITS[word]
        elif word in TENS:
            current += TENS[word]
        elif word == "a":
            current += 1
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in SCALES:
            total += max(current, 1) * SCALES[word]
            current = 0
        else:
            return None
    return total + current


def quantity_value(match: re.Match[str]) -> int | float | None:
    """The number of a match of ``QUANTITY`` (inside a larger pattern)."""
    if match.group("num"):
        value = float(match.group("num").replace(",", ""))
        return tidy(value * 1000 if match.group("suffix") else value)
    words = match.group("words").lower()
    return 1 if words in ("a", "an") else spelled_value(words)


def find_numbers(text: str) -> list[Number]:
    found = []
    for m in DIGITS.finditer(text):
        value = float(m.group("num").replace(",", ""))
        scale = m.group("suffix") or m.group("scale")
        if scale:
            value *= SUFFIXES.get(scale.lower()) or SCALES[scale.lower()]
        found.append(Number(m.start(), m.end(), tidy(-value if m.group("sign") else value)))
    for m in SPELLED.finditer(text):
        value = spelled_value(m.group())
        if value is not None and not any(n.start < m.end() and m.start() < n.end for n in found):
            found.append(Number(m.start(), m.end(), value))
    return sorted(found, key=lambda n: n.start)
