"""The legacy DialogFlow v1 webhook protocol, translated to and from v2 in one place each way.

A v1 request carries ``result`` (``resolvedQuery``, ``action``, ``parameters``,
``contexts`` with ``lifespan``, ``metadata.intentName``) and wants ``speech``,
``displayText``, ``messages``, ``contextOut``, ``data`` and ``followupEvent``
back. Everything else in the service speaks v2 only.
"""

from __future__ import annotations

from typing import Any

from chatops.engine.dialogflow.v2_shapes import as_list, as_mapping, as_text, context_id

V1_MESSAGE_TYPES = {"text": 0, "card": 1, "quickReplies": 2, "image": 3}


def is_v1(body: dict[str, Any]) -> bool:
    return "queryResult" not in body and isinstance(body.get("result"), dict)


def request_to_v2(body: dict[str, Any]) -> dict[str, Any]:
    """A v1 request as a v2 WebhookRequest; the v1 ``sessionId`` stands in for the session path."""
    result = as_mapping(body.get("result"))
    metadata = as_mapping(result.get("metadata"))
    fulfillment = as_mapping(result.get("fulfillment"))
    original = as_mapping(body.get("originalRequest"))
    user = as_mapping(as_mapping(original.get("data")).get("user"))
    return {
        "responseId": as_text(body.get("id")),
        "session": as_text(body.get("sessionId")),
        "queryResult": {
            "queryText": as_text(result.get("resolvedQuery")),
            "action": as_text(result.get("action")),
            "parameters": as_mapping(result.get("parameters")),
            "allRequiredParamsPresent": not result.get("actionIncomplete", False),
            "fulfillmentText": as_text(fulfillment.get("speech")) or as_text(result.get("speech")),
            "outputContexts": [
                {
                    "name": as_text(as_mapping(c).get("name")),
                    "lifespanCount": as_mapping(c).get("lifespan", 0),
                    "parameters": as_mapping(as_mapping(c).get("parameters")),
                }
                for c in as_list(result.get("contexts"))
            ],
            "intent": {"name": as_text(metadata.get("intentId")), "displayName": as_text(metadata.get("intentName"))},
            "languageCode": as_text(body.get("lang")) or "en",
        },
        "originalDetectIntentRequest": {
            "source": as_text(original.get("source")),
            "payload": {"user": {"userId": as_text(user.get("userId") or user.get("user_id"))}},
        },
    }


def _message_to_v1(message: dict[str, Any]) -> dict[str, Any] | None:
    if "text" in message:
        return {"type": 0, "speech": "\n".join(message["text"]["text"])}
    if "card" in message:
        card = message["card"]
        return {
            "type": 1, "title": card["title"], "subtitle": card.get("subtitle", ""), "imageUrl": card.get("imageUri", ""),
            "buttons": [{"text": b["text"], "postback": b["postback"]} for b in card.get("buttons", [])],
        }
    if "quickReplies" in message:
        quick = message["quickReplies"]
        return {"type": 2, "title": quick["title"], "replies": quick["quickReplies"]}
    if "image" in message:
        return {"type": 3, "imageUrl": message["image"]["imageUri"]}
    return None


def response_from_v2(response: dict[str, Any]) -> dict[str, Any]:
    """A v2 WebhookResponse (as ``dialogflow_render`` builds it) in the v1 shape."""
    messages = [m for m in map(_message_to_v1, response.get("fulfillmentMessages", [])) if m is not None]
    v1: dict[str, Any] = {
        "speech": response.get("fulfillmentText", ""),
        "displayText": response.get("fulfillmentText", ""),
        "messages": messages,
        "data": response.get("payload", {}),
        "contextOut": [
            {"name": context_id(c["name"]), "lifespan": c["lifespanCount"], "parameters": c["parameters"]}
            for c in response.get("outputContexts", [])
        ],
        "source": response.get("source", ""),
    }
    event = response.get("followupEventInput")
    if event:
        # v1's reference names the event's parameters "data"; Google's samples call them "parameters".
        v1["followupEvent"] = {"name": event["name"], "data": event["parameters"], "parameters": event["parameters"]}
    return v1
