"""DialogFlow ES dialogue semantics, driven through the in-process chat harness."""

from __future__ import annotations

import time

from chatops.fulfillment.access import PermissionSet
from chatops.models import Confirmation, Principal
from chatops.testing import ChatHarness

from .conftest import Recorder


async def test_welcome_event_answers_with_the_welcome_intent(chat: ChatHarness) -> None:
    reply = await chat.event("WELCOME")
    assert reply.text == "Hello! I can tell jokes and paint things."
    assert chat.last.intent is not None and chat.last.intent.name == "welcome"


async def test_gibberish_falls_back(chat: ChatHarness) -> None:
    reply = await chat.say("qwzx vbnm plok")
    assert reply.text == "I did not get that."
    assert chat.last.intent is not None and chat.last.intent.name == "fallback"
    assert chat.last.confidence < 0.3


async def test_follow_up_needs_its_context_and_reads_its_parameters(chat: ChatHarness, recorder: Recorder) -> None:
    assert (await chat.say("another one")).text == "I did not get that."
    assert (await chat.say("tell me some trivia")).text == "a fact #1"
    assert chat.contexts == {"tell-followup": 2}
    assert (await chat.say("another one")).text == "a fact #2"
    assert recorder.calls[-1].parameters["content"] == "fact"
    assert chat.last.intent is not None and chat.last.intent.name == "another"


async def test_contexts_lose_a_turn_each_turn_and_die_at_zero(chat: ChatHarness) -> None:
    await chat.say("tell me a joke")
    assert chat.contexts == {"tell-followup": 2}
    await chat.say("hello")
    assert chat.contexts == {"tell-followup": 1}
    await chat.say("hello")
    assert chat.contexts == {}
    assert (await chat.say("another one")).text == "I did not get that."


async def test_missing_required_parameters_are_prompted_in_turn(chat: ChatHarness, recorder: Recorder) -> None:
    reply = await chat.say("i want to paint")
    assert reply.text == "Which colour?"
    assert chat.last.all_required_params_present is False
    assert (await chat.say("bright green")).text == "Please name a colour, like red or blue."
    assert (await chat.say("crimson")).text == "What should I paint?"
    reply = await chat.say("the garden shed")
    assert reply.text == "painted the garden shed red x1"
    assert chat.last.all_required_params_present is True
    assert recorder.calls[-1].parameters == {"colour": "red", "thing": "the garden shed", "coats": 1}


async def test_cancel_ends_a_pending_prompt(chat: ChatHarness, recorder: Recorder) -> None:
    assert (await chat.say("please paint something")).text == "Which colour?"
    assert (await chat.say("never mind")).text == "OK, cancelled."
    assert recorder.calls == []
    record = await chat.runtime.store.load_session(chat.session)
    assert record is None  # a cancelled prompt leaves nothing to remember, so the session record is gone


async def test_idle_session_loses_its_contexts(chat: ChatHarness) -> None:
    await chat.say("tell me a joke")
    idle = chat.settings.engine.session_idle_seconds
    chat.runtime.conversation.clock = lambda: time.time() + idle - 5
    assert (await chat.say("another one")).text == "a joke #2"
    chat.runtime.conversation.clock = lambda: time.time() + 2 * idle + 1
    assert (await chat.say("another one")).text == "I did not get that."


async def test_reset_contexts_clears_everything(chat: ChatHarness) -> None:
    await chat.say("tell me a joke")
    assert (await chat.say("start over")).text == "Starting over."
    assert chat.contexts == {}


async def test_follow_up_event_from_a_reply_triggers_its_intent(chat: ChatHarness) -> None:
    reply = await chat.say("run the chain")
    assert reply.text == "chaining\nHello! I can tell jokes and paint things."


async def test_dangerous_action_asks_and_runs_only_after_yes(chat: ChatHarness, recorder: Recorder) -> None:
    reply = await chat.say("destroy the castle")
    assert "I am about to run test.destroy with thing=castle." in reply.text
    assert any(isinstance(p, Confirmation) for p in reply.parts)
    assert recorder.calls == []
    assert (await chat.say("yes")).text == "destroyed castle"
    assert [c.confirmed for c in recorder.calls] == [True]
    audit = await chat.runtime.store.query_audit(action="test.destroy")
    assert [(a.decision, a.outcome) for a in audit] == [("confirmed", "ok"), ("confirmed", "started"), ("pending-confirmation", "asked")]


async def test_no_cancels_a_pending_confirmation(chat: ChatHarness, recorder: Recorder) -> None:
    await chat.say("destroy the castle")
    assert (await chat.say("no")).text.startswith("OK, cancelled")
    assert (await chat.say("yes")).text == "I did not get that."
    assert recorder.calls == []
    assert (await chat.runtime.store.query_audit(action="test.destroy"))[0].decision == "cancelled"


async def test_only_the_requester_may_confirm(chat: ChatHarness, recorder: Recorder) -> None:
    await chat.say("destroy the castle")
    reply = await chat.say("yes", principal=Principal(id="mallory", channel="test"))
    assert reply.text == "Only the person who asked for this can confirm it."
    assert recorder.calls == []
    assert (await chat.say("yes")).text == "destroyed castle"


async def test_an_expired_confirmation_does_nothing(recorder: Recorder) -> None:
    from .conftest import TEST_AGENT
    from chatops.config import load_settings

    # A confirmation that lives no time at all has expired by the next turn.
    overrides = {"engine": {"agent_dir": str(TEST_AGENT)}, "store": {"url": "sqlite:///:memory:"},
                 "security": {"confirm_ttl_seconds": 0}}
    async with ChatHarness(load_settings(env={}, overrides=overrides), tables=[recorder.table()]) as chat:
        await chat.say("destroy the castle")
        assert "expired" in (await chat.say("yes")).text
    assert recorder.calls == []


async def test_denied_action_names_the_missing_permission_and_is_audited(recorder: Recorder) -> None:
    from .conftest import TEST_AGENT
    from chatops.config import load_settings

    settings = load_settings(env={}, overrides={"engine": {"agent_dir": str(TEST_AGENT)}, "store": {"url": "sqlite:///:memory:"}})
    async with ChatHarness(settings, tables=[recorder.table()], policy=PermissionSet()) as chat:
        reply = await chat.say("destroy the castle")
        assert "things:destroy" in reply.text
        assert recorder.calls == []
        assert (await chat.runtime.store.query_audit(action="test.destroy"))[0].decision == "denied"


async def test_sessions_do_not_share_contexts(chat: ChatHarness) -> None:
    await chat.say("tell me a joke")
    assert (await chat.say("another one", session="other")).text == "I did not get that."
