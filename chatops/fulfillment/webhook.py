"""Intents fulfilled by the agent's own webhook, as actions under the same policy, confirmation and audit.

A webhook-fulfilled intent becomes an ``Action`` named for its action (else its
intent): the policy checks the configured permission (``webhook:call``) on that
name, ``CHATOPS_FULFILLMENT_CONFIRM`` patterns ask first, and the dispatcher
audits the call like any handler's.
"""

from __future__ import annotations

import fnmatch
import uuid
from collections.abc import Collection
from urllib.parse import quote

from chatops.config import FulfillmentSettings
from chatops.engine.agent import Agent, Intent
from chatops.engine.fulfillment_check import webhook_fulfilled, webhook_resource
from chatops.fulfillment.registry import Action, HandlerCall
from chatops.fulfillment.webhook_body import WebhookTurn, reply_from, request_body
from chatops.fulfillment.webhook_client import WebhookClient
from chatops.models import Reply

TABLE = "webhook"


class WebhookFulfillment:
    """Builds the per-turn webhook action and runs the call."""

    def __init__(self, client: WebhookClient, agent: Agent, *, handlers: Collection[str], settings: FulfillmentSettings) -> None:
        self.client = client
        self.agent = agent
        self.project = quote(agent.name, safe="")
        self.handlers = frozenset(handlers)
        self.permission = settings.permission or None
        self.confirm = settings.confirm

    def serves(self, intent: Intent) -> bool:
        # Only the agent's own intents: one DialogFlow matched (the inbound webhook) is DialogFlow's to fulfil.
        return self.agent.intents.get(intent.name) is intent and webhook_fulfilled(intent, self.handlers, has_url=True)

    def action(self, turn: WebhookTurn) -> Action:
        name = webhook_resource(turn.intent)

        async def call_webhook(call: HandlerCall) -> Reply:
            return await self.fulfil(call, turn)

        return Action(
            name, call_webhook, access=self.permission, table=TABLE, resource=lambda _parameters: name,
            confirm=turn.complete and any(fnmatch.fnmatchcase(name, pattern) for pattern in self.confirm),
        )

    def restored(self, intent: str, static: str) -> Action | None:
        """The action of a confirmed call, from what the pending confirmation kept."""
        found = self.agent.intents.get(intent)
        return self.action(WebhookTurn(found, static)) if found is not None and self.serves(found) else None

    async def fulfil(self, call: HandlerCall, turn: WebhookTurn) -> Reply:
        body = request_body(call, turn, project=self.project, response_id=str(uuid.uuid4()), agent=self.agent)
        answer = await self.client.post(body, action=call.action)
        return Reply(text=turn.static) if answer is None else reply_from(answer, static=turn.static)
