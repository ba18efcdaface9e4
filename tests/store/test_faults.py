"""Faults: with the Mongo-wire server gone, store calls fail fast with StoreUnavailable and recover by themselves."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from chatops.errors import StoreUnavailable
from chatops.store.base import Job, SessionRecord
from chatops.store.mongo import MongoStore
from tests.store.ferretdb import FerretDBProcess, require_binary

TIMEOUT = 1.0
SLACK = 1.5  # scheduling noise on a shared machine


@pytest.fixture
async def server() -> AsyncIterator[FerretDBProcess]:
    """A server of this test's own, so stopping it disturbs no other test."""
    process = FerretDBProcess(require_binary())
    await asyncio.to_thread(process.start)
    yield process
    await asyncio.to_thread(process.remove)


async def _until_answers(call: Callable[[], Awaitable[object]], deadline: float) -> float:
    """Seconds until ``call`` succeeds, retrying on StoreUnavailable as a caller would."""
    start = time.monotonic()
    while True:
        try:
            await call()
            return time.monotonic() - start
        except StoreUnavailable:
            if time.monotonic() - start > deadline:
                raise
            await asyncio.sleep(0.1)


async def test_outage_fails_fast_and_recovers_without_reopening(server: FerretDBProcess) -> None:
    store = MongoStore(server.uri + "chatops_faults", timeout=TIMEOUT)
    await store.open()
    try:
        await store.save_session(SessionRecord(id="s1", memory={"before": True}))
        job = await store.create_job(Job(kind="velero.migrate", session="s1", principal="alice"))

        await asyncio.to_thread(server.stop)
        calls: list[Callable[[], Awaitable[object]]] = [
            store.ping, lambda: store.load_session("s1"), lambda: store.remember_event("Ev1", 60),
            lambda: store.claim_job(job.id, "a", 30), lambda: store.create_job(Job(kind="k", session="s", principal="p")),
        ]
        for call in calls:
            start = time.monotonic()
            with pytest.raises(StoreUnavailable, match="state store unavailable: MongoDB at 127.0.0.1"):
                await call()
            assert time.monotonic() - start < TIMEOUT + SLACK

        await asyncio.to_thread(server.start)  # same port, same data
        recovery = await _until_answers(store.ping, deadline=15)
        loaded = await store.load_session("s1")
        assert loaded is not None and loaded.memory == {"before": True}
        assert await store.claim_job(job.id, "a", 30)
        assert (await store.create_job(Job(kind="k", session="s", principal="p"))).id > job.id
        assert recovery < 15, recovery
    finally:
        await store.close()


async def test_open_with_the_server_down_fails_fast(server: FerretDBProcess) -> None:
    await asyncio.to_thread(server.stop)
    store = MongoStore(server.uri + "chatops_faults", timeout=TIMEOUT)
    start = time.monotonic()
    with pytest.raises(StoreUnavailable, match="did not answer within 1 s"):
        await store.open()
    assert time.monotonic() - start < TIMEOUT + SLACK
    await asyncio.to_thread(server.start)
    await store.open()  # opening again once it is back works
    await store.ping()
    await store.close()
