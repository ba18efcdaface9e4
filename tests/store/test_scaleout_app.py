"""Two service instances on one store: a session's turns run one at a time, and jobs survive an instance."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chatops.config import Settings, load_settings
from chatops.fulfillment import HandlerCall, HandlerTable, Reply, JobContext
from chatops.store.base import Job
from chatops.testing import ChatHarness
from tests.store.ferretdb import with_database

from ..engine.conftest import TEST_AGENT


@pytest.fixture(params=["sqlite-file", "mongo"])
async def shared_settings(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Settings]:
    if request.param == "mongo":
        url = with_database(request.getfixturevalue("mongodb_uri"), f"scaleout_{uuid.uuid4().hex[:12]}")
    else:
        url = f"sqlite:///{tmp_path / 'shared.db'}"
    yield load_settings(
        env={},
        overrides={
            "engine": {"agent_dir": str(TEST_AGENT), "job_lease_seconds": 0.4},
            "store": {"url": url, "timeout_seconds": 5.0},
        },
    )


class Slow:
    """Handlers that park until released, and a job kind that records who finished it."""

    def __init__(self, name: str, *, parked: asyncio.Event | None = None) -> None:
        self.name = name
        self.entered = asyncio.Event()
        self.parked = parked or asyncio.Event()
        self.finished_by: list[str] = []

    def table(self) -> HandlerTable:
        table = HandlerTable("test")

        @table.action("test.tell")
        async def tell(call: HandlerCall) -> Reply:
            self.entered.set()
            await self.parked.wait()
            return Reply(text=f"{self.name}: a {call.param('content')}")

        @table.action("test.paint")
        async def paint(call: HandlerCall) -> Reply:
            assert call.jobs is not None
            job = await call.jobs.start("slow", {}, call=call)
            return Reply(text=f"job {job.id}")

        @table.job("slow")
        async def follow(job: Job, ctx: JobContext) -> None:
            self.entered.set()
            await self.parked.wait()
            job.state, job.result = "succeeded", {"by": self.name}
            await ctx.checkpoint(job)

        for name in ("test.destroy", "test.chain"):
            table.action(name)(tell)
        return table


@pytest.mark.parametrize("shared_settings", ["mongo"], indirect=True)
async def test_turns_of_one_session_on_two_instances_run_in_order(shared_settings: Settings) -> None:
    a, b = Slow("a"), Slow("b")
    b.parked.set()
    async with ChatHarness(shared_settings, tables=[a.table()]) as one, ChatHarness(shared_settings, tables=[b.table()]) as two:
        first = asyncio.create_task(one.say("tell me a joke"))
        await a.entered.wait()
        # The second message reaches the other instance while the first turn is still running.
        second = asyncio.create_task(two.say("another one"))
        await asyncio.sleep(0.3)
        assert not second.done(), "the second instance answered while the first still held the session"
        a.parked.set()
        assert (await first).text == "a: a joke"
        # It ran after the first turn and saw the context that turn set.
        assert (await second).text == "b: a joke"
        assert two.last.intent is not None and two.last.intent.name == "another"


async def test_a_job_is_taken_over_when_its_instance_dies(shared_settings: Settings) -> None:
    a, b = Slow("a"), Slow("b")
    b.parked.set()
    async with ChatHarness(shared_settings, tables=[a.table()]) as one:
        assert (await one.say("paint the fence red")).text == "job 1"
        await a.entered.wait()
        async with ChatHarness(shared_settings, tables=[b.table()]) as two:
            # Instance one dies: its follower stops and its lease is no longer renewed.
            await one.runtime.jobs.stop()
            for _ in range(100):
                job = await two.runtime.store.get_job(1)
                if job is not None and job.state == "succeeded":
                    break
                await asyncio.sleep(0.05)
            assert job is not None and job.state == "succeeded" and job.result == {"by": "b"}
