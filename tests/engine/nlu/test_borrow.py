"""Taggers of small intents borrow other intents' phrases of their slots, from intents that know those slots' neighbours."""

from __future__ import annotations

import dataclasses

from chatops.engine.agent import Agent, Intent, Parameter, PhrasePart, TrainingPhrase
from chatops.engine.nlu import borrow
from chatops.engine.nlu.borrow import Lender
from chatops.engine.nlu.model import train


def phrase(*parts: str | tuple[str, str]) -> TrainingPhrase:
    return TrainingPhrase(tuple(PhrasePart(p) if isinstance(p, str) else PhrasePart(*p) for p in parts))


def intent(name: str, slots: tuple[str, ...], *phrases: TrainingPhrase) -> Intent:
    return Intent(name, phrases=phrases, parameters=tuple(Parameter(s, "sys.any") for s in slots))


ALARM = intent("alarm", ("time",), phrase("wake me at ", ("7am", "time")), phrase("set an alarm"))
REMIND = intent(
    "remind", ("time", "event"),
    phrase("remind me at ", ("5pm", "time")),
    phrase("remind me of ", ("lunch", "event"), " at ", ("noon", "time")),
    phrase("remind me tomorrow"),
)


def test_only_annotated_phrases_of_no_other_slot_are_borrowed() -> None:
    assert Lender([ALARM, REMIND]).borrowed(ALARM) == [(0, REMIND.phrases[0])]


def test_an_intent_lacking_a_neighbour_of_the_slot_lends_nothing() -> None:
    """Reminders' time shares a phrase with an event; alarm's "wake me at 7am" has no event because alarms have none."""
    assert Lender([ALARM, REMIND]).borrowed(REMIND) == []


def test_slots_never_side_by_side_need_no_common_lender() -> None:
    alarm = intent("alarm", ("time", "label"), phrase("wake me at ", ("7am", "time")), phrase("an alarm named ", ("gym", "label")))
    assert Lender([alarm, REMIND]).borrowed(alarm) == [(0, REMIND.phrases[0])]


def test_a_large_intent_borrows_nothing() -> None:
    large = dataclasses.replace(ALARM, phrases=ALARM.phrases * 40)
    assert Lender([large, REMIND]).borrowed(large) == []


def test_borrowing_is_bounded(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    many = dataclasses.replace(REMIND, phrases=REMIND.phrases[:1] * 50)
    monkeypatch.setattr(borrow, "BORROWED", 7)
    assert len(Lender([ALARM, many]).borrowed(ALARM)) == 7


def test_what_follows_a_value_elsewhere_is_learnt_from_the_other_intent() -> None:
    """Both of the alarm's phrases end with the value; alone, its tagger takes "please" for a time as well."""
    contexts = ["remind me at ", "ping me at ", "tell me at ", "call me at ", "remind me by ", "nudge me at "]
    values = ["5pm", "noon", "6:30", "9am", "midnight", "10pm"]
    tails = [" please", " today", "", " ok", " thanks", ""]
    remind = intent("remind", ("time",), *(phrase(c, (v, "time"), t) for c, v, t in zip(contexts, values, tails)))
    alarm = intent("alarm", ("time",), phrase("wake me up at ", ("7am", "time")), phrase("set an alarm for ", ("8am", "time")))
    model = train(Agent(intents={"alarm": alarm, "remind": remind}))
    spans = [(m.slot, m.text) for m in model.extract("an alarm at 4am please", intent="alarm") if m.slot]
    assert spans == [("time", "4am")]
