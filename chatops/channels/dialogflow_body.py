"""Reading a DialogFlow ES v2 WebhookRequest, tolerantly (``v2_shapes``), into a pre-matched turn."""

from __future__ import annotations

import hashlib
from typing import Any

from chatops.channels.untrusted import IDENTITY, IDENTITY_MAX, check_identity
from chatops.engine.dialogflow.v2_shapes import agent_text, as_mapping, as_text, read_contexts
from chatops.errors import InputError
from chatops.fulfillment.prematched import MatchedQuery
from chatops.models import Principal

SESSION_PREFIX = "dialogflow:"
SESSION_MAX = 512


def read_principal(body: dict[str, Any], session: str, *, verified: bool) -> Principal:
    """Who is asking, as far as the integration tells: its user id, else the session.

    Only an authenticated webhook's caller is DialogFlow itself; without credentials
    anyone can send this body, so the id it names is not ``verified``.
    """
    original = as_mapping(body.get("originalDetectIntentRequest"))
    payload = as_mapping(original.get("payload"))
    user = as_mapping(payload.get("user"))
    user_id = as_text(user.get("userId")) or as_text(payload.get("userId"))
    if user_id:
        check_identity(user_id, "user id")
    else:
        user_id = _session_user(session)
    source = as_text(original.get("source"))
    return Principal(
        id=user_id, channel="dialogflow",
        channel_id=check_identity(source, "source") if source else None, verified=verified,
    )


def _session_user(session: str) -> str:
    """The session's last segment stands for the user when the integration names none; an odd one by its digest."""
    segment = session.rsplit("/", 1)[-1]
    if not segment:
        return "anonymous"
    if IDENTITY.fullmatch(segment) and len(segment) <= IDENTITY_MAX:
        return segment
    return "session-" + hashlib.sha256(segment.encode()).hexdigest()[:16]


def to_query(body: dict[str, Any], *, verified: bool, request_id: str | None = None) -> MatchedQuery:
    """A v2 WebhookRequest (``body["queryResult"]`` is an object) as a pre-matched turn."""
    query_result = as_mapping(body.get("queryResult"))
    session = as_text(body.get("session"))
    if len(session) > SESSION_MAX:
        raise InputError(f"'session' must be at most {SESSION_MAX} characters.")
    intent = as_mapping(query_result.get("intent"))
    return MatchedQuery(
        session=SESSION_PREFIX + (session or as_text(body.get("responseId")) or "default"),
        intent=as_text(intent.get("displayName")),
        action=as_text(query_result.get("action")) or None,
        parameters=as_mapping(query_result.get("parameters")),
        contexts=read_contexts(query_result.get("outputContexts")),
        principal=read_principal(body, session, verified=verified),
        text=as_text(query_result.get("queryText")),
        language=as_text(query_result.get("languageCode")) or "en",
        fallback_text=agent_text(query_result),
        request_id=request_id,
    )
