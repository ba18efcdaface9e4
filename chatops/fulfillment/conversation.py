"""A conversation turn end to end: lock the session, load it, run the engine, fulfil, save."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import AsyncIterator, Awaitable, Callable

from chatops.engine import session_entities
from chatops.engine.agent import Agent
from chatops.engine.dialogue import Engine, EngineTurn
from chatops.engine.languages import engine_for
from chatops.engine.session import SessionState
from chatops.engine.slot_contexts import slot_filling_contexts
from chatops.fulfillment.dispatcher import Dispatcher
from chatops.fulfillment.prematched import (
    STALE_CONFIRMATION,
    MatchedQuery,
    MatchedResult,
    adopt_contexts,
    choose_action,
    drop_expired,
    matched_turn,
    stale_confirmation,
)
from chatops.fulfillment.session_leases import SessionLeases
from chatops.fulfillment.sessions import Sessions
from chatops.models import Context, IntentRef, Query, QueryResult, Reply, Visibility
from chatops.store.base import Job, Store

log = logging.getLogger(__name__)

OUTBOX = "outbox"
MAX_FOLLOWUP_EVENTS = 3
Sink = Callable[[str, Reply], Awaitable[bool]]


def new_instance() -> str:
    """A name for this process among those sharing the store: the owner of its leases and jobs."""
    return f"instance-{uuid.uuid4().hex[:8]}"


class Conversation:
    """Serialises the turns of each session, across tasks and (through ``leases``) across processes."""

    def __init__(
        self,
        engine: Engine,
        dispatcher: Dispatcher,
        store: Store,
        *,
        instance: str | None = None,
        leases: SessionLeases | None = None,
        clock: Callable[[], float] = time.time,
        languages: dict[str, Engine] | None = None,
    ) -> None:
        self.engine = engine
        # The engines of the agent's other languages; the request's languageCode picks one.
        self.languages = languages or {}
        self.dispatcher = dispatcher
        self.store = store
        self.instance = instance or new_instance()
        self.leases = leases
        self.clock = clock
        self.sinks: list[Sink] = []
        # Another process's turns change sessions behind this one's back exactly when the lease is needed.
        self.sessions = Sessions(store, dispatcher.sealer, remember=leases is None)
        self._locks: dict[str, _SessionLock] = {}

    async def handle(self, query: Query) -> QueryResult:
        async with self._session_lock(query.session):
            state, stored = await self.sessions.load(query.session)
            engine = engine_for(self.engine, self.languages, query.language)
            turn = engine.turn(state, query, now=self.clock())
            reply = await self.dispatcher.fulfill(turn, state, query)
            engine.finish(state, turn)
            reply = await self._apply(reply, state, query)
            notifications = tuple(Reply(**item) for item in state.memory.pop(OUTBOX, []))
            await self.sessions.save(state, stored)
        return _result(turn, reply, state, query, notifications, agent=self.engine.agent)

    async def handle_matched(self, matched: MatchedQuery) -> MatchedResult:
        """A turn whose intent was matched elsewhere: fulfil it without the engine's NLU."""
        async with self._session_lock(matched.session):
            state, stored = await self.sessions.load(matched.session)
            state.updated_at = self.clock()
            if matched.contexts is not None:
                adopt_contexts(state, matched.contexts)
            else:
                state.decrement()
            action = choose_action(matched, set(self.dispatcher.registry.actions) | set(self.dispatcher.builtins))
            stale = stale_confirmation(state, matched.confirmation)
            if stale:
                reply = Reply(text=STALE_CONFIRMATION)
            else:
                reply = await self.dispatcher.fulfill(matched_turn(matched, action), state, matched.as_query())
            _adopt(state, reply)
            drop_expired(state)
            notifications = tuple(Reply(**item) for item in state.memory.pop(OUTBOX, []))
            await self.sessions.save(state, stored)
        return MatchedResult(reply=reply, action=action, notifications=notifications, stale=stale)

    async def _apply(self, reply: Reply, state: SessionState, query: Query) -> Reply:
        for _ in range(MAX_FOLLOWUP_EVENTS):
            _adopt(state, reply)
            if not reply.event:
                return reply
            engine = engine_for(self.engine, self.languages, query.language)
            turn = engine.event(state, reply.event, dict(reply.event_parameters))
            followed = await self.dispatcher.fulfill(turn, state, query)
            engine.finish(state, turn)
            reply = Reply(
                text="\n".join(t for t in (reply.text, followed.text) if t),
                parts=reply.parts + followed.parts,
                visibility=max(reply.visibility, followed.visibility, key=_rank),
                contexts=followed.contexts,
                event=followed.event,
                event_parameters=followed.event_parameters,
                data={**reply.data, **followed.data},
                session_entities=followed.session_entities,
            )
        return reply

    async def notify(self, session: str, reply: Reply) -> None:
        """Deliver a reply outside a turn: push through a channel sink, else keep it for the next turn."""
        for sink in self.sinks:
            if await sink(session, reply):
                return
        if reply.visibility is Visibility.SECRET:
            log.warning("a secret notification for session %s had no private channel and was dropped", session)
            return
        async with self._session_lock(session):
            state, stored = await self.sessions.load(session)
            state.memory.setdefault(OUTBOX, []).append({"text": reply.text})
            await self.sessions.save(state, stored)

    async def notify_job(self, job: Job, reply: Reply) -> None:
        await self.notify(job.session, reply)

    @asynccontextmanager
    async def _session_lock(self, session: str) -> AsyncIterator[None]:
        entry = self._locks.setdefault(session, _SessionLock())
        entry.users += 1
        try:
            async with entry.lock:
                if self.leases is not None:
                    async with self.leases.hold(session):
                        yield
                else:
                    yield
        finally:
            # Dropped only when nobody holds or awaits it, so a waiter never ends up on a lock of its own.
            entry.users -= 1
            if entry.users == 0:
                del self._locks[session]


@dataclass
class _SessionLock:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


def _rank(visibility: Visibility) -> int:
    return [Visibility.PUBLIC, Visibility.EPHEMERAL, Visibility.SECRET].index(visibility)


def _adopt(state: SessionState, reply: Reply) -> None:
    """What a reply sets in the session: its contexts and (from a webhook) its session entities."""
    for ctx in reply.contexts:
        state.set_context(ctx.name, ctx.lifespan, dict(ctx.parameters))
    session_entities.remember(state, reply.session_entities)


def _result(
    turn: EngineTurn, reply: Reply, state: SessionState, query: Query, notifications: tuple[Reply, ...], *, agent: Agent
) -> QueryResult:
    intent = turn.intent
    contexts = tuple(state.contexts.values()) + slot_filling_contexts(turn, state)
    return QueryResult(
        query_text=turn.query_text,
        intent=IntentRef(name=intent.name, display_name=intent.display_name or intent.name) if intent else None,
        action=turn.action,
        parameters=intent.reported_parameters(turn.parameters, timezone=agent.timezone) if intent else dict(turn.parameters),
        contexts=tuple(Context(c.name, c.lifespan, agent.reported_context(c.parameters)) for c in contexts),
        confidence=round(turn.confidence, 4),
        all_required_params_present=turn.complete,
        fulfillment_text=reply.text,
        reply=reply,
        language=query.language,
        notifications=notifications,
        end_interaction=bool(intent and turn.complete and intent.end_interaction),
        cancels_slot_filling=turn.cancelled,
    )
