"""Slack through slack-bolt: the Events API at ``POST /slack/events``, or Socket Mode when configured.

bolt has no ready aiohttp request handler, so ``events`` is the small route
around ``AsyncApp.async_dispatch``. The Web API client, the bolt app, the
Socket Mode connection and the conversation sink that posts job results to
their thread are opened and closed with the app.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import AsyncIterator

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler, async_default_handlers
from slack_sdk.web.async_client import AsyncWebClient

from chatops.channels.http_errors import json_error
from chatops.channels.slack_listeners import build_bolt_app
from chatops.channels.slack_shape import unreadable
from chatops.channels.slack_turns import SlackTurns
from chatops.config import SlackSettings
from chatops.errors import ConfigError
from chatops.server_keys import RUNTIME, SETTINGS

log = logging.getLogger(__name__)

PATH = "/slack/events"
SHUTDOWN_GRACE_SECONDS = 5.0
RATE_LIMIT_RETRIES = 2
UNREADABLE = "The Slack request has fields of the wrong type or shape."


@dataclass
class SlackSlot:
    """Filled at start-up: the bolt app, and the Socket Mode handler when that mode is on."""

    bolt: AsyncApp | None = None
    socket: AsyncSocketModeHandler | None = None
    verifier: SignatureVerifier | None = None


SLACK = web.AppKey("slack", SlackSlot)


def check(config: SlackSettings) -> None:
    if not config.api_base_url.endswith("/"):
        raise ConfigError("CHATOPS_SLACK_API_URL must end with '/' (slack_sdk appends method names to it).")
    if config.socket_mode and not config.app_token:
        raise ConfigError("Slack Socket Mode needs an app-level token (SLACK_APP_TOKEN, xapp-...).")
    if not config.socket_mode and not config.signing_secret:
        raise ConfigError("The Slack Events API needs the signing secret (SLACK_SIGNING_SECRET).")


async def events(request: web.Request) -> web.Response:
    bolt = request.app[SLACK].bolt
    if bolt is None:
        return json_error(503, "starting", "The service is still starting.")
    raw = await request.read()
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return json_error(400, "bad_request", "The body is not UTF-8 text.")
    # Checked here as well as by bolt, which parses the body before its own check: an unsigned body
    # must be refused before anything reads it.
    verifier = request.app[SLACK].verifier
    if verifier is None or not verifier.is_valid_request(body, dict(request.headers)):
        return json_error(401, "unauthorized", "The request is not signed by Slack, or the signature is stale.")
    problem = unreadable(body, request.content_type)
    if problem:
        return json_error(400, "bad_request", problem)
    headers = {name: request.headers.getall(name) for name in set(request.headers.keys())}
    # bolt reads fields of its own (authorizations, enterprise, team...) with no type checks. A signed
    # body it trips on is still malformed: a 5xx would only make Slack send it again.
    try:
        answer = await bolt.async_dispatch(AsyncBoltRequest(body=body, query=request.query_string, headers=headers))
    except (TypeError, KeyError, AttributeError, IndexError, ValueError):
        log.warning("a signed Slack body could not be read", exc_info=True)
        return json_error(400, "bad_request", UNREADABLE)
    if answer.status >= 500:
        log.warning("bolt could not process a signed Slack body (HTTP %d)", answer.status)
        return json_error(400, "bad_request", UNREADABLE)
    if answer.status >= 400:
        return json_error(answer.status, "slack_request_refused", answer.body or "Slack request refused.")
    return web.Response(status=answer.status, body=answer.body.encode("utf-8"), headers=answer.first_headers())


async def _slack_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    config = settings.slack
    runtime = app[RUNTIME].runtime
    async with aiohttp.ClientSession() as session:
        # A 429 from the Web API is waited out (its Retry-After) and retried, so an answer is not lost to a rate limit.
        retries = [*async_default_handlers(), AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)]
        client = AsyncWebClient(token=config.bot_token, base_url=config.api_base_url, session=session, retry_handlers=retries)
        turns = SlackTurns(app[RUNTIME], client, settings, http=session)
        slot = app[SLACK]
        slot.bolt = build_bolt_app(turns, client, signing_secret=config.signing_secret)
        slot.verifier = SignatureVerifier(config.signing_secret) if config.signing_secret else None
        runtime.conversation.sinks.append(turns.sink)
        if config.socket_mode:
            slot.socket = AsyncSocketModeHandler(slot.bolt, config.app_token, web_client=client)
            await slot.socket.connect_async()
            log.info("connected to Slack in Socket Mode")
        try:
            yield
        finally:
            if slot.socket is not None:
                await slot.socket.close_async()
            slot.bolt = slot.socket = slot.verifier = None
            # Turns already acknowledged still post their answers before the client closes.
            await runtime.tasks.drain(timeout=SHUTDOWN_GRACE_SECONDS)
            runtime.conversation.sinks.remove(turns.sink)


def setup(app: web.Application) -> None:
    """Mount Slack when a bot token is configured; nothing otherwise."""
    config = app[SETTINGS].slack
    if not config.bot_token:
        return
    check(config)
    app[SLACK] = SlackSlot()
    app.cleanup_ctx.append(_slack_ctx)
    if not config.socket_mode:
        app.router.add_post(PATH, events)
