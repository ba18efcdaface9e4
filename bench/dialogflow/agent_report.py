"""One ES export through the engine: import, check, answer its own phrases, fill its slots through their prompts.

Everything runs in process on the pure engine (no store, no channel): an
utterance is one ``Engine.turn`` on a fresh session whose state holds the
intent's input contexts, as ES needs them active for a follow-up intent.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from chatops.engine.agent import Agent, Intent, Parameter
from chatops.engine.dialogflow import import_agent
from chatops.engine.dialogue import Engine, EngineTurn
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
UNRESOLVED = re.compile(r"[#$][A-Za-z_]")  # a $parameter or #context.parameter left in a response


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
    # Follow-up intents said right after their parent completed: matched, and their response's references resolved.
    follow_ups: int = 0
    follow_ups_ok: int = 0
    follow_up_failures: list[str] = field(default_factory=list)


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
            _fill(engine, intent, result)
        parent = _parent(agent, intent) if intent.input_contexts and intent.phrases else None
        if parent is not None:
            _follow_up(engine, intent, parent, result)
    return result


def _without_context(agent: Agent, engine: Engine, intent: Intent, result: LanguageReport) -> None:
    for phrase in intent.phrases:
        turn = engine.turn(SessionState("bench"), Query("bench", text=phrase.text, language=agent.language), now=1.0)
        result.out_of_context += 1
        got = turn.intent
        if got is not None and not got.fallback and phrase.text not in (p.text for p in got.phrases):
            result.stray.append(f"{phrase.text!r} without {', '.join(intent.input_contexts)} -> {got.name} (ES: fallback)")


def _say(engine: Engine, state: SessionState, text: str) -> EngineTurn:
    """One turn as the conversation runs it: the engine's turn, then its contexts applied."""
    turn = engine.turn(state, Query("bench", text=text, language=engine.agent.language), now=1.0)
    engine.finish(state, turn)
    return turn


def _complete(engine: Engine, intent: Intent, state: SessionState, result: LanguageReport) -> tuple[EngineTurn | None, int]:
    """Start the intent with its plainest phrase and answer every prompt with a value its phrases or entities give;
    the last turn (None, with the reason listed, when the intent was left or a prompt had no answer) and the prompts."""
    phrase = min(intent.phrases, key=lambda p: sum(1 for part in p.parts if part.parameter))
    turn = _say(engine, state, phrase.text)
    said: list[str] = [repr(phrase.text)]
    for _ in range(MAX_PROMPTS):
        if turn.intent is None or turn.intent.name != intent.name:
            result.slot_failures.append(f"{intent.name}: {' / '.join(said)} matched {turn.intent.name if turn.intent else '(none)'}")
            return None, len(said) - 1
        if turn.complete or state.pending is None:
            return turn, len(said) - 1
        asked = intent.parameter(state.pending.asking)
        answer = _sample(engine.agent, engine, intent, asked, result) if asked else None
        if answer is None:
            result.slot_failures.append(f"{intent.name}: no sample answer for {state.pending.asking}")
            return None, len(said) - 1
        said.append(f"{turn.text!r} {answer!r}")
        turn = _say(engine, state, answer)
    result.slot_failures.append(f"{intent.name}: still asking after {' / '.join(said)}")
    return None, len(said) - 1


def _fill(engine: Engine, intent: Intent, result: LanguageReport) -> None:
    result.slot_intents += 1
    turn, prompts = _complete(engine, intent, _state(intent), result)
    result.slot_turns += prompts
    missing = [p.name for p in intent.parameters if p.required and turn and turn.parameters.get(p.name) in (None, "", [])]
    if turn is not None and turn.complete and not missing:
        result.slot_filled += 1
    elif turn is not None:
        result.slot_failures.append(f"{intent.name}: still missing {', '.join(missing) or '(unfinished)'}")


def _follow_up(engine: Engine, follow_up: Intent, parent: Intent, result: LanguageReport) -> None:
    """The parent intent completed, then the follow-up's first phrase: it must match, its response fully resolved."""
    result.follow_ups += 1
    state = _state(parent)
    if _complete(engine, parent, state, result)[0] is None:
        return
    turn = _say(engine, state, follow_up.phrases[0].text)
    got = turn.intent.name if turn.intent else "(none)"
    if got != follow_up.name:
        result.follow_up_failures.append(f"after {parent.name}: {follow_up.phrases[0].text!r} -> {got} (wanted {follow_up.name})")
    elif UNRESOLVED.search(turn.text):
        result.follow_up_failures.append(f"after {parent.name}: {follow_up.name} answered {turn.text!r}")
    else:
        result.follow_ups_ok += 1


def _parent(agent: Agent, follow_up: Intent) -> Intent | None:
    """An intent with phrases whose output contexts hold all the follow-up's input contexts."""
    wanted = set(follow_up.input_contexts)
    return next((i for i in agent.intents.values() if i is not follow_up and i.phrases
                 and wanted <= {c.name for c in i.output_contexts if c.lifespan > 0}), None)


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
        unread = f"{intent.name}.{parameter.name}: {candidate!r} is not read as @{parameter.entity}"
        if unread not in result.unread:
            result.unread.append(unread)
    return None
