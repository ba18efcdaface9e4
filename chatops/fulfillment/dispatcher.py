"""The dispatcher: access check, then confirmation, then the handler, then the audit record."""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import replace
from typing import Any, Protocol

from chatops.config import Settings
from chatops.engine.dialogue import EngineTurn
from chatops.engine.session import SessionState
from chatops.engine.slot_contexts import slot_filling_contexts
from chatops.errors import AuditUnavailable, ChatOpsError
from chatops.fulfillment import texts
from chatops.fulfillment.access import AccessPolicy
from chatops.fulfillment.audit import NOT_RECORDED, AuditLog
from chatops.fulfillment.registry import Action, HandlerCall, JobControl, PlanOnly, Registry, Resources
from chatops.fulfillment.webhook import WebhookFulfillment
from chatops.fulfillment.webhook_body import WebhookTurn
from chatops.models import Confirmation, OutputContext, Query, Reply
from chatops.security.masking import mask_parameters
from chatops.security.sealing import Sealer
from chatops.store.base import Store

log = logging.getLogger(__name__)

CONFIRM_CONTEXT = "awaiting-confirmation"
CONFIRMATION_KEY = "confirmation"


class Observer(Protocol):
    """Sees every turn the dispatcher gets and every handler run (metrics); must not block or raise."""

    def turn(self, turn: EngineTurn) -> None: ...

    def action(self, name: str, seconds: float, outcome: str) -> None: ...


