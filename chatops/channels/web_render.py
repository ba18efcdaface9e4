"""The JSON shape of a query result for the REST API and the web widget."""

from __future__ import annotations

import base64
from typing import Any

from chatops.fulfillment.webhook_body import PAYLOAD_KEY
from chatops.models import Card, Confirmation, Image, Part, QueryResult, QuickReplies, Reply, Visibility
from chatops.security.masking import mask_parameters, redact


def render_part(part: Part) -> dict[str, Any]:
    if isinstance(part, QuickReplies):
        return {"type": "quickReplies", "title": part.title, "options": list(part.options)}
    if isinstance(part, Card):
        return {
            "type": "card",
            "title": part.title,
            "subtitle": part.subtitle,
            "text": part.text,
            "imageUrl": part.image_url,
            "buttons": [{"text": b.text, "postback": b.postback, "url": b.url} for b in part.buttons],
        }
    if isinstance(part, Image):
        url = part.url or f"data:{part.mime};base64,{base64.b64encode(part.data or b'').decode()}"
        return {"type": "image", "alt": part.alt, "url": url}
    if isinstance(part, Confirmation):
        return {
            "type": "confirmation",
            "prompt": part.prompt,
            "token": part.token,
            "confirm": part.confirm_text,
            "cancel": part.cancel_text,
        }
    raise TypeError(f"unknown reply part {type(part).__name__}")


def render_reply(reply: Reply) -> dict[str, Any]:
    return {
        "text": reply.text,
        "visibility": reply.visibility.value,
        "parts": [render_part(p) for p in reply.parts],
    }


def render_result(result: QueryResult, session: str) -> dict[str, Any]:
    """DialogFlow's QueryResult field names, plus the reply's rich parts."""
    body = {
        "session": session,
        "queryText": redact(result.query_text),
        "languageCode": result.language,
        "intent": None if result.intent is None else {"name": result.intent.name, "displayName": result.intent.display_name},
        "action": result.action,
        "parameters": mask_parameters(result.parameters),
        "allRequiredParamsPresent": result.all_required_params_present,
        # As the ES console's raw response shows it beside the v2 fields.
        "slotfillingMetadata": {"allRequiredParamsPresent": result.all_required_params_present},
        "intentDetectionConfidence": result.confidence,
        "outputContexts": [
            {"name": c.name, "lifespanCount": c.lifespan, "parameters": mask_parameters(c.parameters)} for c in result.contexts
        ],
        # A secret travels only in the reply, which the widget masks; never in the plain text field.
        "fulfillmentText": "" if result.reply.visibility is Visibility.SECRET else result.fulfillment_text,
        "reply": render_reply(result.reply),
        "notifications": [render_reply(n) for n in result.notifications],
    }
    if PAYLOAD_KEY in result.reply.data:
        body[PAYLOAD_KEY] = dict(result.reply.data[PAYLOAD_KEY])
    if result.cancels_slot_filling:
        body["cancelsSlotFilling"] = True
    if result.end_interaction:
        body["diagnosticInfo"] = {"end_conversation": True}
    return body
