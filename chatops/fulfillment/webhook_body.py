"""The v2 WebhookRequest chatops sends for a turn, and a WebhookResponse applied as ES applies it.

ES's rules for the response: ``fulfillmentText`` / ``fulfillmentMessages``
replace the intent's static response (which stands when the webhook gives
neither); ``outputContexts`` (full names under the session) are set, lifespan 0
removing one; ``followupEventInput`` triggers its event's intent at once and
the rest of the response is ignored; ``payload`` becomes the result's
``webhookPayload``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from chatops.engine.agent import Agent, Intent
from chatops.engine.dialogflow.v2_shapes import (
    agent_text, as_list, as_mapping, as_text, context_name, read_contexts, read_session_entity_types,
)
from chatops.fulfillment.registry import HandlerCall
from chatops.models import Button, Card, Context, Image, OutputContext, Part, QuickReplies, Reply

PAYLOAD_KEY = "webhookPayload"


@dataclass(frozen=True)
class WebhookTurn:
    """The intent being fulfilled, its static response (the prompt, while filling slots) and whether it is complete.

    ``contexts`` are ES's reserved slot-filling contexts, reported beside the session's while filling.
    """

    intent: Intent
    static: str
    complete: bool = True
    contexts: tuple[Context, ...] = ()


def session_path(project: str, session: str) -> str:
    return f"projects/{project}/agent/sessions/{quote(session, safe='')}"


def request_body(call: HandlerCall, turn: WebhookTurn, *, project: str, response_id: str, agent: Agent) -> dict[str, Any]:
    """The WebhookRequest ES would send: full names under the session, unfilled parameters as ``""``.

    With the agent's time zone, dates and times are ES's ISO 8601 date-times with its offset.
    """
    session = session_path(project, call.session)
    static = [{"text": {"text": [turn.static]}}] if turn.static else []
    return {
        "responseId": response_id,
        "session": session,
        "queryResult": {
            "queryText": call.query_text,
            "action": turn.intent.action or "",
            "parameters": turn.intent.reported_parameters(call.parameters, timezone=agent.timezone),
            "allRequiredParamsPresent": turn.complete,
            "fulfillmentText": turn.static,
            "fulfillmentMessages": static,
            "outputContexts": [
                {"name": context_name(session, c.name), "lifespanCount": c.lifespan, "parameters": agent.reported_context(c.parameters)}
                for c in call.contexts + turn.contexts
            ],
            "intent": {
                "name": f"projects/{project}/agent/intents/{turn.intent.id}",
                "displayName": turn.intent.display_name or turn.intent.name,
            },
            "intentDetectionConfidence": 1.0,
            "languageCode": call.language,
        },
        "originalDetectIntentRequest": {
            "source": call.principal.channel, "payload": {"user": {"userId": call.principal.id}},
        },
    }


def reply_from(answer: dict[str, Any], *, static: str) -> Reply:
    """The reply ES would give for this WebhookResponse."""
    contexts = tuple(OutputContext(c.name, c.lifespan, dict(c.parameters)) for c in read_contexts(answer.get("outputContexts")))
    entities = read_session_entity_types(answer.get("sessionEntityTypes"))
    event = as_mapping(answer.get("followupEventInput"))
    if as_text(event.get("name")):
        return Reply(text="", contexts=contexts, event=event["name"], event_parameters=as_mapping(event.get("parameters")),
                     session_entities=entities)
    parts = tuple(p for p in map(_part, as_list(answer.get("fulfillmentMessages"))) if p is not None)
    payload = as_mapping(answer.get("payload"))
    return Reply(
        text=agent_text(answer) or ("" if parts else static), parts=parts, contexts=contexts,
        data={PAYLOAD_KEY: payload} if payload else {}, session_entities=entities,
    )


def _part(message: Any) -> Part | None:
    """A rich fulfillment message as a reply part; text and custom payload messages have none."""
    message = as_mapping(message)
    if "quickReplies" in message:
        quick = as_mapping(message["quickReplies"])
        return QuickReplies(tuple(str(q) for q in as_list(quick.get("quickReplies"))), title=as_text(quick.get("title")) or None)
    if "card" in message:
        card = as_mapping(message["card"])
        buttons = tuple(Button(as_text(b.get("text")), postback=as_text(b.get("postback")) or None)
                        for b in map(as_mapping, as_list(card.get("buttons"))))
        return Card(as_text(card.get("title")), subtitle=as_text(card.get("subtitle")) or None,
                    image_url=as_text(card.get("imageUri")) or None, buttons=buttons)
    if "image" in message:
        image = as_mapping(message["image"])
        return Image(alt=as_text(image.get("accessibilityText")), url=as_text(image.get("imageUri")) or None)
    return None
