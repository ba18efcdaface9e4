"""The web chat: ``GET /widget.js`` (the ``<chatops-chat>`` custom element) and ``GET /``, a demo page embedding it.

The widget talks to ``POST /api/v1/query`` like any other REST client; this
module only serves its two static files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Awaitable, Callable

from aiohttp import web

WIDGET_DIR = Path(__file__).resolve().parent / "widget"
HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}


def _static(name: str, content_type: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    # Read once when the app is built: two small files that never change while it runs.
    body = (WIDGET_DIR / name).read_bytes()

    async def serve(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type=content_type, charset="utf-8", headers=HEADERS)

    return serve


def setup(app: web.Application) -> None:
    app.router.add_get("/", _static("index.html", "text/html"))
    app.router.add_get("/widget.js", _static("widget.js", "text/javascript"))
