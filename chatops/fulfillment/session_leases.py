"""One turn of a session at a time across processes, whichever process the turn reaches.

Within a process an asyncio lock per session suffices (``Conversation``); these
leases are for the processes that share a store. Replicas on MongoDB take a
lease in the store: a document with an owner and an expiry, released after
the turn; a holder that dies leaves it until it expires.

Workers on one SQLite file are processes of one machine, so they lock a byte of
a lock file beside the database instead (a POSIX record lock, the byte chosen
by a hash of the session). That is two system calls where the store's lease
was two SQLite writes, each of which could meet the file write-locked by
another worker and then wait on the store's thread (a millisecond at least):
in a two-worker run of bench/load's mix, 11,000 to 12,000 store calls per
19,000 requests did. The kernel drops a dead holder's locks at once.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import time
import zlib
from contextlib import asynccontextmanager
from typing import AsyncContextManager, AsyncIterator, Awaitable, Callable, Protocol

from chatops.errors import StoreUnavailable
from chatops.store.base import Store

BUSY = "Another replica is still busy with this conversation; try again in a moment."
RETRY_SECONDS = 0.002  # the other process's turn takes about a millisecond
SLOTS = 1 << 16  # bytes of the lock file: two sessions share one with odds of 1 in 65,536


class SessionLeases(Protocol):
    def hold(self, session: str) -> AsyncContextManager[None]:
        """Held while a turn of ``session`` runs; raises ``StoreUnavailable`` when it cannot be had in time."""


class StoreLeases:
    """Leases in the store, which every replica sharing it respects."""

    def __init__(self, store: Store, owner: str, *, lease_seconds: float = 30.0, wait_seconds: float = 20.0) -> None:
        self.store = store
        self.owner = owner
        self.lease_seconds = lease_seconds
        self.wait_seconds = wait_seconds

    @asynccontextmanager
    async def hold(self, session: str) -> AsyncIterator[None]:
        key = f"session:{session}"
        await _until(lambda: self.store.acquire_lock(key, self.owner, self.lease_seconds), self.wait_seconds, pause=0.05)
        try:
            yield
        finally:
            await self.store.release_lock(key, self.owner)


class FileLeases:
    """Byte locks in one file, for the processes of one machine (workers sharing a SQLite file)."""

    def __init__(self, path: str, *, wait_seconds: float = 20.0) -> None:
        self.path = path
        self.wait_seconds = wait_seconds
        # One descriptor for the process's life: closing any descriptor of the file drops all its locks.
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self._held: dict[int, int] = {}  # byte -> this process's turns holding it (POSIX locks are per process)

    @asynccontextmanager
    async def hold(self, session: str) -> AsyncIterator[None]:
        byte = zlib.crc32(session.encode()) % SLOTS  # the same in every process, unlike hash()
        if not self._held.get(byte):
            await self._lock(byte)
        self._held[byte] = self._held.get(byte, 0) + 1
        try:
            yield
        finally:
            self._held[byte] -= 1
            if not self._held[byte]:
                del self._held[byte]
                fcntl.lockf(self._fd, fcntl.LOCK_UN, 1, byte)

    async def _lock(self, byte: int) -> None:
        async def take() -> bool:
            try:
                fcntl.lockf(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, byte)
            except (BlockingIOError, PermissionError):  # EAGAIN or EACCES: another process holds it
                return False
            return True

        await _until(take, self.wait_seconds, pause=RETRY_SECONDS)

    def close(self) -> None:
        os.close(self._fd)


async def _until(take: Callable[[], Awaitable[bool]], wait_seconds: float, *, pause: float) -> None:
    """Call ``take`` every ``pause`` until it succeeds; ``StoreUnavailable`` after ``wait_seconds``."""
    deadline = time.monotonic() + wait_seconds
    while not await take():
        if time.monotonic() > deadline:
            raise StoreUnavailable(BUSY)
        await asyncio.sleep(pause)
