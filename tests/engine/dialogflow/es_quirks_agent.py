"""An ES export with the quirks public 2018-2020 exports have, in our own words (a pizza counter).

The quirks, each seen in a public export:
- agent.json's webhook ``headers`` holds the console's blank row ``{"": ""}``;
- 2018 intents carry ``lastUpdate``, no ``action`` key and no ``conditionalResponses``;
  their entity files lack ``isRegexp`` and ``allowFuzzyExtraction``;
- parts the console annotated itself have ``alias`` and ``meta`` but ``userDefined: false``;
  ``@sys.ignore`` parts come with ``userDefined`` true or false and no alias;
- a follow-up pair ("- yes"/"- no") has ``parentId`` and needs ``<parent>-followup`` (lifespan 2);
- a list parameter is annotated twice in one phrase; a parameter's ``value`` is ``$name.original``;
- several prompts for one parameter; a phrase with a leading space;
- an entity whose ``_entries_`` file is missing from the export;
- the welcome intent sets a context (``welcome``) that other intents require;
- a parameter renamed in the console keeps its old value's case (``Guests`` reading ``$guests``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

Part = tuple[str, str | None, str | None, bool]


def _says(*phrases: str | list[Part]) -> list[dict[str, Any]]:
    items = []
    for i, phrase in enumerate(phrases):
        parts = [(phrase, None, None, False)] if isinstance(phrase, str) else phrase
        data = [{"text": t} | ({"alias": a} if a else {}) | ({"meta": m} if m else {}) | {"userDefined": u} for t, a, m, u in parts]
        items.append({"id": f"s{i}", "data": data, "isTemplate": False, "count": 0, "updated": 1525029241})
    return items


def _plain(text: str) -> Part:
    return (text, None, None, False)


def _intent(name: str, speech: str | list[str], **extra: Any) -> dict[str, Any]:
    response: dict[str, Any] = {"resetContexts": False}
    if "action" in extra:
        response["action"] = extra.pop("action")
    response |= {"affectedContexts": [{"name": c, "parameters": {}, "lifespan": n} for c, n in extra.pop("out", [])],
                 "parameters": extra.pop("parameters", []), "messages": [{"type": 0, "lang": "en", "speech": speech}],
                 "defaultResponsePlatforms": {}, "speech": []}
    return {"id": name, **extra.pop("parent", {}), "name": name, "auto": True, "contexts": extra.pop("contexts", []),
            "responses": [response], "priority": 500000, "webhookUsed": extra.pop("webhook", False),
            "webhookForSlotFilling": False, "lastUpdate": 1522622227, "fallbackIntent": extra.pop("fallback", False),
            "events": [{"name": e} for e in extra.pop("events", [])]}


def _parameter(name: str, data_type: str, prompts: list[str], *, is_list: bool = False, value: str = "") -> dict[str, Any]:
    return {"id": name, "required": bool(prompts), "dataType": data_type, "name": name, "value": value or f"${name}",
            "prompts": [{"lang": "en", "value": p} for p in prompts], "isList": is_list}


def export_files() -> dict[str, Any]:
    order = [
        _parameter("time", "@sys.time", ["What time do you want to pick it up?", "When should it be ready?"]),
        _parameter("size", "@size", ["What size pizza?"], value="$size.original"),
        _parameter("topping", "@topping", ["Which toppings?"], is_list=True),
        _parameter("drink", "@drink", []),
    ]
    followup = {"parent": {"parentId": "order pizza", "rootParentId": "order pizza"}, "contexts": ["orderpizza-followup"]}
    return {
        "agent.json": {"description": "", "language": "en", "defaultTimezone": "Europe/Paris", "isPrivate": True,
                       "webhook": {"url": "https://pizza.example.test/fulfil", "username": "", "headers": {"": ""},
                                   "available": True, "useForDomains": False},
                       "mlMinConfidence": 0.3, "supportedLanguages": [], "onePlatformApiVersion": "v2"},
        "intents/Default Welcome Intent.json": _intent(
            "Default Welcome Intent", ["Hi! Pizza or opening hours?"], action="input.welcome", events=["WELCOME"], out=[("welcome", 5)]),
        "intents/Default Welcome Intent_usersays_en.json": _says("hi", "hello there", " hey", "good evening"),
        "intents/order pizza.json": _intent(
            "order pizza", "A $size pizza with $topping at $time. Something to drink?", parameters=order,
            contexts=["welcome"], out=[("orderpizza-followup", 2)], webhook=True),
        "intents/order pizza_usersays_en.json": _says(
            [_plain("I want to order a "), ("large", "size", "@size", True), _plain(" pizza")],
            [_plain("a pizza with "), ("ham", "topping", "@topping", False), _plain(" and "), ("olives", "topping", "@topping", False)],
            [_plain("order "), ("a", None, "@sys.ignore", False), _plain(" pizza for "), ("7 pm", "time", "@sys.time", False)],
            [_plain("can I get a pizza "), ("please", None, "@sys.ignore", True)],
            "pizza order"),
        "intents/order pizza - yes.json": _intent("order pizza - yes", "Which drink?", action="orderpizza.orderpizza-yes", **followup),
        "intents/order pizza - yes_usersays_en.json": _says("yes", "sure", "yes please", "why not"),
        "intents/order pizza - no.json": _intent("order pizza - no", "Your $size pizza is on its way, no drink.",
                                                 action="orderpizza.orderpizza-no", **followup),
        "intents/order pizza - no_usersays_en.json": _says("no", "no thanks", "nope", "not today"),
        "intents/opening hours.json": _intent("opening hours", "We open at noon."),
        "intents/opening hours_usersays_en.json": _says("when do you open", "are you open now", "what are your hours"),
        "intents/book table.json": _intent("book table", "A table for $Guests.",
                                           parameters=[_parameter("Guests", "@sys.number", ["For how many?"], value="$guests")]),
        "intents/book table_usersays_en.json": _says("book a table", "I'd like a table", "reserve a table"),
        "intents/Default Fallback Intent.json": _intent("Default Fallback Intent", ["Sorry?"], action="input.unknown", fallback=True),
        "entities/size.json": {"id": "size", "name": "size", "isOverridable": True, "isEnum": False, "automatedExpansion": False},
        "entities/size_entries_en.json": [{"value": v, "synonyms": [v, *s]} for v, s in
                                          (("small", ["little"]), ("medium", ["regular"]), ("large", ["big", "family"]))],
        "entities/topping.json": {"id": "topping", "name": "topping", "isOverridable": True, "isEnum": False, "automatedExpansion": False},
        "entities/topping_entries_en.json": [{"value": v, "synonyms": [v]} for v in ("ham", "olives", "mushrooms", "pepper")],
        "entities/drink.json": {"id": "drink", "name": "drink", "isOverridable": True, "isEnum": False, "automatedExpansion": False},
    }


def write_export(root: Path) -> Path:
    for name, document in export_files().items():
        (root / "pizza" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "pizza" / name).write_text(json.dumps(document, indent=2), encoding="utf-8")
    return root / "pizza"
