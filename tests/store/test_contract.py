"""The store contract: every backend behaves the same for every method of ``Store``."""

from __future__ import annotations

import asyncio
import time

import pytest

from chatops.errors import InputError, NotFoundError
from chatops.store.base import AuditRecord, Dataset, Job, SessionRecord, Store

# Keys MongoDB may not hold as document keys: dots and a leading dollar.
AWKWARD = {"app.kubernetes.io/name": "web", "$where": "x", "plain": {"a.b": [1, {"$c": None}]}, "_kv": 1}


def audit(time_: float, principal: str = "alice", action: str = "pods.list", **kw: object) -> AuditRecord:
    fields: dict[str, object] = {"parameters": {"namespace": "default"}, "decision": "allowed", "outcome": "ok"}
    return AuditRecord(time=time_, principal=principal, channel="slack", action=action, **(fields | kw))  # type: ignore[arg-type]


# sessions
async def test_missing_session_is_none(store: Store) -> None:
    assert await store.load_session("nobody") is None


async def test_session_round_trip_keeps_awkward_keys(store: Store) -> None:
    record = SessionRecord(
        id="slack:T1:C1:U1",
        contexts=[{"name": "pods-followup", "lifespan": 2, "parameters": {"labels": AWKWARD}}],
        pending={"intent": "certs.rotate", "confirm": True},
        memory={"pods": {"cursor": 3, "labels": AWKWARD}},
    )
    before = time.time()
    await store.save_session(record)
    loaded = await store.load_session(record.id)
    assert loaded is not None
    assert (loaded.contexts, loaded.pending, loaded.memory) == (record.contexts, record.pending, record.memory)
    assert loaded.updated_at >= before


async def test_session_save_overwrites_and_delete_removes(store: Store) -> None:
    await store.save_session(SessionRecord(id="s", memory={"n": 1}, pending={"x": 1}))
    await store.save_session(SessionRecord(id="s", memory={"n": 2}))
    loaded = await store.load_session("s")
    assert loaded is not None and loaded.memory == {"n": 2} and loaded.pending is None
    await store.delete_session("s")
    await store.delete_session("s")  # deleting twice is fine
    assert await store.load_session("s") is None


# audit
async def test_audit_is_newest_first_with_ids(store: Store) -> None:
    for t in (10.0, 30.0, 20.0):
        await store.append_audit(audit(t))
    records = await store.query_audit()
    assert [r.time for r in records] == [30.0, 20.0, 10.0]
    assert all(r.id for r in records) and len({r.id for r in records}) == 3
    assert records[0].parameters == {"namespace": "default"} and records[0].decision == "allowed"


async def test_audit_filters_and_limit(store: Store) -> None:
    await store.append_audit(audit(1.0, "alice", "pods.list"))
    await store.append_audit(audit(2.0, "bob", "pods.list"))
    await store.append_audit(audit(3.0, "alice", "certs.rotate", parameters={"labels": AWKWARD}))
    await store.append_audit(audit(4.0, "alice", "pods.list"))
    assert [r.time for r in await store.query_audit(principal="alice")] == [4.0, 3.0, 1.0]
    assert [r.time for r in await store.query_audit(action="pods.list", since=2.0)] == [4.0, 2.0]
    assert [r.time for r in await store.query_audit(principal="alice", limit=2)] == [4.0, 3.0]
    rotated = await store.query_audit(action="certs.rotate")
    assert rotated[0].parameters == {"labels": AWKWARD}


async def test_audit_append_with_same_id_is_kept_once(store: Store) -> None:
    await store.append_audit(audit(5.0, id="req-1"))
    await store.append_audit(audit(5.0, id="req-1"))
    assert [r.id for r in await store.query_audit()] == ["req-1"]


# jobs
async def test_job_ids_ascend_and_timestamps_are_set(store: Store) -> None:
    first = await store.create_job(Job(kind="velero.migrate", session="s", principal="alice"))
    second = await store.create_job(Job(kind="velero.migrate", session="s", principal="alice"))
    assert isinstance(first.id, int) and 0 < first.id < second.id
    assert first.created_at > 0 and first.updated_at > 0 and first.state == "pending"


async def test_job_update_and_get(store: Store) -> None:
    job = await store.create_job(Job(kind="velero.migrate", session="s", principal="alice", parameters={"ns": "a"}))
    job.state, job.progress = "running", {"phase": "InProgress", "labels": AWKWARD}
    await store.update_job(job)
    loaded = await store.get_job(job.id)
    assert loaded is not None
    assert (loaded.state, loaded.progress, loaded.parameters) == ("running", job.progress, {"ns": "a"})
    assert loaded.updated_at >= job.created_at
    assert await store.get_job(job.id + 1000) is None


