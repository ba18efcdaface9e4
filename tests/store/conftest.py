"""Store backends for the contract suite: every test runs once per backend.

``store`` is an opened store on a fresh, empty backend; ``open_store`` opens
more instances on the *same* backend (two replicas sharing one database).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from chatops.store.base import Store
from chatops.store.sqlite import SqliteStore

OpenStore = Callable[[], Awaitable[Store]]

# Backends where several store instances can share one database.
SHARED_BACKENDS = ["sqlite-file"]
BACKENDS = ["sqlite-memory", *SHARED_BACKENDS]


def _factory(name: str, tmp_path: Path) -> Callable[[], Store]:
    if name == "sqlite-memory":
        return lambda: SqliteStore(":memory:", timeout=2.0)
    if name == "sqlite-file":
        path = str(tmp_path / "chatops.db")
        return lambda: SqliteStore(path, timeout=2.0)
    raise AssertionError(f"unknown backend {name}")


async def _opener(name: str, tmp_path: Path) -> AsyncIterator[OpenStore]:
    make = _factory(name, tmp_path)
    opened: list[Store] = []

    async def open_store() -> Store:
        store = make()
        await store.open()
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        await store.close()


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    async for open_store in _opener(request.param, tmp_path):
        yield await open_store()


@pytest.fixture(params=SHARED_BACKENDS)
async def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OpenStore]:
    async for opener in _opener(request.param, tmp_path):
        yield opener
