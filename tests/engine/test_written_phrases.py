"""A training phrase said as written matches its intent, as in ES, even where the model cannot tell it apart."""

from __future__ import annotations

from chatops.engine.agent import Agent, ContextSpec, Intent
from chatops.engine.dialogue import Engine
from chatops.engine.nlu import train_nlu
from chatops.engine.phrases import parse_phrase
from chatops.engine.session import SessionState
from chatops.models import Query


def _intent(name: str, *phrases: str, **extra: object) -> Intent:
    return Intent(name=name, phrases=tuple(parse_phrase(p) for p in phrases), responses=(f"{name}!",), **extra)  # type: ignore[arg-type]


def engine() -> Engine:
    menu = ContextSpec("menu", 2)
    intents = [
        _intent("show menu", "show me the menu", "what can I order", "the menu please", output_contexts=(menu,)),
        # Menu choices: digits only, which the model's features fold into one word.
        *(_intent(f"dish {n}", str(n), f"number {n}", input_contexts=("menu",)) for n in (7, 8, 12, 13)),
        _intent("goodbye", "bye", "see you", "goodbye"),
    ]
    agent = Agent(intents={i.name: i for i in intents})
    return Engine(agent, train_nlu(agent))


def say(engine: Engine, state: SessionState, text: str) -> str | None:
    turn = engine.turn(state, Query(session=state.id, text=text), now=0.0)
    return turn.intent.name if turn.intent else None


def test_each_menu_answer_picks_its_own_dish() -> None:
    chat = engine()
    for answer, dish in (("7", "dish 7"), ("8!", "dish 8"), ("12", "dish 12"), (" 13 ", "dish 13")):
        state = SessionState(id="s")
        assert say(chat, state, "show me the menu") == "show menu"
        assert say(chat, state, answer) == dish


def test_a_phrase_of_an_intent_out_of_context_does_not_match_it() -> None:
    chat = engine()
    assert say(chat, SessionState(id="s"), "7") != "dish 7"