async def test_job_update_of_unknown_job_and_bad_state_fail(store: Store) -> None:
    with pytest.raises(NotFoundError):
        await store.update_job(Job(kind="k", session="s", principal="p", id=4242))
    with pytest.raises(InputError):
        await store.create_job(Job(kind="k", session="s", principal="p", state="exploded"))
    with pytest.raises(InputError):
        await store.list_jobs(state="exploded")


async def test_list_jobs_filters_newest_first(store: Store) -> None:
    ids = {}
    for kind, state in [("velero.migrate", "running"), ("certs.rotate", "running"), ("velero.migrate", "succeeded")]:
        job = await store.create_job(Job(kind=kind, session="s", principal="p", state=state))
        ids[(kind, state)] = job.id
    assert [j.id for j in await store.list_jobs(kind="velero.migrate")] == [
        ids[("velero.migrate", "succeeded")], ids[("velero.migrate", "running")]]
    assert {j.kind for j in await store.list_jobs(state="running")} == {"velero.migrate", "certs.rotate"}
    assert [j.id for j in await store.list_jobs(state="running", kind="certs.rotate")] == [ids[("certs.rotate", "running")]]
    assert len(await store.list_jobs(limit=2)) == 2


async def test_claim_job_lease(store: Store) -> None:
    job = await store.create_job(Job(kind="velero.migrate", session="s", principal="p"))
    assert await store.claim_job(job.id, "replica-a", 0.4)
    assert not await store.claim_job(job.id, "replica-b", 0.4)
    assert await store.claim_job(job.id, "replica-a", 0.4)  # renewing our own lease
    claimed = await store.get_job(job.id)
    assert claimed is not None and claimed.owner == "replica-a" and claimed.lease_until > time.time()
    await asyncio.sleep(0.5)
    assert await store.claim_job(job.id, "replica-b", 5)
    assert not await store.claim_job(job.id, "replica-a", 5)
    assert not await store.claim_job(job.id + 1000, "replica-a", 5)


async def test_update_job_leaves_the_lease_to_claim_job(store: Store) -> None:
    stale = await store.create_job(Job(kind="velero.migrate", session="s", principal="p"))
    assert await store.claim_job(stale.id, "replica-a", 30)
    stale.progress = {"phase": "Completed"}  # this copy still says owner="" (read before the claim)
    await store.update_job(stale)
    loaded = await store.get_job(stale.id)
    assert loaded is not None and loaded.progress == {"phase": "Completed"}
    assert loaded.owner == "replica-a" and loaded.lease_until > time.time() + 20


# datasets
async def test_datasets(store: Store) -> None:
    assert await store.get_dataset("houses") is None
    await store.put_dataset(Dataset(name="houses", csv="area,price\n10,100\n", x="area", y="price", owner="alice"))
    await store.put_dataset(Dataset(name="cars", csv="km,price\n1,2\n", x="km", y="price"))
    await store.put_dataset(Dataset(name="houses", csv="area,price\n20,200\n", x="area", y="price", owner="bob"))
    houses = await store.get_dataset("houses")
    assert houses is not None and houses.csv == "area,price\n20,200\n" and houses.owner == "bob"
    assert houses.created_at > 0
    assert await store.list_datasets() == ["cars", "houses"]


# de-duplication
async def test_remember_event_once_within_ttl(store: Store) -> None:
    assert await store.remember_event("Ev1", 0.4)
    assert not await store.remember_event("Ev1", 0.4)
    assert await store.remember_event("Ev2", 0.4)
    await asyncio.sleep(0.5)
    assert await store.remember_event("Ev1", 60)


async def test_remember_event_concurrently_wins_once(store: Store) -> None:
    results = await asyncio.gather(*(store.remember_event("Ev-race", 60) for _ in range(20)))
    assert results.count(True) == 1


# locks
async def test_lock_lease_release_and_expiry(store: Store) -> None:
    assert await store.acquire_lock("session:s1", "a", 0.4)
    assert not await store.acquire_lock("session:s1", "b", 0.4)
    assert await store.acquire_lock("session:s1", "a", 0.4)
    assert await store.acquire_lock("session:s2", "b", 0.4)  # other keys are independent
    await store.release_lock("session:s1", "b")  # not b's lock: no effect
    assert not await store.acquire_lock("session:s1", "b", 0.4)
    await store.release_lock("session:s1", "a")
    assert await store.acquire_lock("session:s1", "b", 0.4)
    await asyncio.sleep(0.5)
    assert await store.acquire_lock("session:s1", "a", 5)


async def test_ping(store: Store) -> None:
    await store.ping()
