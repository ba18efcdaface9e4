"""The store contract across replicas: two store instances on one backend share state atomically."""

from __future__ import annotations

import asyncio

from chatops.store.base import Job, SessionRecord
from tests.store.conftest import OpenStore


async def test_session_saved_by_one_replica_is_seen_by_the_other(open_store: OpenStore) -> None:
    a, b = await open_store(), await open_store()
    await a.save_session(SessionRecord(id="s1", memory={"step": 1}))
    loaded = await b.load_session("s1")
    assert loaded is not None and loaded.memory == {"step": 1}


async def test_event_delivered_to_two_replicas_is_remembered_once(open_store: OpenStore) -> None:
    a, b = await open_store(), await open_store()
    results = await asyncio.gather(*(s.remember_event(f"Ev{i}", 60) for i in range(10) for s in (a, b)))
    assert results.count(True) == 10  # each event id won by exactly one replica
    assert not await b.remember_event("Ev0", 60) and not await a.remember_event("Ev9", 60)


async def test_session_lock_is_held_by_one_replica_until_expiry(open_store: OpenStore) -> None:
    a, b = await open_store(), await open_store()
    won = await asyncio.gather(a.acquire_lock("session:s1", "a", 0.4), b.acquire_lock("session:s1", "b", 0.4))
    assert sorted(won) == [False, True]
    holder, other = (a, "b") if won[0] else (b, "a")
    loser = b if won[0] else a
    assert not await loser.acquire_lock("session:s1", other, 0.4)
    await asyncio.sleep(0.5)  # the holder died without releasing: its lease runs out
    assert await loser.acquire_lock("session:s1", other, 5)
    assert not await holder.acquire_lock("session:s1", "a" if other == "b" else "b", 5)


async def test_job_is_taken_over_after_the_owners_lease_expires(open_store: OpenStore) -> None:
    a, b = await open_store(), await open_store()
    job = await a.create_job(Job(kind="velero.migrate", session="s1", principal="alice"))
    assert await a.claim_job(job.id, "replica-a", 0.4)
    assert not await b.claim_job(job.id, "replica-b", 0.4)
    await asyncio.sleep(0.5)
    assert await b.claim_job(job.id, "replica-b", 5)
    assert not await a.claim_job(job.id, "replica-a", 5)  # a came back too late: b keeps the job
    taken = await b.get_job(job.id)
    assert taken is not None and taken.owner == "replica-b"
    taken.state = "succeeded"
    await b.update_job(taken)
    finished = await a.get_job(job.id)
    assert finished is not None and finished.state == "succeeded"


async def test_job_ids_ascend_across_replicas(open_store: OpenStore) -> None:
    a, b = await open_store(), await open_store()
    jobs = await asyncio.gather(*(s.create_job(Job(kind="k", session="s", principal="p")) for s in (a, b) * 5))
    ids = [j.id for j in jobs]
    assert len(set(ids)) == 10
    later = await b.create_job(Job(kind="k", session="s", principal="p"))
    assert later.id > max(ids)


async def test_free_job_claimed_by_two_replicas_at_once_has_one_owner(open_store: OpenStore) -> None:
    a, b = await open_store(), await open_store()
    for _ in range(5):
        job = await a.create_job(Job(kind="velero.migrate", session="s", principal="p"))
        won = await asyncio.gather(*(s.claim_job(job.id, f"r{i}", 30) for i, s in enumerate((a, b, a, b))))
        assert won.count(True) == 1
        claimed = await b.get_job(job.id)
        assert claimed is not None and claimed.owner == f"r{won.index(True)}"


async def test_expired_lease_taken_over_by_one_of_many(open_store: OpenStore) -> None:
    a, b = await open_store(), await open_store()
    job = await a.create_job(Job(kind="velero.migrate", session="s", principal="p"))
    assert await a.claim_job(job.id, "dead", 0.2)
    assert await a.acquire_lock("session:s", "dead", 0.2)
    assert await a.remember_event("Ev-old", 0.2)
    await asyncio.sleep(0.3)
    stores = (a, b, a, b)
    claims = await asyncio.gather(*(s.claim_job(job.id, f"r{i}", 30) for i, s in enumerate(stores)))
    locks = await asyncio.gather(*(s.acquire_lock("session:s", f"r{i}", 30) for i, s in enumerate(stores)))
    events = await asyncio.gather(*(s.remember_event("Ev-old", 30) for s in stores))
    assert (claims.count(True), locks.count(True), events.count(True)) == (1, 1, 1)
