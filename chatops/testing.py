"""An in-process chat for tests and handler authors.

    async with ChatHarness() as chat:
        reply = await chat.say("list pods in kube-system")
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, Mapping

from chatops.config import Settings, load_settings
from chatops.engine.loader import bundled_agent_dir, load_agent
from chatops.engine.nlu import NLU, train_nlu
from chatops.fulfillment.access import AccessPolicy, PermissionSet
from chatops.fulfillment.registry import HandlerCall, HandlerTable, Resources
from chatops.models import Context, Principal, Query, QueryResult, Reply
from chatops.runtime import Runtime
from chatops.store.base import Store

ALLOW_ALL = PermissionSet(frozenset({"*"}))


class ChatHarness:
    """A Runtime on an in-memory store, with one session and one principal by default.

    The policy defaults to allowing everything, so a handler's first test is about
    the handler; pass ``policy=`` to test access rules.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        resources: Mapping[type, Any] | None = None,
        policy: AccessPolicy | None = ALLOW_ALL,
        store: Store | None = None,
        principal: Principal | None = None,
        session: str = "test-session",
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
        tables: list[HandlerTable] | None = None,
    ) -> None:
        base = settings or load_settings(env={}, overrides=overrides)
        self.settings = dataclasses.replace(
            base, store=dataclasses.replace(base.store, url=base.store.url if settings else "sqlite:///:memory:")
        )
        self._resources = resources
        self._policy = policy
        self._store = store
        self._tables = tables
        self.principal = principal or Principal(id="tester", channel="test")
        self.session = session
        self.results: list[QueryResult] = []
        self._stack = AsyncExitStack()
        self.runtime: Runtime

    async def __aenter__(self) -> ChatHarness:
        nlu = await asyncio.to_thread(trained_nlu, self.settings.engine.agent_dir)
        self.runtime = await self._stack.enter_async_context(
            Runtime.open(
                self.settings, resources=self._resources, policy=self._policy, store=self._store, tables=self._tables, nlu=nlu
            )
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    async def say(self, text: str, *, principal: Principal | None = None, session: str | None = None) -> Reply:
        return (await self.query(Query(session=session or self.session, text=text, principal=principal or self.principal))).reply

    async def event(self, name: str, parameters: Mapping[str, Any] | None = None) -> Reply:
        query = Query(session=self.session, event=name, event_parameters=dict(parameters or {}), principal=self.principal)
        return (await self.query(query)).reply

    async def query(self, query: Query) -> QueryResult:
        result = await self.runtime.conversation.handle(query)
        self.results.append(result)
        return result

    @property
    def last(self) -> QueryResult:
        return self.results[-1]

    @property
    def contexts(self) -> dict[str, int]:
        """Active contexts of the last turn and their remaining lifespans."""
        return {c.name: c.lifespan for c in self.last.contexts}


def trained_nlu(agent_dir: str = "") -> NLU:
    """The NLU for an agent folder (default: the bundled agent), trained once per test process."""
    root = Path(agent_dir) if agent_dir else bundled_agent_dir()
    return _trained_nlu(str(root), max(p.stat().st_mtime for p in root.rglob("*")))


@functools.lru_cache(maxsize=8)
def _trained_nlu(agent_dir: str, stamp: float) -> NLU:
    """Training is the slow part of opening a runtime; tests open many on the same few agents."""
    return train_nlu(load_agent(agent_dir))


async def call_handler(
    table: HandlerTable,
    action: str,
    *,
    parameters: Mapping[str, Any],
    resources: Mapping[type, Any],
    store: Store,
    settings: Settings,
    after: Reply | None = None,
    principal: Principal | None = None,
    session: str = "s1",
) -> Reply:
    """Call one action's handler as the dispatcher would; ``after``'s contexts carry over, as in a next turn."""
    contexts = tuple(Context(c.name, c.lifespan, dict(c.parameters)) for c in (after.contexts if after else ()))
    call = HandlerCall(
        action=action,
        parameters=dict(parameters),
        principal=principal or Principal(id="tester", channel="test"),
        session=session,
        resources=Resources(resources),
        store=store,
        settings=settings,
        contexts=contexts,
    )
    return await table.actions[action].handler(call)
