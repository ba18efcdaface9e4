"""ES parameter values: what each intent parameter holds, computed from what the user said.

A parameter's ``value`` in an ES export is an expression over what was said:
``$name`` (the entity matched for the alias ``name``), ``$name.original`` (the
words as the user said them), ``#context.param`` (a parameter of an active
context, or of the event that triggered the intent), or a text mixing them
("$city, $country"); a text without references is a constant. Responses use
the same references.

What was said is kept as ES keeps it in its dialog contexts: the value under
``name`` and the words under ``name.original``.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any, Callable, Mapping

from chatops.engine.agent import Intent

ORIGINAL = ".original"
# A reference may end in ``.original`` (the words) or a field of a structured value (``$price.amount``).
REFERENCE = re.compile(
    r"\$(?P<said>[A-Za-z_][A-Za-z0-9_\-]*)(?P<field>\.[A-Za-z_][A-Za-z0-9_\-]*)?"
    r"|#(?P<context>[A-Za-z0-9_\-]+)\.(?P<param>[A-Za-z0-9_\-]+)(?P<context_field>\.[A-Za-z_][A-Za-z0-9_\-]*)?"
)
# (context or event name, parameter name) -> its value, None when there is none.
Lookup = Callable[[str, str], Any]


def original_key(name: str) -> str:
    return f"{name}{ORIGINAL}"


def empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def show(value: Any) -> str:
    """A value as a response shows it: a quantity as "5 min", money as "300 EUR", a person by name, a list as "a, b"."""
    if isinstance(value, dict) and "amount" in value:
        return f"{value['amount']} {value.get('unit') or value.get('currency') or ''}".strip()
    if isinstance(value, dict) and "name" in value:  # @sys.person
        return str(value["name"])
    if isinstance(value, list):
        return ", ".join(show(v) for v in value)
    return "" if value is None else str(value)


def render(template: str, said: Mapping[str, Any], lookup: Lookup) -> str:
    """A response (or composite value) with every reference replaced by what it names."""
    return REFERENCE.sub(lambda m: show(_referenced(m, said, lookup)), template)


def evaluate(intent: Intent, said: Mapping[str, Any], lookup: Lookup) -> dict[str, Any]:
    """Each parameter's value (else its default), and its words under ``name.original``; one with neither is left out.

    A value from the default was not said: as in ES's contexts, its words are ``""``.
    """
    values: dict[str, Any] = {}
    for parameter in intent.parameters:
        value, words = _value_of(parameter.value or f"${parameter.name}", parameter.name, said, lookup)
        if empty(value) and isinstance(parameter.default, str):
            value, words = _value_of(parameter.default, parameter.name, {}, lookup)[0], ""
        elif empty(value) and parameter.default is not None:
            value, words = parameter.default, ""
        if not empty(value):
            values[parameter.name] = value
            values[original_key(parameter.name)] = show(value) if words is None else words
    return values


def plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values without their ``.original`` words: what handlers and ``parameters`` get."""
    return {k: v for k, v in values.items() if not k.endswith(ORIGINAL)}


def _value_of(expression: str, name: str, said: Mapping[str, Any], lookup: Lookup) -> tuple[Any, Any]:
    """The value of parameter ``name`` with this expression, and its words."""
    whole = REFERENCE.fullmatch(expression.strip())
    if whole and whole["context"] and not empty(said.get(name)):
        # "#context.param" fills the parameter only when this turn did not say it.
        return said[name], said.get(original_key(name))
    if whole:
        return _referenced(whole, said, lookup), _referenced(whole, said, lookup, words=True)
    references = list(REFERENCE.finditer(expression))
    if references and all(empty(_referenced(m, said, lookup)) for m in references):
        return None, None
    words = REFERENCE.sub(lambda m: show(_referenced(m, said, lookup, words=True)), expression)
    return render(expression, said, lookup), words


def _referenced(match: re.Match[str], said: Mapping[str, Any], lookup: Lookup, *, words: bool = False) -> Any:
    """What a reference names: a value, its words (``.original``, or all along with ``words``), or a field of it."""
    spoken = match["said"]
    name, field = (spoken, match["field"]) if spoken else (match["param"], match["context_field"])
    get: Callable[[str], Any] = said.get if spoken else partial(lookup, match["context"])
    if field == ORIGINAL or (words and field is None):
        found = get(original_key(name))
        if field == ORIGINAL or not empty(found):
            return found
    value = get(name)
    if field is None or empty(value):
        return value
    # Not a structured value: the dot and what follows are text ("on $day.Then").
    return value.get(field[1:]) if isinstance(value, Mapping) else f"{show(value)}{field}"
