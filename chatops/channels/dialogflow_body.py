"""Reading a DialogFlow ES v2 WebhookRequest, tolerantly, into a pre-matched turn.

DialogFlow omits default values (a zero ``lifespanCount``, empty ``parameters``,
no ``action``) and some clients send ``[]`` where an object belongs; all of that
reads as the default. Unknown fields are ignored.
"""

from __future__ import annotations

import hashlib
from typing import Any

from chatops.channels.untrusted import IDENTITY, IDENTITY_MAX, check_identity
from chatops.errors import InputError
from chatops.fulfillment.prematched import MatchedQuery
from chatops.models import Context, Principal

SESSION_PREFIX = "dialogflow:"
SESSION_MAX = 512
CONTEXTS_SEGMENT = "/contexts/"


def as_mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def as_count(value: Any) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


def context_id(name: str) -> str:
    """``projects/p/agent/sessions/s/contexts/Awaiting`` -> ``awaiting``."""
    return name.rsplit(CONTEXTS_SEGMENT, 1)[-1].rsplit("/", 1)[-1].strip().lower()


def read_contexts(items: Any) -> tuple[Context, ...]:
    contexts = []
    for item in as_list(items):
        item = as_mapping(item)
        name = context_id(as_text(item.get("name")))
        if name:
            contexts.append(Context(name, as_count(item.get("lifespanCount")), as_mapping(item.get("parameters"))))
    return tuple(contexts)


def agent_text(query_result: dict[str, Any]) -> str:
    """The response the agent itself defines for the intent: ``fulfillmentText`` or the text messages."""
    text = as_text(query_result.get("fulfillmentText"))
    if text:
        return text
    lines = []
    for message in as_list(query_result.get("fulfillmentMessages")):
        lines.extend(t for t in as_list(as_mapping(as_mapping(message).get("text")).get("text")) if isinstance(t, str))
    return "\n".join(lines)


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
