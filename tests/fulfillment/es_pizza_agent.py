"""A small DialogFlow ES export zip, as the ES console writes one, whose intents use the webhook."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any


def _says(*phrases: list[tuple[str, str | None, str | None]]) -> list[dict[str, Any]]:
    def part(text: str, alias: str | None, meta: str | None) -> dict[str, Any]:
        return {"text": text, "userDefined": alias is not None} | ({"alias": alias, "meta": meta} if alias else {})

    return [{"id": f"u{i}", "data": [part(*p) for p in data], "isTemplate": False, "count": 0, "lang": "en"}
            for i, data in enumerate(phrases)]


def _plain(*texts: str) -> list[dict[str, Any]]:
    return _says(*([(text, None, None)] for text in texts))


def _intent(name: str, action: str, speech: str, *, webhook: bool = True, **extra: Any) -> dict[str, Any]:
    response = {"resetContexts": extra.pop("reset", False), "action": action, "affectedContexts": extra.pop("contexts_out", []),
                "parameters": extra.pop("parameters", []), "messages": [{"type": "0", "lang": "en", "speech": [speech]}]}
    return {"id": name, "name": name, "auto": True, "contexts": [], "priority": 500000, "responses": [response],
            "webhookUsed": webhook, "webhookForSlotFilling": extra.pop("slot_filling", False), "fallbackIntent": False,
            "events": [{"name": e} for e in extra.pop("events", [])]}


def _parameter(name: str, data_type: str, *, required: bool = False, prompt: str = "") -> dict[str, Any]:
    return {"id": name, "name": name, "required": required, "dataType": data_type, "value": f"${name}", "defaultValue": "",
            "isList": False, "prompts": [{"lang": "en", "value": prompt}] if prompt else []}


def export_files(webhook: dict[str, Any] | None) -> dict[str, Any]:
    pizza_parameters = [_parameter("size", "@size", required=True, prompt="What size?"), _parameter("crust", "@sys.any")]
    files: dict[str, Any] = {
        "agent.json": {"language": "en", "enableOnePlatformApi": True, "onePlatformApiVersion": "v2",
                       "webhook": webhook or {"available": False}},
        "package.json": {"version": "1.0.0"},
        "intents/Default Welcome Intent.json": _intent("Default Welcome Intent", "input.welcome", "Hello from the static response!",
                                                       events=["WELCOME"]),
        "intents/Default Welcome Intent_usersays_en.json": _plain("hi", "hello", "good morning", "hey there"),
        "intents/order pizza.json": _intent(
            "order pizza", "order.pizza", "Ordering a $size pizza.", parameters=pizza_parameters,
            contexts_out=[{"name": "orderpizza-followup", "lifespan": 2, "parameters": {}}],
        ),
        "intents/order pizza_usersays_en.json": _says(
            [("order a ", None, None), ("large", "size", "@size"), (" pizza", None, None)],
            [("I want a ", None, None), ("small", "size", "@size"), (" pizza please", None, None)],
            [("get me a pizza", None, None)], [("pizza order", None, None)],
        ),
        "intents/check order.json": _intent("check order", "order.check", "Let me check."),
        "intents/check order_usersays_en.json": _plain("where is my order", "check my order", "has my order shipped"),
        "intents/order status.json": _intent("order status", "order.status", "Order $order is being prepared.",
                                             events=["ORDER_STATUS"], parameters=[_parameter("order", "@sys.any")]),
        "intents/book room.json": _intent("book room", "room.book", "Booked.", slot_filling=True,
                                          parameters=[_parameter("day", "@sys.any", required=True, prompt="Which day?")]),
        "intents/book room_usersays_en.json": _plain("book a room", "reserve a hotel room", "I need a room"),
        "intents/refund.json": _intent("refund", "refund.issue", "Your refund is on its way."),
        "intents/refund_usersays_en.json": _plain("refund my money", "I want a refund", "give me my money back"),
        "intents/opening hours.json": _intent("opening hours", "hours.tell", "We open at nine.", webhook=False),
        "intents/opening hours_usersays_en.json": _plain("when do you open", "what are your opening hours"),
        "intents/start over.json": _intent("start over", "order.reset", "Forgot your #order-placed.size pizza.", webhook=False,
                                           reset=True),
        "intents/start over_usersays_en.json": _plain("start over", "forget my order", "clear everything"),
        "intents/goodbye.json": {**_intent("goodbye", "", "Bye!", webhook=False), "endInteraction": True},
        "intents/goodbye_usersays_en.json": _plain("goodbye", "bye bye", "see you later"),
        "intents/Default Fallback Intent.json": {**_intent("Default Fallback Intent", "input.unknown", "Sorry, say again?", webhook=False),
                                                 "fallbackIntent": True},
        "entities/size.json": {"id": "size", "name": "size", "isOverridable": True, "isEnum": False, "isRegexp": False,
                               "automatedExpansion": False, "allowFuzzyExtraction": False},
        "entities/size_entries_en.json": [{"value": v, "synonyms": [v]} for v in ("small", "medium", "large")],
    }
    return files


def write_export(path: Path, webhook: dict[str, Any] | None) -> Path:
    """The export zip at ``path``; ``webhook`` is agent.json's webhook section (None: no fulfillment)."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, document in export_files(webhook).items():
            archive.writestr(f"pizza-agent/{name}", json.dumps(document))
    return path
