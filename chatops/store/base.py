"""The store interface: sessions, audit records, jobs, datasets, event de-duplication and leases.

Records are plain dataclasses of JSON-able values, so every backend stores
them as documents. Two backends implement it (``sqlite`` and ``mongo``); one
contract test suite runs against both.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SessionRecord:
    """A conversation's state: active contexts, a pending prompt or confirmation, handler memory."""

    id: str
    contexts: list[dict[str, Any]] = field(default_factory=list)
    pending: dict[str, Any] | None = None
    memory: dict[str, Any] = field(default_factory=dict)
    updated_at: float = 0.0


@dataclass
class AuditRecord:
    """Who did what, decided how, with which outcome. Parameters are already masked."""

    time: float
    principal: str
    channel: str
    action: str
    parameters: dict[str, Any]
    decision: str
    outcome: str
    duration_ms: float = 0.0
    session: str = ""
    request_id: str = ""
    id: str = ""


JOB_STATES = ("pending", "running", "succeeded", "failed", "cancelled")


@dataclass
class Job:
    """Long-running work (a migration) that outlives a request and a restart."""

    kind: str
    session: str
    principal: str
    parameters: dict[str, Any] = field(default_factory=dict)
    state: str = "pending"
    progress: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)
    channel: str = "api"
    owner: str = ""
    lease_until: float = 0.0
    created_at: float = 0.0
    updated_at: float = 0.0
    id: int = 0


@dataclass
class Dataset:
    """A table uploaded for price prediction, kept as CSV text with the chosen columns."""

    name: str
    csv: str
    x: str
    y: str
    owner: str = ""
    created_at: float = 0.0


class Store(abc.ABC):
    """State shared by every replica of the service."""

    @abc.abstractmethod
    async def open(self) -> None:
        """Connect and create tables, collections and indexes."""

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    async def ping(self) -> None:
        """Raise ``StoreUnavailable`` unless the store answers."""

    # sessions
    @abc.abstractmethod
    async def load_session(self, session_id: str) -> SessionRecord | None: ...

    @abc.abstractmethod
    async def save_session(self, record: SessionRecord) -> None: ...

    @abc.abstractmethod
    async def delete_session(self, session_id: str) -> None: ...

    # audit
    @abc.abstractmethod
    async def append_audit(self, record: AuditRecord) -> None: ...

    @abc.abstractmethod
    async def query_audit(
        self,
        *,
        since: float | None = None,
        principal: str | None = None,
        action: str | None = None,
        limit: int = 100,
    ) -> list[AuditRecord]:
        """Newest first."""

    # jobs
    @abc.abstractmethod
    async def create_job(self, job: Job) -> Job:
        """Store a new job and return it with its id (ascending integers) and timestamps set."""

    @abc.abstractmethod
    async def get_job(self, job_id: int) -> Job | None: ...

    @abc.abstractmethod
    async def update_job(self, job: Job) -> None: ...

    @abc.abstractmethod
    async def list_jobs(self, *, state: str | None = None, kind: str | None = None, limit: int = 100) -> list[Job]: ...

    @abc.abstractmethod
    async def claim_job(self, job_id: int, owner: str, lease_seconds: float) -> bool:
        """Take the job's lease if it is free, expired or already ours; True when we hold it."""

    # datasets
    @abc.abstractmethod
    async def put_dataset(self, dataset: Dataset) -> None: ...

    @abc.abstractmethod
    async def get_dataset(self, name: str) -> Dataset | None: ...

    @abc.abstractmethod
    async def list_datasets(self) -> list[str]: ...

    # de-duplication and leases
    @abc.abstractmethod
    async def remember_event(self, event_id: str, ttl_seconds: float) -> bool:
        """True the first time an event id is seen (within its ttl), False for a repeat."""

    @abc.abstractmethod
    async def acquire_lock(self, key: str, owner: str, lease_seconds: float) -> bool:
        """Take a named lease if free, expired or already ours."""

    @abc.abstractmethod
    async def release_lock(self, key: str, owner: str) -> None: ...
