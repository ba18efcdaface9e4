"""Observability on the aiohttp app: the request middleware, ``GET /metrics``, and wiring the metrics to the runtime.

The middleware is the outermost one: it sees the final status of every
request, including the JSON errors the error middleware makes. It gives each
request an id (the client's ``X-Request-Id`` when it is well-formed, a new one
otherwise) that the channels read from ``request[REQUEST_ID_KEY]``, the logs carry
and the response echoes.
"""

from __future__ import annotations

import asyncio
import hmac
import time
import uuid
from typing import AsyncIterator

from aiohttp import hdrs, web

from chatops.observability.logging import REQUEST_ID, valid_request_id
from chatops.observability.metrics import CONTENT_TYPE
from chatops.observability.service import ServiceMetrics
from chatops.server_keys import REQUEST_ID_KEY, RUNTIME
from chatops.channels.http_errors import Handler

METRICS = web.AppKey("metrics", ServiceMetrics)
METRICS_TOKEN = web.AppKey("metrics_token", str)
HEADER = "X-Request-Id"
CHANNELS = (("/api/", "web"), ("/dialogflow/", "dialogflow"), ("/slack/", "slack"))
UNMATCHED = "unmatched"


def channel_of(path: str) -> str:
    return next((name for prefix, name in CHANNELS if path.startswith(prefix)), "system")


def route_of(request: web.Request) -> str:
    """The route pattern (bounded), never the raw path (a scanner would make one series per URL)."""
    info = request.match_info
    resource = info.route.resource if info.http_exception is None else None
    return resource.canonical if resource is not None else UNMATCHED


def _request_id(request: web.Request) -> str:
    given = request.headers.get(HEADER)
    return given if valid_request_id(given) else uuid.uuid4().hex  # type: ignore[return-value]


@web.middleware
async def observe_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    metrics = request.app[METRICS]
    request_id = request[REQUEST_ID_KEY] = _request_id(request)
    token = REQUEST_ID.set(request_id)
    started = time.perf_counter()
    status = 500
    metrics.in_flight.add(1)
    try:
        response = await handler(request)
        status = response.status
        if not response.prepared:
            response.headers.setdefault(HEADER, request_id)
        return response
    except web.HTTPException as exc:
        status = exc.status
        exc.headers.setdefault(HEADER, request_id)
        raise
    except asyncio.CancelledError:
        status = 499  # the client went away before the answer (nginx's code for it)
        raise
    finally:
        metrics.in_flight.add(-1)
        metrics.request(
            channel=channel_of(request.path), route=route_of(request), method=request.method,
            status=status, seconds=time.perf_counter() - started,
        )
        REQUEST_ID.reset(token)


async def metrics_endpoint(request: web.Request) -> web.Response:
    expected = request.app[METRICS_TOKEN]
    if expected:
        given = request.headers.get(hdrs.AUTHORIZATION, "")
        if not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
            raise web.HTTPUnauthorized()
    body = await request.app[METRICS].render()
    return web.Response(body=body.encode(), headers={hdrs.CONTENT_TYPE: CONTENT_TYPE})


def setup(app: web.Application, *, jobs_cache_seconds: float, token: str = "") -> None:
    """Add the metrics, their route and the runtime binding; the middleware goes in first at construction.

    With ``token`` set, ``/metrics`` wants it as a bearer token (Prometheus' ``authorization`` setting).
    """
    metrics = app[METRICS] = ServiceMetrics(jobs_cache_seconds=jobs_cache_seconds)
    app[METRICS_TOKEN] = token

    async def bind_runtime(app: web.Application) -> AsyncIterator[None]:
        runtime = app[RUNTIME].runtime  # opened by the cleanup context before this one
        metrics.bind(runtime.store, runtime.agent.intents)
        runtime.dispatcher.observer = metrics
        yield
        runtime.dispatcher.observer = None
        metrics.unbind()

    app.cleanup_ctx.append(bind_runtime)
    app.router.add_get("/metrics", metrics_endpoint)
