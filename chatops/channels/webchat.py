"""The web chat: ``GET /widget.js`` (the ``<chatops-chat>`` custom element) and ``GET /``, a page embedding it.

With CHATOPS_DEMO (``chatops demo``) the page is demo.html: a demo banner, suggested messages, replies labelled.

The widget talks to ``POST /api/v1/query`` like any other REST client; this
module only serves its static files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Awaitable, Callable

from aiohttp import web

WIDGET_DIR = Path(__file__).resolve().parent / "widget"
HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
# The page runs only the widget's own script; its styles are inline (the page's and the widget's
# shadow root), its images are charts as data: URLs, and it talks only to this service. Pages on the
# widget's origins (CHATOPS_WIDGET_ORIGINS) may frame it, as they may call its API.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)


def page_policy(frame_origins: tuple[str, ...]) -> str:
    """The page's CSP; the origins come checked from ``cors.parse_origins``, so none can break out of it."""
    return " ".join((PAGE_POLICY, *frame_origins))


def _static(name: str, content_type: str, headers: dict[str, str]) -> Callable[[web.Request], Awaitable[web.Response]]:
    # Read once when the app is built: two small files that never change while it runs.
    body = (WIDGET_DIR / name).read_bytes()

    async def serve(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type=content_type, charset="utf-8", headers=headers)

    return serve


def setup(app: web.Application, *, frame_origins: tuple[str, ...], demo: bool = False) -> None:
    page_headers = {**HEADERS, "Content-Security-Policy": page_policy(frame_origins)}
    app.router.add_get("/", _static("demo.html" if demo else "index.html", "text/html", page_headers))
    app.router.add_get("/widget.js", _static("widget.js", "text/javascript", HEADERS))
