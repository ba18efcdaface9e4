"""The aiohttp app factory: channels mounted on one app, every client opened by its cleanup context."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, AsyncIterator, Mapping

from aiohttp import web

from chatops.channels import dialogflow as dialogflow_channel
from chatops.channels import cors, openapi, response_headers
from chatops.channels import web as web_channel
from chatops.channels import webchat
from chatops.channels.http_errors import error_middleware
from chatops.config import Settings
from chatops.engine.nlu import NLU
from chatops.fulfillment.access import AccessPolicy
from chatops.fulfillment.registry import HandlerTable
from chatops.observability import http as observability
from chatops.runtime import Runtime
from chatops.security.audit_view import AuditEndpoint
from chatops.server_keys import RUNTIME, SETTINGS, RuntimeSlot
from chatops.store.base import Store

log = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    *,
    resources: Mapping[type, Any] | None = None,
    policy: AccessPolicy | None = None,
    store: Store | None = None,
    tables: list[HandlerTable] | None = None,
    nlu: NLU | None = None,
) -> web.Application:
    """Build the app; the keyword arguments replace the configured parts (tests)."""
    app = web.Application(
        client_max_size=settings.server.max_body_bytes,
        middlewares=[observability.observe_middleware, error_middleware],
    )
    app[SETTINGS] = settings
    slot = app[RUNTIME] = RuntimeSlot()

    async def runtime_ctx(app: web.Application) -> AsyncIterator[None]:
        async with Runtime.open(settings, resources=resources, policy=policy, store=store, tables=tables, nlu=nlu) as runtime:
            slot.current = runtime
            yield
            slot.current = None

    app.cleanup_ctx.append(runtime_ctx)
    widget_origins = cors.parse_origins(settings.server.widget_origins)
    response_headers.setup(app)
    cors.setup(app, origins=widget_origins, paths=(web_channel.QUERY_PATH,))
    observability.setup(
        app, jobs_cache_seconds=settings.observability.jobs_cache_seconds, token=settings.observability.metrics_token
    )
    web_channel.setup(app)
    app.router.add_get("/api/v1/audit", AuditEndpoint(lambda request: slot.runtime.store, settings.security.admin_tokens).handle)
    dialogflow_channel.setup(app)
    if settings.slack.bot_token:
        # slack_bolt and slack_sdk (5 MiB resident) are imported only by a service that talks to Slack.
        from chatops.channels import slack as slack_channel

        slack_channel.setup(app)
    webchat.setup(app, frame_origins=widget_origins, demo=settings.server.demo)
    openapi.setup(app)
    return app


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's event loop where it is installed: a third less CPU per request in aiohttp's transport (bench/load)."""
    try:
        import uvloop
    except ImportError:  # no uvloop on Windows
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def serve(settings: Settings, *, reuse_port: bool = False) -> None:
    """Run the service in this process until SIGTERM/SIGINT; ``reuse_port`` lets several workers share the port."""
    web.run_app(
        create_app(settings),
        host=settings.server.host,
        port=settings.server.port,
        access_log=None,
        shutdown_timeout=settings.server.shutdown_seconds,
        reuse_port=reuse_port or None,
        print=lambda message: log.info("%s", message),
        loop=new_event_loop(),
    )
