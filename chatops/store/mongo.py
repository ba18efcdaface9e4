"""The shared store: MongoDB (or a MongoDB-wire server such as FerretDB) through PyMongo's async client.

Written for real MongoDB, keeping to what FerretDB v1 also serves: plain CRUD,
``findAndModify``, unique ``_id``s and secondary indexes; no transactions,
change streams, or dotted keys. Races between replicas (first sight of an
event, a lock, a job lease, a job id) are decided by inserts that collide on
the unique ``_id`` (see ``mongo_leases``), because FerretDB v1 does not apply
conditional updates atomically. Expiry is decided by the application (expired
entries count as absent); a TTL index cleans up where the server has TTL, and
the application purges now and then where it has not.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable
from typing import Any, TypeVar

import pymongo
from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.errors import ConfigurationError, ConnectionFailure, OperationFailure, PyMongoError

from chatops.errors import ConfigError, NotFoundError, StoreUnavailable
from chatops.store.base import AuditRecord, Dataset, Job, SessionRecord, Store
from chatops.store import mongo_leases as leases
from chatops.store.mongo_keys import decode, encode
from chatops.store.records import check_state, from_doc, new_id, now, to_doc

T = TypeVar("T")

NOT_IMPLEMENTED = 238  # server error code: FerretDB v1 answers it for TTL indexes
PURGE_EVERY_SECONDS = 60.0
INDEXES: dict[str, list[list[tuple[str, int]]]] = {
    "audit": [[("time", -1)], [("principal", 1), ("time", -1)], [("action", 1), ("time", -1)]],
    "jobs": [[("state", 1), ("_id", -1)], [("kind", 1), ("_id", -1)]],
    "events": [[("until", 1)]],
    "locks": [[("until", 1)]],
}
EXPIRING = ("events", "locks", "fences")  # documents carrying "until" (seconds) and "expires" (a date, for TTL)
JOB_ID_ATTEMPTS = 20


class MongoStore(Store):
    """The store in the database named by ``url`` (``chatops`` when the URL names none)."""

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        self.url = url
        self.timeout = timeout
        self.where = _hosts(url)
        self._client: AsyncMongoClient[dict[str, Any]] | None = None
        self.has_ttl = False
        self._next_purge = 0.0

    # lifecycle
    async def open(self) -> None:
        ms = int(self.timeout * 1000)
        # timeoutMS bounds each operation end to end; the others bound its parts on older servers.
        try:
            self._client = AsyncMongoClient(
                self.url, timeoutMS=ms, serverSelectionTimeoutMS=ms, connectTimeoutMS=ms, socketTimeoutMS=ms,
                waitQueueTimeoutMS=ms, appname="chatops",
            )
        except (ConfigurationError, ValueError) as exc:  # includes InvalidURI: retrying will not help
            raise ConfigError(f"invalid MongoDB store URL for {self.where}: {_scrub(str(exc), self.url)}") from exc
        try:
            await self._guard(self._prepare(), "open")
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()

    async def ping(self) -> None:
        await self._guard(self._client_or_fail().admin.command("ping"), "ping")

    # sessions
    async def load_session(self, session_id: str) -> SessionRecord | None:
        doc = await self._guard(self._c("sessions").find_one({"_id": session_id}), "load a session")
        return from_doc(SessionRecord, decode(doc) | {"id": session_id}) if doc else None

    async def save_session(self, record: SessionRecord) -> None:
        doc = _stored(record, "id") | {"updated_at": now()}
        await self._guard(self._c("sessions").replace_one({"_id": record.id}, doc, upsert=True), "save a session")

    async def delete_session(self, session_id: str) -> None:
        await self._guard(self._c("sessions").delete_one({"_id": session_id}), "delete a session")

    # audit
    async def append_audit(self, record: AuditRecord) -> None:
        doc = _stored(record, "id") | {"_id": record.id or new_id()}
        # A taken id is a retried append: the record is already there.
        await self._guard(leases.insert(self._c("audit"), doc), "append audit")

    async def query_audit(
        self,
        *,
        since: float | None = None,
        principal: str | None = None,
        action: str | None = None,
        limit: int = 100,
    ) -> list[AuditRecord]:
        query = _filter(principal=principal, action=action) | ({"time": {"$gte": since}} if since is not None else {})
        cursor = self._c("audit").find(query).sort("time", -1).limit(limit)
        docs = await self._guard(cursor.to_list(), "query audit")
        return [from_doc(AuditRecord, decode(d) | {"id": d["_id"]}) for d in docs]

    # jobs
    async def create_job(self, job: Job) -> Job:
        check_state(job.state)
        for _ in range(JOB_ID_ATTEMPTS):
            stamp = now()
            created = dataclasses.replace(
                job, id=await self._next_job_id(), created_at=job.created_at or stamp, updated_at=stamp
            )
            doc = _stored(created, "id") | {"_id": created.id}
            if await self._guard(leases.insert(self._c("jobs"), doc), "create a job"):
                return created
            # The id is taken: FerretDB lost a counter increment. Move the counter past the highest job.
            await self._guard(self._catch_up_counter(), "number a job")
        raise StoreUnavailable("state store unavailable: could not number a new job", detail="job id collisions")

    async def _next_job_id(self) -> int:
        """The counter document's next value ($inc in findAndModify; atomic on MongoDB, not on FerretDB v1)."""
        counter = await self._guard(
            self._c("counters").find_one_and_update(
                {"_id": "jobs"}, {"$inc": {"seq": 1}}, upsert=True, return_document=ReturnDocument.AFTER
            ),
            "number a job",
        )
        return int(counter["seq"])

    async def _catch_up_counter(self) -> None:
        highest = await self._c("jobs").find_one({}, {"_id": 1}, sort=[("_id", -1)])
        if highest is not None:
            await self._c("counters").update_one({"_id": "jobs"}, {"$max": {"seq": highest["_id"]}}, upsert=True)

    async def get_job(self, job_id: int) -> Job | None:
        doc = await self._guard(self._c("jobs").find_one({"_id": job_id}), "read a job")
        return _job(doc) if doc else None

    async def update_job(self, job: Job) -> None:
        check_state(job.state)
        # owner and lease_until belong to claim_job: a stale copy of the job must not drop a lease.
        fields = _stored(job, "id", "owner", "lease_until") | {"updated_at": now()}
        result = await self._guard(self._c("jobs").update_one({"_id": job.id}, {"$set": fields}), "update a job")
        if result.matched_count == 0:
            raise NotFoundError(f"job {job.id} not found")

    async def list_jobs(self, *, state: str | None = None, kind: str | None = None, limit: int = 100) -> list[Job]:
        check_state(state)
        cursor = self._c("jobs").find(_filter(state=state, kind=kind)).sort("_id", -1).limit(limit)
        return [_job(d) for d in await self._guard(cursor.to_list(), "list jobs")]

    async def claim_job(self, job_id: int, owner: str, lease_seconds: float) -> bool:
        await self._purge_expired()
        stamp = now()
        return await self._guard(
            leases.claim(self._c("jobs"), self._c("fences"), job_id, owner, stamp + lease_seconds, stamp), "claim a job"
        )

    # datasets
    async def put_dataset(self, dataset: Dataset) -> None:
        doc = _stored(dataset, "name") | {"created_at": dataset.created_at or now()}
        await self._guard(self._c("datasets").replace_one({"_id": dataset.name}, doc, upsert=True), "store a dataset")

    async def get_dataset(self, name: str) -> Dataset | None:
        doc = await self._guard(self._c("datasets").find_one({"_id": name}), "read a dataset")
        return from_doc(Dataset, decode(doc) | {"name": name}) if doc else None

    async def list_datasets(self) -> list[str]:
        docs = await self._guard(self._c("datasets").find({}, {"_id": 1}).sort("_id", 1).to_list(), "list datasets")
        return [d["_id"] for d in docs]

    # de-duplication and leases
    async def remember_event(self, event_id: str, ttl_seconds: float) -> bool:
        await self._purge_expired()
        stamp = now()
        return await self._guard(
            leases.remember(self._c("events"), self._c("fences"), event_id, stamp + ttl_seconds, stamp), "remember an event"
        )

    async def acquire_lock(self, key: str, owner: str, lease_seconds: float) -> bool:
        await self._purge_expired()
        stamp = now()
        return await self._guard(
            leases.lock(self._c("locks"), self._c("fences"), key, owner, stamp + lease_seconds, stamp), "take a lock"
        )

    async def release_lock(self, key: str, owner: str) -> None:
        await self._guard(self._c("locks").delete_one({"_id": key, "owner": owner}), "release a lock")

    async def _purge_expired(self) -> None:
        """Delete expired entries where the server has no TTL index to do it, at most once a minute."""
        stamp = now()
        if self.has_ttl or stamp < self._next_purge:
            return
        self._next_purge = stamp + PURGE_EVERY_SECONDS
        for name in EXPIRING:
            await self._guard(self._c(name).delete_many({"until": {"$lte": stamp}}), "purge expired entries")

    # plumbing
    async def _prepare(self) -> None:
        db = self._db()
        await db.command("ping")
        await leases.insert(db["counters"], {"_id": "jobs", "seq": 0})  # already there: another replica made it
        for name, indexes in INDEXES.items():
            for keys in indexes:
                await db[name].create_index(keys)
        self.has_ttl = True
        for name in EXPIRING:
            try:
                await db[name].create_index([("expires", 1)], expireAfterSeconds=0)
            except OperationFailure as exc:
                if exc.code != NOT_IMPLEMENTED:
                    raise
                self.has_ttl = False  # FerretDB v1: _purge_expired does the cleaning

    def _client_or_fail(self) -> AsyncMongoClient[dict[str, Any]]:
        if self._client is None:
            raise StoreUnavailable("state store unavailable: the MongoDB store is not open")
        return self._client

    def _db(self) -> Any:
        return self._client_or_fail().get_default_database("chatops")

    def _c(self, name: str) -> Any:
        return self._db()[name]

    async def _guard(self, operation: Awaitable[T], what: str) -> T:
        """Await driver calls under one deadline, turning driver errors into ``StoreUnavailable`` (cause kept)."""
        try:
            # One deadline for every round trip the operation makes (a lease can take four).
            with pymongo.timeout(self.timeout):
                return await operation
        except ConnectionFailure as exc:
            message = f"state store unavailable: MongoDB at {self.where} did not answer within {self.timeout:g} s"
            raise StoreUnavailable(message, detail=f"{what}: {exc!r}") from exc
        except PyMongoError as exc:
            message = f"state store unavailable: MongoDB at {self.where} failed to {what}: {type(exc).__name__}"
            raise StoreUnavailable(message, detail=f"{what}: {exc!r}") from exc


def _hosts(url: str) -> str:
    """The URL's hosts without scheme, user, password or options: safe to show in messages."""
    rest = url.split("://", 1)[-1]
    return rest.split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1]


def _scrub(text: str, url: str) -> str:
    """``text`` without the URL's password, in case a driver message quotes it."""
    userinfo = url.split("://", 1)[-1].split("/", 1)[0].rpartition("@")[0]
    password = userinfo.partition(":")[2]
    return text.replace(password, "***") if password else text


def _stored(record: Any, *leave_out: str) -> dict[str, Any]:
    """The record as a MongoDB document with safe keys, minus fields held elsewhere (such as in ``_id``)."""
    return {k: encode(v) for k, v in to_doc(record).items() if k not in leave_out}


def _filter(**fields: str | None) -> dict[str, str]:
    return {k: v for k, v in fields.items() if v is not None}


def _job(doc: dict[str, Any]) -> Job:
    return from_doc(Job, decode(doc) | {"id": doc["_id"]})
