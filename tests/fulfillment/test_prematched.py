"""Pre-matched turns (the intent was matched elsewhere): dispatch without NLU, contexts, confirmations, deadline."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chatops.config import Settings, load_settings
from chatops.fulfillment import HandlerCall, HandlerTable, Reply
from chatops.fulfillment import texts
from chatops.fulfillment.access import PermissionSet
from chatops.fulfillment.prematched import STALE_CONFIRMATION, MatchedQuery, within_deadline
from chatops.fulfillment.tasks import TaskGroup
from chatops.models import Confirmation, Context, Principal
from chatops.testing import ChatHarness

ALICE = Principal(id="alice", channel="test")


def settings_for(tmp_path: Path) -> Settings:
    """An agent with one phrase-less intent: pre-matched turns never consult it."""
    (tmp_path / "agent" / "intents").mkdir(parents=True)
    (tmp_path / "agent" / "intents" / "fallback.yaml").write_text("name: fallback\nfallback: true\nresponses: [\"Sorry?\"]\n")
    return load_settings(env={}, overrides={
        "engine": {"agent_dir": str(tmp_path / "agent"), "handlers": ()}, "store": {"url": "sqlite:///:memory:"},
    })


def table() -> HandlerTable:
    t = HandlerTable("prematched")

    @t.action("deploy.status")
    async def status(call: HandlerCall) -> Reply:
        contexts = ",".join(f"{c.name}={c.lifespan}" for c in call.contexts)
        return Reply(text=f"status of {call.param('app')} [{contexts}]")

    @t.action("Deploy Intent")
    async def by_name(call: HandlerCall) -> Reply:
        return Reply(text="served by the intent's display name")

    @t.action("deploy.rollback", access="deploy:rollback", confirm=True)
    async def rollback(call: HandlerCall) -> Reply:
        return Reply(text=f"rolled back {call.param('app')}")

    return t


@pytest.fixture
async def chat(tmp_path: Path) -> AsyncIterator[ChatHarness]:
    policy = PermissionSet(frozenset({"deploy:rollback"}))
    async with ChatHarness(settings_for(tmp_path), tables=[table()], policy=policy) as harness:
        yield harness


def matched(intent: str, action: str | None = None, **fields: object) -> MatchedQuery:
    return MatchedQuery(session="df:1", intent=intent, action=action, principal=ALICE, **fields)  # type: ignore[arg-type]


async def test_dispatch_by_action_then_by_intent_name_then_the_agents_text(chat: ChatHarness) -> None:
    conversation = chat.runtime.conversation
    by_action = await conversation.handle_matched(matched("Anything", "deploy.status", parameters={"app": "web"}))
    by_name = await conversation.handle_matched(matched("Deploy Intent", "unknown.action"))
    unserved = await conversation.handle_matched(matched("Small Talk", None, fallback_text="Nice weather."))
    assert (by_action.action, by_action.reply.text) == ("deploy.status", "status of web []")
    assert (by_name.action, by_name.reply.text) == ("Deploy Intent", "served by the intent's display name")
    assert (unserved.action, unserved.reply.text) == (None, "Nice weather.")


async def test_given_contexts_replace_the_sessions_and_none_keeps_them(chat: ChatHarness) -> None:
    conversation = chat.runtime.conversation
    given = (Context("Deploy-Followup", 3, {"app": "web"}), Context("turn-only", 0))
    first = await conversation.handle_matched(matched("x", "deploy.status", contexts=given))
    kept = await conversation.handle_matched(matched("x", "deploy.status"))
    replaced = await conversation.handle_matched(matched("x", "deploy.status", contexts=()))
    assert first.reply.text == "status of None [deploy-followup=3,turn-only=0]"
    assert kept.reply.text == "status of None [deploy-followup=2]"  # a turn-only context is gone; others lose a turn
    assert replaced.reply.text == "status of None []"


async def test_confirmation_checks_the_token_and_the_requester(chat: ChatHarness) -> None:
    conversation = chat.runtime.conversation
    asked = await conversation.handle_matched(matched("Rollback", "deploy.rollback", parameters={"app": "web"}))
    [question] = [p for p in asked.reply.parts if isinstance(p, Confirmation)]
    stale = await conversation.handle_matched(matched("yes", "confirm.yes", confirmation="not-the-token"))
    other = await conversation.handle_matched(
        MatchedQuery(session="df:1", intent="yes", action="confirm.yes", principal=Principal(id="bob"), confirmation=question.token)
    )
    done = await conversation.handle_matched(matched("yes", "confirm.yes", confirmation=question.token))
    again = await conversation.handle_matched(matched("yes", "confirm.yes", confirmation=question.token))
    assert stale.reply.text == STALE_CONFIRMATION
    assert other.reply.text == texts.ONLY_REQUESTER
    assert done.reply.text == "rolled back web"
    assert again.reply.text == STALE_CONFIRMATION
    audit = await chat.runtime.store.query_audit(action="deploy.rollback")
    assert [(r.decision, r.outcome) for r in reversed(audit)] == [("pending-confirmation", "asked"), ("confirmed", "started"), ("confirmed", "ok")]


async def test_the_access_policy_applies_to_pre_matched_turns(tmp_path: Path) -> None:
    async with ChatHarness(settings_for(tmp_path), tables=[table()], policy=PermissionSet()) as chat:
        result = await chat.runtime.conversation.handle_matched(matched("Rollback", "deploy.rollback"))
        audit = await chat.runtime.store.query_audit(action="deploy.rollback")
    assert result.reply.text.startswith("You are not allowed to do that")
    assert [r.decision for r in audit] == ["denied"]


async def test_within_deadline_returns_fast_work_and_hands_late_work_on() -> None:
    tasks = TaskGroup()
    late: list[str] = []

    async def work(seconds: float, answer: str) -> str:
        await asyncio.sleep(seconds)
        return answer

    async def on_late(result: str) -> None:
        late.append(result)

    assert await within_deadline(tasks, work(0.01, "fast"), deadline=1.0, name="fast", on_late=on_late) == "fast"
    assert await within_deadline(tasks, work(0.3, "slow"), deadline=0.05, name="slow", on_late=on_late) is None
    assert late == [] and len(tasks) == 1
    await tasks.drain(timeout=2.0)
    assert late == ["slow"]


async def test_within_deadline_raises_what_fails_in_time() -> None:
    async def fail() -> str:
        raise ValueError("broken")

    async def on_late(result: str) -> None:
        raise AssertionError("not late")

    with pytest.raises(ValueError, match="broken"):
        await within_deadline(TaskGroup(), fail(), deadline=1.0, name="fail", on_late=on_late)
