"""ES parameter value expressions, evaluated over what was said and the active contexts."""

from __future__ import annotations

from typing import Any

from chatops.engine.agent import Intent, Parameter
from chatops.engine.parameter_values import evaluate, plain, render

CONTEXTS = {("order", "size"): "large", ("order", "size.original"): "big"}


def lookup(context: str, parameter: str) -> Any:
    return CONTEXTS.get((context, parameter))


def intent(*parameters: Parameter) -> Intent:
    return Intent(name="i", parameters=parameters)


def test_a_constant_value_fills_its_parameter() -> None:
    assert evaluate(intent(Parameter("kind", "sys.any", value="pizza")), {}, lookup) == {"kind": "pizza", "kind.original": "pizza"}


def test_context_references_read_the_value_and_its_words() -> None:
    found = evaluate(intent(Parameter("size", "sys.any", value="#order.size")), {}, lookup)
    assert found == {"size": "large", "size.original": "big"}
    assert evaluate(intent(Parameter("said", "sys.any", value="#order.size.original")), {}, lookup)["said"] == "big"


def test_a_default_applies_when_nothing_fills_the_value() -> None:
    parameters = (Parameter("size", "sys.any", default="#order.size"), Parameter("coats", "sys.number", default=2))
    # Nobody said a default: ES's contexts hold it with empty words.
    assert evaluate(intent(*parameters), {}, lookup) == {"size": "large", "size.original": "", "coats": 2, "coats.original": ""}


def test_what_es_reports_for_parameters_nothing_filled() -> None:
    order = intent(Parameter("size", "sys.any"), Parameter("toppings", "topping", is_list=True))
    assert order.reported_parameters({}) == {"size": "", "toppings": []}
    assert order.blank() == {"size": "", "size.original": "", "toppings": [], "toppings.original": ""}


def test_a_composite_of_nothing_said_is_unfilled() -> None:
    assert evaluate(intent(Parameter("where", "sys.any", value="$city, $country")), {}, lookup) == {}


def test_responses_show_lists_quantities_and_missing_references() -> None:
    said = {"t": ["ham", "olives"], "d": {"amount": 5, "unit": "min"}}
    assert render("$t in $d, $missing; #order.size, #nowhere.x.", said, lookup) == "ham, olives in 5 min, ; large, ."


def test_a_reference_reads_a_field_of_a_structured_value() -> None:
    said = {"price": {"amount": 5, "currency": "USD"}, "day": "monday"}
    assert render("$price.amount $price.currency, on $day.Then", said, lookup) == "5 USD, on monday.Then"
