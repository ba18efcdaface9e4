"""The legacy v1 webhook protocol for the outbound call: a v2 request down to v1, a v1 response up to v2.

(The inbound channel's ``chatops.channels.dialogflow_v1`` translates the other
way round: DialogFlow calling us.) A v1 request carries ``result``
(``resolvedQuery``, ``contexts`` with ``lifespan``, ``metadata.intentName``,
``fulfillment.speech``); a v1 response answers ``speech``, ``messages``,
``contextOut``, ``data`` and ``followupEvent``.
"""

from __future__ import annotations

from typing import Any

from chatops.engine.dialogflow.v2_shapes import agent_text, as_list, as_mapping, as_text, context_id


def request_from_v2(body: dict[str, Any]) -> dict[str, Any]:
    result = as_mapping(body.get("queryResult"))
    intent = as_mapping(result.get("intent"))
    speech = as_text(result.get("fulfillmentText"))
    return {
        "id": as_text(body.get("responseId")),
        "sessionId": as_text(body.get("session")).rsplit("/", 1)[-1],
        "lang": as_text(result.get("languageCode")),
        "result": {
            "source": "agent",
            "resolvedQuery": as_text(result.get("queryText")),
            "action": as_text(result.get("action")),
            "actionIncomplete": not result.get("allRequiredParamsPresent", True),
            "parameters": as_mapping(result.get("parameters")),
            "contexts": [
                {"name": context_id(as_text(c.get("name"))), "lifespan": c.get("lifespanCount", 0), "parameters": c.get("parameters", {})}
                for c in map(as_mapping, as_list(result.get("outputContexts")))
            ],
            "metadata": {"intentId": as_text(intent.get("name")).rsplit("/", 1)[-1], "intentName": as_text(intent.get("displayName"))},
            "fulfillment": {"speech": speech, "messages": [{"type": 0, "speech": speech}] if speech else []},
            "score": result.get("intentDetectionConfidence", 1.0),
        },
        "status": {"code": 200, "errorType": "success"},
        "originalRequest": as_mapping(body.get("originalDetectIntentRequest")),
    }


def _message_to_v2(message: dict[str, Any]) -> dict[str, Any] | None:
    kind = message.get("type")
    if kind in (0, "0"):
        speech = message.get("speech")
        return {"text": {"text": [speech] if isinstance(speech, str) else [s for s in as_list(speech) if isinstance(s, str)]}}
    if kind in (1, "1"):
        buttons = [{"text": as_text(b.get("text")), "postback": as_text(b.get("postback"))} for b in map(as_mapping, as_list(message.get("buttons")))]
        return {"card": {"title": as_text(message.get("title")), "subtitle": as_text(message.get("subtitle")),
                         "imageUri": as_text(message.get("imageUrl")), "buttons": buttons}}
    if kind in (2, "2"):
        return {"quickReplies": {"title": as_text(message.get("title")), "quickReplies": as_list(message.get("replies"))}}
    if kind in (3, "3"):
        return {"image": {"imageUri": as_text(message.get("imageUrl"))}}
    return None


def response_to_v2(answer: dict[str, Any]) -> dict[str, Any]:
    """A v1 response as v2; a v1 context without a lifespan lives 5 turns, v1's default."""
    messages = [m for m in (_message_to_v2(as_mapping(m)) for m in as_list(answer.get("messages"))) if m is not None]
    v2: dict[str, Any] = {
        "outputContexts": [
            {"name": as_text(c.get("name")), "lifespanCount": c.get("lifespan", 5), "parameters": as_mapping(c.get("parameters"))}
            for c in map(as_mapping, as_list(answer.get("contextOut")))
        ],
        "payload": as_mapping(answer.get("data")),
    }
    speech = as_text(answer.get("speech")) or as_text(answer.get("displayText"))
    if speech or messages:
        v2["fulfillmentText"] = speech or agent_text({"fulfillmentMessages": messages})
        v2["fulfillmentMessages"] = messages
    event = as_mapping(answer.get("followupEvent"))
    if as_text(event.get("name")):
        v2["followupEventInput"] = {"name": event["name"], "parameters": as_mapping(event.get("data") or event.get("parameters"))}
    return v2