class Dispatcher:
    """Runs the action an engine turn decided on, under the access policy."""

    def __init__(
        self,
        registry: Registry,
        *,
        store: Store,
        settings: Settings,
        resources: Resources,
        policy: AccessPolicy,
        jobs: JobControl | None = None,
        observer: Observer | None = None,
        webhook: WebhookFulfillment | None = None,
    ) -> None:
        self.registry = registry
        self.store = store
        self.settings = settings
        self.resources = resources
        self.policy = policy
        self.jobs = jobs
        self.observer = observer
        self.webhook = webhook
        self.audit = AuditLog(store)
        # A pending confirmation's secret parameters are stored encrypted, never in clear.
        self.sealer = Sealer.from_settings(settings.security)
        self.builtins = {
            "dialog.cancel": self._cancel,
            "confirm.yes": self._confirm,
            "confirm.no": self._refuse,
        }

    async def fulfill(self, turn: EngineTurn, state: SessionState, query: Query) -> Reply:
        if self.observer is not None:
            self.observer.turn(turn)
        if turn.intent is None or turn.cancelled:
            if turn.cancelled:
                state.memory.pop(CONFIRMATION_KEY, None)
            return Reply(text=turn.text or texts.NO_FALLBACK)
        name = turn.action
        if name in self.builtins and turn.complete:
            return await self.builtins[name](turn, state, query)
        action = self.registry.get(name) if turn.complete else None
        if action is None and self.webhook is not None and self.webhook.serves(turn.intent):
            # ES calls the webhook while filling slots only when the intent asks for it.
            if turn.complete or turn.intent.webhook_slot_filling:
                filling = slot_filling_contexts(turn, state)
                action = self.webhook.action(WebhookTurn(turn.intent, turn.text, complete=turn.complete, contexts=filling))
        if action is None:
            return Reply(text=turn.text)
        call = self._call(action, turn.parameters, state, query)
        denied = await self._check_access(action, call)
        if denied is not None:
            return denied
        if action.confirm:
            return await self._ask_confirmation(action, call, state, intent=turn.intent.name, static=turn.text)
        return await self._run(action, call, decision="allowed", fallback_text=turn.text)

    def _call(self, action: Action, parameters: dict[str, Any], state: SessionState, query: Query) -> HandlerCall:
        return HandlerCall(
            action=action.name,
            parameters=dict(parameters),
            principal=query.principal,
            session=state.id,
            resources=self.resources,
            store=self.store,
            settings=self.settings,
            contexts=tuple(state.contexts.values()),
            query_text=query.text or "",
            language=query.language,
            jobs=self.jobs,
            request_id=query.request_id or "",
        )

    async def _check_access(self, action: Action, call: HandlerCall) -> Reply | None:
        if action.access is None:
            return None
        try:
            resource = action.resource_of(call.parameters)
        except ChatOpsError as exc:
            return Reply(text=exc.user_message)
        decision = self.policy.check(call.principal, action.access, resource)
        if decision.allowed:
            return None
        await self._recorded(action, call, "denied", decision.reason or "denied")  # denied whether or not it is recorded
        on = f" on {resource}" if resource not in ("", "*") else ""
        reason = f" ({decision.reason})" if decision.reason else ""
        return Reply(text=texts.DENIED.format(permission=action.access, on=on, reason=reason))

    async def _ask_confirmation(self, action: Action, call: HandlerCall, state: SessionState, *, intent: str, static: str) -> Reply:
        if action.plan is not None:
            try:
                plan = await action.plan(call)
            except ChatOpsError as exc:
                recorded = await self._recorded(action, call, "allowed", f"plan failed: {exc.detail}")
                return Reply(text=exc.user_message) if recorded else Reply(text=NOT_RECORDED)
            if isinstance(plan, PlanOnly):  # a dry run: the plan is the answer, nothing is left to confirm
                return plan if await self._recorded(action, call, "dry-run", "plan shown") else Reply(text=NOT_RECORDED)
        else:
            plan = Reply(text=texts.generic_plan(action.name, mask_parameters(call.parameters)))
        if not await self._recorded(action, call, "pending-confirmation", "asked"):
            return Reply(text=NOT_RECORDED)
        token = secrets.token_urlsafe(8)
        state.memory[CONFIRMATION_KEY] = {
            "token": token,
            "action": action.name,
            "parameters": self.sealer.seal(call.parameters),
            # The identity the request proves (its token's fingerprint included), not only the name it gives.
            "requester": call.principal.identity,
            "expires": time.time() + self.settings.security.confirm_ttl_seconds,
            # A webhook call is rebuilt from its intent when confirmed.
            "intent": intent,
            "static": static,
        }
        question = f"{plan.text}\n{texts.CONFIRM_QUESTION}"
        return replace(
            plan,
            text=question,
            parts=plan.parts + (Confirmation(prompt=texts.CONFIRM_QUESTION, token=token),),
            contexts=plan.contexts + (OutputContext(CONFIRM_CONTEXT, lifespan=2),),
        )

    async def _run(self, action: Action, call: HandlerCall, *, decision: str, fallback_text: str = "") -> Reply:
        guarded = action.access is not None or action.confirm
        # A guarded action's attempt is on record before it acts; an open one (a joke) is recorded after.
        if guarded and not await self._recorded(action, call, decision, "started"):
            return Reply(text=NOT_RECORDED)
        started, clock = time.time(), time.perf_counter()
        try:
            reply = await action.handler(call)
            outcome = "ok"
        except ChatOpsError as exc:
            log.info("action %s failed: %s", action.name, exc.detail)
            reply, outcome = Reply(text=exc.user_message), f"error: {type(exc).__name__}"
        except Exception:
            log.exception("action %s crashed", action.name)
            reply, outcome = Reply(text=texts.HANDLER_FAILED.format(action=action.name)), "error: crash"
        if self.observer is not None:
            self.observer.action(action.name, time.perf_counter() - clock, outcome)
        # Too late to refuse: the attempt is on record (guarded actions) and the failure is logged.
        await self._recorded(action, call, decision, outcome, started)
        # A follow-up event replaces this intent's response (ES ignores it), so it gets no fallback text.
        if not reply.text and not reply.event and fallback_text:
            reply = replace(reply, text=fallback_text)
        return reply

    async def _recorded(
        self, action: Action, call: HandlerCall, decision: str, outcome: str, started: float | None = None
    ) -> bool:
        """Write the call's audit record; False when it could not be written (the failure is logged)."""
        try:
            await self.audit.record(
                principal=call.principal, action=action.name, parameters=call.parameters,
                decision=decision, outcome=outcome, session=call.session, started=started, request_id=call.request_id,
            )
        except AuditUnavailable:
            return False
        return True

    # built-in actions

    async def _cancel(self, turn: EngineTurn, state: SessionState, query: Query) -> Reply:
        pending = state.memory.pop(CONFIRMATION_KEY, None)
        state.set_context(CONFIRM_CONTEXT, 0)
        if pending:
            await self._audit_pending(pending, query, state, "cancelled", "cancelled by the requester")
        return Reply(text=turn.text or texts.CANCELLED)

    async def _confirm(self, turn: EngineTurn, state: SessionState, query: Query) -> Reply:
        pending = self._take_pending(state, query)
        if isinstance(pending, Reply):
            return pending
        if time.time() > pending["expires"]:
            await self._audit_pending(pending, query, state, "cancelled", "confirmation expired")
            return Reply(text=texts.CONFIRMATION_EXPIRED)
        action = self.registry.get(pending["action"])
        if action is None and self.webhook is not None and pending.get("intent"):
            action = self.webhook.restored(pending["intent"], pending.get("static", ""))
        if action is None:
            return Reply(text=texts.NOTHING_TO_CONFIRM)
        try:
            parameters = self.sealer.unseal(pending["parameters"])
        except ChatOpsError as exc:
            return Reply(text=exc.user_message)
        call = replace(self._call(action, parameters, state, query), confirmed=True)
        denied = await self._check_access(action, call)
        if denied is not None:
            return denied
        return await self._run(action, call, decision="confirmed")

    async def _refuse(self, turn: EngineTurn, state: SessionState, query: Query) -> Reply:
        pending = self._take_pending(state, query)
        if isinstance(pending, Reply):
            return pending
        await self._audit_pending(pending, query, state, "cancelled", "declined by the requester")
        return Reply(text=texts.CANCELLED)

    @staticmethod
    def _take_pending(state: SessionState, query: Query) -> dict[str, Any] | Reply:
        """The pending confirmation, taken off the session for its requester; else the reply saying why not."""
        pending = state.memory.get(CONFIRMATION_KEY)
        if not pending:
            return Reply(text=texts.NOTHING_TO_CONFIRM)
        if pending["requester"] != query.principal.identity:
            return Reply(text=texts.ONLY_REQUESTER, contexts=(OutputContext(CONFIRM_CONTEXT, lifespan=2),))
        state.memory.pop(CONFIRMATION_KEY)
        state.set_context(CONFIRM_CONTEXT, 0)
        return pending

    async def _audit_pending(self, pending: dict[str, Any], query: Query, state: SessionState, decision: str, outcome: str) -> None:
        try:
            await self.audit.record(
                principal=query.principal, action=pending["action"], parameters=pending["parameters"],
                decision=decision, outcome=outcome, session=state.id, request_id=query.request_id or "",
            )
        except AuditUnavailable:
            pass  # a cancellation changes nothing, so it stands; the failure is logged
