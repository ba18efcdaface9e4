"""What every fake server shares: running on a free loopback port, and (for fault proxies) forwarding."""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp import web

# Headers that describe one hop; a proxy sets its own.
HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}


async def serve_on_loopback(app: web.Application, **runner_options: Any) -> tuple[web.AppRunner, int]:
    """Run ``app`` on 127.0.0.1 at a free port; returns the runner (to clean up) and the port."""
    runner = web.AppRunner(app, **runner_options)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, int(runner.addresses[0][1])


async def forward(session: aiohttp.ClientSession, request: web.Request, url: str, body: bytes) -> web.Response:
    """Send ``request`` on to ``url`` and answer with what came back."""
    headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
    async with session.request(request.method, url, headers=headers, data=body) as answer:
        content = await answer.read()
        return web.Response(status=answer.status, body=content, content_type=answer.content_type)
