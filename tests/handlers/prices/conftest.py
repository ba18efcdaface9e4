"""Fixtures for the prices handler: a real (in-memory SQLite) store, the model cache, and calls to build."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from chatops.config import load_settings
from chatops.fulfillment import HandlerCall, Principal, Reply, Resources
from chatops.models import Context
from chatops.store.base import Store
from chatops.store.sqlite import SqliteStore
from handlers.price_models import PriceModels
from handlers.prices import table

Ask = Callable[..., Awaitable[Reply]]

PLOTS_CSV = """plot,area,price
a,1000,"$52,000"
b,1500,"$61,000"
c,2000,"$69,500"
d,2400,"$80,000"
e,3000,"$91,000"
"""


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    opened = SqliteStore(":memory:", timeout=2.0)
    await opened.open()
    yield opened
    await opened.close()


@pytest.fixture
def models() -> PriceModels:
    return PriceModels()


@pytest.fixture
def ask(store: Store, models: PriceModels) -> Ask:
    """Call a prices action the way the dispatcher does; ``after`` is the previous reply, whose contexts carry over."""
    settings = load_settings(env={})

    async def call(action: str = "prices.predict", after: Reply | None = None, **parameters: Any) -> Reply:
        contexts = tuple(Context(c.name, c.lifespan, dict(c.parameters)) for c in (after.contexts if after else ()))
        handler_call = HandlerCall(
            action=action,
            parameters=parameters,
            principal=Principal(id="tester", channel="test"),
            session="s1",
            resources=Resources({PriceModels: models}),
            store=store,
            settings=settings,
            contexts=contexts,
        )
        return await table.actions[action].handler(handler_call)

    return call
