"""An agent whose parameters are cities, countries, money, colours and persons, trained and chatted through the engine.

The trip intent is webhook-fulfilled, so the WebhookRequest the loopback
fulfillment server receives shows the values in ES's shapes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, AsyncIterator

import pytest
import yaml

from chatops.channels.web_render import render_result
from chatops.engine.loader import load_agent
from chatops.engine.nlu import train_nlu
from chatops.errors import AgentError
from chatops.testing import ChatHarness
from tests.fakes.es_fulfillment import FakeFulfillment, WebhookRequest

INTENTS: dict[str, dict[str, Any]] = {
    "trip": {
        "webhook": True,
        "parameters": [
            {"name": "city", "entity": "@sys.geo-city", "required": True, "prompts": ["Which city?"]},
            {"name": "country", "entity": "@sys.geo-country"},
            {"name": "budget", "entity": "@sys.unit-currency"},
        ],
        "responses": ["Booking a trip to $city for $budget."],
        "phrases": [
            "book a trip to [Paris](city)", "I want to travel to [Rome](city) in [Italy](country)",
            "plan a trip to [Berlin](city) with [500 euros](budget)", "book a trip", "fly me to [Madrid](city)",
            "travel to [Tokyo](city) for [$2000](budget)", "a trip to [Lisbon](city) in [Portugal](country) for [1,000 dollars](budget)",
            "I would like to visit [Chicago](city)", "plan a holiday", "get me to [Sydney](city) in [Australia](country)",
        ],
    },
    "paint": {
        "parameters": [{"name": "colour", "entity": "@sys.color", "required": True, "prompts": ["Which colour?"]}],
        "responses": ["Painting it $colour."],
        "phrases": ["paint the wall [blue](colour)", "make it [red](colour)", "I want [light green](colour) walls",
                    "paint it", "colour the door [yellow](colour)", "repaint the fence", "use [dark grey](colour) paint"],
    },
    "contact": {
        "parameters": [
            {"name": "person", "entity": "@sys.person", "required": True, "prompts": ["Who?"]},
            {"name": "email", "entity": "@sys.email"},
            {"name": "discount", "entity": "@sys.percentage"},
        ],
        "responses": ["Writing to $person."],
        "phrases": ["send [John Smith](person) a mail at [john@example.com](email)",
                    "write to [Mary](person) on [mary@corp.io](email)", "offer [Dr. Lee](person) [20%](discount) off",
                    "email [Anna](person)", "write an email", "give [Paul Jones](person) a [10 percent](discount) discount"],
    },
    "help": {"phrases": ["help", "what can you do", "how does this work", "help me please"]},
    "fallback": {"fallback": True, "phrases": ["what is the weather like", "sing a song"], "responses": ["Sorry?"]},
}


def trip(request: WebhookRequest) -> dict[str, Any]:
    return {"fulfillmentText": f"Trip to {request.parameters['city']} booked."}


def write_agent(root: Path, webhook_url: str) -> Path:
    (root / "intents").mkdir(parents=True)
    for name, body in INTENTS.items():
        (root / "intents" / f"{name}.yaml").write_text(yaml.safe_dump({"name": name, **body}))
    (root / "agent.yaml").write_text(yaml.safe_dump({"webhook": {"url": webhook_url}}))
    return root


@pytest.fixture
async def webhook() -> AsyncIterator[FakeFulfillment]:
    async with FakeFulfillment(intents={"trip": trip}) as fake:
        yield fake


@pytest.fixture
async def chat(tmp_path: Path, webhook: FakeFulfillment) -> AsyncIterator[ChatHarness]:
    agent = write_agent(tmp_path / "travel", webhook.url)
    overrides: dict[str, dict[str, Any]] = {"engine": {"agent_dir": str(agent)}, "fulfillment": {"deadline_seconds": 2.0}}
    async with ChatHarness(overrides=overrides, tables=[]) as harness:
        yield harness


async def test_a_city_and_an_amount_of_money_reach_the_webhook_in_es_shapes(chat: ChatHarness, webhook: FakeFulfillment) -> None:
    reply = await chat.say("plan a trip to Vienna with 300 euros")
    assert reply.text == "Trip to Vienna booked."
    expected = {"city": "Vienna", "country": "", "budget": {"amount": 300, "currency": "EUR"}}
    assert render_result(chat.last, "test-session")["parameters"] == expected  # the REST API's queryResult
    (request,) = webhook.requests
    assert request.parameters == expected


async def test_a_country_is_not_taken_for_the_city(chat: ChatHarness, webhook: FakeFulfillment) -> None:
    await chat.say("I want to travel to Milan in Italy")
    assert (chat.last.parameters["city"], chat.last.parameters["country"]) == ("Milan", "Italy")


async def test_the_city_prompt_is_answered_with_a_city(chat: ChatHarness, webhook: FakeFulfillment) -> None:
    assert (await chat.say("book a trip")).text == "Which city?"
    assert (await chat.say("the blue one")).text == "Which city?"  # a colour is no city
    reply = await chat.say("paris")
    assert reply.text == "Trip to Paris booked."
    assert chat.last.all_required_params_present and webhook.requests[-1].parameters["city"] == "Paris"


async def test_a_colour_fills_its_parameter_and_its_prompt(chat: ChatHarness) -> None:
    assert (await chat.say("paint the wall light blue")).text == "Painting it light blue."
    assert (await chat.say("paint it")).text == "Which colour?"
    assert (await chat.say("France")).text == "Which colour?"
    assert (await chat.say("orange")).text == "Painting it orange."


async def test_a_person_and_an_email_and_a_percentage(chat: ChatHarness) -> None:
    reply = await chat.say("give Susan Miller a 15 percent discount")
    assert chat.last.parameters["person"] == {"name": "Susan Miller"}
    assert chat.last.parameters["discount"] == "15%"
    assert reply.text == "Writing to Susan Miller."
    await chat.say("write to Linda on linda@example.org")
    assert chat.last.parameters["email"] == "linda@example.org"
    assert chat.last.parameters["person"] == {"name": "Linda"}


async def test_the_person_prompt_takes_a_name_in_lower_case(chat: ChatHarness) -> None:
    assert (await chat.say("write an email")).text == "Who?"
    assert (await chat.say("tomorrow")).text == "Who?"
    assert (await chat.say("linda jones")).text == "Writing to linda jones."
    assert chat.last.parameters["person"] == {"name": "linda jones"}


def test_an_agent_without_such_parameters_runs_none_of_their_finders(tmp_path: Path) -> None:
    agent = write_agent(tmp_path / "plain", "")
    for path in (agent / "intents").glob("*.yaml"):
        if path.stem != "help":
            path.unlink()
    model = train_nlu(load_agent(agent))
    assert model.extended.finders == []  # type: ignore[attr-defined]


def test_the_loader_accepts_the_types_and_still_refuses_unknown_system_types(tmp_path: Path) -> None:
    agent = load_agent(write_agent(tmp_path / "travel", ""))
    assert agent.intents["trip"].parameter("city").entity == "sys.geo-city"  # type: ignore[union-attr]
    (tmp_path / "travel" / "intents" / "help.yaml").write_text(
        yaml.safe_dump({"name": "help", "phrases": ["help"], "parameters": [{"name": "x", "entity": "@sys.geo-planet"}]})
    )
    with pytest.raises(AgentError, match="unknown entity type @sys.geo-planet"):
        load_agent(tmp_path / "travel")
