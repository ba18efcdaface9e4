"""One process serves a session's turns one at a time, and forgets the lock when nobody needs it."""

from __future__ import annotations

import asyncio

from chatops.config import load_settings
from chatops.fulfillment import HandlerCall, HandlerTable, Reply
from chatops.testing import ChatHarness

from ..engine.conftest import TEST_AGENT


async def test_concurrent_turns_of_a_session_never_overlap() -> None:
    running = 0
    most = 0
    table = HandlerTable("test")

    @table.action("test.tell")
    async def tell(call: HandlerCall) -> Reply:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.02)
        running -= 1
        return Reply(text="told")

    for name in ("test.paint", "test.destroy", "test.chain"):
        table.action(name)(tell)
    settings = load_settings(env={}, overrides={"engine": {"agent_dir": str(TEST_AGENT)}, "store": {"url": "sqlite:///:memory:"}})
    async with ChatHarness(settings, tables=[table]) as chat:
        # Waves of turns: each wave starts while the previous lock is being handed on.
        for _ in range(3):
            replies = await asyncio.gather(*(chat.say("tell me a joke") for _ in range(5)))
            assert [r.text for r in replies] == ["told"] * 5
        assert most == 1
        assert chat.runtime.conversation._locks == {}
