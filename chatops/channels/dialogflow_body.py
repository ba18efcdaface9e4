"""Reading a DialogFlow ES v2 WebhookRequest, tolerantly, into a pre-matched turn.

DialogFlow omits default values (a zero ``lifespanCount``, empty ``parameters``,
no ``action``) and some clients send ``[]`` where an object belongs; all of that
reads as the default. Unknown fields are ignored.
"""

from __future__ import annotations

from typing import Any

from chatops.fulfillment.prematched import MatchedQuery
from chatops.models import Context, Principal

SESSION_PREFIX = "dialogflow:"
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


def read_principal(body: dict[str, Any], session: str) -> Principal:
    """Who is asking, as far as the integration tells: its user id, else the session."""
    original = as_mapping(body.get("originalDetectIntentRequest"))
    payload = as_mapping(original.get("payload"))
    user = as_mapping(payload.get("user"))
    user_id = as_text(user.get("userId")) or as_text(payload.get("userId")) or session.rsplit("/", 1)[-1] or "anonymous"
    return Principal(id=user_id, channel="dialogflow", channel_id=as_text(original.get("source")) or None)


def to_query(body: dict[str, Any], *, request_id: str | None = None) -> MatchedQuery:
    """A v2 WebhookRequest (``body["queryResult"]`` is an object) as a pre-matched turn."""
    query_result = as_mapping(body.get("queryResult"))
    session = as_text(body.get("session"))
    intent = as_mapping(query_result.get("intent"))
    return MatchedQuery(
        session=SESSION_PREFIX + (session or as_text(body.get("responseId")) or "default"),
        intent=as_text(intent.get("displayName")),
        action=as_text(query_result.get("action")) or None,
        parameters=as_mapping(query_result.get("parameters")),
        contexts=read_contexts(query_result.get("outputContexts")),
        principal=read_principal(body, session),
        text=as_text(query_result.get("queryText")),
        language=as_text(query_result.get("languageCode")) or "en",
        fallback_text=agent_text(query_result),
        request_id=request_id,
    )
