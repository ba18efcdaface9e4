"""Which intents a Python handler, the agent's webhook or only the static response fulfils.

ES calls the webhook of an intent marked ``webhookUsed``; our own agents name an
action, and an action without a handler goes to the webhook when there is one.
An action nothing serves is worth a warning, not a refusal: real exports carry
actions such as ``input.welcome`` that only label the intent.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from chatops.engine.agent import Agent, Intent


def webhook_fulfilled(intent: Intent, handlers: Collection[str], *, has_url: bool) -> bool:
    """Whether a completed turn of ``intent`` is fulfilled by POSTing to the webhook (a handler wins)."""
    if not has_url or (intent.action is not None and intent.action in handlers):
        return False
    return intent.webhook is True or (intent.webhook is None and intent.action is not None)


def webhook_resource(intent: Intent) -> str:
    """What a webhook call acts on, for the access policy and the audit: the action, else the intent."""
    return intent.action or intent.name


@dataclass(frozen=True)
class FulfillmentReport:
    """The intents the webhook fulfils, and what is served by nothing but its static response."""

    webhook: tuple[str, ...]
    warnings: tuple[str, ...]


def check_fulfillment(agent: Agent, handlers: Collection[str], *, has_url: bool) -> FulfillmentReport:
    webhook, warnings = [], []
    for intent in agent.intents.values():
        if webhook_fulfilled(intent, handlers, has_url=has_url):
            webhook.append(intent.name)
        elif intent.webhook is True and intent.action not in handlers:
            warnings.append(f"intent {intent.name!r} uses the webhook, but no fulfillment URL is configured; "
                            "it answers with its static response")
        elif intent.webhook is None and intent.action and intent.action not in handlers:
            warnings.append(f"intent {intent.name!r}: no handler is registered for action {intent.action!r} and no "
                            "fulfillment URL is configured; it answers with its static response")
    return FulfillmentReport(tuple(webhook), tuple(warnings))
