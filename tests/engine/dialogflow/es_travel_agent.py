"""A DialogFlow ES export exercising parameter semantics, in the layout the ES console writes.

Parameter values ("$city, $country", "$city.original", "#booking.city",
"#greet.name"), an isList parameter, a required @sys.date, intent priorities
(high, normal, ignore), an mlDisabled intent, an event with parameters and
agent.json's defaultTimezone. Intent ids are UUIDs, as the console gives them.
"""

from __future__ import annotations

import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

Part = tuple[str, str | None, str | None]
IDS = uuid.UUID("3f6f1f0e-5d1a-4c8e-9b7a-2a1c0e9d4b11")


def intent_id(name: str) -> str:
    return str(uuid.uuid5(IDS, name))


def says(*phrases: list[Part] | str) -> list[dict[str, Any]]:
    """usersays entries; a plain string is a phrase without annotations."""
    def part(text: str, alias: str | None, meta: str | None) -> dict[str, Any]:
        return {"text": text, "userDefined": alias is not None} | ({"alias": alias, "meta": meta} if alias else {})

    return [{"id": f"u{i}", "data": [part(*p) for p in ([(data, None, None)] if isinstance(data, str) else data)],
             "isTemplate": False, "count": 0, "lang": "en"} for i, data in enumerate(phrases)]


def parameter(name: str, data_type: str, value: str = "", **extra: Any) -> dict[str, Any]:
    prompts = [{"lang": "en", "value": extra.pop("prompt")}] if "prompt" in extra else []
    return {"id": name, "name": name, "dataType": data_type, "value": value or f"${name}", "defaultValue": "",
            "required": bool(prompts), "isList": extra.pop("is_list", False), "prompts": prompts}


def intent(name: str, speech: str, **extra: Any) -> dict[str, Any]:
    response = {"resetContexts": False, "action": extra.pop("action", ""), "parameters": extra.pop("parameters", []),
                "affectedContexts": extra.pop("contexts_out", []), "messages": [{"type": "0", "lang": "en", "speech": [speech]}]}
    return {"id": intent_id(name), "name": name, "auto": True, "contexts": extra.pop("contexts", []), "responses": [response],
            "priority": extra.pop("priority", 500000), "webhookUsed": extra.pop("webhook", False), "fallbackIntent": False,
            "events": [{"name": e} for e in extra.pop("events", [])], **extra}


def entity(name: str, entries: dict[str, list[str]]) -> dict[str, Any]:
    return {
        f"entities/{name}.json": {"id": name, "name": name, "isOverridable": True, "isEnum": False, "isRegexp": False,
                                  "automatedExpansion": False, "allowFuzzyExtraction": False},
        f"entities/{name}_entries_en.json": [{"value": value, "synonyms": synonyms} for value, synonyms in entries.items()],
    }


CITY = [("fly to ", None, None), ("paname", "city", "@city"), (" in ", None, None), ("france", "country", "@country")]


