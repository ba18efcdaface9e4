"""Sessions between turns: loaded from the store, saved only when they changed, kept in memory when no one else writes them.

When this process is the only one running turns on its store (one process on
SQLite or in memory), what the store holds of a session is known here: the
last load or save. So a turn reads it from memory, not the store, and a save
that would write what the store already holds is skipped. With other
processes on the store (workers, replicas) a turn still loads under the
session's lease, and only the skip applies, against what it loaded.

Every change is written before the turn answers (write-through), so a crash
loses nothing a user was told; what waits is the idle clock alone: an
unchanged session's stamp is rewritten once ``STAMP_EVERY_SECONDS`` passes,
so after a crash a session may expire that much early. Confirmed actions and
audit records never pass through here: the dispatcher writes them itself.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import orjson

from chatops.engine.session import SessionState
from chatops.security.sealing import Sealer
from chatops.store.base import SessionRecord, Store

# Sorted keys: equal states give equal bytes. Non-string keys become strings, as the store's JSON makes them.
CANONICAL = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
# The idle clock's slack: far below the idle timeout (20 minutes by default), far above a turn.
STAMP_EVERY_SECONDS = 60.0
# Sessions remembered in one process; the least recently used is read from the store again.
REMEMBERED = 10_000


@dataclass(frozen=True)
class Stored:
    """What the store holds of a session: its plain (unsealed) state as canonical JSON, None when it holds none."""

    doc: bytes | None
    stamped: float = 0.0  # the updated_at the store holds
    seen: float = 0.0  # the last turn's updated_at, which may be newer


ABSENT = Stored(None)


class Sessions:
    """Loads and saves session state, sealing secret-named parameters on the way to the store."""

    def __init__(self, store: Store, sealer: Sealer, *, remember: bool) -> None:
        self.store = store
        self.sealer = sealer
        self._known: OrderedDict[str, Stored] | None = OrderedDict() if remember else None

    async def load(self, session: str) -> tuple[SessionState, Stored]:
        """The session's state, and what the store holds of it (to hand back to ``save``)."""
        stored = self._recall(session)
        if stored is None:
            stored = await self._read(session)
        if stored.doc is None:
            return SessionState(id=session), stored
        plain = orjson.loads(stored.doc)
        return SessionState.from_record(session, plain["contexts"], plain["pending"], plain["memory"], stored.seen), stored

    async def save(self, state: SessionState, before: Stored) -> None:
        """Write the state if it differs from ``before`` (or its stamp is old); delete it once nothing is left."""
        try:
            self._remember(state.id, await self._write(state, before))
        except BaseException:
            self._forget(state.id)  # a write that failed (or timed out) may still have landed: read it next time
            raise

    async def _write(self, state: SessionState, before: Stored) -> Stored:
        if not state.contexts and state.pending is None and not state.memory:
            # Nothing to remember: no write for the many one-shot turns (help, a fallback), and the
            # idle clock has nothing to expire.
            if before.doc is not None:
                await self.store.delete_session(state.id)
            return ABSENT
        data = state.to_record() | {"memory": state.memory}
        doc = orjson.dumps(data, option=CANONICAL)
        if doc == before.doc and state.updated_at - before.stamped < STAMP_EVERY_SECONDS:
            return Stored(doc, before.stamped, state.updated_at)
        # Contexts and a half-filled intent carry parameters too (DialogFlow sends them back in
        # outputContexts): a secret-named one is stored sealed, as a pending confirmation's is.
        seal = self.sealer.seal
        contexts = [{**c, "parameters": seal(c["parameters"])} for c in data["contexts"]]
        pending = data["pending"]
        sealed = None if pending is None else {**pending, "parameters": seal(pending["parameters"])}
        record = SessionRecord(id=state.id, contexts=contexts, pending=sealed, memory=state.memory, updated_at=state.updated_at)
        await self.store.save_session(record)
        return Stored(doc, state.updated_at, state.updated_at)

    async def _read(self, session: str) -> Stored:
        record = await self.store.load_session(session)
        if record is None:
            return ABSENT
        opened = self.sealer.unseal_readable
        contexts = [{**c, "parameters": opened(c.get("parameters") or {})} for c in record.contexts]
        pending = record.pending
        plain: dict[str, Any] = {
            "contexts": contexts,
            "pending": None if pending is None else {**pending, "parameters": opened(pending["parameters"])},
            "memory": record.memory,
        }
        return Stored(orjson.dumps(plain, option=CANONICAL), record.updated_at, record.updated_at)

    def _recall(self, session: str) -> Stored | None:
        if self._known is None or session not in self._known:
            return None
        self._known.move_to_end(session)
        return self._known[session]

    def _remember(self, session: str, stored: Stored) -> None:
        if self._known is None:
            return
        self._known[session] = stored
        self._known.move_to_end(session)
        if len(self._known) > REMEMBERED:
            self._known.popitem(last=False)

    def _forget(self, session: str) -> None:
        if self._known is not None:
            self._known.pop(session, None)
