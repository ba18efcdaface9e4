"""A loopback Reddit: top listings in the real shape, app-only OAuth, and the ways Reddit fails.

    async with FakeReddit() as reddit:
        reddit.listings["jokes"] = [joke("abc", "Title", "Body")]
        reddit.faults["jokes"] = [Fault("429", retry_after=1)]

It serves ``GET /r/<name>/top.json`` (anonymous), ``GET /r/<name>/top`` (OAuth,
bearer token required) and ``POST /api/v1/access_token`` (client credentials
with HTTP basic auth). Queued faults are served first, one per request: a 403
HTML page, a 429 with Retry-After, malformed JSON, an HTML 200, a 500, or a
delay longer than the client's timeout. Every request is recorded.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from tests.fakes.loopback import serve_on_loopback

BLOCKED_PAGE = """<!doctype html><html><head><title>Blocked</title></head>
<body><h1>whoa there, pardner!</h1><p>Your request has been blocked due to a network policy.</p></body></html>"""


@dataclass
class Fault:
    """One scripted failure: ``403html``, ``429``, ``malformed``, ``html200``, ``500`` or ``slow``."""

    kind: str
    retry_after: float = 1.0
    delay: float = 0.0


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    form: dict[str, str] = field(default_factory=dict)


def post(
    id: str,
    title: str,
    selftext: str = "",
    *,
    subreddit: str = "Jokes",
    score: int = 100,
    over_18: bool = False,
    stickied: bool = False,
    removed_by_category: str | None = None,
) -> dict[str, Any]:
    """A listing child as Reddit sends it (a subset of the many fields of a ``t3``)."""
    return {
        "kind": "t3",
        "data": {
            "id": id,
            "name": f"t3_{id}",
            "subreddit": subreddit,
            "title": title,
            "selftext": selftext,
            "over_18": over_18,
            "stickied": stickied,
            "removed_by_category": removed_by_category,
            "permalink": f"/r/{subreddit}/comments/{id}/{title.lower().replace(' ', '_')[:30]}/",
            "score": score,
            "author": "someone",
            "created_utc": 1_700_000_000.0,
            "is_self": True,
        },
    }


class FakeReddit:
    """Reddit's listing and token endpoints on 127.0.0.1, on a free port."""

    def __init__(self, *, client_id: str = "test-client", client_secret: str = "test-secret") -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.listings: dict[str, list[dict[str, Any]]] = {}
        self.faults: dict[str, list[Fault]] = {}
        self.anonymous_forbidden = False
        self.ratelimit: dict[str, str] = {}
        self.requests: list[Recorded] = []
        self.tokens: set[str] = set()
        self.token_lifetime = 86400
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> FakeReddit:
        app = web.Application()
        app.router.add_get("/r/{name}/top.json", self._anonymous)
        app.router.add_get("/r/{name}/top", self._oauth)
        app.router.add_post("/api/v1/access_token", self._token)
        self._runner, port = await serve_on_loopback(app)
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def requests_to(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    async def _record(self, request: web.Request) -> Recorded:
        form = dict(await request.post()) if request.method == "POST" else {}
        recorded = Recorded(request.method, request.path, dict(request.query), dict(request.headers), {k: str(v) for k, v in form.items()})
        self.requests.append(recorded)
        return recorded

    async def _anonymous(self, request: web.Request) -> web.StreamResponse:
        await self._record(request)
        if self.anonymous_forbidden:
            return web.Response(status=403, text=BLOCKED_PAGE, content_type="text/html")
        return await self._listing(request.match_info["name"])

    async def _oauth(self, request: web.Request) -> web.StreamResponse:
        await self._record(request)
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or token not in self.tokens:
            return web.json_response({"message": "Unauthorized", "error": 401}, status=401)
        return await self._listing(request.match_info["name"])

    async def _token(self, request: web.Request) -> web.StreamResponse:
        recorded = await self._record(request)
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return web.json_response({"message": "Unauthorized", "error": 401}, status=401)
        if recorded.form.get("grant_type") != "client_credentials":
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        token = secrets.token_urlsafe(16)
        self.tokens.add(token)
        return web.json_response({"access_token": token, "token_type": "bearer", "expires_in": self.token_lifetime, "scope": "*"})

    async def _listing(self, name: str) -> web.StreamResponse:
        queue = self.faults.get(name.lower()) or []
        fault = queue.pop(0) if queue else None
        if fault is not None:
            return await _serve_fault(fault)
        if name.lower() not in self.listings:
            return web.json_response({"reason": "private", "message": "Forbidden", "error": 403}, status=403)
        body = {"kind": "Listing", "data": {"after": None, "dist": len(self.listings[name.lower()]), "children": self.listings[name.lower()], "before": None}}
        return web.json_response(body, headers=self.ratelimit)


async def _serve_fault(fault: Fault) -> web.StreamResponse:
    if fault.kind == "403html":
        return web.Response(status=403, text=BLOCKED_PAGE, content_type="text/html")
    if fault.kind == "429":
        return web.json_response(
            {"message": "Too Many Requests", "error": 429}, status=429, headers={"Retry-After": f"{fault.retry_after:g}"}
        )
    if fault.kind == "malformed":
        return web.Response(status=200, text='{"kind": "Listing", "data": {"children": [', content_type="application/json")
    if fault.kind == "html200":
        return web.Response(status=200, text=BLOCKED_PAGE, content_type="text/html")
    if fault.kind == "500":
        return web.Response(status=500, text=json.dumps({"error": 500}), content_type="application/json")
    if fault.kind == "slow":
        await asyncio.sleep(fault.delay)
        return web.json_response({"kind": "Listing", "data": {"children": []}})
    raise ValueError(f"unknown fault {fault.kind!r}")
