"""ES parameter semantics, driven as conversations with an imported ES export and its own webhook."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any, AsyncIterator
from zoneinfo import ZoneInfo

import pytest

from chatops.channels.web_render import render_result
from chatops.engine.dialogflow import import_agent
from chatops.fulfillment import HandlerCall, HandlerTable, Reply
from chatops.testing import ChatHarness
from tests.engine.dialogflow.es_travel_agent import intent_id, write_export
from tests.fakes.es_fulfillment import FakeFulfillment, WebhookRequest

PARIS = ZoneInfo("Europe/Paris")


def set_alarm(request: WebhookRequest) -> dict[str, Any]:
    return {"fulfillmentText": f"Alarm at {request.parameters['time']} for {request.parameters['day']}."}


def book_table(request: WebhookRequest) -> dict[str, Any]:
    if not request.result["allRequiredParamsPresent"]:
        return {"fulfillmentText": "Tables for two or four. How many are you?"}
    return {"fulfillmentText": f"A table for {request.parameters['guests']}."}


@pytest.fixture
async def webhook() -> AsyncIterator[FakeFulfillment]:
    async with FakeFulfillment(intents={"set alarm": set_alarm, "book table": book_table}) as fake:
        yield fake


@pytest.fixture
def calls() -> list[HandlerCall]:
    return []


@pytest.fixture
async def chat(tmp_path: Path, webhook: FakeFulfillment, calls: list[HandlerCall]) -> AsyncIterator[ChatHarness]:
    import_agent(write_export(tmp_path / "travel.zip", webhook.url), tmp_path / "travel")
    table = HandlerTable("travel")

    @table.action("reminder.set")
    async def remind(call: HandlerCall) -> Reply:
        calls.append(call)
        return Reply(text=f"Reminder for {call.param('day')}.")

    overrides = {"engine": {"agent_dir": str(tmp_path / "travel")}, "fulfillment": {"deadline_seconds": 2.0}}
    async with ChatHarness(overrides=overrides, tables=[table]) as harness:
        yield harness


def context(chat: ChatHarness, name: str) -> dict[str, Any]:
    return dict(next(c for c in chat.last.contexts if c.name == name).parameters)


async def test_composite_and_original_values_fill_the_response_and_the_context(chat: ChatHarness) -> None:
    reply = await chat.say("fly to paname in france on 2026-12-08")
    # ES shows a date in a text response as it sends it: a date-time in the agent's zone ($date.original is the words).
    assert reply.text == "Flying to Paris, France (paname, said paname) on 2026-12-08T12:00:00+01:00."
    assert chat.last.parameters == {"city": "Paris", "country": "France", "destination": "Paris, France",
                                    "city_said": "paname", "date": "2026-12-08T12:00:00+01:00"}
    booking = context(chat, "booking")
    assert (booking["city"], booking["city.original"]) == ("Paris", "paname")
    assert (booking["date"], booking["date.original"]) == ("2026-12-08T12:00:00+01:00", "2026-12-08")
    assert (booking["destination"], booking["destination.original"]) == ("Paris, France", "paname, france")


async def test_a_composite_value_keeps_what_was_said_when_part_is_missing(chat: ChatHarness) -> None:
    await chat.say("a flight to berlin on 2026-12-08")
    assert chat.last.parameters["destination"] == "Berlin, "  # an empty reference reads as empty text
    assert chat.last.parameters["country"] == ""
    # ES writes every parameter of the intent into its output contexts, one not filled as "" with no words.
    booking = context(chat, "booking")
    assert (booking["country"], booking["country.original"]) == ("", "")
    assert (booking["city"], booking["city.original"]) == ("Berlin", "berlin")


async def test_a_context_value_is_read_unless_the_turn_says_it(chat: ChatHarness) -> None:
    await chat.say("fly to paname in france on 2026-12-08")
    assert (await chat.say("change the date to 2026-12-10")).text == "Moving your Paris trip to 2026-12-10T12:00:00+01:00."
    assert (await chat.say("move the berlin trip to 2026-12-11")).text == "Moving your Berlin trip to 2026-12-11T12:00:00+01:00."


async def test_list_parameters_collect_every_match_and_their_words(chat: ChatHarness) -> None:
    reply = await chat.say("a pizza with jambon and olives")
    assert reply.text == "Toppings: ham, olives (you said jambon, olives)."
    assert chat.last.parameters == {"toppings": ["ham", "olives"]}
    assert (await chat.say("I want a pizza")).text == "Which toppings?"
    assert (await chat.say("mushroom and jambon")).text == "Toppings: mushrooms, ham (you said mushroom, jambon)."


async def test_slot_filling_reports_es_contexts_and_a_cancel_says_so(chat: ChatHarness) -> None:
    assert (await chat.say("fly to paname in france")).text == "When do you fly?"
    asked = render_result(chat.last, "s")
    assert asked["allRequiredParamsPresent"] is False and asked["slotfillingMetadata"] == {"allRequiredParamsPresent": False}
    names = {c["name"]: c for c in asked["outputContexts"]}
    assert names["book_flight_dialog_params_date"]["lifespanCount"] == 1
    assert names["book_flight_dialog_context"]["lifespanCount"] == 2
    assert {"city": "Paris", "city.original": "paname", "date": ""}.items() <= names["book_flight_dialog_context"]["parameters"].items()
    assert names["__system_counters__"]["parameters"] == {"no-input": 0.0, "no-match": 0.0}
    assert "cancelsSlotFilling" not in asked
    await chat.say("cancel")
    cancelled = render_result(chat.last, "s")
    assert cancelled["cancelsSlotFilling"] is True
    assert not any(c["name"].endswith("_dialog_context") for c in cancelled["outputContexts"])


async def test_a_slot_filling_webhook_sees_the_es_slot_contexts(chat: ChatHarness, webhook: FakeFulfillment) -> None:
    assert (await chat.say("book a table")).text == "Tables for two or four. How many are you?"
    assert (await chat.say("a lot of us")).text == "Tables for two or four. How many are you?"
    assert (await chat.say("4")).text == "A table for 4."
    first, second, done = webhook.calls("book table")
    assert first.context("book_table_dialog_params_guests") is not None
    assert first.context("__system_counters__")["parameters"] == {"no-input": 0.0, "no-match": 0.0}  # type: ignore[index]
    assert second.context("__system_counters__")["parameters"]["no-match"] == 1.0  # type: ignore[index]
    assert done.context("__system_counters__") is None and done.parameters == {"guests": 4}
    # ES names the intent by the export's id, and keys a slot-filling context by it.
    assert {r.result["intent"]["name"].rsplit("/", 1)[1] for r in (first, second, done)} == {intent_id("book table")}
    assert first.context(f"{intent_id('book table')}_id_dialog_context") is not None


async def test_dates_reach_the_webhook_as_es_date_times_in_the_agent_zone(chat: ChatHarness, webhook: FakeFulfillment) -> None:
    today = datetime.now(PARIS).date().isoformat()
    reply = await chat.say("wake me at 7:30 on 2026-12-24")
    assert reply.text == f"Alarm at {today}T07:30:00+01:00 for 2026-12-24T12:00:00+01:00."
    (request,) = webhook.calls("set alarm")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T07:30:00\+0[12]:00", request.parameters["time"])
    alarm = request.context("alarm")
    assert alarm is not None and alarm["parameters"]["day"] == "2026-12-24T12:00:00+01:00"
    assert alarm["parameters"]["day.original"] == "2026-12-24"


async def test_our_own_handlers_keep_plain_dates(chat: ChatHarness, calls: list[HandlerCall]) -> None:
    assert (await chat.say("remind me on 2026-12-24")).text == "Reminder for 2026-12-24."
    assert calls[0].parameters == {"day": "2026-12-24"}
    assert chat.last.parameters == {"day": "2026-12-24T12:00:00+01:00"}


async def test_priority_breaks_a_tie_and_ignore_disables_an_intent(chat: ChatHarness) -> None:
    assert (await chat.say("surprise me")).text == "A big surprise."
    assert (await chat.say("show the secret menu")).text != "The secret menu."
    assert (await chat.event("SECRET")).text != "The secret menu."


async def test_an_ml_disabled_intent_matches_only_its_phrases_as_written(chat: ChatHarness) -> None:
    assert (await chat.say("Open sesame!")).text == "The door opens."
    assert (await chat.say("let me in door")).text == "The door opens."
    await chat.say("could you open the sesame seed jar")
    assert chat.last.intent is None or chat.last.intent.display_name != "magic words"


async def test_event_parameters_fill_parameters_and_responses(chat: ChatHarness) -> None:
    assert (await chat.event("GREET", {"name": "Ann"})).text == "Hello Ann!"
    assert chat.last.parameters == {"name": "Ann"}


async def test_an_event_parameter_stays_while_the_slots_are_filled(chat: ChatHarness) -> None:
    assert (await chat.event("CHECKIN", {"booking": "AB12"})).text == "Which seat?"
    assert (await chat.say("12")).text == "Seat 12 for booking AB12."


def test_the_import_keeps_the_es_fields(tmp_path: Path) -> None:
    result = import_agent(write_export(tmp_path / "travel.zip", "https://hook.example/df"), tmp_path / "travel")
    intents, agent = result.agent.intents, result.agent
    assert result.warnings == []
    assert intents["book-flight"].parameter("destination").value == "$city, $country"  # type: ignore[union-attr]
    assert intents["book-flight"].parameter("city").value == ""  # type: ignore[union-attr]  # "$city" is the default
    assert intents["change-date"].parameter("city").value == "#booking.city"  # type: ignore[union-attr]
    assert (intents["surprise-normal"].priority, intents["secret-menu"].priority) == (500_000, -1)
    assert intents["magic-words"].ml_disabled and not intents["greet"].ml_disabled
    assert agent.timezone == "Europe/Paris" and agent.webhook.url == "https://hook.example/df"
