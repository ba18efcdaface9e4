"""Adversarial sentences: a number somewhere, and short words that look like units, times or numbers.

Each sentence lists every number, duration, time and area the engine must find, and nothing else:
"and" is no "an" + "d" (a day), "as" no second, "ah" no hour, a bare unit no quantity.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from chatops.engine.nlu.system import find_system

NOW = datetime(2026, 11, 24, 9, 30)
KINDS = {"sys.number", "sys.duration", "sys.time", "sys.area"}

CASES = [
    ("scale web to 3 replicas and restart it", [("sys.number", "3")]),
    ("restart 2 pods as soon as possible", [("sys.number", "2")]),
    ("ah, scale to 5", [("sys.number", "5")]),
    ("as 5 ah", [("sys.number", "5")]),
    ("an apple and 3 pears", [("sys.number", "3")]),
    ("1 and 2 and 3", [("sys.number", "1"), ("sys.number", "2"), ("sys.number", "3")]),
    ("five and six", [("sys.number", "five"), ("sys.number", "six")]),
    ("5and", []),
    ("3as", []),
    ("2ah", []),
    ("an d 3", [("sys.number", "3")]),
    ("an s 4", [("sys.number", "4")]),
    ("a s d 5", [("sys.number", "5")]),
    ("aha 4", [("sys.number", "4")]),
    ("ha ha 3 pods", [("sys.number", "3")]),
    ("sand 5", [("sys.number", "5")]),
    ("5 ahead", [("sys.number", "5")]),
    ("h 3", [("sys.number", "3")]),
    ("d 4", [("sys.number", "4")]),
    ("m 4", [("sys.number", "4")]),
    ("ms 4", [("sys.number", "4")]),
    ("ms teams has 3 channels", [("sys.number", "3")]),
    ("set timeout to 300 ms", [("sys.number", "300")]),
    ("scale 3 m", [("sys.number", "3")]),
    ("five d", [("sys.number", "five")]),
    ("ten s", [("sys.number", "ten")]),
    ("one m", [("sys.number", "one")]),
    ("hour 3", [("sys.number", "3")]),
    ("min 3 replicas", [("sys.number", "3")]),
    ("scale 4 replicas every hour", [("sys.number", "4")]),
    ("restart 4 pods in d namespace", [("sys.number", "4")]),
    ("deploy 3 services in the morning", [("sys.number", "3")]),
    ("in 3 as", [("sys.number", "3")]),
    ("I am deploying 4 pods", [("sys.number", "4")]),
    ("do 5 things at am", [("sys.number", "5")]),
    ("version 2 as a test", [("sys.number", "2")]),
    ("ping 8.8.8.8 as root", []),
    ("upgrade to v1.2.3 at 3 pm", [("sys.time", "3 pm")]),
    ("the ha cluster has 3 nodes", [("sys.number", "3")]),
    ("k8s 3", [("sys.number", "3")]),
    ("x3h", []),
    # What must still be found next to them.
    ("wait 5 s and retry", [("sys.duration", "5 s"), ("sys.number", "5")]),
    ("keep it 3h and 5d", [("sys.duration", "3h"), ("sys.duration", "5d")]),
    # "in an hour" is also the time an hour from now, as ES reads it.
    ("do it in an hour and scale to 2", [("sys.time", "in an hour"), ("sys.duration", "an hour"), ("sys.number", "2")]),
    ("wait a day and 2 pods", [("sys.duration", "a day"), ("sys.number", "2")]),
    ("scale to 7 in a sec", [("sys.number", "7"), ("sys.duration", "a sec")]),
    ("1 day and 2 hours", [("sys.duration", "1 day"), ("sys.number", "1"), ("sys.duration", "2 hours"), ("sys.number", "2")]),
    ("ping me at 5 pm and 6 am", [("sys.time", "5 pm"), ("sys.time", "6 am")]),
    ("3am as usual", [("sys.time", "3am")]),
    ("a hundred and five pods", [("sys.number", "a hundred and five")]),
    ("3 acres", [("sys.area", "3 acres"), ("sys.number", "3")]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_only_the_real_entities_are_found(text: str, expected: list[tuple[str, str]]) -> None:
    found = [(m.entity, m.text) for m in find_system(text, NOW) if m.entity in KINDS]
    assert found == expected


@pytest.mark.parametrize("text", ["a h", "an hr", "h", "ms", "sq ft", "as and ah", "a d", "ad", "ahour", "anhour", "amin", "as"])
def test_a_bare_unit_is_no_quantity(text: str) -> None:
    assert [m for m in find_system(text, NOW) if m.entity in KINDS] == []
