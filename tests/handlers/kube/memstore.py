"""An in-memory Store for the kube handler tests, until the SQLite store lands in main.

It keeps the contract's observable behaviour the migration relies on: ascending
job ids, timestamps, and leases that a second owner cannot take before expiry.
"""

from __future__ import annotations

import copy
import time

from chatops.store.base import AuditRecord, Dataset, Job, SessionRecord, Store


class MemoryStore(Store):
    def __init__(self) -> None:
        self.sessions: dict[str, SessionRecord] = {}
        self.audit: list[AuditRecord] = []
        self.jobs: dict[int, Job] = {}
        self.datasets: dict[str, Dataset] = {}
        self.events: dict[str, float] = {}
        self.locks: dict[str, tuple[str, float]] = {}

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def ping(self) -> None: ...

    async def load_session(self, session_id: str) -> SessionRecord | None:
        return copy.deepcopy(self.sessions.get(session_id))

    async def save_session(self, record: SessionRecord) -> None:
        record.updated_at = time.time()
        self.sessions[record.id] = copy.deepcopy(record)

    async def delete_session(self, session_id: str) -> None:
        self.sessions.pop(session_id, None)

    async def append_audit(self, record: AuditRecord) -> None:
        self.audit.append(copy.deepcopy(record))

    async def query_audit(self, *, since: float | None = None, principal: str | None = None,
                          action: str | None = None, limit: int = 100) -> list[AuditRecord]:
        found = [r for r in reversed(self.audit) if (since is None or r.time >= since)
                 and principal in (None, r.principal) and action in (None, r.action)]
        return copy.deepcopy(found[:limit])

    async def create_job(self, job: Job) -> Job:
        stored = copy.deepcopy(job)
        stored.id = max(self.jobs, default=0) + 1
        stored.created_at = stored.updated_at = time.time()
        self.jobs[stored.id] = stored
        return copy.deepcopy(stored)

    async def get_job(self, job_id: int) -> Job | None:
        return copy.deepcopy(self.jobs.get(job_id))

    async def update_job(self, job: Job) -> None:
        stored = copy.deepcopy(job)
        stored.updated_at = time.time()
        self.jobs[job.id] = stored

    async def list_jobs(self, *, state: str | None = None, kind: str | None = None, limit: int = 100) -> list[Job]:
        found = [j for j in self.jobs.values() if state in (None, j.state) and kind in (None, j.kind)]
        return copy.deepcopy(found[:limit])

    async def claim_job(self, job_id: int, owner: str, lease_seconds: float) -> bool:
        job = self.jobs.get(job_id)
        if job is None or (job.owner not in ("", owner) and job.lease_until > time.time()):
            return False
        job.owner, job.lease_until = owner, time.time() + lease_seconds
        return True

    async def put_dataset(self, dataset: Dataset) -> None:
        self.datasets[dataset.name] = copy.deepcopy(dataset)

    async def get_dataset(self, name: str) -> Dataset | None:
        return copy.deepcopy(self.datasets.get(name))

    async def list_datasets(self) -> list[str]:
        return sorted(self.datasets)

    async def remember_event(self, event_id: str, ttl_seconds: float) -> bool:
        if self.events.get(event_id, 0) > time.time():
            return False
        self.events[event_id] = time.time() + ttl_seconds
        return True

    async def acquire_lock(self, key: str, owner: str, lease_seconds: float) -> bool:
        holder, until = self.locks.get(key, ("", 0.0))
        if holder not in ("", owner) and until > time.time():
            return False
        self.locks[key] = (owner, time.time() + lease_seconds)
        return True

    async def release_lock(self, key: str, owner: str) -> None:
        if self.locks.get(key, ("", 0.0))[0] == owner:
            del self.locks[key]
