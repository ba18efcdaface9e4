"""The DialogFlow ES fulfillment webhook: ``POST /dialogflow/webhook``.

DialogFlow has matched the intent already, so the turn skips the engine's NLU
(``Conversation.handle_matched``). The checks run in order: credentials (401),
a JSON body with ``queryResult`` (v2) or ``result`` (v1) (400); after that the
answer is always HTTP 200 with a readable text, whatever the handler did.
DialogFlow gives up after 5 seconds, so past the configured deadline the user
gets "I'm on it" and the turn goes on as a tracked task.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import uuid
from typing import Any

from aiohttp import web

from chatops.channels import dialogflow_v1, texts
from chatops.channels.dialogflow_body import to_query
from chatops.channels.dialogflow_render import render_response
from chatops.channels.http_errors import json_error, json_response, read_json
from chatops.config import DialogflowSettings
from chatops.engine.dialogflow.v2_shapes import as_text
from chatops.errors import StoreUnavailable
from chatops.fulfillment import texts as fulfillment_texts
from chatops.fulfillment.prematched import MatchedQuery, MatchedResult, within_deadline
from chatops.models import Reply
from chatops.runtime import Runtime
from chatops.server_keys import REQUEST_ID_KEY, RUNTIME, SETTINGS

log = logging.getLogger(__name__)

PATH = "/dialogflow/webhook"


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _basic_ok(header: str, config: DialogflowSettings) -> bool:
    if not header.lower().startswith("basic "):
        return False
    try:
        user, _, password = base64.b64decode(header[6:].strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return _same(user, config.basic_user) & _same(password, config.basic_password)


def authorized(request: web.Request, config: DialogflowSettings) -> bool:
    """Basic auth or the shared header, whichever is configured (either passes); open when neither is."""
    if not config.authenticated:
        return True
    basic = bool(config.basic_user or config.basic_password)
    header = bool(config.header_name and config.header_value)
    if basic and _basic_ok(request.headers.get("Authorization", ""), config):
        return True
    return header and _same(request.headers.get(config.header_name, ""), config.header_value)


async def fulfil(runtime: Runtime, matched: MatchedQuery, *, deadline: float) -> MatchedResult:
    """Run the turn; a late one answers "I'm on it" now and delivers its reply when it is done."""

    async def deliver_late(result: MatchedResult) -> None:
        for reply in (*result.notifications, result.reply):
            await runtime.conversation.notify(matched.session, reply)

    try:
        result = await within_deadline(
            runtime.tasks, runtime.conversation.handle_matched(matched),
            deadline=deadline, name=f"dialogflow-{matched.request_id}", on_late=deliver_late,
        )
    except StoreUnavailable:
        return MatchedResult(reply=Reply(text=fulfillment_texts.STORE_DOWN), action=None)
    except Exception:
        log.exception("dialogflow turn %s failed", matched.request_id)
        return MatchedResult(reply=Reply(text=texts.SOMETHING_WRONG), action=None)
    if result is None:
        return MatchedResult(reply=Reply(text=texts.ON_IT), action=None)
    if result.action is None and not result.reply.text:
        return MatchedResult(reply=Reply(text=texts.NO_HANDLER), action=None, notifications=result.notifications)
    return result


async def webhook(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    if not authorized(request, settings.dialogflow):
        response = json_error(401, "unauthorized", texts.UNAUTHORIZED)
        response.headers["WWW-Authenticate"] = 'Basic realm="dialogflow"'
        return response
    body: Any = await read_json(request)
    legacy = isinstance(body, dict) and dialogflow_v1.is_v1(body)
    if not isinstance(body, dict) or not (legacy or isinstance(body.get("queryResult"), dict)):
        return json_error(400, "bad_request", "Expected a DialogFlow WebhookRequest with 'queryResult' (v2) or 'result' (v1).")
    v2 = dialogflow_v1.request_to_v2(body) if legacy else body
    request_id = request.get(REQUEST_ID_KEY) or uuid.uuid4().hex
    matched = to_query(v2, verified=settings.dialogflow.authenticated, request_id=request_id)
    result = await fulfil(request.app[RUNTIME].runtime, matched, deadline=settings.dialogflow.deadline_seconds)
    response = render_response(
        result.reply, session=as_text(v2.get("session")), active=matched.contexts or (),
        notifications=result.notifications, language=matched.language,
    )
    return json_response(dialogflow_v1.response_from_v2(response) if legacy else response)


def setup(app: web.Application) -> None:
    app.router.add_post(PATH, webhook)
