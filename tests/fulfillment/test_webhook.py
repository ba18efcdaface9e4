"""Webhook fulfillment as ES does it, against a loopback fulfillment server written like ES's samples."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from chatops.channels.web_render import render_result
from chatops.cli import main
from chatops.engine.dialogflow import import_agent
from chatops.engine.loader import bundled_agent_dir
from chatops.models import Principal
from chatops.security.policy import Binding, Policy, PrincipalPattern, Role, Statement
from chatops.testing import ChatHarness
from tests.fakes.es_fulfillment import Fault, FakeFulfillment, WebhookRequest
from tests.fulfillment.es_pizza_agent import write_export

USER, PASSWORD, KEY = "dialogflow", "s3cret-pw", "key-123"


def welcome(request: WebhookRequest) -> dict[str, Any]:
    return {"fulfillmentText": f"Welcome! You said {request.result['queryText']!r}."}


def order_pizza(request: WebhookRequest) -> dict[str, Any]:
    size = request.parameters["size"]
    return {
        "fulfillmentMessages": [{"text": {"text": [f"A {size} pizza is in the oven."]}},
                                {"quickReplies": {"title": "Anything else?", "quickReplies": ["check my order"]}}],
        "outputContexts": [{"name": f"{request.session}/contexts/order-placed", "lifespanCount": 3,
                            "parameters": {"order": "42", "size": size}}],
    }


def check_order(request: WebhookRequest) -> dict[str, Any]:
    # The samples' agent.setFollowupEvent: the rest of the response is ignored.
    return {"fulfillmentText": "ignored", "followupEventInput": {"name": "ORDER_STATUS", "languageCode": "en",
                                                                "parameters": {"order": "42"}}}


def order_status(request: WebhookRequest) -> dict[str, Any]:
    return {"fulfillmentText": f"Order {request.parameters['order']} left the shop.", "payload": {"tracking": "T-42"}}


def book_room(request: WebhookRequest) -> dict[str, Any]:
    if not request.result["allRequiredParamsPresent"]:
        return {"fulfillmentText": "We have rooms on Monday and Friday. Which day suits you?"}
    return {"fulfillmentText": f"Room booked for {request.parameters['day']}."}


def refund(request: WebhookRequest) -> dict[str, Any]:
    return {"fulfillmentText": "Refunded."}


SAMPLE = {"Default Welcome Intent": welcome, "order pizza": order_pizza, "check order": check_order,
          "order status": order_status, "book room": book_room, "refund": refund}


@pytest.fixture
async def webhook() -> AsyncIterator[FakeFulfillment]:
    async with FakeFulfillment(username=USER, password=PASSWORD, headers={"X-Api-Key": KEY}, intents=dict(SAMPLE)) as fake:
        yield fake


def imported(tmp_path: Path, webhook: FakeFulfillment | None) -> Path:
    section = None if webhook is None else {
        "url": webhook.url, "username": USER, "password": PASSWORD, "headers": {"X-Api-Key": KEY}, "available": True,
    }
    export = write_export(tmp_path / "pizza-agent.zip", section)
    target = tmp_path / "pizza-agent"
    import_agent(export, target)
    return target


def harness(agent: Path, **kwargs: Any) -> ChatHarness:
    fulfillment = {"deadline_seconds": 0.5} | kwargs.pop("fulfillment", {})
    return ChatHarness(overrides={"engine": {"agent_dir": str(agent)}, "fulfillment": fulfillment}, tables=[], **kwargs)


async def test_the_webhook_text_replaces_the_static_response(tmp_path: Path, webhook: FakeFulfillment) -> None:
    async with harness(imported(tmp_path, webhook)) as chat:
        reply = await chat.say("hello")
    assert reply.text == "Welcome! You said 'hello'."
    (request,) = webhook.requests
    assert (request.action, request.intent) == ("input.welcome", "Default Welcome Intent")
    assert request.result["fulfillmentText"] == "Hello from the static response!"
    assert request.session == "projects/pizza-agent/agent/sessions/test-session"


async def test_basic_auth_and_headers_are_sent(tmp_path: Path, webhook: FakeFulfillment) -> None:
    async with harness(imported(tmp_path, webhook)) as chat:
        assert (await chat.say("hi")).text.startswith("Welcome!")
    sent = webhook.received_headers[0]
    assert sent["X-Api-Key"] == KEY and sent["Authorization"].startswith("Basic ")
    assert sent["Content-Type"].startswith("application/json")


async def test_a_wrong_password_is_refused_and_the_static_response_answers(tmp_path: Path, webhook: FakeFulfillment) -> None:
    async with harness(imported(tmp_path, webhook), fulfillment={"password": "wrong"}) as chat:
        assert (await chat.say("hi")).text == "Hello from the static response!"
    assert webhook.requests == []  # refused at the door (401)


async def test_contexts_are_set_from_their_full_names_and_unfilled_parameters_are_empty(
    tmp_path: Path, webhook: FakeFulfillment
) -> None:
    async with harness(imported(tmp_path, webhook)) as chat:
        reply = await chat.say("order a large pizza")
        assert reply.text == "A large pizza is in the oven."
        assert [p.options for p in reply.parts] == [("check my order",)]
        assert chat.contexts["order-placed"] == 3
        placed = next(c for c in chat.last.contexts if c.name == "order-placed")
        assert dict(placed.parameters) == {"order": "42", "size": "large"}
    (request,) = webhook.requests
    assert request.parameters == {"size": "large", "crust": ""}
    assert request.context("orderpizza-followup") == {
        "name": f"{request.session}/contexts/orderpizza-followup", "lifespanCount": 2,
        # As ES writes a context: every parameter of the intent, its value and words, unfilled ones empty.
        "parameters": {"size": "large", "size.original": "large", "crust": "", "crust.original": ""},
    }


async def test_a_followup_event_triggers_its_intent_with_the_parameters(tmp_path: Path, webhook: FakeFulfillment) -> None:
    async with harness(imported(tmp_path, webhook)) as chat:
        reply = await chat.say("where is my order")
    assert reply.text == "Order 42 left the shop."  # the first response ("ignored", "Let me check.") is dropped
    assert reply.data == {"webhookPayload": {"tracking": "T-42"}}
    assert [r.intent for r in webhook.requests] == ["check order", "order status"]
    assert webhook.requests[1].parameters == {"order": "42"}


async def test_slot_filling_calls_the_webhook_on_each_turn(tmp_path: Path, webhook: FakeFulfillment) -> None:
    async with harness(imported(tmp_path, webhook)) as chat:
        asked = await chat.say("book a room")
        booked = await chat.say("friday")
    assert asked.text == "We have rooms on Monday and Friday. Which day suits you?"
    assert booked.text == "Room booked for friday."
    first, second = webhook.calls("book room")
    assert (first.result["allRequiredParamsPresent"], first.parameters) == (False, {"day": ""})
    assert first.result["fulfillmentText"] == "Which day?"
    assert (second.result["allRequiredParamsPresent"], second.parameters) == (True, {"day": "friday"})


@pytest.mark.parametrize("fault", [Fault("slow", delay=1.5), Fault("500")], ids=["timeout", "http-500"])
async def test_a_failed_webhook_falls_back_to_the_static_response(
    tmp_path: Path, webhook: FakeFulfillment, fault: Fault, caplog: pytest.LogCaptureFixture
) -> None:
    webhook.faults.append(fault)
    with caplog.at_level(logging.WARNING):
        async with harness(imported(tmp_path, webhook)) as chat:
            assert (await chat.say("hi")).text == "Hello from the static response!"
            assert (await chat.say("hi")).text.startswith("Welcome!")  # the next call is answered again
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "static response answers" in logged
    assert "Internal Server Error" not in logged and webhook.url not in logged and PASSWORD not in logged


async def test_the_policy_can_deny_a_webhook_action_and_the_audit_records_both(tmp_path: Path, webhook: FakeFulfillment) -> None:
    customers = Role("customer", (Statement("allow", ("webhook:call",), ("*",)), Statement("deny", ("webhook:call",), ("refund.*",))))
    policy = Policy(roles={"customer": customers}, bindings=(Binding((PrincipalPattern("*"),), ("customer",)),))
    async with harness(imported(tmp_path, webhook), policy=policy, principal=Principal(id="ann", channel="test")) as chat:
        denied = await chat.say("I want a refund")
        welcomed = await chat.say("hello")
        refunds = await chat.runtime.store.query_audit(action="refund.issue")
        welcomes = await chat.runtime.store.query_audit(action="input.welcome")
    assert "not allowed" in denied.text and "webhook:call on refund.issue" in denied.text
    assert welcomed.text.startswith("Welcome!")
    assert webhook.calls("refund") == []
    assert [(r.decision, r.principal) for r in refunds] == [("denied", "test:ann")]
    assert {(r.decision, r.outcome) for r in welcomes} == {("allowed", "started"), ("allowed", "ok")}


async def test_a_confirmed_webhook_action_is_called_only_after_yes(tmp_path: Path, webhook: FakeFulfillment) -> None:
    agent = imported(tmp_path, webhook)
    for answer in ("confirm.yes.yaml", "confirm.no.yaml"):  # an ES export has no intents answering our question
        shutil.copy(bundled_agent_dir() / "intents" / answer, agent / "intents" / answer)
    async with harness(agent, fulfillment={"confirm": ("refund.*",)}) as chat:
        asked = await chat.say("I want a refund")
        assert webhook.calls("refund") == []
        done = await chat.say("yes")
    assert "Shall I go ahead?" in asked.text
    assert done.text == "Refunded." and len(webhook.calls("refund")) == 1


async def test_an_intent_without_webhook_used_keeps_its_static_response(tmp_path: Path, webhook: FakeFulfillment) -> None:
    async with harness(imported(tmp_path, webhook)) as chat:
        assert (await chat.say("what are your opening hours")).text == "We open at nine."
    assert webhook.requests == []


def test_check_accepts_an_imported_agent_and_names_the_webhook_intents(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = write_export(tmp_path / "pizza-agent.zip", {"url": "https://fulfillment.example/hook", "available": True})
    import_agent(export, tmp_path / "agent")
    assert main(["check", "--agent", str(tmp_path / "agent")]) == 0
    captured = capsys.readouterr()
    assert "6 intents fulfilled by the webhook" in captured.out
    assert "webhook-fulfilled: Default-Welcome-Intent, book-room, check-order, order-pizza, order-status, refund" in captured.out
    assert captured.err == ""


def test_check_warns_but_passes_when_nothing_serves_an_action(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import_agent(write_export(tmp_path / "pizza-agent.zip", None), tmp_path / "agent")
    (tmp_path / "agent" / "intents" / "lights.yaml").write_text("name: lights\nphrases: [lights on]\naction: lights.on\n")
    assert main(["check", "--agent", str(tmp_path / "agent")]) == 0
    captured = capsys.readouterr()
    assert "0 intents fulfilled by the webhook" in captured.out
    warnings = captured.err.splitlines()
    assert "warning: intent 'Default-Welcome-Intent' uses the webhook, but no fulfillment URL is configured; " \
           "it answers with its static response" in warnings
    assert "warning: intent 'lights': no handler is registered for action 'lights.on' and no fulfillment URL " \
           "is configured; it answers with its static response" in warnings
    assert not any("opening-hours" in w for w in warnings)  # no webhookUsed: its action only labels it


async def test_a_v1_webhook_gets_v1_bodies_and_its_answer_is_applied(tmp_path: Path) -> None:
    def v1_order(request: WebhookRequest) -> dict[str, Any]:
        size = request.parameters["size"]
        return {"speech": f"V1 says: a {size} pizza.", "contextOut": [{"name": "order-placed", "parameters": {"size": size}}]}

    async with FakeFulfillment(protocol="v1", intents={"order pizza": v1_order}) as fake:
        agent = imported(tmp_path, fake)
        async with harness(agent, fulfillment={"protocol": "v1"}) as chat:
            reply = await chat.say("order a small pizza")
            assert reply.text == "V1 says: a small pizza."
            assert chat.contexts["order-placed"] == 5  # v1's default lifespan
    (request,) = fake.requests
    assert request.result["resolvedQuery"] == "order a small pizza" and request.result["actionIncomplete"] is False
    assert request.result["contexts"] == [{"name": "orderpizza-followup", "lifespan": 2,
                                          "parameters": {"size": "small", "size.original": "small", "crust": "", "crust.original": ""}}]


async def test_reset_contexts_applies_after_the_response_read_them(tmp_path: Path, webhook: FakeFulfillment) -> None:
    async with harness(imported(tmp_path, webhook)) as chat:
        await chat.say("order a large pizza")
        assert "order-placed" in chat.contexts
        assert (await chat.say("start over")).text == "Forgot your large pizza."
        assert chat.contexts == {}


async def test_an_intent_ending_the_interaction_says_so_in_the_result(tmp_path: Path, webhook: FakeFulfillment) -> None:
    async with harness(imported(tmp_path, webhook)) as chat:
        assert (await chat.say("goodbye")).text == "Bye!"
        assert chat.last.end_interaction and chat.last.intent is not None
        assert chat.last.intent.display_name == "goodbye"
        rendered = render_result(chat.last, "test-session")
        await chat.say("where is my order")
        chained = render_result(chat.last, "test-session")
    assert rendered["diagnosticInfo"] == {"end_conversation": True}
    assert chained["webhookPayload"] == {"tracking": "T-42"} and "diagnosticInfo" not in chained
