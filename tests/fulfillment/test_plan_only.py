"""A plan that is the whole answer (a dry run): shown without a question, audited as a dry run."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chatops.fulfillment import HandlerCall, HandlerTable, PlanOnly, Reply
from chatops.fulfillment.access import PermissionSet
from chatops.fulfillment.dispatcher import CONFIRM_CONTEXT, CONFIRMATION_KEY
from chatops.fulfillment.prematched import MatchedQuery
from chatops.models import Confirmation, Principal
from chatops.testing import ChatHarness
from tests.fulfillment.test_prematched import settings_for

ALICE = Principal(id="alice", channel="test")


def table(ran: list[str]) -> HandlerTable:
    t = HandlerTable("plans")

    async def plan(call: HandlerCall) -> Reply:
        text = f"Plan: scale {call.param('app')} to {call.param('replicas')}."
        return PlanOnly(text=text, data={"replicas": call.param("replicas")}) if call.param("dry_run") else Reply(text=text)

    @t.action("deploy.scale", access="deploy:scale", confirm=True, plan=plan)
    async def scale(call: HandlerCall) -> Reply:
        ran.append(str(call.param("app")))
        return Reply(text="scaled")

    return t


@pytest.fixture
def ran() -> list[str]:
    return []


@pytest.fixture
async def chat(tmp_path: Path, ran: list[str]) -> AsyncIterator[ChatHarness]:
    async with ChatHarness(settings_for(tmp_path), tables=[table(ran)], policy=PermissionSet(frozenset({"deploy:scale"}))) as harness:
        yield harness


def scale(**parameters: object) -> MatchedQuery:
    return MatchedQuery(session="s1", intent="Scale", action="deploy.scale", principal=ALICE, parameters=parameters)


async def test_a_dry_run_shows_the_plan_and_asks_nothing(chat: ChatHarness, ran: list[str]) -> None:
    conversation = chat.runtime.conversation
    result = await conversation.handle_matched(scale(app="web", replicas=3, dry_run=True))
    assert result.reply.text == "Plan: scale web to 3." and result.reply.data == {"replicas": 3}
    assert not [p for p in result.reply.parts if isinstance(p, Confirmation)]
    assert CONFIRM_CONTEXT not in {c.name for c in result.reply.contexts}
    session = await chat.runtime.store.load_session("s1")
    assert session is None or CONFIRMATION_KEY not in session.memory  # a "yes" now confirms nothing
    audit = await chat.runtime.store.query_audit(action="deploy.scale")
    assert [(r.decision, r.outcome) for r in audit] == [("dry-run", "plan shown")]
    assert ran == []


async def test_without_a_dry_run_the_same_plan_asks_first(chat: ChatHarness, ran: list[str]) -> None:
    result = await chat.runtime.conversation.handle_matched(scale(app="web", replicas=3))
    assert result.reply.text.startswith("Plan: scale web to 3.\n")
    assert [p for p in result.reply.parts if isinstance(p, Confirmation)]
    audit = await chat.runtime.store.query_audit(action="deploy.scale")
    assert [r.decision for r in audit] == ["pending-confirmation"] and ran == []
