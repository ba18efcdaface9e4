"""Session entities a webhook sets (ES's ``sessionEntityTypes``): matched for the rest of that session only."""

from __future__ import annotations

from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from tests.fakes.es_fulfillment import FakeFulfillment, WebhookRequest
from tests.fulfillment.test_webhook import KEY, PASSWORD, SAMPLE, USER, harness, imported

FAMILY = {"value": "family", "synonyms": ["family", "family size", "xxl"]}


def welcome_with(mode: str) -> Any:
    def welcome(request: WebhookRequest) -> dict[str, Any]:
        return {
            "fulfillmentText": "Today we also bake family pizzas.",
            "sessionEntityTypes": [{"name": f"{request.session}/entityTypes/size", "entityOverrideMode": mode,
                                    "entities": [FAMILY]}],
        }

    return welcome


OVERRIDE, SUPPLEMENT = "ENTITY_OVERRIDE_MODE_OVERRIDE", "ENTITY_OVERRIDE_MODE_SUPPLEMENT"


@pytest.fixture(params=[OVERRIDE, SUPPLEMENT])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def webhook(mode: str) -> AsyncIterator[FakeFulfillment]:
    intents = dict(SAMPLE) | {"Default Welcome Intent": welcome_with(mode)}
    async with FakeFulfillment(username=USER, password=PASSWORD, headers={"X-Api-Key": KEY}, intents=intents) as fake:
        yield fake


async def test_the_session_matches_its_own_entries_after_the_webhook_set_them(tmp_path: Path, webhook: FakeFulfillment) -> None:
    async with harness(imported(tmp_path, webhook)) as chat:
        assert (await chat.say("order a family size pizza")).text == "What size?"  # not an entry yet
        assert (await chat.say("cancel")).text
        assert (await chat.say("hello")).text == "Today we also bake family pizzas."
        assert (await chat.say("order a family size pizza")).text == "A family pizza is in the oven."
        assert (await chat.say("I want a pizza")).text == "What size?"
        assert (await chat.say("xxl")).text == "A family pizza is in the oven."  # a prompt's answer too
        # Another session keeps the agent's own entries only.
        assert (await chat.say("order a family size pizza", session="another")).text == "What size?"
    assert [r.parameters["size"] for r in webhook.requests if r.intent == "order pizza"] == ["family", "family"]


async def test_an_override_replaces_the_entity_and_a_supplement_adds_to_it(tmp_path: Path, webhook: FakeFulfillment, mode: str) -> None:
    async with harness(imported(tmp_path, webhook)) as chat:
        await chat.say("hello")
        reply = await chat.say("order a large pizza")
    # Overridden, "large" is no longer a size in this session.
    assert reply.text == ("What size?" if mode == OVERRIDE else "A large pizza is in the oven.")
