"""The dialogue engine: one turn of DialogFlow ES semantics over a SessionState.

Pure and synchronous: no I/O, so it is cheap to test and to call on the event
loop. The conversation layer loads the state, calls ``Engine.turn`` and
persists the state afterwards.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

from chatops.engine.agent import Agent, Intent, Parameter
from chatops.engine.nlu import NLU, EntityMatch
from chatops.engine.session import Pending, SessionState
from chatops.models import Query

CANCEL_ACTION = "dialog.cancel"
DEFAULT_FALLBACK_TEXT = "Sorry, I didn't get that. Say 'help' to see what I can do."
CONTEXT_REFERENCE = re.compile(r"#([A-Za-z0-9_\-]+)\.([A-Za-z0-9_\-]+)")
PARAMETER_REFERENCE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_\-]*)")


@dataclass
class EngineTurn:
    """What the engine decided for one turn."""

    query_text: str
    intent: Intent | None
    parameters: dict[str, Any] = field(default_factory=dict)
    confidence: float = 0.0
    complete: bool = True
    text: str = ""
    cancelled: bool = False

    @property
    def action(self) -> str | None:
        return self.intent.action if self.intent else None


class Engine:
    """Matches utterances and events to intents and fills their parameters."""

    def __init__(
        self,
        agent: Agent,
        nlu: NLU,
        *,
        threshold: float = 0.3,
        idle_seconds: float = 1200,
        rng: random.Random | None = None,
    ) -> None:
        self.agent = agent
        self.nlu = nlu
        self.threshold = threshold
        self.idle_seconds = idle_seconds
        self.rng = rng or random.Random()
        self._classifiable = [i for i in agent.intents.values() if i.phrases and not i.fallback and i.priority >= 0]

    def turn(self, state: SessionState, query: Query, *, now: float) -> EngineTurn:
        if state.updated_at and now - state.updated_at > self.idle_seconds:
            state.reset()
        state.updated_at = now
        if query.event:
            return self._event(state, query.event, dict(query.event_parameters))
        text = (query.text or "").strip()
        if state.pending is not None:
            return self._continue_pending(state, text)
        return self._match(state, text)

    def event(self, state: SessionState, event: str, parameters: dict[str, Any]) -> EngineTurn:
        """Trigger an intent by event (a follow-up event from a reply)."""
        return self._event(state, event, parameters)

    # matching

    def _match(self, state: SessionState, text: str) -> EngineTurn:
        candidates = [i for i in self._classifiable if all(state.active(c) for c in i.input_contexts)]
        scores = self.nlu.classify(text, candidates=[i.name for i in candidates]) if candidates else []
        ranked = sorted(
            ((self._weighted(s.confidence, self.agent.intents[s.intent]), self.agent.intents[s.intent]) for s in scores),
            key=lambda pair: pair[0],
            reverse=True,
        )
        if not ranked or ranked[0][0] < self.threshold:
            return self._fallback(state, text, ranked[0][0] if ranked else 0.0)
        confidence, intent = ranked[0]
        found = self._extract(text, intent)
        return self._start(state, intent, found, text=text, confidence=min(confidence, 1.0))

    @staticmethod
    def _weighted(confidence: float, intent: Intent) -> float:
        # DialogFlow priorities nudge close calls without overturning clear ones.
        return confidence * (1 + (intent.priority - 500_000) / 5_000_000)

    def _event(self, state: SessionState, event: str, parameters: dict[str, Any]) -> EngineTurn:
        intents = self.agent.intents_for_event(event)
        usable = [i for i in intents if all(state.active(c) for c in i.input_contexts)]
        if not usable:
            return self._fallback(state, f"event:{event}", 0.0)
        intent = max(usable, key=lambda i: (len(i.input_contexts), i.priority))
        state.pending = None
        return self._start(state, intent, parameters, text=f"event:{event}", confidence=1.0)

    def _fallback(self, state: SessionState, text: str, confidence: float) -> EngineTurn:
        fallbacks = [i for i in self.agent.fallback_intents() if all(state.active(c) for c in i.input_contexts)]
        if not fallbacks:
            state.decrement()
            return EngineTurn(query_text=text, intent=None, confidence=confidence, text=DEFAULT_FALLBACK_TEXT)
        intent = max(fallbacks, key=lambda i: (len(i.input_contexts), i.priority))
        return self._start(state, intent, {}, text=text, confidence=confidence)

    # parameters

    def _extract(self, text: str, intent: Intent) -> dict[str, Any]:
        if not intent.parameters:
            return {}
        matches = self.nlu.extract(text, intent=intent.name)
        taken: list[tuple[int, int]] = []
        values: dict[str, Any] = {}
        for parameter in intent.parameters:
            chosen = self.choose(parameter, matches, taken)
            if chosen:
                values[parameter.name] = [m.value for m in chosen] if parameter.is_list else chosen[0].value
        return values

    @staticmethod
    def choose(parameter: Parameter, matches: list[EntityMatch], taken: list[tuple[int, int]]) -> list[EntityMatch]:
        """The matches for one parameter: those the tagger assigned to it, else those of its type.

        A stretch of text fills one parameter only, so matches overlapping ``taken`` spans are skipped.
        """

        def free(m: EntityMatch) -> bool:
            return not any(m.start < end and start < m.end for start, end in taken)

        by_slot = [m for m in matches if m.slot == parameter.name and free(m)]
        by_type = [m for m in matches if m.slot is None and m.entity == parameter.entity and free(m)]
        chosen = by_slot or by_type
        if not parameter.is_list:
            chosen = chosen[:1]
        taken.extend((m.start, m.end) for m in chosen)
        return chosen

    def _defaults(self, state: SessionState, intent: Intent, values: dict[str, Any]) -> None:
        for parameter in intent.parameters:
            if _empty(values.get(parameter.name)) and parameter.default is not None:
                value = self._resolve_default(state, parameter.default)
                if not _empty(value):
                    values[parameter.name] = value

    @staticmethod
    def _resolve_default(state: SessionState, default: Any) -> Any:
        if isinstance(default, str):
            whole = CONTEXT_REFERENCE.fullmatch(default.strip())
            if whole:
                return state.context_parameter(whole.group(1), whole.group(2))
            return CONTEXT_REFERENCE.sub(lambda m: str(state.context_parameter(m.group(1), m.group(2)) or ""), default)
        return default

    # slot filling

    def _start(self, state: SessionState, intent: Intent, values: dict[str, Any], *, text: str, confidence: float) -> EngineTurn:
        self._defaults(state, intent, values)
        state.decrement()
        if intent.action == CANCEL_ACTION:
            state.pending = None
        missing = self._missing(intent, values)
        if missing is not None:
            state.pending = Pending(intent=intent.name, parameters=values, asking=missing.name)
            return EngineTurn(text, intent, values, confidence, complete=False, text=missing.prompts[0])
        return self._complete(state, intent, values, text=text, confidence=confidence)

    def _continue_pending(self, state: SessionState, text: str) -> EngineTurn:
        pending = state.pending
        assert pending is not None
        intent = self.agent.intents.get(pending.intent)
        if intent is None:
            state.pending = None
            return self._match(state, text)
        if self._is_cancel(text):
            state.pending = None
            state.decrement()
            cancel = next((i for i in self.agent.intents.values() if i.action == CANCEL_ACTION), None)
            reply = self._response(cancel, {}, state) if cancel else "OK, cancelled."
            return EngineTurn(text, cancel, {}, 1.0, complete=True, text=reply or "OK, cancelled.", cancelled=True)
        values = dict(pending.parameters)
        asked = intent.parameter(pending.asking)
        if asked is not None:
            answer = self.nlu.resolve(text, asked.entity)
            if answer is not None:
                values[asked.name] = [answer.value] if asked.is_list else answer.value
        for name, value in self._extract(text, intent).items():
            values.setdefault(name, value)
        state.decrement()
        missing = self._missing(intent, values)
        if missing is not None:
            attempts = pending.attempts + 1 if missing.name == pending.asking else 0
            state.pending = Pending(intent=intent.name, parameters=values, asking=missing.name, attempts=attempts)
            prompt = missing.prompts[attempts % len(missing.prompts)]
            return EngineTurn(text, intent, values, 1.0, complete=False, text=prompt)
        state.pending = None
        return self._complete(state, intent, values, text=text, confidence=1.0)

    def _is_cancel(self, text: str) -> bool:
        cancels = [i.name for i in self._classifiable if i.action == CANCEL_ACTION]
        if not cancels:
            return text.lower().strip(" .!") in ("cancel", "never mind", "nevermind", "stop")
        everything = [i.name for i in self._classifiable]
        scores = self.nlu.classify(text, candidates=everything)
        return bool(scores) and scores[0].intent in cancels and scores[0].confidence >= max(self.threshold, 0.5)

    @staticmethod
    def _missing(intent: Intent, values: dict[str, Any]) -> Parameter | None:
        return next((p for p in intent.parameters if p.required and _empty(values.get(p.name))), None)

    def _complete(self, state: SessionState, intent: Intent, values: dict[str, Any], *, text: str, confidence: float) -> EngineTurn:
        for spec in intent.output_contexts:
            state.set_context(spec.name, spec.lifespan, {k: v for k, v in values.items() if not _empty(v)})
        return EngineTurn(text, intent, values, confidence, complete=True, text=self._response(intent, values, state))

    @staticmethod
    def finish(state: SessionState, turn: EngineTurn) -> None:
        """After the turn's response is rendered (static, handler or webhook): apply ``resetContexts``.

        As in ES, the response still reads the contexts being cleared (``#ctx.param``);
        only the contexts the intent itself sets survive.
        """
        intent = turn.intent
        if intent is None or not turn.complete or not intent.reset_contexts:
            return
        own = {spec.name.lower() for spec in intent.output_contexts}
        state.contexts = {name: ctx for name, ctx in state.contexts.items() if name in own}
        state.pending = None

    def _response(self, intent: Intent | None, values: dict[str, Any], state: SessionState) -> str:
        if intent is None or not intent.responses:
            return ""
        template = self.rng.choice(intent.responses)
        text = PARAMETER_REFERENCE.sub(lambda m: _show(values.get(m.group(1), "")), template)
        return CONTEXT_REFERENCE.sub(lambda m: _show(state.context_parameter(m.group(1), m.group(2)) or ""), text)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _show(value: Any) -> str:
    if isinstance(value, dict) and "amount" in value:
        return f"{value['amount']} {value.get('unit') or value.get('currency') or ''}".strip()
    if isinstance(value, dict) and "name" in value:  # @sys.person
        return str(value["name"])
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value)
    return str(value)
