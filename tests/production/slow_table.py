"""A handler table for the shutdown tests: a slow action, and a job that counts in checkpointed steps.

``serve_with_slow_table`` runs ``chatops serve`` with this table added, so the
subprocess under test is the real server; the actions are reached through the
DialogFlow webhook, which dispatches by action name.
"""

from __future__ import annotations

import asyncio

from chatops.fulfillment import HandlerCall, HandlerTable, Reply, JobContext
from chatops.store.base import Job

table = HandlerTable("slowtest")
STEP_SECONDS = 0.2


@table.action("slowtest.wait")
async def wait(call: HandlerCall) -> Reply:
    await asyncio.sleep(float(call.param("seconds", 1.0)))
    return Reply(text=f"waited {call.param('seconds')} s")


@table.action("slowtest.count")
async def count(call: HandlerCall) -> Reply:
    assert call.jobs is not None
    job = await call.jobs.start("slowtest.count", {"to": int(call.param("to", 10))}, call=call)
    return Reply(text=f"job {job.id} started")


@table.job("slowtest.count")
async def follow_count(job: Job, ctx: JobContext) -> None:
    """Counts to ``to``, one checkpointed step at a time; a resumed job goes on from its checkpoint."""
    job.result.setdefault("starts", []).append(job.progress.get("step", 0))
    while (step := job.progress.get("step", 0)) < job.parameters["to"]:
        await asyncio.sleep(STEP_SECONDS)
        job.progress["step"] = step + 1
        await ctx.checkpoint(job)
    job.state = "succeeded"
    await ctx.checkpoint(job)
