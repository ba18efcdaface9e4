"""CORS for the widget's API: pages on the origins of ``CHATOPS_WIDGET_ORIGINS`` may call it, no other.

Credentials: the API knows a caller only by its bearer token; it sets no cookie and reads none. A page
on a listed origin may send ``Authorization`` (its own script sets it, and the preflight names it), but
``Access-Control-Allow-Credentials`` is never sent, so the browser attaches none of the visitor's cookies
or HTTP authentication and a page can use no credential it did not hold itself. Origins are listed one
by one: ``*`` is refused, so the list also serves as the page's ``frame-ancestors``.

A request from any other origin gets no CORS header, so the browser does not hand the answer to the
page; its preflight (every widget request has one: the API takes only ``application/json``) gets a 403.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from aiohttp import hdrs, web

from chatops.channels import texts
from chatops.channels.http_errors import json_error
from chatops.errors import ConfigError

METHODS = ("POST",)
HEADERS = ("authorization", "content-type", "x-request-id")
EXPOSED = "X-Request-Id"  # the id the audit log carries, for a page that reports a problem
# Short enough that a visitor's browser learns of an origin removed from the list within minutes.
MAX_AGE_SECONDS = 600
ORIGIN = re.compile(r"(https?)://([a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::(\d{1,5}))?/?")
DEFAULT_PORTS = {"http": "80", "https": "443"}


def parse_origins(values: Iterable[str]) -> tuple[str, ...]:
    """The origins as a browser writes them in ``Origin`` (lower case, no default port); a bad one is a ConfigError."""
    origins: list[str] = []
    for value in values:
        if value.strip() == "*":
            raise ConfigError("CHATOPS_WIDGET_ORIGINS: '*' is not accepted; list the origins one by one.")
        match = ORIGIN.fullmatch(value.strip().lower())
        if match is None or (match[3] is not None and not 0 < int(match[3]) < 65536):
            raise ConfigError(
                f"CHATOPS_WIDGET_ORIGINS: {value!r} is not an origin; write scheme://host[:port], e.g. https://www.example.com"
            )
        scheme, host, port = match.groups()
        origin = f"{scheme}://{host}" + ("" if port in (None, DEFAULT_PORTS[scheme]) else f":{port}")
        origins += [] if origin in origins else [origin]
    return tuple(origins)


@dataclass(frozen=True)
class Cors:
    """The allow-list applied to the routes at ``paths``."""

    origins: frozenset[str]
    paths: frozenset[str]

    async def preflight(self, request: web.Request) -> web.Response:
        origin = request.headers.get(hdrs.ORIGIN)
        method = request.headers.get(hdrs.ACCESS_CONTROL_REQUEST_METHOD)
        if origin is None or method is None:  # a plain OPTIONS, not a browser's preflight
            return web.Response(status=204, headers={hdrs.ALLOW: ", ".join(("OPTIONS", *METHODS))})
        if origin not in self.origins:
            return json_error(403, "origin_not_allowed", texts.CORS_ORIGIN.format(origin=origin[:100]))
        asked = request.headers.get(hdrs.ACCESS_CONTROL_REQUEST_HEADERS, "")
        refused = [] if method in METHODS else [method]
        refused += sorted({h.strip().lower() for h in asked.split(",") if h.strip()} - set(HEADERS))
        if refused:
            message = texts.CORS_REFUSED.format(methods=", ".join(METHODS), headers=", ".join(HEADERS), refused=", ".join(refused)[:200])
            return json_error(403, "preflight_refused", message)
        return web.Response(status=204, headers={
            hdrs.ACCESS_CONTROL_ALLOW_METHODS: ", ".join(METHODS),
            hdrs.ACCESS_CONTROL_ALLOW_HEADERS: ", ".join(HEADERS),
            hdrs.ACCESS_CONTROL_MAX_AGE: str(MAX_AGE_SECONDS),
        })

    async def add_headers(self, request: web.Request, response: web.StreamResponse) -> None:
        """On every answer of these routes, errors included, so that the widget can read their message."""
        if request.path not in self.paths:
            return
        response.headers.add(hdrs.VARY, hdrs.ORIGIN)  # a cache must not hand one origin's answer to another
        origin = request.headers.get(hdrs.ORIGIN)
        if origin in self.origins:
            response.headers[hdrs.ACCESS_CONTROL_ALLOW_ORIGIN] = origin
            response.headers[hdrs.ACCESS_CONTROL_EXPOSE_HEADERS] = EXPOSED


def setup(app: web.Application, *, origins: tuple[str, ...], paths: tuple[str, ...]) -> None:
    cors = Cors(origins=frozenset(origins), paths=frozenset(paths))
    for path in paths:
        app.router.add_route(hdrs.METH_OPTIONS, path, cors.preflight)
    app.on_response_prepare.append(cors.add_headers)
