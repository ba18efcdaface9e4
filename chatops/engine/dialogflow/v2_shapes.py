"""Reading DialogFlow ES v2 bodies tolerantly: shared by the inbound webhook channel and the outbound webhook client.

DialogFlow omits default values (a zero ``lifespanCount``, empty ``parameters``,
no ``action``) and some clients send ``[]`` where an object belongs; all of that
reads as the default. Unknown fields are ignored.
"""

from __future__ import annotations

from typing import Any

from chatops.models import Context, SessionEntityType

CONTEXTS_SEGMENT = "/contexts/"
ENTITY_TYPES_SEGMENT = "/entityTypes/"
SUPPLEMENT = "ENTITY_OVERRIDE_MODE_SUPPLEMENT"


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


def context_name(session: str, name: str) -> str:
    """A context's full name under the session path (ES sends and expects these)."""
    return f"{session}{CONTEXTS_SEGMENT}{name}" if session else name


def read_contexts(items: Any) -> tuple[Context, ...]:
    contexts = []
    for item in as_list(items):
        item = as_mapping(item)
        name = context_id(as_text(item.get("name")))
        if name:
            contexts.append(Context(name, as_count(item.get("lifespanCount")), as_mapping(item.get("parameters"))))
    return tuple(contexts)


def read_session_entity_types(items: Any) -> tuple[SessionEntityType, ...]:
    """A WebhookResponse's ``sessionEntityTypes``; named ``.../sessions/<s>/entityTypes/<entity display name>``."""
    types = []
    for item in map(as_mapping, as_list(items)):
        entity = as_text(item.get("name")).rsplit(ENTITY_TYPES_SEGMENT, 1)[-1].strip()
        entries = tuple(
            (value, tuple(s for s in as_list(entry.get("synonyms")) if isinstance(s, str) and s.strip()))
            for entry in map(as_mapping, as_list(item.get("entities")))
            if (value := as_text(entry.get("value")).strip())
        )
        if entity:
            types.append(SessionEntityType(entity, entries, override=item.get("entityOverrideMode") != SUPPLEMENT))
    return tuple(types)


def agent_text(result: dict[str, Any]) -> str:
    """The text of a QueryResult or WebhookResponse: ``fulfillmentText``, else its text messages."""
    text = as_text(result.get("fulfillmentText"))
    if text:
        return text
    lines = []
    for message in as_list(result.get("fulfillmentMessages")):
        lines.extend(t for t in as_list(as_mapping(as_mapping(message).get("text")).get("text")) if isinstance(t, str))
    return "\n".join(lines)
