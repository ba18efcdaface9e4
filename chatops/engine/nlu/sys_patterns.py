"""@sys.email, @sys.url, @sys.phone-number and @sys.flight-number: things written in a fixed form.

ES gives each as the text written ("john@example.com", "https://example.com/a",
"(650) 253-0000"), a flight number without its space and in capitals ("LH4531").
"""

from __future__ import annotations

import re
from typing import Sequence

from chatops.engine.nlu import EntityMatch
from chatops.engine.nlu.text import Token

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
# A scheme or "www." makes anything a URL; a bare host needs a common top-level domain ("example.com").
URL = re.compile(
    r"(?<![\w@.-])(?:(?:https?|ftp)://[^\s<>\"']+|www\.[^\s<>\"']+"
    r"|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|org|net|io|dev|app|ai|co|edu|gov|info|biz|uk|de|fr|eu)(?:/[^\s<>\"']*)?)(?![\w@])",
    re.IGNORECASE,
)
TRAILING = ".,;:!?)]}'\""
# An optional country code, then digit groups split by spaces, dots, dashes or a bracketed area code.
PHONE = re.compile(r"(?<![\w+-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,4}){1,4}(?![\w-])")
PHONE_DIGITS = (7, 15)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A two-character airline code, then 2-4 digits ("LH4531", "BA 287"), or any such code after "flight" ("flight ua9").
FLIGHT = re.compile(r"(?<![\w-])(?P<code>[A-Z][A-Z0-9]|[0-9][A-Z])\s?(?P<n>\d{2,4})(?![\w-])")
AFTER_FLIGHT = re.compile(r"\bflight\s+(?:is\s+|number\s+|no\.?\s+|#\s*)?(?P<code>[A-Za-z][A-Za-z0-9]|[0-9][A-Za-z])\s?(?P<n>\d{1,4})(?![\w-])", re.IGNORECASE)


def find_emails(text: str, tokens: Sequence[Token], lenient: bool) -> list[EntityMatch]:
    return [EntityMatch("sys.email", m.start(), m.end(), m.group(), m.group()) for m in EMAIL.finditer(text)]


def find_urls(text: str, tokens: Sequence[Token], lenient: bool) -> list[EntityMatch]:
    found = []
    for m in URL.finditer(text):
        url = m.group().rstrip(TRAILING)
        found.append(EntityMatch("sys.url", m.start(), m.start() + len(url), url, url))
    return found


def find_phone_numbers(text: str, tokens: Sequence[Token], lenient: bool) -> list[EntityMatch]:
    found = []
    for m in PHONE.finditer(text):
        digits = sum(c.isdigit() for c in m.group())
        if PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1] and not ISO_DATE.fullmatch(m.group()):
            found.append(EntityMatch("sys.phone-number", m.start(), m.end(), m.group(), m.group()))
    return found


def find_flight_numbers(text: str, tokens: Sequence[Token], lenient: bool) -> list[EntityMatch]:
    found: dict[int, EntityMatch] = {}
    for pattern in (AFTER_FLIGHT, FLIGHT):
        for m in pattern.finditer(text):
            start = m.start("code")
            if not any(start < other.end and other.start < m.end() for other in found.values()):
                found[start] = EntityMatch("sys.flight-number", start, m.end(), text[start : m.end()], (m.group("code") + m.group("n")).upper())
    return sorted(found.values(), key=lambda match: match.start)
