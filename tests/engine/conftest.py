"""A small test agent (tests/engine/testagent) with handlers that record their calls."""

from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import pytest

from chatops.config import load_settings
from chatops.fulfillment import HandlerCall, HandlerTable, Reply
from chatops.testing import ChatHarness

TEST_AGENT = Path(__file__).parent / "testagent"


class Recorder:
    def __init__(self) -> None:
        self.calls: list[HandlerCall] = []

    def table(self) -> HandlerTable:
        table = HandlerTable("test")

        @table.action("test.tell")
        async def tell(call: HandlerCall) -> Reply:
            self.calls.append(call)
            return Reply(text=f"a {call.param('content')} #{len(self.calls)}")

        @table.action("test.paint")
        async def paint(call: HandlerCall) -> Reply:
            self.calls.append(call)
            return Reply(text=f"painted {call.param('thing')} {call.param('colour')} x{call.param('coats')}")

        @table.action("test.destroy", access="things:destroy", confirm=True)
        async def destroy(call: HandlerCall) -> Reply:
            self.calls.append(call)
            return Reply(text=f"destroyed {call.param('thing', 'everything')}")

        @table.action("test.chain")
        async def chain(call: HandlerCall) -> Reply:
            self.calls.append(call)
            return Reply(text="chaining", event="WELCOME")

        return table


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def chat(recorder: Recorder) -> AsyncIterator[ChatHarness]:
    settings = load_settings(env={}, overrides={"engine": {"agent_dir": str(TEST_AGENT)}, "store": {"url": "sqlite:///:memory:"}})
    async with ChatHarness(settings, tables=[recorder.table()]) as harness:
        yield harness
