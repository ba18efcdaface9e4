"""Sessions between turns: remembered in one process, written only when changed, and never lost by a restart."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import AsyncIterator

import pytest
from cryptography.fernet import Fernet

from chatops.engine.session import SessionState
from chatops.errors import StoreUnavailable
from chatops.fulfillment.sessions import STAMP_EVERY_SECONDS, Sessions
from chatops.security.sealing import Sealer
from chatops.store.base import SessionRecord
from chatops.store.sqlite import SqliteStore


class CountingStore(SqliteStore):
    """A SQLite file store that counts the session calls it serves, and can be made to fail writes."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.calls: Counter[str] = Counter()
        self.failing = False

    async def load_session(self, session_id: str) -> SessionRecord | None:
        self.calls["load"] += 1
        return await super().load_session(session_id)

    async def save_session(self, record: SessionRecord) -> None:
        self.calls["save"] += 1
        if self.failing:
            raise StoreUnavailable("state store unavailable: test")
        await super().save_session(record)

    async def delete_session(self, session_id: str) -> None:
        self.calls["delete"] += 1
        await super().delete_session(session_id)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[CountingStore]:
    opened = CountingStore(str(tmp_path / "sessions.db"))
    await opened.open()
    yield opened
    await opened.close()


async def turn(sessions: Sessions, session: str, *, now: float, context: str | None = None, token: str = "") -> SessionState:
    """One turn: load, set a context (with a secret-named parameter when ``token``), save."""
    state, stored = await sessions.load(session)
    state.updated_at = now
    if context:
        state.set_context(context, 2, {"api_token": token} if token else {})
    await sessions.save(state, stored)
    return state


async def test_one_process_reads_a_session_once_and_skips_unchanged_saves(store: CountingStore) -> None:
    sessions = Sessions(store, Sealer(), remember=True)
    await turn(sessions, "s", now=100.0, context="chat")
    await turn(sessions, "s", now=101.0, context="chat")
    state = await turn(sessions, "s", now=102.0, context="chat")
    assert store.calls == Counter(load=1, save=1)
    assert state.active("chat") and state.updated_at == 102.0


async def test_every_change_is_in_the_store_before_the_turn_ends(store: CountingStore) -> None:
    sealer = Sealer(Fernet.generate_key())  # one key before and after, as CHATOPS_SEAL_KEY gives
    await turn(Sessions(store, sealer, remember=True), "s", now=100.0, context="deploy", token="hunter2")
    restarted = Sessions(store, sealer, remember=True)  # a crash right after the turn: memory is gone
    state, _ = await restarted.load("s")
    assert state.context_parameter("deploy", "api_token") == "hunter2"
    stored = await store.load_session("s")
    assert stored is not None and "hunter2" not in repr(stored.contexts)  # sealed in the store


async def test_an_unchanged_session_restamps_its_idle_clock_once_a_minute(store: CountingStore) -> None:
    sessions = Sessions(store, Sealer(), remember=True)
    await turn(sessions, "s", now=100.0, context="chat")
    await turn(sessions, "s", now=100.0 + STAMP_EVERY_SECONDS - 1, context="chat")
    assert store.calls["save"] == 1
    await turn(sessions, "s", now=100.0 + STAMP_EVERY_SECONDS + 1, context="chat")
    assert store.calls["save"] == 2


async def test_a_session_left_empty_is_deleted_once_and_then_known_absent(store: CountingStore) -> None:
    sessions = Sessions(store, Sealer(), remember=True)
    await turn(sessions, "s", now=100.0, context="chat")
    state, stored = await sessions.load("s")
    state.reset()
    await sessions.save(state, stored)
    await turn(sessions, "s", now=101.0)
    assert await store.load_session("s") is None
    assert store.calls == Counter(load=2, save=1, delete=1)  # the last load is this test's own


async def test_with_other_processes_each_turn_reads_the_store(store: CountingStore) -> None:
    mine, theirs = Sessions(store, Sealer(), remember=False), Sessions(store, Sealer(), remember=False)
    await turn(mine, "s", now=100.0, context="chat")
    await turn(theirs, "s", now=101.0, context="other")
    state = await turn(mine, "s", now=102.0)
    assert state.active("other")
    assert store.calls["load"] == 3


async def test_a_failed_write_is_not_remembered(store: CountingStore) -> None:
    sessions = Sessions(store, Sealer(), remember=True)
    await turn(sessions, "s", now=100.0, context="chat")
    store.failing = True
    with pytest.raises(StoreUnavailable):
        await turn(sessions, "s", now=101.0, context="other")
    store.failing = False
    state, _ = await sessions.load("s")
    assert state.active("chat") and not state.active("other")
    assert store.calls["load"] == 2  # read again: what the failed write left is the store's to say
