"""System entities resolve to DialogFlow's value shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from chatops.engine.nlu.system import find_system

NOW = datetime(2026, 11, 24, 9, 30)  # a Tuesday


def values(text: str, entity: str) -> list[Any]:
    return [m.value for m in find_system(text, NOW) if m.entity == entity]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5,000", 5000), ("five thousand", 5000), ("2.5", 2.5), ("5k", 5000), ("twenty-one", 21),
     ("a hundred and five", 105), ("2.5 million", 2_500_000), ("-4", -4)],
)
def test_numbers(text: str, expected: float) -> None:
    assert values(f"give me {text} please", "sys.number") == [expected]


def test_integer_numbers_exclude_fractions() -> None:
    assert values("scale to 3 replicas", "sys.number-integer") == [3]
    assert values("scale to 2.5 replicas", "sys.number-integer") == []


def test_number_inside_a_word_or_date_is_not_a_number() -> None:
    assert values("restart pod-7x", "sys.number") == []
    assert values("on 24 November", "sys.number") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-11-24", "2026-11-24"), ("today", "2026-11-24"), ("tomorrow", "2026-11-25"),
     ("next friday", "2026-11-27"), ("next tuesday", "2026-12-01"), ("last friday", "2026-11-20"),
     ("24 November", "2026-11-24"), ("the 3rd of march", "2027-03-03"), ("November 24th, 2027", "2027-11-24"),
     ("in 2 weeks", "2026-12-08"), ("the day after tomorrow", "2026-11-26")],
)
def test_dates(text: str, expected: str) -> None:
    assert values(f"restore it {text}", "sys.date") == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3pm", "15:00:00"), ("15:30", "15:30:00"), ("3:30 pm", "15:30:00"), ("noon", "12:00:00"), ("11 a.m.", "11:00:00")],
)
def test_times(text: str, expected: str) -> None:
    assert values(f"at {text}", "sys.time") == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("ready in 1 hour", "10:30:00"), ("1 hour", "10:30:00"), ("ready in 20 minutes", "09:50:00"),
     ("in half an hour", "10:00:00"), ("two hours from now", "11:30:00"), ("in an hour", "10:30:00")],
)
def test_times_relative_to_now(text: str, expected: str) -> None:
    # ES reads "in 1 hour" as the clock time an hour from now; the 1 is not one o'clock.
    assert values(text, "sys.time") == [expected]


def test_a_bare_span_of_hours_inside_a_sentence_stays_a_duration() -> None:
    assert values("keep it for 2 hours", "sys.time") == []


def test_date_times_join_a_date_and_a_time() -> None:
    assert values("tomorrow at 3pm", "sys.date-time")[0] == "2026-11-25T15:00:00"
    assert values("at 10:15 on 2026-12-01", "sys.date-time")[0] == "2026-12-01T10:15:00"
    assert values("2026-11-24T10:00", "sys.date-time") == ["2026-11-24T10:00:00"]


def test_invalid_dates_are_ignored() -> None:
    assert values("on 31 February", "sys.date") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5 min", {"amount": 5, "unit": "min"}), ("five minutes", {"amount": 5, "unit": "min"}),
     ("an hour", {"amount": 1, "unit": "h"}), ("2.5 hours", {"amount": 2.5, "unit": "h"}),
     ("3 days", {"amount": 3, "unit": "day"}), ("half an hour", {"amount": 30, "unit": "min"})],
)
def test_durations(text: str, expected: dict[str, Any]) -> None:
    assert values(f"wait {text}", "sys.duration") == [expected]


@pytest.mark.parametrize(
    "text",
    ["list pods and services in 3 namespaces", "as soon as you can, scale to 2", "ah, restart 4 pods",
     "an d 5", "a h"],
)
def test_words_that_look_like_a_unit_are_not_durations(text: str) -> None:
    assert values(text, "sys.duration") == []


def test_bare_units_still_follow_digits() -> None:
    assert values("keep it for 5d or 2h", "sys.duration") == [{"amount": 5, "unit": "day"}, {"amount": 2, "unit": "h"}]
    assert values("wait a day", "sys.duration") == [{"amount": 1, "unit": "day"}]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5,000 sq ft", {"amount": 5000, "unit": "sq ft"}), ("5000 square feet", {"amount": 5000, "unit": "sq ft"}),
     ("400 m2", {"amount": 400, "unit": "sq m"}), ("400 square metres", {"amount": 400, "unit": "sq m"}),
     ("2 acres", {"amount": 2, "unit": "acre"}), ("1200sqft", {"amount": 1200, "unit": "sq ft"})],
)
def test_areas(text: str, expected: dict[str, Any]) -> None:
    assert values(f"a house of {text}", "sys.area") == [expected]


MIXED = [
    "book 24 November at 5pm for 2 hours", "a 5000 sq ft lot for 3 days", "scale to 3 replicas tomorrow",
    "in 2 weeks, 1.5 acres and twenty-one servers", "meet on 11/30 at noon", "wait half an hour then 10 minutes",
]
KINDS = [
    {"sys.area"}, {"sys.number"}, {"sys.number-integer", "sys.duration"}, {"sys.date"}, {"sys.time", "sys.area"},
    {"sys.date-time"}, {"sys.duration"}, {"sys.geo-city"}, set(),
]


@pytest.mark.parametrize("kinds", KINDS, ids=lambda k: "+".join(sorted(k)) or "none")
def test_asking_for_some_kinds_finds_what_asking_for_all_finds_of_them(kinds: set[str]) -> None:
    """Parsers of other kinds are skipped, and skipping them changes nothing (a date still hides its day's number)."""
    for text in MIXED:
        every = [m for m in find_system(text, NOW) if m.entity in kinds]
        assert [m for m in find_system(text, NOW, kinds) if m.entity in kinds] == every, text
    assert any(find_system(text, NOW) for text in MIXED)
