"""SQLite specifics: where the file lives, errors when it cannot be used, the loop never blocks."""

from __future__ import annotations

import threading
from pathlib import Path

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


async def test_sqlite_calls_run_off_the_event_loop_thread() -> None:
    store = SqliteStore(":memory:")
    await store.open()
    seen: list[int] = []
    # A SQL function runs inside sqlite3, so it reports the thread that sqlite3 really runs on.
    await store._run(lambda: store._db().create_function("where_am_i", 0, lambda: seen.append(threading.get_ident())))
    await store._run(lambda: store._db().execute("SELECT where_am_i()").fetchone())
    await store.close()
    assert seen and seen[0] != threading.get_ident()


async def test_locked_database_times_out_with_store_unavailable(tmp_path: Path) -> None:
    path = str(tmp_path / "c.db")
    store = SqliteStore(path, timeout=0.2)
    await store.open()
    import sqlite3

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
