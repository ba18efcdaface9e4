"""Turns whose intent was matched elsewhere (DialogFlow, a Slack button): fulfilment without NLU.

DialogFlow has already matched the intent, filled its parameters and worked out
the active contexts; a Confirm button names its action directly. Such a turn
skips the engine: it becomes an ``EngineTurn`` built from what the caller gives,
and goes through the same dispatcher (access policy, confirmation, handler,
audit) as a typed utterance.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Collection, Mapping, TypeVar

from chatops.engine.agent import Intent
from chatops.engine.dialogue import EngineTurn
from chatops.engine.session import SessionState
from chatops.fulfillment.dispatcher import CONFIRMATION_KEY
from chatops.fulfillment.tasks import TaskGroup
from chatops.models import Context, Principal, Query, Reply

log = logging.getLogger(__name__)

T = TypeVar("T")

STALE_CONFIRMATION = "That confirmation is no longer pending, so nothing was done."


@dataclass(frozen=True)
class MatchedQuery:
    """A turn whose intent is already known.

    ``contexts`` replaces the session's active contexts when given (DialogFlow owns
    them); ``None`` keeps the session's own. ``fallback_text`` is the agent's answer
    for the intent, used when no handler serves it. ``confirmation`` ties a
    confirm/cancel to the token of the question it answers.
    """

    session: str
    intent: str
    action: str | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    contexts: tuple[Context, ...] | None = None
    principal: Principal = field(default_factory=Principal.anonymous)
    text: str = ""
    language: str = "en"
    fallback_text: str = ""
    confirmation: str | None = None
    request_id: str | None = None

    def as_query(self) -> Query:
        return Query(
            session=self.session, text=self.text or None, principal=self.principal,
            language=self.language, request_id=self.request_id,
        )


@dataclass(frozen=True)
class MatchedResult:
    """The reply, the action that served it (None: no handler did), and replies queued for the session.

    ``stale`` says a confirm/cancel answered a question that was no longer pending, so nothing ran.
    """

    reply: Reply
    action: str | None
    notifications: tuple[Reply, ...] = ()
    stale: bool = False


def choose_action(query: MatchedQuery, known: Collection[str]) -> str | None:
    """Dispatch by action, falling back to the intent's display name."""
    for name in (query.action, query.intent):
        if name and name in known:
            return name
    return None


def matched_turn(query: MatchedQuery, action: str | None) -> EngineTurn:
    intent = Intent(name=query.intent, action=action)
    return EngineTurn(
        query_text=query.text, intent=intent, parameters=dict(query.parameters),
        confidence=1.0, complete=True, text=query.fallback_text,
    )


def adopt_contexts(state: SessionState, contexts: tuple[Context, ...]) -> None:
    """Make the caller's contexts the session's active ones (names compare without case).

    A context with lifespan 0 is active for this turn only (DialogFlow omits a zero
    lifespan), so handlers see it, but it is not carried on.
    """
    state.contexts = {c.name.lower(): Context(c.name.lower(), c.lifespan, dict(c.parameters)) for c in contexts}


def drop_expired(state: SessionState) -> None:
    """After the turn, contexts that lived for it only (lifespan 0) are gone."""
    state.contexts = {name: ctx for name, ctx in state.contexts.items() if ctx.lifespan > 0}


def stale_confirmation(state: SessionState, token: str | None) -> bool:
    """True when a confirm/cancel answers a question that is no longer the pending one."""
    if token is None:
        return False
    pending = state.memory.get(CONFIRMATION_KEY)
    return not pending or pending.get("token") != token


async def within_deadline(
    tasks: TaskGroup,
    work: Awaitable[T],
    *,
    deadline: float,
    name: str,
    on_late: Callable[[T], Awaitable[None]],
) -> T | None:
    """Wait up to ``deadline`` seconds for ``work``; past it, return None and let it go on as a tracked task.

    A late result is handed to ``on_late`` (which delivers it through the session's
    channel or keeps it for the next turn) instead of being lost.
    """
    late = asyncio.Event()

    async def run() -> T:
        result = await work
        if late.is_set():
            await on_late(result)
        return result

    task = tasks.spawn(run(), name=name)
    try:
        return await asyncio.wait_for(asyncio.shield(task), deadline)
    except TimeoutError:
        if task.done():
            return task.result()
        late.set()
        log.info("%s is still running after %.1fs; it goes on in the background", name, deadline)
        return None
