"""One ES export through the engine: import, check, answer its own phrases, fill its slots through their prompts.

Everything runs in process on the pure engine (no store, no channel): an
utterance is one ``Engine.turn`` on a fresh session whose state holds the
intent's input contexts, as ES needs them active for a follow-up intent.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from chatops.engine.agent import Agent, Intent, Parameter
from chatops.engine.dialogflow import import_agent
from chatops.engine.dialogue import Engine
from chatops.engine.fulfillment_check import check_fulfillment
from chatops.engine.loader import load_agent
from chatops.engine.nlu import train_nlu
from chatops.engine.session import SessionState
from chatops.errors import ChatOpsError
from chatops.models import Query
from chatops.runtime import BUILTIN_ACTIONS

# An answer to a prompt for a system entity when the agent's own phrases give none.
SYSTEM_SAMPLES = {
    "sys.number": "3", "sys.number-integer": "3", "sys.date": "tomorrow", "sys.time": "5 pm", "sys.date-time": "tomorrow at 5 pm",
    "sys.duration": "2 hours", "sys.area": "20 square meters", "sys.phone-number": "+1 415 555 0100", "sys.email": "ana@example.com",
    "sys.given-name": "Maria", "sys.last-name": "Lopez", "sys.person": "Maria Lopez", "sys.geo-city": "Paris",
    "sys.geo-country": "France", "sys.geo-state": "Texas", "sys.color": "blue", "sys.percentage": "20%",
    "sys.unit-currency": "20 dollars", "sys.age": "30 years old", "sys.url": "https://example.com", "sys.ordinal": "third",
}
MAX_PROMPTS = 8


@dataclass
class LanguageReport:
    language: str
    phrases: int = 0
    right: int = 0
    misses: list[str] = field(default_factory=list)  # "phrase -> got (wanted)"
    slot_intents: int = 0
    slot_filled: int = 0
    slot_turns: int = 0
    slot_failures: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # prompt answers taken from the agent that our NLU does not read
    # Phrases of intents that need input contexts, said without them: ES then answers with the fallback intent.
    out_of_context: int = 0
    stray: list[str] = field(default_factory=list)


@dataclass
class AgentReport:
    name: str
    imported: bool = False
    checked: bool = False
    intents: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    languages: list[LanguageReport] = field(default_factory=list)


def report(export: Path) -> AgentReport:
    """Import ``export`` into a temporary folder and drive each of its languages."""
    result = AgentReport(export.name)
    with tempfile.TemporaryDirectory() as folder:
        try:
            imported = import_agent(export, Path(folder) / "agent")
            result.imported, result.warnings, result.intents = True, imported.warnings, len(imported.agent.intents)
            agent = load_agent(Path(folder) / "agent")
            check = check_fulfillment(agent, BUILTIN_ACTIONS, has_url=bool(agent.webhook.url))
            result.checked = True
            result.warnings += [f"check: {w}" for w in check.warnings]
        except ChatOpsError as exc:
            result.error = exc.user_message
            return result
    for language in (agent.language, *agent.languages):
        translated = agent.for_language(language)
        result.languages.append(_language(translated, Engine(translated, train_nlu(translated))))
    return result


def _state(intent: Intent) -> SessionState:
    state = SessionState("bench")
    for context in intent.input_contexts:
        state.set_context(context, 5, {})
    return state


def _language(agent: Agent, engine: Engine) -> LanguageReport:
    result = LanguageReport(agent.language)
    for intent in agent.intents.values():
        if intent.fallback or intent.priority < 0:
            continue
        for phrase in intent.phrases:
            turn = engine.turn(_state(intent), Query("bench", text=phrase.text, language=agent.language), now=1.0)
            result.phrases += 1
            got = turn.intent.name if turn.intent else "(none)"
            if got == intent.name:
                result.right += 1
            else:
                result.misses.append(f"{phrase.text!r} -> {got} (wanted {intent.name})")
        if intent.input_contexts:
            _without_context(agent, engine, intent, result)
        if any(p.required for p in intent.parameters) and intent.phrases:
            _fill(agent, engine, intent, result)
    return result


def _without_context(agent: Agent, engine: Engine, intent: Intent, result: LanguageReport) -> None:
    for phrase in intent.phrases:
        turn = engine.turn(SessionState("bench"), Query("bench", text=phrase.text, language=agent.language), now=1.0)
        result.out_of_context += 1
        got = turn.intent
        if got is not None and not got.fallback and phrase.text not in (p.text for p in got.phrases):
            result.stray.append(f"{phrase.text!r} without {', '.join(intent.input_contexts)} -> {got.name} (ES: fallback)")


def _fill(agent: Agent, engine: Engine, intent: Intent, result: LanguageReport) -> None:
    """Start the intent with its plainest phrase and answer every prompt with a value its phrases or entities give."""
    result.slot_intents += 1
    phrase = min(intent.phrases, key=lambda p: sum(1 for part in p.parts if part.parameter))
    state = _state(intent)
    turn = engine.turn(state, Query("bench", text=phrase.text, language=agent.language), now=1.0)
    if turn.intent is None or turn.intent.name != intent.name:
        result.slot_failures.append(f"{intent.name}: {phrase.text!r} matched {turn.intent.name if turn.intent else '(none)'}")
        return
    said: list[str] = [repr(phrase.text)]
    for _ in range(MAX_PROMPTS):
        if turn.complete or state.pending is None:
            break
        asked = intent.parameter(state.pending.asking)
        answer = _sample(agent, engine, intent, asked, result) if asked else None
        if answer is None:
            result.slot_failures.append(f"{intent.name}: no sample answer for {state.pending.asking}")
            return
        result.slot_turns += 1
        said.append(f"{turn.text!r} {answer!r}")
        turn = engine.turn(state, Query("bench", text=answer, language=agent.language), now=1.0)
        if turn.intent is None or turn.intent.name != intent.name:
            result.slot_failures.append(f"{intent.name}: answering {answer!r} to {asked.name if asked else '?'} left the intent")
            return
    missing = [p.name for p in intent.parameters if p.required and turn.parameters.get(p.name) in (None, "", [])]
    if turn.complete and not missing:
        result.slot_filled += 1
    else:
        result.slot_failures.append(f"{intent.name}: still missing {', '.join(missing) or '(unfinished)'} after {' / '.join(said)}")


def _sample(agent: Agent, engine: Engine, intent: Intent, parameter: Parameter, result: LanguageReport) -> str | None:
    """What a user would answer: a synonym of a developer entity (as ES matches them), else a text a phrase annotates,
    else a stock value; the first our NLU reads as the parameter's type. Annotated texts it cannot read are listed."""
    entity = agent.entities.get(parameter.entity)
    candidates = [entity.entries[0].synonyms[0]] if entity is not None and entity.entries and not entity.regexp else []
    candidates += [part.text for phrase in intent.phrases for part in phrase.parts if part.parameter == parameter.name]
    candidates += [SYSTEM_SAMPLES.get(parameter.entity, "something" if parameter.entity == "sys.any" else "")]
    for candidate in dict.fromkeys(c for c in candidates if c):
        if engine.nlu.resolve(candidate, parameter.entity) is not None:
            return candidate
        result.unread.append(f"{intent.name}.{parameter.name}: {candidate!r} is not read as @{parameter.entity}")
    return None
