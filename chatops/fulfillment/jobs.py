"""Jobs: long-running work recorded in the store, run under a lease, resumed after a restart."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import replace
from typing import Any, Awaitable, Callable, Mapping

from chatops.config import Settings
from chatops.errors import ChatOpsError, InputError
from chatops.fulfillment.registry import HandlerCall, JobContext, Registry, Resources
from chatops.fulfillment.tasks import TaskGroup
from chatops.models import Reply
from chatops.store.base import Job, Store

log = logging.getLogger(__name__)

SessionNotify = Callable[[Job, Reply], Awaitable[None]]


class JobRunner:
    """Starts registered job followers, holds their leases, and resumes unfinished jobs at start-up."""

    def __init__(
        self,
        registry: Registry,
        *,
        store: Store,
        resources: Resources,
        settings: Settings,
        notify: SessionNotify,
        lease_seconds: float = 60.0,
        owner: str | None = None,
    ) -> None:
        self.registry = registry
        self.store = store
        self.resources = resources
        self.settings = settings
        # Followers are cancelled, not awaited, at shutdown: their state is in the store and they resume.
        self.tasks = TaskGroup()
        self.notify = notify
        self.lease_seconds = lease_seconds
        self.owner = owner or f"instance-{uuid.uuid4().hex[:8]}"
        self._following: set[int] = set()

    async def start(self, kind: str, parameters: Mapping[str, Any], *, call: HandlerCall) -> Job:
        if kind not in self.registry.followers:
            raise InputError(f"I don't know how to run a {kind} job.")
        job = await self.store.create_job(
            Job(kind=kind, session=call.session, principal=call.principal.id, channel=call.principal.channel,
                parameters=dict(parameters), state="running")
        )
        await self.store.claim_job(job.id, self.owner, self.lease_seconds)
        self._follow(job)
        return job

    async def resume_all(self) -> int:
        """Take over unfinished jobs whose lease is free or expired; returns how many were taken."""
        resumed = 0
        for state in ("pending", "running"):
            for job in await self.store.list_jobs(state=state):
                if job.id in self._following or job.kind not in self.registry.followers:
                    continue
                if await self.store.claim_job(job.id, self.owner, self.lease_seconds):
                    self._follow(job)
                    resumed += 1
        return resumed

    @property
    def following(self) -> frozenset[int]:
        """Ids of the jobs this instance is following now."""
        return frozenset(self._following)

    def start_sweeping(self) -> None:
        """From now on, pick up jobs whose owner stopped renewing its lease (another replica died)."""
        self.tasks.spawn(self._sweep(), name="job-sweep")

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 2)
            try:
                await self.resume_all()
            except ChatOpsError as exc:
                log.warning("job sweep failed: %s", exc.detail)

    async def stop(self) -> None:
        """Stop sweeping and cancel every follower; unfinished jobs stay in the store for the next start."""
        await self.tasks.drain(timeout=0)

    def _follow(self, job: Job) -> None:
        self._following.add(job.id)
        self.tasks.spawn(self._run(job), name=f"job-{job.id}-{job.kind}")

    async def _run(self, job: Job) -> None:
        follower = self.registry.followers[job.kind]
        work = asyncio.current_task()
        assert work is not None
        renew = asyncio.get_running_loop().create_task(self._keep_lease(job.id, work))
        try:
            await follower(job, self._context(job))
        except asyncio.CancelledError:
            raise
        except ChatOpsError as exc:
            await self._finish(job, "failed", {"error": exc.user_message})
            await self.notify(job, Reply(text=f"Job {job.id} ({job.kind}) failed: {exc.user_message}"))
        except Exception:
            log.exception("job %s (%s) crashed", job.id, job.kind)
            await self._finish(job, "failed", {"error": "internal error"})
            await self.notify(job, Reply(text=f"Job {job.id} ({job.kind}) failed; the details were logged."))
        finally:
            renew.cancel()
            self._following.discard(job.id)

    def _context(self, job: Job) -> JobContext:
        async def notify(reply: Reply) -> None:
            await self.notify(job, reply)

        async def checkpoint(updated: Job) -> None:
            updated.owner, updated.lease_until = self.owner, time.time() + self.lease_seconds
            await self.store.update_job(updated)

        return JobContext(store=self.store, resources=self.resources, settings=self.settings, notify=notify, checkpoint=checkpoint)

    async def _finish(self, job: Job, state: str, result: dict[str, Any]) -> None:
        current = await self.store.get_job(job.id) or job
        await self.store.update_job(replace(current, state=state, result={**current.result, **result}))

    async def _keep_lease(self, job_id: int, work: asyncio.Task[None]) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                held = await self.store.claim_job(job_id, self.owner, self.lease_seconds)
            except ChatOpsError as exc:
                log.warning("could not renew the lease of job %s: %s", job_id, exc.detail)
                continue
            if not held:
                # Another replica took the job over: two followers must never run at once.
                log.warning("lost the lease of job %s; stopping here", job_id)
                work.cancel()
                return
