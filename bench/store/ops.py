"""Store operations per second, one backend at a time, on one event loop.

Each operation runs sequentially (latency: one caller) and from several
concurrent tasks (throughput: a busy replica), for a fixed time.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable

from chatops.store.base import AuditRecord, Job, SessionRecord, Store

Op = Callable[[int], Awaitable[object]]
CONTEXTS = [{"name": "pods-followup", "lifespan": 2, "parameters": {"namespace": "kube-system", "cursor": 20}}]
MEMORY = {"pods": {"labels": {"app.kubernetes.io/name": "web", "tier": "frontend"}}, "last": "pods.list"}


def operations(store: Store, job_ids: list[int]) -> dict[str, Op]:
    """The operations a conversation turn and a job follower make, by name."""
    audit = AuditRecord(0.0, "alice", "slack", "pods.list", {"namespace": "kube-system"}, "allowed", "ok")
    return {
        "save_session": lambda i: store.save_session(SessionRecord(id=f"s{i % 200}", contexts=CONTEXTS, memory=MEMORY)),
        "load_session": lambda i: store.load_session(f"s{i % 200}"),
        "append_audit": lambda i: store.append_audit(AuditRecord(**{**audit.__dict__, "time": time.time()})),
        "query_audit(20)": lambda i: store.query_audit(principal="alice", limit=20),
        "create_job": lambda i: store.create_job(Job(kind="velero.migrate", session="s", principal="alice")),
        "claim_job(renew)": lambda i: store.claim_job(job_ids[i % len(job_ids)], "bench", 60),
        "remember_event": lambda i: store.remember_event(f"Ev{time.monotonic_ns()}-{i}", 300),
        "lock+release": lambda i: _lock_release(store, f"session:s{i % 200}"),
    }


async def _lock_release(store: Store, key: str) -> None:
    if await store.acquire_lock(key, "bench", 30):
        await store.release_lock(key, "bench")


async def prepare(store: Store) -> list[int]:
    """Sessions to load and jobs to claim, so reads find something."""
    for i in range(200):
        await store.save_session(SessionRecord(id=f"s{i}", contexts=CONTEXTS, memory=MEMORY))
    jobs = [await store.create_job(Job(kind="velero.migrate", session="s", principal="alice")) for _ in range(20)]
    return [j.id for j in jobs]


async def rate(op: Op, *, seconds: float, concurrency: int) -> float:
    """Operations per second with ``concurrency`` tasks calling ``op`` for ``seconds``."""
    counter = itertools.count()
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await op(next(counter))
            done += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / (time.perf_counter() - start)


async def measure(store: Store, *, seconds: float, concurrency: int) -> dict[str, tuple[float, float]]:
    """Per operation: (sequential ops/s, concurrent ops/s)."""
    ops = operations(store, await prepare(store))
    results = {}
    for name, op in ops.items():
        await op(0)  # warm up connections and caches
        results[name] = (await rate(op, seconds=seconds, concurrency=1), await rate(op, seconds=seconds, concurrency=concurrency))
    return results
