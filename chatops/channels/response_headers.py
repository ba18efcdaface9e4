"""Headers every response carries, whatever route or error made it.

The ``Server`` header names no software version (aiohttp's default does), and
no response may be sniffed into another type or framed by a page it was not
written for; the widget's page sets its own, wider policy.
"""

from __future__ import annotations

from aiohttp import web

SERVER = "chatops"
API_POLICY = "default-src 'none'; frame-ancestors 'none'"


async def _set_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["Server"] = SERVER
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Content-Security-Policy", API_POLICY)
    response.headers.setdefault("Referrer-Policy", "no-referrer")


def setup(app: web.Application) -> None:
    app.on_response_prepare.append(_set_headers)
