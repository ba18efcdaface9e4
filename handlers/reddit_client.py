"""A small Reddit listing client on aiohttp: app-only OAuth or anonymous, polite, cached.

Reddit answers anonymous ``.json`` listings with a 403 HTML page more and more
often, so the client uses app-only OAuth whenever a client id and secret are
configured. Either way it sends a descriptive User-Agent and ``raw_json=1``,
checks the content type before parsing, honours ``429 Retry-After`` and the
``X-Ratelimit-*`` headers, and caches a listing for ``cache_seconds``. Every
upstream failure is mapped here, once, to a chatops ``BackendError``.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import re
import time
from dataclasses import dataclass
from typing import Any, Callable

import aiohttp

from chatops.config import RedditSettings
from chatops.errors import BackendError, ConfigError, PermanentError, RetryableError

log = logging.getLogger(__name__)

_SUBREDDIT = re.compile(r"^[A-Za-z0-9_]{2,21}$")
_REMOVED = {"[removed]", "[deleted]"}
# A Retry-After this short is waited out in place; a longer one fails fast (the caller falls back).
_MAX_INLINE_WAIT = 2.0
# Renew an OAuth token this long before Reddit says it expires.
_TOKEN_MARGIN = 60.0
# After a timeout or a refused connection, answer "unreachable" at once for this long
# instead of making every "another one" wait out the timeout again.
_DOWN_SECONDS = 30.0


@dataclass(frozen=True)
class Post:
    """One thread of a listing, reduced to what the handlers use."""

    id: str
    subreddit: str
    title: str
    selftext: str = ""
    permalink: str = ""
    score: int = 0
    over_18: bool = False
    stickied: bool = False
    removed: bool = False

    @property
    def url(self) -> str:
        return f"https://www.reddit.com{self.permalink}" if self.permalink.startswith("/") else self.permalink


def parse_listing(payload: Any, subreddit: str) -> list[Post]:
    """The posts of a listing shaped ``{"data": {"children": [{"kind": "t3", "data": {...}}]}}``."""
    try:
        children = payload["data"]["children"]
    except (KeyError, TypeError):
        raise PermanentError("Reddit sent something I don't understand.", detail=f"r/{subreddit}: no data.children") from None
    if not isinstance(children, list):
        raise PermanentError("Reddit sent something I don't understand.", detail=f"r/{subreddit}: children is not a list")
    posts = []
    for child in children:
        data = child.get("data") if isinstance(child, dict) and child.get("kind", "t3") == "t3" else None
        if isinstance(data, dict) and isinstance(data.get("id"), str) and isinstance(data.get("title"), str):
            posts.append(_post(data, subreddit))
    return posts


def _post(data: dict[str, Any], subreddit: str) -> Post:
    raw = data.get("selftext")
    selftext = raw if isinstance(raw, str) else ""
    removed = bool(data.get("removed_by_category")) or selftext.strip() in _REMOVED or data["title"].strip() in _REMOVED
    score = data.get("score")
    return Post(
        id=data["id"],
        subreddit=str(data.get("subreddit") or subreddit),
        title=data["title"].strip(),
        selftext=selftext.strip(),
        permalink=str(data.get("permalink") or ""),
        score=score if isinstance(score, int) else 0,
        over_18=bool(data.get("over_18")),
        stickied=bool(data.get("stickied")),
        removed=removed,
    )


class RedditClient:
    """Fetches a subreddit's top threads of the day; one instance per app, sharing one HTTP session."""

    def __init__(
        self,
        settings: RedditSettings,
        http: aiohttp.ClientSession,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        for name in (*settings.joke_subreddits, *settings.fact_subreddits):
            if not _SUBREDDIT.match(name):
                raise ConfigError(f"reddit: {name!r} is not a subreddit name")
        self._settings = settings
        self._http = http
        self._clock = clock
        self._cache: dict[str, tuple[float, list[Post]]] = {}
        self._fetching: dict[str, asyncio.Lock] = {}
        self._token: tuple[str, float] | None = None
        self._token_lock = asyncio.Lock()
        self._blocked_until = 0.0
        self._down_until = 0.0

    @property
    def uses_oauth(self) -> bool:
        return bool(self._settings.client_id and self._settings.client_secret)

    async def top(self, subreddit: str) -> list[Post]:
        """Today's top threads of ``subreddit``: cached, or fetched; a stale copy if Reddit fails."""
        cached = self._cache.get(subreddit)
        if cached and self._clock() - cached[0] < self._settings.cache_seconds:
            return cached[1]
        async with self._fetching.setdefault(subreddit, asyncio.Lock()):
            cached = self._cache.get(subreddit)
            if cached and self._clock() - cached[0] < self._settings.cache_seconds:
                return cached[1]
            try:
                posts = parse_listing(await self._get_listing(subreddit), subreddit)
            except BackendError as exc:
                if cached is None:
                    raise
                log.warning("reddit: serving a stale r/%s listing: %s", subreddit, exc.detail)
                return cached[1]
            self._cache[subreddit] = (self._clock(), posts)
            return posts

    async def _get_listing(self, subreddit: str) -> Any:
        params = {"t": "day", "limit": "50", "raw_json": "1"}
        if not self.uses_oauth:
            return await self._get_json(f"{self._settings.base_url.rstrip('/')}/r/{subreddit}/top.json", params, None)
        url = f"{self._settings.oauth_url.rstrip('/')}/r/{subreddit}/top"
        try:
            return await self._get_json(url, params, await self._access_token())
        except _Unauthorized:
            # The token may have been revoked early: fetch a new one, once.
            self._token = None
            return await self._get_json(url, params, await self._access_token())

    async def _get_json(self, url: str, params: dict[str, str], token: str | None) -> Any:
        headers = {"User-Agent": self._settings.user_agent, "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"bearer {token}"
        retried = False
        while True:
            if not retried:  # after waiting out a Retry-After, Reddit expects exactly this retry
                self._check_blocked()
            try:
                async with self._http.get(url, params=params, headers=headers, timeout=self._timeout()) as resp:
                    self._note_ratelimit(resp)
                    if resp.status != 429:
                        return await _read_json(resp, url)
                    wait = self._retry_after(resp)
            except (asyncio.TimeoutError, aiohttp.ClientError) as exc:
                raise self._unreachable(url, exc) from exc
            if retried or wait > _MAX_INLINE_WAIT:
                raise RetryableError(
                    "Reddit asks me to slow down for a moment.", detail=f"429 from {url}, retry after {wait:.0f}s"
                )
            await asyncio.sleep(wait)
            retried = True

    async def _access_token(self) -> str:
        async with self._token_lock:
            if self._token and self._clock() < self._token[1]:
                return self._token[0]
            body = await self._fetch_token()
            token, expires_in = body.get("access_token"), body.get("expires_in", 3600)
            if not isinstance(token, str) or not token or not isinstance(expires_in, (int, float)):
                raise PermanentError("Reddit did not give me an access token.", detail="token response without access_token")
            self._token = (token, self._clock() + max(float(expires_in) - _TOKEN_MARGIN, 0.0))
            return token

    async def _fetch_token(self) -> dict[str, Any]:
        self._check_blocked()
        url = self._settings.token_url
        credentials = base64.b64encode(f"{self._settings.client_id}:{self._settings.client_secret}".encode()).decode()
        headers = {"User-Agent": self._settings.user_agent, "Accept": "application/json", "Authorization": f"Basic {credentials}"}
        try:
            async with self._http.post(url, data={"grant_type": "client_credentials"}, headers=headers, timeout=self._timeout()) as resp:
                self._note_ratelimit(resp)
                if resp.status in (400, 401, 403):
                    raise PermanentError(
                        "Reddit rejected my app credentials.", detail=f"token endpoint answered {resp.status}"
                    )
                body = await _read_json(resp, url)
        except (asyncio.TimeoutError, aiohttp.ClientError) as exc:
            raise self._unreachable(url, exc) from exc
        if not isinstance(body, dict):
            raise PermanentError("Reddit did not give me an access token.", detail="token response is not an object")
        return body

    def _timeout(self) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(total=self._settings.timeout_seconds)

    def _unreachable(self, url: str, exc: BaseException) -> RetryableError:
        self._down_until = self._clock() + _DOWN_SECONDS
        return RetryableError("Reddit can't be reached right now.", detail=f"{url}: {type(exc).__name__} {exc}")

    def _check_blocked(self) -> None:
        if self._clock() < self._down_until:
            raise RetryableError("Reddit can't be reached right now.", detail="unreachable a moment ago; not retrying yet")
        wait = self._blocked_until - self._clock()
        if wait > 0:
            raise RetryableError("Reddit asks me to slow down for a moment.", detail=f"rate limited for {wait:.0f}s more")

    def _retry_after(self, resp: aiohttp.ClientResponse) -> float:
        wait = _seconds(resp.headers.get("Retry-After"), default=60.0)
        self._blocked_until = max(self._blocked_until, self._clock() + wait)
        return wait

    def _note_ratelimit(self, resp: aiohttp.ClientResponse) -> None:
        """Stop calling Reddit until the window resets once its rate budget is spent."""
        remaining = resp.headers.get("X-Ratelimit-Remaining")
        if remaining is not None and _seconds(remaining, default=1.0) < 1.0:
            reset = _seconds(resp.headers.get("X-Ratelimit-Reset"), default=60.0)
            self._blocked_until = max(self._blocked_until, self._clock() + reset)
            log.warning("reddit: rate budget spent; pausing for %.0fs", reset)


class _Unauthorized(PermanentError):
    """A 401 from the API: the OAuth token is no longer good."""


async def _read_json(resp: aiohttp.ClientResponse, url: str) -> Any:
    """The JSON body of a 2xx answer; every other outcome becomes a chatops error."""
    if resp.status == 401:
        raise _Unauthorized("Reddit refused my credentials.", detail=f"401 from {url}")
    if resp.status >= 500:
        raise RetryableError("Reddit is having trouble right now.", detail=f"{resp.status} from {url}")
    if resp.status >= 400:
        raise PermanentError("Reddit refused the request.", detail=f"{resp.status} ({resp.content_type}) from {url}")
    if resp.content_type != "application/json":
        raise PermanentError("Reddit sent a web page instead of data.", detail=f"{resp.content_type} from {url}")
    try:
        return await resp.json()
    except ValueError as exc:
        raise RetryableError("Reddit sent something I don't understand.", detail=f"bad JSON from {url}: {exc}") from exc


def _seconds(value: str | None, *, default: float) -> float:
    try:
        seconds = float(value) if value is not None else default
    except ValueError:
        return default
    return max(seconds, 0.0) if seconds == seconds else default
