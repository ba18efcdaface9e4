"""Store backends for the contract suite: every test runs once per backend.

``store`` is an opened store on a fresh, empty backend; ``open_store`` opens
more instances on the *same* backend (two replicas sharing one database).
The Mongo-wire backend is the FerretDB test server started once per test
session, or the server named by ``CHATOPS_TEST_MONGODB_URI``; each test gets
its own database there, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from chatops.store.base import Store
from chatops.store.mongo import MongoStore
from chatops.store.sqlite import SqliteStore
from tests.store.ferretdb import FerretDBProcess, require_binary, with_database

OpenStore = Callable[[], Awaitable[Store]]
TIMEOUT = 2.0

# Backends where several store instances can share one database.
SHARED_BACKENDS = ["sqlite-file", "mongo"]
BACKENDS = ["sqlite-memory", *SHARED_BACKENDS]


@pytest.fixture(scope="session")
def mongodb_uri() -> Iterator[str]:
    """A MongoDB-wire server for the whole test session."""
    if external := os.environ.get("CHATOPS_TEST_MONGODB_URI"):
        yield external
        return
    server = FerretDBProcess(require_binary())
    try:
        yield server.start()
    finally:
        server.remove()


@asynccontextmanager
async def fresh_database(server_uri: str) -> AsyncIterator[str]:
    """The URI of a new database on the Mongo-wire server, dropped afterwards."""
    database = f"chatops_test_{uuid.uuid4().hex[:12]}"
    try:
        yield with_database(server_uri, database)
    finally:
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(server_uri, serverSelectionTimeoutMS=10_000)
        await client.drop_database(database)
        await client.close()


@pytest.fixture
async def mongo_database(mongodb_uri: str) -> AsyncIterator[str]:
    async with fresh_database(mongodb_uri) as uri:
        yield uri


async def _opener(name: str, request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OpenStore]:
    async with AsyncExitStack() as stack:
        async for opener in _opener_in(stack, name, request, tmp_path):
            yield opener


async def _opener_in(
    stack: AsyncExitStack, name: str, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[OpenStore]:
    make: Callable[[], Store]
    if name == "sqlite-memory":
        make = lambda: SqliteStore(":memory:", timeout=TIMEOUT)  # noqa: E731
    elif name == "sqlite-file":
        path = str(tmp_path / "chatops.db")
        make = lambda: SqliteStore(path, timeout=TIMEOUT)  # noqa: E731
    else:
        uri = await stack.enter_async_context(fresh_database(request.getfixturevalue("mongodb_uri")))
        make = lambda: MongoStore(uri, timeout=TIMEOUT)  # noqa: E731
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
    async for open_store in _opener(request.param, request, tmp_path):
        yield await open_store()


@pytest.fixture(params=SHARED_BACKENDS)
async def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OpenStore]:
    async for opener in _opener(request.param, request, tmp_path):
        yield opener
