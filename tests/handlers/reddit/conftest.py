"""Fixtures for the Reddit handler: a fake Reddit on loopback, settings pointing at it, and calls to build."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest

from chatops.config import Settings, load_settings
from chatops.fulfillment import Reply
from chatops.store.base import Store
from chatops.store.sqlite import SqliteStore
from chatops.testing import call_handler
from handlers.reddit import open_reddit, table
from handlers.reddit_client import RedditClient
from tests.fakes.reddit import FakeReddit, post

JOKES = [
    post("j1", "Why did the dog sit in the shade?", "He didn't want to be a hot dog.", score=900),
    post("j2", "What do you call a sleeping bull?", "A bulldozer.", score=800),
    post("j3", "I told my cat a joke", "It was not amused. Cats never are.", score=700),
    post("sticky", "Read the rules before posting", "No reposts.", stickied=True),
    post("nsfw", "A joke for adults", "Not here.", over_18=True),
    post("gone", "Some joke", "[removed]", removed_by_category="moderator"),
]
FACTS = [
    post("f1", "TIL that octopuses have three hearts", subreddit="todayilearned"),
    post("f2", "TIL honey never really spoils", subreddit="todayilearned"),
]


@pytest.fixture
async def reddit() -> AsyncIterator[FakeReddit]:
    async with FakeReddit() as fake:
        fake.listings["jokes"] = list(JOKES)
        fake.listings["todayilearned"] = list(FACTS)
        yield fake


def settings_for(fake: FakeReddit, **reddit: Any) -> Settings:
    values = {
        "base_url": fake.url,
        "oauth_url": fake.url,
        "token_url": f"{fake.url}/api/v1/access_token",
        "timeout_seconds": 0.5,
        **reddit,
    }
    return load_settings(env={}, overrides={"reddit": values})


@pytest.fixture
def settings(reddit: FakeReddit) -> Settings:
    return settings_for(reddit)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[RedditClient]:
    async with open_reddit(settings) as opened:
        yield opened


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    opened = SqliteStore(":memory:", timeout=2.0)
    await opened.open()
    yield opened
    await opened.close()


Tell = Callable[..., Awaitable[Reply]]
TellWith = Callable[[Settings], AbstractAsyncContextManager[Tell]]


def teller(client: RedditClient, settings: Settings, store: Store) -> Tell:
    """Call a reddit action the way the dispatcher does; ``after`` is the previous reply, whose contexts carry over."""

    async def call(action: str = "reddit.tell", after: Reply | None = None, **parameters: Any) -> Reply:
        return await call_handler(
            table, action, parameters=parameters, resources={RedditClient: client}, store=store, settings=settings, after=after
        )

    return call


@pytest.fixture
def tell(client: RedditClient, settings: Settings, store: Store) -> Tell:
    return teller(client, settings, store)


@pytest.fixture
def tell_with(store: Store) -> TellWith:
    """A ``tell`` on a client opened from other settings."""

    @asynccontextmanager
    async def opened(settings: Settings) -> AsyncIterator[Tell]:
        async with open_reddit(settings) as client:
            yield teller(client, settings, store)

    return opened
