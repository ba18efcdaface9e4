"""MongoDB specifics: safe document keys, expiry without TTL, configuration errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pymongo import AsyncMongoClient

from chatops.errors import ConfigError
from chatops.store.base import AuditRecord, Job, SessionRecord
from chatops.store.mongo import MongoStore
from chatops.store.mongo_keys import decode, encode

LABELS = {"app.kubernetes.io/name": "web", "$set": 1, "": "empty", "_kv": [{"k": "x", "v": 1}]}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**62), 2**62) | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_encode_decode_round_trip(value: Any) -> None:
    assert decode(encode(value)) == value


def _keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [k for k, v in value.items() for k in (k, *_keys(v))]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []


@pytest.fixture
async def mongo(mongo_database: str) -> AsyncIterator[tuple[MongoStore, Any]]:
    store = MongoStore(mongo_database, timeout=2.0)
    await store.open()
    raw: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_database, serverSelectionTimeoutMS=5000)
    yield store, raw.get_default_database()
    await raw.close()
    await store.close()


async def test_label_keys_are_stored_as_values(mongo: tuple[MongoStore, Any]) -> None:
    store, db = mongo
    await store.save_session(SessionRecord(id="s", memory={"labels": LABELS}, contexts=[{"parameters": LABELS}]))
    await store.append_audit(AuditRecord(1.0, "alice", "slack", "pods.list", {"selector": LABELS}, "allowed", "ok"))
    job = await store.create_job(Job(kind="k", session="s", principal="p", progress={"labels": LABELS}))
    docs = [await db.sessions.find_one(), await db.audit.find_one(), await db.jobs.find_one({"_id": job.id})]
    keys = [k for doc in docs for k in _keys(doc)]
    assert "_kv" in keys and not [k for k in keys if "." in k or k.startswith("$") or not k]
    assert any(pair.get("k") == "app.kubernetes.io/name" for pair in docs[0]["memory"]["labels"]["_kv"])
    loaded = await store.load_session("s")
    assert loaded is not None and loaded.memory == {"labels": LABELS}


async def test_expired_entries_are_cleaned_up(mongo: tuple[MongoStore, Any]) -> None:
    store, db = mongo
    if store.has_ttl:  # real MongoDB: its TTL monitor deletes them (within a minute, too slow to wait for)
        indexes = await db.events.index_information()
        assert any(spec.get("expireAfterSeconds") == 0 for spec in indexes.values())
        return
    assert await store.remember_event("Ev-short", 0.1)
    assert await store.acquire_lock("k", "owner", 0.1)
    await asyncio.sleep(0.2)
    store._next_purge = 0.0  # the next operation purges, as it would a minute later
    assert await store.remember_event("Ev-next", 60)
    assert await db.events.distinct("_id") == ["Ev-next"]
    assert await db.locks.count_documents({}) == 0


async def test_invalid_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="invalid MongoDB store URL") as caught:
        await MongoStore("mongodb://user:secret@host:notaport/db").open()
    assert "secret" not in caught.value.user_message + caught.value.detail
