"""A loopback proxy in front of the fake Slack Web API that answers chosen methods with Slack's rate limit.

Slack answers a method called too often with HTTP 429 and a ``Retry-After``
header (seconds) and the body ``{"ok": false, "error": "ratelimited"}``. This
proxy does that for the next N calls of a method and forwards everything else
to the fake, recording the method of every request and when it came.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web
from tests.fakes.loopback import forward, serve_on_loopback



@dataclass
class RateLimitProxy:
    upstream: str  # the fake's base URL, ending with /api/
    received: list[tuple[str, float, int]] = field(default_factory=list)  # (method, monotonic time, status)
    _limits: dict[str, tuple[int, float]] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    _session: aiohttp.ClientSession | None = None
    base_url: str = ""

    def limit(self, method: str, *, times: int, retry_after: float) -> None:
        """Answer the next ``times`` calls of ``method`` (``chat.postMessage``...) with 429 and this Retry-After."""
        self._limits[method] = (times, retry_after)

    def calls(self, method: str) -> list[tuple[float, int]]:
        return [(at, status) for name, at, status in self.received if name == method]

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        times, retry_after = self._limits.get(method, (0, 0.0))
        if times > 0:
            self._limits[method] = (times - 1, retry_after)
            self.received.append((method, time.monotonic(), 429))
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": f"{retry_after:g}"})
        assert self._session is not None
        url = f"{self.upstream}{method}" + (f"?{request.query_string}" if request.query_string else "")
        answer = await forward(self._session, request, url, await request.read())
        self.received.append((method, time.monotonic(), answer.status))
        return answer

    async def __aenter__(self) -> RateLimitProxy:
        self._session = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle)
        self._runner, port = await serve_on_loopback(app, access_log=None)
        self.base_url = f"http://127.0.0.1:{port}/api/"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()
