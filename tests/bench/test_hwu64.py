"""The HWU64 converter's reading of ``[slot : value]`` annotations and of the ``;``-separated intent files."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_SPEC = importlib.util.spec_from_file_location("hwu64", Path(__file__).resolve().parents[2] / "bench" / "nlu" / "hwu64.py")
hwu64 = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(hwu64)


def spans(text: str, entities: list[dict]) -> list[tuple[str, str]]:
    assert all(text[e["start"] : e["end"]] == e["value"] for e in entities)
    return [(e["entity"], e["value"]) for e in entities]


def test_an_annotation_without_slots_is_its_own_text():
    assert hwu64.parse_annotation("turn the lights off please") == ("turn the lights off please", [])


def test_each_slot_becomes_a_span_of_the_plain_text():
    text, entities = hwu64.parse_annotation("check whether i have set any alarms for [date : tomorrow] [timeofday : morning]")
    assert text == "check whether i have set any alarms for tomorrow morning"
    assert spans(text, entities) == [("date", "tomorrow"), ("timeofday", "morning")]


def test_a_slot_at_the_start_and_values_with_punctuation():
    text, entities = hwu64.parse_annotation("[currency_name : u. s. d.] to [currency_name : g. b. p.]")
    assert text == "u. s. d. to g. b. p."
    assert spans(text, entities) == [("currency_name", "u. s. d."), ("currency_name", "g. b. p.")]
    text, entities = hwu64.parse_annotation("[media_type : tweet] my complaint to [business_name : @nsa]")
    assert spans(text, entities) == [("media_type", "tweet"), ("business_name", "@nsa")]


def test_spaces_around_the_colon_and_an_empty_value():
    text, entities = hwu64.parse_annotation("cancel the event [event_name :valentine's day]  from [x : ] the calendar")
    assert text == "cancel the event valentine's day  from  the calendar"
    assert spans(text, entities) == [("event_name", "valentine's day")]


def test_a_file_gives_scenario_intent_names_and_keeps_rows_with_a_null_id():
    rows = (
        "answerid;scenario;intent;answer_annotation;answer_from_anno;answer_from_user\n"
        '2575;alarm;set;"set an alarm for [time : nine am]";"set an alarm for nine am";"Set an alarm for 9 AM."\n'
        'null;qa;maths;"what is the sum of 9 and 12";"what is the sum of 9 and 12";"null"\n'
        '7;iot;hue_lightoff;"";"";""\n'
    )
    examples = hwu64.read_csv(rows)
    assert [e["intent"] for e in examples] == ["alarm_set", "qa_maths"]
    assert examples[0]["entities"] == [{"entity": "time", "start": 17, "end": 24, "value": "nine am"}]
    assert examples[1] == {"text": "what is the sum of 9 and 12", "intent": "qa_maths", "entities": []}
