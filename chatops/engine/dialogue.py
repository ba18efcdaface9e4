"""The dialogue engine: one turn of DialogFlow ES semantics over a SessionState.

Pure and synchronous: no I/O, so it is cheap to test and to call on the event
loop. The conversation layer loads the state, calls ``Engine.turn`` and
persists the state afterwards.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Mapping

from chatops.engine.agent import Agent, Intent, Parameter
from chatops.engine.es_dates import agent_now
from chatops.engine.exact_match import exact_match
from chatops.engine.nlu import NLU, EntityMatch
from chatops.engine.parameter_values import Lookup, empty, evaluate, original_key, plain, render
from chatops.engine.session import Pending, SessionState
from chatops.engine.session_entities import SessionEntities
from chatops.models import Query

CANCEL_ACTION = "dialog.cancel"
DEFAULT_FALLBACK_TEXT = "Sorry, I didn't get that. Say 'help' to see what I can do."
# Confidences this close to the best count as "similar", where ES lets intent priority decide.
SIMILAR_CONFIDENCE = 0.1
# Event parameters as a context of the event's name (ES's #event.param), for the turn the event starts.
Scope = Mapping[str, Mapping[str, Any]]


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
    # The words each filled parameter was said with, under ``name.original`` (ES writes them into contexts).
    originals: dict[str, Any] = field(default_factory=dict)

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
        usable = [i for i in agent.intents.values() if i.phrases and not i.fallback and i.priority >= 0]
        self._classifiable = [i for i in usable if not i.ml_disabled]
        # Most intents need no input context: they are candidates of every turn, checked once here.
        self._free = [i for i in self._classifiable if not i.input_contexts]
        self._bound = [i for i in self._classifiable if i.input_contexts]
        self._rule_only = [i for i in usable if i.ml_disabled]
        self._written: dict[str, set[str]] = {}
        for intent in self._classifiable:
            for phrase in intent.phrases:
                self._written.setdefault(as_written(phrase.text), set()).add(intent.name)

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
        exact = self._exact(state, text)
        if exact is not None:
            return self._start(state, exact[0], exact[1], text=text, confidence=1.0)
        candidates = self._free + [i for i in self._bound if all(state.active(c) for c in i.input_contexts)]
        # As ES does, a training phrase said as written matches its intent, whatever the model makes of it: the
        # model folds digits together, so menu answers "7" and "8" would otherwise be one word.
        owners = self._written.get(as_written(text), set())
        written = [i for i in candidates if i.name in owners]
        # Only the intents at the threshold can answer (all of them when said as written): the rest need no score.
        at_least = 0.0 if written else self.threshold
        scores = self.nlu.classify(text, candidates=[i.name for i in written or candidates], at_least=at_least) if candidates else []
        top = max((s.confidence for s in scores), default=0.0)
        if not written and top < self.threshold:
            return self._fallback(state, text, top)
        # ES: among intents matching with similar confidence, the higher priority wins.
        close = scores if written else [s for s in scores if s.confidence >= max(self.threshold, top - SIMILAR_CONFIDENCE)]
        best = max(close, key=lambda s: (self.agent.intents[s.intent].priority, s.confidence))
        intent = self.agent.intents[best.intent]
        confidence = 1.0 if written else min(best.confidence, 1.0)
        return self._start(state, intent, self._extract(text, intent, SessionEntities(state)), text=text, confidence=confidence)

    def _exact(self, state: SessionState, text: str) -> tuple[Intent, dict[str, Any]] | None:
        """An mlDisabled intent one of whose phrases is ``text`` as written (its annotated parts any value of their type)."""
        usable = [i for i in self._rule_only if all(state.active(c) for c in i.input_contexts)]
        for intent in sorted(usable, key=lambda i: (-i.priority, -len(i.input_contexts))):
            said = exact_match(intent, text, self.nlu, now=agent_now(self.agent.timezone))
            if said is not None:
                return intent, said
        return None

    def _event(self, state: SessionState, event: str, parameters: dict[str, Any]) -> EngineTurn:
        intents = self.agent.intents_for_event(event)
        usable = [i for i in intents if all(state.active(c) for c in i.input_contexts)]
        if not usable:
            return self._fallback(state, f"event:{event}", 0.0)
        intent = max(usable, key=lambda i: (len(i.input_contexts), i.priority))
        state.pending = None
        scope = {event.lower(): parameters}
        return self._start(state, intent, dict(parameters), text=f"event:{event}", confidence=1.0, scope=scope)

    def _fallback(self, state: SessionState, text: str, confidence: float) -> EngineTurn:
        fallbacks = [i for i in self.agent.fallback_intents() if all(state.active(c) for c in i.input_contexts)]
        if not fallbacks:
            state.decrement()
            return EngineTurn(query_text=text, intent=None, confidence=confidence, text=DEFAULT_FALLBACK_TEXT)
        intent = max(fallbacks, key=lambda i: (len(i.input_contexts), i.priority))
        return self._start(state, intent, {}, text=text, confidence=confidence)

    # parameters

    def _extract(self, text: str, intent: Intent, session: SessionEntities) -> dict[str, Any]:
        """What ``text`` says for each parameter: its value, and its words under ``name.original``."""
        if not intent.parameters:
            return {}
        matches = self.nlu.extract(text, intent=intent.name, now=agent_now(self.agent.timezone))
        if session:
            matches = session.apply(text, matches)
        taken: list[tuple[int, int]] = []
        said: dict[str, Any] = {}
        for parameter in intent.parameters:
            chosen = self.choose(parameter, matches, taken)
            if chosen:
                said |= _said(parameter, chosen)
        return said

    @staticmethod
    def choose(parameter: Parameter, matches: list[EntityMatch], taken: list[tuple[int, int]]) -> list[EntityMatch]:
        """The matches for one parameter: those the tagger assigned to it, else those of its type.

        An ``isList`` parameter collects both, as ES collects every value of the type said.
        A stretch of text fills one parameter only, so matches overlapping ``taken`` spans are skipped.
        """

        def free(m: EntityMatch) -> bool:
            return not any(m.start < end and start < m.end for start, end in taken)

        by_slot = [m for m in matches if m.slot == parameter.name]
        by_type = [m for m in matches if m.slot is None and m.entity == parameter.entity]
        chosen: list[EntityMatch] = []
        for match in by_slot + by_type:
            if free(match):
                chosen.append(match)
                taken.append((match.start, match.end))
                if not parameter.is_list:
                    break
        return sorted(chosen, key=lambda m: m.start)

    @staticmethod
    def _lookup(state: SessionState, scope: Scope) -> Lookup:
        def lookup(context: str, parameter: str) -> Any:
            event = scope.get(context.lower())
            return event.get(parameter) if event is not None else state.context_parameter(context, parameter)

        return lookup

    # slot filling

    def _start(
        self, state: SessionState, intent: Intent, said: dict[str, Any], *, text: str, confidence: float, scope: Scope | None = None
    ) -> EngineTurn:
        lookup = self._lookup(state, scope or {})
        values = evaluate(intent, said, lookup)
        state.decrement()
        if intent.action == CANCEL_ACTION:
            state.pending = None
        missing = self._missing(intent, values)
        if missing is not None:
            state.pending = Pending(intent=intent.name, parameters=_kept(said, values), asking=missing.name)
            return _turn(text, intent, values, confidence, complete=False, text=missing.prompts[0])
        return self._complete(state, intent, values, text=text, confidence=confidence, lookup=lookup)

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
            reply = self._response(cancel, {}, self._lookup(state, {})) if cancel else "OK, cancelled."
            return EngineTurn(text, cancel, {}, 1.0, complete=True, text=reply or "OK, cancelled.", cancelled=True)
        session = SessionEntities(state)
        found = self._extract(text, intent, session)
        # What was said before stands; only the answer to the prompt replaces a value.
        said = found | pending.parameters | self._answer(intent.parameter(pending.asking), text, found, session)
        lookup = self._lookup(state, {})
        values = evaluate(intent, said, lookup)
        state.decrement()
        missing = self._missing(intent, values)
        if missing is not None:
            attempts = pending.attempts + 1 if missing.name == pending.asking else 0
            state.pending = Pending(intent=intent.name, parameters=_kept(said, values), asking=missing.name, attempts=attempts)
            prompt = missing.prompts[attempts % len(missing.prompts)]
            return _turn(text, intent, values, 1.0, complete=False, text=prompt)
        state.pending = None
        return self._complete(state, intent, values, text=text, confidence=1.0, lookup=lookup)

    def _answer(self, asked: Parameter | None, text: str, found: dict[str, Any], session: SessionEntities) -> dict[str, Any]:
        """The answer to the prompt for ``asked``: every value found for a list, else the whole text read as one value."""
        if asked is None:
            return {}
        if asked.is_list and asked.name in found:
            return {key: found[key] for key in (asked.name, original_key(asked.name))}
        answer = session.resolve(text, asked.entity)
        if answer is None and not session.overrides(asked.entity):
            answer = self.nlu.resolve(text, asked.entity, now=agent_now(self.agent.timezone))
        return {} if answer is None else _said(asked, [answer])

    def _is_cancel(self, text: str) -> bool:
        cancels = [i.name for i in self._classifiable if i.action == CANCEL_ACTION]
        if not cancels:
            return text.lower().strip(" .!") in ("cancel", "never mind", "nevermind", "stop")
        everything = [i.name for i in self._classifiable]
        scores = self.nlu.classify(text, candidates=everything)
        return bool(scores) and scores[0].intent in cancels and scores[0].confidence >= max(self.threshold, 0.5)

    @staticmethod
    def _missing(intent: Intent, values: dict[str, Any]) -> Parameter | None:
        return next((p for p in intent.parameters if p.required and empty(values.get(p.name))), None)

    def _complete(
        self, state: SessionState, intent: Intent, values: dict[str, Any], *, text: str, confidence: float, lookup: Lookup
    ) -> EngineTurn:
        for spec in intent.output_contexts:
            # As ES writes them: every parameter of the intent (unfilled ones empty) and its words under ``name.original``.
            state.set_context(spec.name, spec.lifespan, intent.blank() | values)
        return _turn(text, intent, values, confidence, complete=True, text=self._response(intent, values, lookup))

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

    def _response(self, intent: Intent | None, values: dict[str, Any], lookup: Lookup) -> str:
        """The intent's response; like ES, an agent with a time zone shows its dates and times in ES's date-time form."""
        if intent is None or not intent.responses:
            return ""
        reported = self.agent.reported_context

        def shown(context: str, name: str) -> Any:
            return reported({name: lookup(context, name)})[name]

        return render(self.rng.choice(intent.responses), reported(values), shown)


def as_written(text: str) -> str:
    """A text as said, up to case, spacing and final punctuation."""
    return " ".join(text.lower().split()).strip(" .!?")


def _said(parameter: Parameter, matches: list[EntityMatch]) -> dict[str, Any]:
    """A parameter's matches as said: one value and its words, or (``isList``) all of them."""
    if parameter.is_list:
        return {parameter.name: [m.value for m in matches], original_key(parameter.name): [m.text for m in matches]}
    return {parameter.name: matches[0].value, original_key(parameter.name): matches[0].text}


def _kept(said: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """What a pending intent keeps: what was said, and the values found so far.

    As in ES's dialog context, a value taken from a context or from the event that
    started the intent stays while the remaining slots are filled.
    """
    return said | values


def _turn(query_text: str, intent: Intent, values: dict[str, Any], confidence: float, *, complete: bool, text: str) -> EngineTurn:
    parameters = plain(values)
    originals = {k: v for k, v in values.items() if k not in parameters}
    return EngineTurn(query_text, intent, parameters, confidence, complete=complete, text=text, originals=originals)
