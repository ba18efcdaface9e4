"""SQLite specifics: where the file lives, errors when it cannot be used, the loop never blocks."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import Awaitable, Callable

import pytest

from chatops.config import StoreSettings
from chatops.errors import StoreUnavailable
from chatops.store import create_store
from chatops.store.base import SessionRecord
from chatops.store.sqlite import SqliteStore


async def test_unopenable_path_raises_store_unavailable_naming_it(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "missing-dir" / "chatops.db"), timeout=1)
    with pytest.raises(StoreUnavailable, match="cannot open SQLite database .*missing-dir"):
        await store.open()
    await store.close()


async def test_use_before_open_and_after_close_raises_store_unavailable(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "c.db"))
    with pytest.raises(StoreUnavailable, match="not open"):
        await store.ping()
    await store.open()
    await store.save_session(SessionRecord(id="s"))
    await store.close()
    with pytest.raises(StoreUnavailable):
        await store.load_session("s")


async def test_file_survives_reopening(tmp_path: Path) -> None:
    path = str(tmp_path / "c.db")
    first = SqliteStore(path)
    await first.open()
    await first.save_session(SessionRecord(id="s", memory={"k": "v"}))
    await first.close()
    second = create_store(StoreSettings(url=f"sqlite:///{path}"))
    await second.open()
    loaded = await second.load_session("s")
    await second.close()
    assert loaded is not None and loaded.memory == {"k": "v"}


async def _threads_of(store: SqliteStore, call: Callable[[], Awaitable[object]]) -> list[int]:
    """The threads sqlite3 really ran on during ``call`` (a SQL function reports its own thread)."""
    seen: list[int] = []
    store._db().create_function("where_am_i", 0, lambda: seen.append(threading.get_ident()))
    for verb in ("INSERT", "UPDATE"):
        store._db().execute(f"CREATE TEMP TRIGGER spy_{verb} AFTER {verb} ON sessions BEGIN SELECT where_am_i(); END")
    await call()
    return seen


async def test_short_calls_run_on_the_loop_without_a_thread_hop(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "c.db"))
    await store.open()
    seen = await _threads_of(store, lambda: store.save_session(SessionRecord(id="s")))
    await store.close()
    assert seen == [threading.get_ident()]


async def test_a_locked_file_is_waited_for_on_the_thread_while_the_loop_runs(tmp_path: Path) -> None:
    path = str(tmp_path / "c.db")
    store = SqliteStore(path, timeout=5.0)
    await store.open()
    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN EXCLUSIVE")
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    asyncio.get_running_loop().call_later(0.3, blocker.execute, "ROLLBACK")

    async def two_saves() -> None:
        # The second call comes while the first waits on the thread: it queues behind it, in order.
        await asyncio.gather(store.save_session(SessionRecord(id="s", memory={"n": 1})),
                             store.save_session(SessionRecord(id="s", memory={"n": 2})))

    seen = await _threads_of(store, two_saves)
    ticker.cancel()
    loaded = await store.load_session("s")
    await store.close()
    blocker.close()
    assert ticks >= 10, "the loop stood still while the file was locked"
    assert len(seen) == 2 and threading.get_ident() not in seen
    assert loaded is not None and loaded.memory == {"n": 2}


async def test_locked_database_times_out_with_store_unavailable(tmp_path: Path) -> None:
    path = str(tmp_path / "c.db")
    store = SqliteStore(path, timeout=0.2)
    await store.open()
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreUnavailable, match="locked"):
            await store.save_session(SessionRecord(id="s"))
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    await store.save_session(SessionRecord(id="s"))  # recovers once the lock is gone
    await store.close()


def _wal_pages(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return wal.stat().st_size // 4096 if wal.exists() else 0


async def _with_pages(path: Path, pages: int, *, checkpoint_seconds: float) -> SqliteStore:
    """An open store at ``path`` that has written ``pages`` sessions of about a page each."""
    store = SqliteStore(str(path), checkpoint_seconds=checkpoint_seconds)
    await store.open()
    for i in range(pages):
        await store.save_session(SessionRecord(id=f"s{i}", memory={"blob": "x" * 3000}))
    return store


async def test_commits_on_the_loop_never_checkpoint(tmp_path: Path) -> None:
    """SQLite's own checkpoint runs in the commit that passes 1,000 WAL pages, syncing files on the loop."""
    path = tmp_path / "c.db"
    store = await _with_pages(path, 1500, checkpoint_seconds=30.0)  # the thread's checkpoint waits past the test
    assert _wal_pages(path) > 1000
    assert path.stat().st_size < 100 * 4096
    await store.close()


async def test_the_thread_checkpoints_soon_after_writes(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    store = await _with_pages(path, 300, checkpoint_seconds=0.05)
    for _ in range(100):
        if path.stat().st_size > 300 * 3000:
            break
        await asyncio.sleep(0.05)
    assert path.stat().st_size > 300 * 3000  # the pages are in the database file, not only in the WAL
    assert (await store.load_session("s299")).memory == {"blob": "x" * 3000}
    await store.close()


async def test_closing_leaves_the_writes_in_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    store = await _with_pages(path, 200, checkpoint_seconds=30.0)
    held = sqlite3.connect(path)  # another connection: closing the store's is then no checkpoint of its own
    held.execute("SELECT 1").fetchone()
    await store.close()
    assert path.stat().st_size > 200 * 3000
    held.close()
