"""System entities found by name lists and fixed forms, in ES's value shapes, and their false friends."""

from __future__ import annotations

from typing import Any

import pytest

from chatops.engine.agent import SYSTEM_ENTITIES
from chatops.engine.nlu.extended import FINDERS, ExtendedEntities
from chatops.engine.nlu.text import tokenize


def values(text: str, entity: str, *, lenient: bool = False) -> list[Any]:
    return [m.value for m in FINDERS[entity](text, tokenize(text), lenient)]


def spans(text: str, entity: str) -> list[str]:
    return [m.text for m in FINDERS[entity](text, tokenize(text), False)]


def test_every_finder_is_a_system_entity_the_loader_accepts() -> None:
    assert set(FINDERS) <= SYSTEM_ENTITIES


@pytest.mark.parametrize(
    ("text", "expected"),
    [("I live in Paris", ["Paris"]), ("flights from london to tokyo", ["London", "Tokyo"]),
     ("meet me in New York", ["New York"]), ("Sao Paulo or São Paulo", ["São Paulo", "São Paulo"]),
     ("we moved to San Francisco.", ["San Francisco"]), ("NYC in May", ["New York City"]), ("a town like Mongo", ["Mongo"])],
)
def test_cities(text: str, expected: list[str]) -> None:
    assert values(text, "sys.geo-city") == expected


@pytest.mark.parametrize(
    "text",
    ["I want to go to the bank", "can you hit save", "list pods in kube-system", "restart the cat service",
     "nice, reading the logs now", "Best regards", "back up mongo"],
)
def test_words_that_are_also_towns_are_not_cities(text: str) -> None:
    assert values(text, "sys.geo-city") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("I am from France", ["France"]), ("shipping to germany and spain", ["Germany", "Spain"]),
     ("born in the U.S.", ["United States"]), ("USA or UK", ["United States", "United Kingdom"]),
     ("holidays in Turkey and Jordan", ["Turkey", "Jordan"]), ("made in China", ["China"]),
     ("the Czech Republic", ["Czechia"]), ("visit Holland", ["Netherlands"])],
)
def test_countries(text: str, expected: list[str]) -> None:
    assert values(text, "sys.geo-country") == expected


@pytest.mark.parametrize(
    "text",
    ["tell us more", "may I see the logs", "roast the turkey", "the fine china", "chad is a name", "georgia on my mind",
     "paint it blue", "Turkey is the answer"],  # the last: a capital at the start of a sentence says nothing
)
def test_common_words_in_lower_case_are_not_countries(text: str) -> None:
    assert values(text, "sys.geo-country") == []


def test_country_codes_in_es_shape() -> None:
    assert values("ship it to the Netherlands", "sys.geo-country-code") == [
        {"alpha-2": "NL", "alpha-3": "NLD", "name": "Netherlands", "numeric": 528}
    ]
    assert [v["alpha-2"] for v in values("from the USA to France", "sys.geo-country-code")] == ["US", "FR"]


def test_a_whole_answer_to_a_prompt_is_read_whatever_its_case() -> None:
    assert values("china", "sys.geo-country", lenient=True) == ["China"]
    assert values("turkey", "sys.geo-country", lenient=True) == ["Turkey"]
    assert values("us", "sys.geo-country", lenient=True) == []  # an abbreviation only as written


def test_states_by_name_and_by_code() -> None:
    assert values("an office in California and one in NY", "sys.geo-state") == ["California", "New York"]
    assert values("in Georgia", "sys.geo-state") == ["Georgia"]
    assert values("from ontario to New South Wales", "sys.geo-state") == ["Ontario", "New South Wales"]
    assert values("OK, in or out?", "sys.geo-state") == []  # codes that are words are left out
    assert values("ca is lower case", "sys.geo-state") == []


