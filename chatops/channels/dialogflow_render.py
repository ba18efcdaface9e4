"""Rendering a Reply as a DialogFlow ES v2 WebhookResponse."""

from __future__ import annotations

from typing import Any

from chatops.channels import texts
from chatops.engine.dialogflow.v2_shapes import context_name
from chatops.models import Card, Confirmation, Context, Image, OutputContext, Part, QuickReplies, Reply, Visibility
from chatops.security.masking import without_secrets

SOURCE = "chatops"


def render_part(part: Part) -> dict[str, Any] | None:
    """A rich part as a fulfillment message; None for what DialogFlow cannot show (an image without a URL)."""
    if isinstance(part, QuickReplies):
        return {"quickReplies": {"title": part.title or "", "quickReplies": list(part.options)}}
    if isinstance(part, Card):
        card: dict[str, Any] = {"title": part.title, "subtitle": part.subtitle or part.text or ""}
        if part.image_url:
            card["imageUri"] = part.image_url
        card["buttons"] = [{"text": b.text, "postback": b.postback or b.url or b.text} for b in part.buttons]
        return {"card": card}
    if isinstance(part, Image):
        return {"image": {"imageUri": part.url, "accessibilityText": part.alt}} if part.url else None
    if isinstance(part, Confirmation):
        return {"quickReplies": {"title": part.prompt, "quickReplies": [part.confirm_text, part.cancel_text]}}
    raise TypeError(f"unknown reply part {type(part).__name__}")


def output_contexts(session: str, active: tuple[Context, ...], changed: tuple[OutputContext, ...]) -> list[dict[str, Any]]:
    """The request's live contexts carried on, overlaid with the ones the reply sets (lifespan 0 removes)."""
    merged: dict[str, dict[str, Any]] = {}
    for ctx in active:
        if ctx.lifespan > 0:
            merged[ctx.name] = {"lifespanCount": ctx.lifespan, "parameters": without_secrets(ctx.parameters)}
    for out in changed:
        key = out.name.lower()
        parameters = {**merged.get(key, {}).get("parameters", {}), **without_secrets(out.parameters)} if out.lifespan > 0 else {}
        merged[key] = {"lifespanCount": max(out.lifespan, 0), "parameters": parameters}
    return [{"name": context_name(session, name), **value} for name, value in merged.items()]


def shareable(reply: Reply) -> Reply:
    """DialogFlow cannot show a reply to one person only, so a secret one is withheld."""
    if reply.visibility is Visibility.SECRET:
        return Reply(text=texts.SECRET_ELSEWHERE, contexts=reply.contexts, event=reply.event)
    return reply


def render_response(
    reply: Reply,
    *,
    session: str,
    active: tuple[Context, ...] = (),
    notifications: tuple[Reply, ...] = (),
    language: str = "en",
) -> dict[str, Any]:
    """The v2 WebhookResponse: queued notifications first, then the reply's text and rich parts."""
    reply = shareable(reply)
    lines = [n.text for n in map(shareable, notifications) if n.text] + ([reply.text] if reply.text else [])
    messages: list[dict[str, Any]] = [{"text": {"text": [line]}} for line in lines]
    for part in reply.parts:
        rendered = render_part(part)
        if rendered is None and isinstance(part, Image):
            rendered = {"text": {"text": [f"[{part.alt}]"]}}
        if rendered is not None:
            messages.append(rendered)
    response: dict[str, Any] = {
        "fulfillmentText": "\n".join(lines),
        "fulfillmentMessages": messages,
        "source": SOURCE,
        "payload": {SOURCE: {"visibility": reply.visibility.value}},
        "outputContexts": output_contexts(session, active, reply.contexts),
    }
    if reply.event:
        response["followupEventInput"] = {
            "name": reply.event, "languageCode": language, "parameters": dict(reply.event_parameters),
        }
    return response