def export_files(webhook_url: str) -> dict[str, Any]:
    flight = [parameter("city", "@city"), parameter("country", "@country"),
              parameter("destination", "@sys.any", "$city, $country"), parameter("city_said", "@sys.any", "$city.original"),
              parameter("date", "@sys.date", prompt="When do you fly?")]
    change = [parameter("city", "@city", "#booking.city"), parameter("date", "@sys.date")]
    files: dict[str, Any] = {
        "agent.json": {"language": "en", "defaultTimezone": "Europe/Paris", "enableOnePlatformApi": True,
                       "webhook": {"url": webhook_url, "available": True}},
        "package.json": {"version": "1.0.0"},
        "intents/book flight.json": intent(
            "book flight", "Flying to $destination ($city_said, said $city.original) on $date.", parameters=flight,
            contexts_out=[{"name": "booking", "lifespan": 3, "parameters": {}}]),
        "intents/book flight_usersays_en.json": says(
            CITY, [("book a flight to ", None, None), ("berlin", "city", "@city"), (" ", None, None), ("germany", "country", "@country")],
            [("I want to fly to ", None, None), ("paris", "city", "@city")], [("a flight to ", None, None), ("berlin", "city", "@city")],
            [("fly to ", None, None), ("paris", "city", "@city"), (" on ", None, None), ("friday", "date", "@sys.date")],
            [("a flight to ", None, None), ("berlin", "city", "@city"), (" on ", None, None), ("2026-11-02", "date", "@sys.date")],
            [("I need a plane ticket to ", None, None), ("paris", "city", "@city")], "book a flight", "I want to fly somewhere"),
        "intents/change date.json": intent("change date", "Moving your $city trip to $date.", parameters=change,
                                           contexts=["booking"]),
        "intents/change date_usersays_en.json": says(
            [("change the date to ", None, None), ("tomorrow", "date", "@sys.date")],
            [("move it to ", None, None), ("friday", "date", "@sys.date")],
            [("move the ", None, None), ("berlin", "city", "@city"), (" trip to ", None, None), ("monday", "date", "@sys.date")],
            [("change the date to ", None, None), ("2026-11-03", "date", "@sys.date")],
            [("reschedule it to ", None, None), ("tuesday", "date", "@sys.date")],
            [("postpone the trip to ", None, None), ("2026-11-05", "date", "@sys.date")], "change the date", "move my trip"),
        "intents/toppings.json": intent("toppings", "Toppings: $toppings (you said $toppings.original).",
                                        parameters=[parameter("toppings", "@topping", is_list=True, prompt="Which toppings?")]),
        "intents/toppings_usersays_en.json": says(
            [("a pizza with ", None, None), ("ham", "toppings", "@topping"), (" and ", None, None), ("olives", "toppings", "@topping")],
            [("add ", None, None), ("mushrooms", "toppings", "@topping")], "I want a pizza", "a pizza please"),
        "intents/surprise high.json": intent("surprise high", "A big surprise.", priority=750000),
        "intents/surprise high_usersays_en.json": says("surprise me", "give me a surprise", "something surprising"),
        "intents/surprise normal.json": intent("surprise normal", "A small surprise.", priority=0),
        "intents/surprise normal_usersays_en.json": says("surprise me", "give me a surprise", "something surprising"),
        "intents/secret menu.json": intent("secret menu", "The secret menu.", priority=-1, events=["SECRET"]),
        "intents/secret menu_usersays_en.json": says("show the secret menu", "secret menu please", "what is on the secret menu"),
        "intents/magic words.json": intent("magic words", "The door opens.", mlEnabled=False),
        "intents/magic words_usersays_en.json": says("open sesame", "let me in, door"),
        "intents/greet.json": intent("greet", "Hello #greet.name!", events=["GREET"],
                                     parameters=[parameter("name", "@sys.any", "#greet.name")]),
        "intents/check in.json": intent("check in", "Seat $seat for booking $booking.", events=["CHECKIN"], parameters=[
            parameter("booking", "@sys.any", "#checkin.booking"), parameter("seat", "@sys.number", prompt="Which seat?")]),
        "intents/set alarm.json": intent("set alarm", "Alarm set.", webhook=True, action="alarm.set",
                                         contexts_out=[{"name": "alarm", "lifespan": 2, "parameters": {}}],
                                         parameters=[parameter("time", "@sys.time"), parameter("day", "@sys.date")]),
        "intents/set alarm_usersays_en.json": says(
            [("wake me at ", None, None), ("7:30", "time", "@sys.time"), (" on ", None, None), ("2026-12-24", "day", "@sys.date")],
            [("set an alarm for ", None, None), ("6 am", "time", "@sys.time")]),
        "intents/book table.json": intent("book table", "Booked.", webhook=True, webhookForSlotFilling=True,
                                          parameters=[parameter("guests", "@sys.number", prompt="For how many?")]),
        "intents/book table_usersays_en.json": says("book a table", "reserve a table for dinner", "a table please",
                                                    "I need a table tonight"),
        "intents/remind me.json": intent("remind me", "Reminder set.", action="reminder.set",
                                         parameters=[parameter("day", "@sys.date")]),
        "intents/remind me_usersays_en.json": says(
            [("remind me on ", None, None), ("2026-12-24", "day", "@sys.date")],
            [("set a reminder for ", None, None), ("tomorrow", "day", "@sys.date")]),
        "intents/Default Fallback Intent.json": intent("Default Fallback Intent", "Sorry, say again?", fallbackIntent=True),
    }
    files |= entity("city", {"Paris": ["Paris", "paname"], "Berlin": ["Berlin"]})
    files |= entity("country", {"France": ["France"], "Germany": ["Germany"]})
    files |= entity("topping", {"ham": ["ham", "jambon"], "olives": ["olives", "olive"], "mushrooms": ["mushrooms", "mushroom"]})
    return files


def write_export(path: Path, webhook_url: str) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, document in export_files(webhook_url).items():
            archive.writestr(f"travel-agent/{name}", json.dumps(document))
    return path