def test_given_and_last_names_and_persons() -> None:
    assert values("my name is john", "sys.given-name") == ["John"]
    assert values("ask Mary", "sys.given-name") == ["Mary"]
    assert values("will you mark it, may?", "sys.given-name") == []
    assert values("ask Mark about it", "sys.given-name") == ["Mark"]
    assert values("Smith and brown", "sys.last-name") == []  # a surname needs its capital, not at a sentence start
    assert values("ask Mr Smith", "sys.last-name") == ["Smith"]
    assert values("call John Smith and Dr. Lee", "sys.person") == [{"name": "John Smith"}, {"name": "Lee"}]
    assert spans("call John Smith and Dr. Lee", "sys.person") == ["John Smith", "Dr. Lee"]
    assert values("ask Anna Kowalczyk", "sys.person") == [{"name": "Anna Kowalczyk"}]
    assert values("john smith", "sys.person", lenient=True) == [{"name": "john smith"}]
    assert values("ask john smith", "sys.person") == [{"name": "john"}]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("paint it blue", ["blue"]), ("light blue or Navy Blue", ["light blue", "navy blue"]),
     ("red, white and green", ["red", "white", "green"]), ("a blue-green sea", ["blue green"])],
)
def test_colours(text: str, expected: list[str]) -> None:
    assert values(text, "sys.color") == expected


def test_colours_are_not_countries_and_countries_are_not_colours() -> None:
    assert values("blue", "sys.geo-country") == [] and values("France", "sys.color") == []


def test_languages() -> None:
    assert values("translate it to french", "sys.language") == ["French"]
    assert values("I speak Mandarin and Brazilian Portuguese", "sys.language") == ["Mandarin", "Portuguese"]
    assert values("polish the docs", "sys.language") == []
    assert values("in Polish please", "sys.language") == ["Polish"]


def test_emails_urls_and_phone_numbers_as_written() -> None:
    assert values("mail john.doe+ops@example.co.uk now", "sys.email") == ["john.doe+ops@example.co.uk"]
    assert values("no email@here", "sys.email") == []
    assert values("see https://example.com/a?b=1.", "sys.url") == ["https://example.com/a?b=1"]
    assert values("go to www.google.com, or example.io/docs", "sys.url") == ["www.google.com", "example.io/docs"]
    assert values("write to a@b.com", "sys.url") == []
    assert values("call (650) 253-0000 or +44 20 7946 0958", "sys.phone-number") == ["(650) 253-0000", "+44 20 7946 0958"]
    assert values("on 2026-11-24 scale to 3 replicas, version 3.10.4", "sys.phone-number") == []


def test_flight_numbers() -> None:
    assert values("I am on LH4531, then BA 287", "sys.flight-number") == ["LH4531", "BA287"]
    assert values("my flight is ua9", "sys.flight-number") == ["UA9"]
    assert values("use EC2, S3 and K8s on pod-7x", "sys.flight-number") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("50 percent off", "50%"), ("fifty per cent", "50%"), ("2.5% more", "2.5%"), ("raise it by 10 pct", "10%")],
)
def test_percentages(text: str, expected: str) -> None:
    assert values(text, "sys.percentage") == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("$10", (10, "USD")), ("it costs 1,200 euros", (1200, "EUR")), ("£3.50 please", (3.5, "GBP")),
     ("five dollars", (5, "USD")), ("10 USD", (10, "USD")), ("EUR 5", (5, "EUR")), ("50 cents", (0.5, "USD")),
     ("5k dollars", (5000, "USD")), ("100 JPY", (100, "JPY")), ("a $2.5m budget", (2_500_000, "USD")), ("€5k", (5000, "EUR"))],
)
def test_amounts_of_money(text: str, expected: tuple[float, str]) -> None:
    assert values(text, "sys.unit-currency") == [{"amount": expected[0], "currency": expected[1]}]


def test_lower_case_letters_after_a_number_are_no_currency() -> None:
    assert values("restart 5 all of them, try 3 top pods", "sys.unit-currency") == []
    assert values("5 ABC", "sys.unit-currency") == []  # not an ISO 4217 code


def test_ages_and_ordinals() -> None:
    assert values("she is 3 years old", "sys.age") == [{"amount": 3, "unit": "year"}]
    assert values("a six-month-old and someone aged 42", "sys.age") == [{"amount": 6, "unit": "month"}, {"amount": 42, "unit": "year"}]
    assert values("3 years ago", "sys.age") == []
    assert values("the third one, the 21st and the twenty-second", "sys.ordinal") == [3, 21, 22]
    assert values("wait a second", "sys.ordinal") == [] and values("the second pod", "sys.ordinal") == [2]


def test_only_the_types_asked_for_are_run() -> None:
    assert ExtendedEntities({"sys.number", "content"}).finders == []
    found = ExtendedEntities({"sys.geo-city", "sys.email"}).find("mail a@b.com from Paris", tokenize("mail a@b.com from Paris"))
    assert [(m.entity, m.value) for m in found] == [("sys.email", "a@b.com"), ("sys.geo-city", "Paris")]
