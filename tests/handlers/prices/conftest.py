"""Fixtures for the prices handler: a real (in-memory SQLite) store, the model cache, and calls to build."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from chatops.config import load_settings
from chatops.fulfillment import Reply
from chatops.store.base import Store
from chatops.store.sqlite import SqliteStore
from chatops.testing import call_handler
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
        return await call_handler(
            table, action, parameters=parameters, resources={PriceModels: models}, store=store, settings=settings, after=after
        )

    return call
