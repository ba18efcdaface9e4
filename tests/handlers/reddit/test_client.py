"""The Reddit client against a loopback Reddit: protocol details, caching and every failure mode."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import aiohttp
import pytest

from chatops.config import Settings
from chatops.errors import ConfigError, PermanentError, RetryableError
from handlers.reddit import open_reddit
from handlers.reddit_client import RedditClient, parse_listing
from tests.fakes.reddit import FakeReddit, Fault, post
from tests.handlers.reddit.conftest import settings_for


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def client_with(settings: Settings, clock: Callable[[], float] = time.monotonic) -> AsyncIterator[RedditClient]:
    async with aiohttp.ClientSession() as http:
        yield RedditClient(settings.reddit, http, clock=clock)


async def test_anonymous_listing_is_parsed_and_requested_politely(reddit: FakeReddit, client: RedditClient) -> None:
    posts = await client.top("jokes")

    assert [p.id for p in posts] == ["j1", "j2", "j3", "sticky", "nsfw", "gone"]
    first = posts[0]
    assert (first.title, first.selftext, first.score) == ("Why did the dog sit in the shade?", "He didn't want to be a hot dog.", 900)
    assert first.url.startswith("https://www.reddit.com/r/Jokes/comments/j1/")
    assert [(p.stickied, p.over_18, p.removed) for p in posts[3:]] == [(True, False, False), (False, True, False), (False, False, True)]
    (request,) = reddit.requests
    assert request.path == "/r/jokes/top.json"
    assert request.query == {"t": "day", "limit": "50", "raw_json": "1"}
    assert request.headers["User-Agent"].startswith("python:chatops:")
    assert "Authorization" not in request.headers


async def test_a_listing_is_cached_until_it_expires(reddit: FakeReddit) -> None:
    clock = Clock()
    async with client_with(settings_for(reddit), clock) as client:
        await client.top("jokes")
        clock.now += 599
        await client.top("jokes")
        assert len(reddit.requests) == 1
        clock.now += 2
        reddit.listings["jokes"] = [post("new", "A new joke", "Fresh.")]
        assert [p.id for p in await client.top("jokes")] == ["new"]
        assert len(reddit.requests) == 2


async def test_oauth_gets_an_app_token_and_uses_it(reddit: FakeReddit) -> None:
    reddit.anonymous_forbidden = True
    clock = Clock()
    async with client_with(settings_for(reddit, client_id="test-client", client_secret="test-secret"), clock) as client:
        assert [p.id for p in await client.top("jokes")][:1] == ["j1"]
        clock.now += 700  # the listing expires, the token does not
        await client.top("todayilearned")
        await client.top("jokes")

    token_requests = reddit.requests_to("/api/v1/access_token")
    assert len(token_requests) == 1
    assert token_requests[0].form == {"grant_type": "client_credentials"}
    listing_requests = [r for r in reddit.requests if r.path.startswith("/r/")]
    assert [r.path for r in listing_requests] == ["/r/jokes/top", "/r/todayilearned/top", "/r/jokes/top"]
    assert all(r.headers["Authorization"].startswith("bearer ") for r in listing_requests)
    assert all(r.query["raw_json"] == "1" for r in listing_requests)


async def test_a_revoked_token_is_renewed_once(reddit: FakeReddit) -> None:
    async with client_with(settings_for(reddit, client_id="test-client", client_secret="test-secret", cache_seconds=0)) as client:
        await client.top("jokes")
        reddit.tokens.clear()
        assert len(await client.top("jokes")) == len(reddit.listings["jokes"])
    assert len(reddit.requests_to("/api/v1/access_token")) == 2


async def test_wrong_credentials_are_a_permanent_error_without_the_secret(reddit: FakeReddit) -> None:
    async with client_with(settings_for(reddit, client_id="test-client", client_secret="wrong-secret")) as client:
        with pytest.raises(PermanentError) as caught:
            await client.top("jokes")
    assert caught.value.user_message == "Reddit rejected my app credentials."
    assert "wrong-secret" not in caught.value.detail


async def test_the_403_html_page_is_refused_without_parsing(reddit: FakeReddit, client: RedditClient) -> None:
    reddit.anonymous_forbidden = True
    with pytest.raises(PermanentError) as caught:
        await client.top("jokes")
    assert caught.value.user_message == "Reddit refused the request."
    assert "text/html" in caught.value.detail and "whoa" not in caught.value.detail


async def test_an_html_page_with_status_200_is_not_parsed_as_json(reddit: FakeReddit, client: RedditClient) -> None:
    reddit.faults["jokes"] = [Fault("html200")]
    with pytest.raises(PermanentError, match="web page instead of data"):
        await client.top("jokes")


async def test_malformed_json_is_a_retryable_error(reddit: FakeReddit, client: RedditClient) -> None:
    reddit.faults["jokes"] = [Fault("malformed")]
    with pytest.raises(RetryableError, match="don't understand"):
        await client.top("jokes")


async def test_a_short_retry_after_is_waited_out_and_retried(reddit: FakeReddit, client: RedditClient) -> None:
    reddit.faults["jokes"] = [Fault("429", retry_after=0.2)]
    started = time.monotonic()
    assert len(await client.top("jokes")) == len(reddit.listings["jokes"])
    assert time.monotonic() - started >= 0.2
    assert len(reddit.requests) == 2


async def test_a_long_retry_after_fails_fast_and_holds_off_further_calls(reddit: FakeReddit) -> None:
    clock = Clock()
    reddit.faults["jokes"] = [Fault("429", retry_after=120)]
    async with client_with(settings_for(reddit), clock) as client:
        with pytest.raises(RetryableError, match="slow down"):
            await client.top("jokes")
        with pytest.raises(RetryableError, match="slow down"):
            await client.top("todayilearned")
        assert len(reddit.requests) == 1
        clock.now += 121
        assert await client.top("todayilearned")
    assert len(reddit.requests) == 2


async def test_a_spent_rate_budget_pauses_calls_until_the_reset(reddit: FakeReddit) -> None:
    clock = Clock()
    reddit.ratelimit = {"X-Ratelimit-Used": "100", "X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Reset": "42"}
    async with client_with(settings_for(reddit), clock) as client:
        await client.top("jokes")
        with pytest.raises(RetryableError, match="slow down"):
            await client.top("todayilearned")
        clock.now += 43
        reddit.ratelimit = {"X-Ratelimit-Remaining": "99.0", "X-Ratelimit-Reset": "500"}
        assert await client.top("todayilearned")
    assert len(reddit.requests) == 2


async def test_a_timeout_is_retryable_and_not_retried_at_once(reddit: FakeReddit) -> None:
    clock = Clock()
    reddit.faults["jokes"] = [Fault("slow", delay=1.0)]
    async with client_with(settings_for(reddit, timeout_seconds=0.2), clock) as client:
        with pytest.raises(RetryableError, match="can't be reached"):
            await client.top("jokes")
        with pytest.raises(RetryableError, match="can't be reached"):
            await client.top("todayilearned")
        assert len(reddit.requests) == 1
        clock.now += 31
        assert await client.top("todayilearned")


async def test_a_refused_connection_is_retryable(reddit: FakeReddit) -> None:
    settings = settings_for(reddit, base_url="http://127.0.0.1:9")
    async with client_with(settings) as client:
        with pytest.raises(RetryableError, match="can't be reached"):
            await client.top("jokes")


async def test_a_stale_listing_is_served_when_reddit_fails(reddit: FakeReddit) -> None:
    clock = Clock()
    async with client_with(settings_for(reddit), clock) as client:
        before = await client.top("jokes")
        clock.now += 601
        reddit.faults["jokes"] = [Fault("500")]
        assert await client.top("jokes") == before
    assert len(reddit.requests) == 2


def test_a_listing_of_the_wrong_shape_is_refused() -> None:
    with pytest.raises(PermanentError):
        parse_listing({"kind": "Listing", "data": {"children": {}}}, "jokes")
    with pytest.raises(PermanentError):
        parse_listing(["not", "a", "listing"], "jokes")
    children = [{"kind": "t1", "data": {"id": "c", "title": "a comment"}}, {"kind": "t3", "data": {"id": "x"}}]
    assert parse_listing({"data": {"children": children}}, "jokes") == []


async def test_a_bad_subreddit_name_is_a_configuration_error(reddit: FakeReddit) -> None:
    settings = settings_for(reddit, joke_subreddits=("jokes", "../admin"))
    with pytest.raises(ConfigError, match="not a subreddit name"):
        async with open_reddit(settings):
            pass
