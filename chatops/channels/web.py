"""The REST API: ``POST /api/v1/query`` and the health endpoints."""

from __future__ import annotations

import hmac
import re
import uuid
from typing import Any

from aiohttp import web

from chatops.channels.http_errors import json_error, json_response, read_json
from chatops.channels.untrusted import check_identity
from chatops.channels.web_render import render_result
from chatops.config import Settings
from chatops.errors import InputError, StoreUnavailable
from chatops.fulfillment.prematched import MatchedQuery
from chatops.models import Principal, Query
from chatops.server_keys import REQUEST_ID_KEY, RUNTIME, SETTINGS

SESSION_MAX = 200
LANGUAGE_CODE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,4})?$")
QUERY_PATH = "/api/v1/query"  # the widget's one API route


def to_query(body: Any, settings: Settings, token: str | None, request_id: str) -> Query:
    """Validate a query body: ``{session, text | event, user?, parameters?, lang?}``."""
    if not isinstance(body, dict):
        raise InputError("The body must be a JSON object with 'session' and 'text' or 'event'.")
    session = body.get("session")
    if not isinstance(session, str) or not session.strip() or len(session) > SESSION_MAX:
        raise InputError(f"'session' must be a non-empty string of at most {SESSION_MAX} characters.")
    text, event = body.get("text"), body.get("event")
    if (text is None) == (event is None):
        raise InputError("Give exactly one of 'text' or 'event'.")
    if text is not None:
        if not isinstance(text, str) or not text.strip():
            raise InputError("'text' must be a non-empty string.")
        if len(text) > settings.server.max_utterance_chars:
            raise InputError(f"'text' is longer than {settings.server.max_utterance_chars} characters.")
    if event is not None and (not isinstance(event, str) or not event.strip()):
        raise InputError("'event' must be a non-empty string.")
    parameters = body.get("parameters")
    parameters = {} if parameters is None else parameters
    if not isinstance(parameters, dict):
        raise InputError("'parameters' must be an object.")
    principal = web_principal(body.get("user"), token)
    return Query(
        session=f"web:{session}", text=text, event=event, event_parameters=parameters, principal=principal,
        request_id=request_id, language=_language(body.get("lang")),
    )


def _language(lang: Any) -> str:
    """The optional ``lang`` of the body (ES's REST query parameter): the agent answers in that language."""
    if lang is None:
        return "en"
    if not isinstance(lang, str) or not LANGUAGE_CODE.match(lang):
        raise InputError("'lang' must be a language code such as en, es or pt-BR.")
    return lang


def web_principal(user: Any, token: str | None) -> Principal:
    """The caller's own name for itself: shown and audited, never trusted (only its token is)."""
    if user is None:
        return Principal(id="anonymous", channel="web", token=token, verified=False)
    if not isinstance(user, str):
        raise InputError("'user' must be a string.")
    return Principal(id=check_identity(user, "user"), channel="web", token=token, verified=False)


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() or None if header.lower().startswith("bearer ") else None


def token_allowed(token: str | None, allowed: tuple[str, ...]) -> bool:
    return not allowed or (token is not None and any(hmac.compare_digest(token, t) for t in allowed))


def api_token(request: web.Request) -> str | None:
    """The caller's bearer token; with API tokens configured, a missing or unknown one is a 401."""
    token = bearer_token(request)
    if not token_allowed(token, request.app[SETTINGS].server.api_tokens):
        raise web.HTTPUnauthorized()
    return token


async def query(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    token = api_token(request)
    request_id = request.get(REQUEST_ID_KEY) or uuid.uuid4().hex
    body = await read_json(request)
    q = to_query(body, settings, token, request_id)
    result = await request.app[RUNTIME].runtime.conversation.handle(q)
    return json_response(render_result(result, body["session"]), headers={"X-Request-Id": request_id})


async def healthz(request: web.Request) -> web.Response:
    return json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME].current
    if runtime is None:
        return json_error(503, "starting", "The service is still starting.")
    try:
        await runtime.store.ping()
    except StoreUnavailable as exc:
        return json_error(503, "store_unavailable", exc.user_message)
    return json_response({"status": "ready", "intents": len(runtime.agent.intents)})


async def upload_dataset(request: web.Request) -> web.Response:
    """``POST /api/v1/datasets`` with ``{name, csv, x, y, user?}``: store a CSV for price prediction."""
    token = api_token(request)
    body = await read_json(request)
    if not isinstance(body, dict) or not all(isinstance(body.get(k), str) and body[k].strip() for k in ("name", "csv", "x", "y")):
        raise InputError("The body must be a JSON object with the strings 'name', 'csv', 'x' and 'y'.")
    principal = web_principal(body.get("user"), token)
    matched = MatchedQuery(
        session=f"web:datasets:{principal.id}",
        intent="prices.upload_dataset",
        action="prices.upload_dataset",
        parameters={k: body[k] for k in ("name", "csv", "x", "y")},
        principal=principal,
        request_id=request.get(REQUEST_ID_KEY),
    )
    result = await request.app[RUNTIME].runtime.conversation.handle_matched(matched)
    if result.action is None:
        return json_error(404, "not_enabled", "Price prediction is not enabled here (CHATOPS_HANDLERS), so there is no data set to upload.")
    if "rows" not in result.reply.data:
        return json_error(400, "bad_dataset", result.reply.text)
    return json_response({**result.reply.data, "message": result.reply.text}, status=201)


def setup(app: web.Application) -> None:
    app.router.add_post(QUERY_PATH, query)
    app.router.add_post("/api/v1/datasets", upload_dataset)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
