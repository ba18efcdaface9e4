"""Races between replicas on a MongoDB-wire server, decided by unique ``_id`` inserts only.

Real MongoDB applies a conditional update to one document atomically, but
FerretDB v1 does not: it reads the matching documents, then writes them back,
so two replicas can both "win" a conditional update (and both ``$inc`` a
counter to the same value). An insert that collides on the unique ``_id`` index
is atomic on both. So every decision is an insert:

- a fresh entry (an event id first seen, a free lock) is inserted; a collision means someone holds it;
- taking over an expired or free entry first inserts a *fence* named after the
  exact lease instance seen (key, owner, expiry); only one replica can insert
  that fence, and only that replica then rewrites the entry.

Renewing one's own live lease is a plain update: nobody else writes a live lease.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from pymongo.errors import DuplicateKeyError

FENCE_SECONDS = 300.0  # far longer than the time between reading an entry and fencing it
ATTEMPTS = 5  # an entry deleted while we looked at it: start over, a few times


def expiring(until: float) -> dict[str, Any]:
    """Fields of a document that expires at ``until``: seconds to compare, and a date for a TTL index."""
    return {"until": until, "expires": datetime.fromtimestamp(until, timezone.utc)}


async def insert(collection: Any, doc: dict[str, Any]) -> bool:
    """Insert ``doc``; False when its ``_id`` is taken."""
    try:
        await collection.insert_one(doc)
    except DuplicateKeyError:
        return False
    return True


async def fenced_set(
    collection: Any, fences: Any, seen: dict[str, Any], fields: dict[str, Any], *, until_field: str, now: float
) -> bool | None:
    """Rewrite the entry ``seen`` with ``fields`` unless another replica took this same lease instance first.

    None when we won the fence but the entry was deleted meanwhile (the caller starts over).
    """
    instance = json.dumps([collection.name, seen["_id"], seen.get("owner", ""), seen.get(until_field, 0)])
    if not await insert(fences, {"_id": instance, **expiring(now + FENCE_SECONDS)}):
        return False
    result = await collection.update_one({"_id": seen["_id"]}, {"$set": fields})
    return True if result.matched_count else None


async def remember(events: Any, fences: Any, event_id: str, until: float, now: float) -> bool:
    """True when this call is the first to see ``event_id`` alive (not seen, or seen and expired)."""
    for _ in range(ATTEMPTS):
        if await insert(events, {"_id": event_id, **expiring(until)}):
            return True
        seen = await events.find_one({"_id": event_id})
        if seen is None:
            continue  # purged meanwhile
        if seen["until"] > now:
            return False
        taken = await fenced_set(events, fences, seen, expiring(until), until_field="until", now=now)
        if taken is not None:
            return taken
    return False


async def lock(locks: Any, fences: Any, key: str, owner: str, until: float, now: float) -> bool:
    """Take or renew the lock ``key`` for ``owner`` until ``until``."""
    fields = {"owner": owner, **expiring(until)}
    for _ in range(ATTEMPTS):
        if await insert(locks, {"_id": key, **fields}):
            return True
        seen = await locks.find_one({"_id": key})
        if seen is None:
            continue  # released meanwhile
        taken = await _take(locks, fences, seen, owner, fields, until_field="until", now=now)
        if taken is not None:
            return taken
    return False


async def claim(jobs: Any, fences: Any, job_id: int, owner: str, until: float, now: float) -> bool:
    """Take or renew job ``job_id``'s lease for ``owner``; False for an unknown job."""
    seen = await jobs.find_one({"_id": job_id}, {"owner": 1, "lease_until": 1})
    if seen is None:
        return False
    taken = await _take(jobs, fences, seen, owner, {"owner": owner, "lease_until": until}, until_field="lease_until", now=now)
    return bool(taken)


async def _take(
    collection: Any, fences: Any, seen: dict[str, Any], owner: str, fields: dict[str, Any], *, until_field: str, now: float
) -> bool | None:
    """Renew our live lease or take over a free or expired one; None when the entry vanished meanwhile."""
    holder, live = seen.get("owner", ""), seen.get(until_field, 0) > now
    if holder == owner and live:
        result = await collection.update_one({"_id": seen["_id"], "owner": owner}, {"$set": fields})
        return True if result.matched_count else None
    if holder and live:
        return False
    return await fenced_set(collection, fences, seen, fields, until_field=until_field, now=now)
