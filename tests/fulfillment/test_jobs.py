"""Jobs: started by a handler, followed under a lease, resumed by the next runtime or another replica."""

from __future__ import annotations

import asyncio
from pathlib import Path

from chatops.config import load_settings
from chatops.fulfillment import HandlerCall, HandlerTable, Reply, JobContext
from chatops.store.base import Job
from chatops.testing import ChatHarness

from ..engine.conftest import TEST_AGENT


class Work:
    """A job kind whose follower waits for a signal, so tests decide when it finishes."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.started: list[int] = []

    def table(self) -> HandlerTable:
        table = HandlerTable("test")

        @table.action("test.tell")
        async def tell(call: HandlerCall) -> Reply:
            assert call.jobs is not None
            job = await call.jobs.start("slow", {"what": call.param("content")}, call=call)
            return Reply(text=f"started job {job.id}")

        @table.job("slow")
        async def follow(job: Job, ctx: JobContext) -> None:
            self.started.append(job.id)
            job.progress = {"step": "waiting"}
            await ctx.checkpoint(job)
            await self.release.wait()
            job.state, job.result = "succeeded", {"done": job.parameters["what"]}
            await ctx.checkpoint(job)
            await ctx.notify(Reply(text=f"job {job.id} finished"))

        for name in ("test.paint", "test.destroy", "test.chain"):
            table.action(name)(tell)
        return table


def settings_for(path: Path):  # type: ignore[no-untyped-def]
    return load_settings(env={}, overrides={"engine": {"agent_dir": str(TEST_AGENT)}, "store": {"url": f"sqlite:///{path}"}})


async def wait_for(predicate, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


async def test_a_job_runs_reports_and_its_result_reaches_the_next_turn(tmp_path: Path) -> None:
    work = Work()
    async with ChatHarness(settings_for(tmp_path / "a.db"), tables=[work.table()]) as chat:
        assert (await chat.say("tell me a joke")).text == "started job 1"
        work.release.set()

        async def finished() -> bool:
            job = await chat.runtime.store.get_job(1)
            return job is not None and job.state == "succeeded"

        await wait_for(finished)
        await chat.say("hello")
        assert [n.text for n in chat.last.notifications] == ["job 1 finished"]


async def test_an_unfinished_job_resumes_in_the_next_runtime(tmp_path: Path) -> None:
    first = Work()
    async with ChatHarness(settings_for(tmp_path / "b.db"), tables=[first.table()]) as chat:
        chat.runtime.jobs.lease_seconds = 0.2
        await chat.say("tell me a joke")
        await wait_for(lambda: _true(first.started))
    # The first runtime stopped with the job running; once its lease runs out the next one resumes it.
    await asyncio.sleep(0.25)
    second = Work()
    second.release.set()
    async with ChatHarness(settings_for(tmp_path / "b.db"), tables=[second.table()]) as chat:

        async def finished() -> bool:
            job = await chat.runtime.store.get_job(1)
            return job is not None and job.state == "succeeded"

        await wait_for(finished)
        assert second.started == [1]


async def test_a_replica_that_loses_the_lease_stops_following(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    work = Work()
    async with ChatHarness(settings_for(tmp_path / "c.db"), tables=[work.table()]) as chat:
        runner = chat.runtime.jobs
        runner.lease_seconds = 0.2
        await chat.say("tell me a joke")
        await wait_for(lambda: _true(work.started))

        async def taken_elsewhere(job_id: int, owner: str, lease_seconds: float) -> bool:
            return False

        # The store now answers that another replica holds the lease (we paused past its expiry).
        monkeypatch.setattr(chat.runtime.store, "claim_job", taken_elsewhere)
        await wait_for(lambda: _true(not runner.following))
        work.release.set()
        await asyncio.sleep(0.05)
        job = await chat.runtime.store.get_job(1)
        assert job is not None and job.state == "running" and job.result == {}


async def _true(value: object) -> bool:
    return bool(value)
