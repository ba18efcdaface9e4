"""The eval command on a small set made here, its figures checked against hand-computed values."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from chatops.engine.nlu.commands import run_eval, run_train
from chatops.engine.nlu.dataset import Example, Span, load_dataset, to_agent
from chatops.engine.nlu.metrics import entity_scores, intent_scores
from chatops.engine.nlu.persist import load_model
from chatops.engine.loader import load_agent
from chatops.errors import InputError


def test_intent_scores_by_hand() -> None:
    gold = ["a", "a", "b", "b", None]
    predicted = ["a", "b", "b", None, None]
    scores = intent_scores(gold, predicted)
    assert scores["intent_accuracy"] == pytest.approx(3 / 5)
    # a: P 1/1 R 1/2 -> F1 2/3; b: P 1/2 R 1/2 -> F1 1/2
    assert scores["intent_macro_f1"] == pytest.approx((2 / 3 + 1 / 2) / 2)
    # micro: 2 hits, 3 predicted intents, 4 gold intents
    assert scores["intent_micro_f1"] == pytest.approx(2 * (2 / 3) * (2 / 4) / (2 / 3 + 2 / 4))


def test_fallback_rates_count_in_scope_and_out_of_scope_apart() -> None:
    scores = intent_scores(["a", "a", "b", None, None], ["a", None, None, None, "b"])
    assert (scores["in_scope_fallback"], scores["out_of_scope_fallback"]) == (pytest.approx(2 / 3), pytest.approx(1 / 2))
    assert intent_scores(["a"], ["a"])["out_of_scope_fallback"] is None  # nothing out of scope to measure on


def test_entity_scores_need_type_and_exact_span() -> None:
    gold = [Example("play abba now", "play", (Span("artist", 5, 9),)), Example("to rome", "go", (Span("city", 3, 7),))]
    predicted = [[("artist", 5, 9), ("time", 10, 13)], [("city", 2, 7)]]
    scores = entity_scores(gold, predicted)
    assert scores["entity_precision"] == pytest.approx(1 / 3)
    assert scores["entity_recall"] == pytest.approx(1 / 2)
    assert scores["entity_f1"] == pytest.approx(0.4)


def _example(text: str, intent: str, **slots: str) -> dict[str, Any]:
    entities = []
    for entity, value in slots.items():
        start = text.index(value)
        entities.append({"entity": entity, "start": start, "end": start + len(value), "value": value})
    return {"text": text, "intent": intent, "entities": entities}


CITIES = ["paris", "rome", "berlin", "madrid", "lisbon", "vienna", "prague", "oslo", "dublin", "athens"]
ARTISTS = ["abba", "queen", "muse", "blur", "oasis", "adele", "drake", "coldplay", "metallica", "nirvana"]


@pytest.fixture
def small_set(tmp_path: Path) -> Path:
    train = [_example(f"what is the weather in {c}", "weather", city=c) for c in CITIES[:8]]
    train += [_example(f"will it rain in {c} today", "weather", city=c) for c in CITIES[:8]]
    train += [_example(f"play some {a}", "music", artist=a) for a in ARTISTS[:8]]
    train += [_example(f"i want to hear {a} songs", "music", artist=a) for a in ARTISTS[:8]]
    train += [_example(t, "None") for t in ["tell me about cheese", "how old is the pope", "buy a new car"]]
    test = [
        _example("what is the weather in dublin", "weather", city="dublin"),
        _example("will it rain in athens today", "weather", city="athens"),
        _example("play some metallica", "music", artist="metallica"),
        _example("i want to hear nirvana songs", "music", artist="nirvana"),
        _example("qwxz zzkv pplm", "None"),
    ]
    path = tmp_path / "set.json"
    path.write_text(json.dumps({"name": "tiny", "train": train, "test": test}))
    return path


def test_eval_prints_every_figure_as_json(small_set: Path, tmp_path: Path) -> None:
    out = io.StringIO()
    predictions = tmp_path / "predictions.jsonl"
    assert run_eval(str(small_set), json_output=True, predictions=str(predictions), out=out) == 0
    report = json.loads(out.getvalue())
    lines = [json.loads(line) for line in predictions.read_text().splitlines()]
    assert [line["text"] for line in lines] == [e.text for e in load_dataset(small_set).test]
    # the figures are the ones the written predictions give
    gold = load_dataset(small_set).test
    assert report["intent_accuracy"] == pytest.approx(sum(
        line["intent"] == example.intent for line, example in zip(lines, gold)) / len(gold))
    spans = [[(e["entity"], e["start"], e["end"]) for e in line["entities"]] for line in lines]
    assert report["entity_f1"] == pytest.approx(entity_scores(gold, spans)["entity_f1"])
    # and on this easy set they are perfect
    assert report["intent_accuracy"] == 1.0
    assert report["entity_f1"] == 1.0
    assert lines[4]["intent"] is None and lines[4]["entities"] == []
    assert lines[2]["entities"] == [{"entity": "artist", "start": 10, "end": 19, "value": "metallica"}]
    for key in ("intent_macro_f1", "intent_micro_f1", "training_seconds", "latency_p50_ms", "latency_p99_ms", "peak_memory_mb"):
        assert report[key] >= 0


def test_eval_prints_a_readable_table(small_set: Path) -> None:
    out = io.StringIO()
    run_eval(str(small_set), out=out)
    text = out.getvalue()
    assert text.startswith("tiny: trained on 35, tested on 5 examples")
    assert "intent accuracy" in text and "entity F1" in text and "latency p99 ms" in text


def test_none_examples_become_a_fallback_intent(small_set: Path) -> None:
    agent = to_agent(load_dataset(small_set).train)
    assert agent.intents["None"].fallback
    assert [p.name for p in agent.intents["weather"].parameters] == ["city"]


@pytest.mark.parametrize(
    ("content", "message"),
    [("{", "cannot read"), ('{"train": []}', "train list and a test list"),
     ('{"train": [{"text": "hi"}], "test": []}', "needs a text and an intent"),
     ('{"train": [{"text": "hi", "intent": "a", "entities": [{"entity": "x", "start": 1, "end": 9}]}], "test": []}', "outside the text")],
)
def test_bad_sets_are_input_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        run_eval(str(path), out=io.StringIO())


def test_train_writes_a_model_the_loader_accepts(tmp_path: Path) -> None:
    from tests.engine.nlu.conftest import ENTITIES, INTENTS, write_agent

    folder = write_agent(tmp_path / "agent", INTENTS, ENTITIES)
    out = io.StringIO()
    assert run_train(str(folder), str(tmp_path / "model.npz"), out=out) == 0
    assert "wrote" in out.getvalue()
    model = load_model(load_agent(folder), tmp_path / "model.npz")
    assert model.classify("tell me a joke")[0].intent == "joke"
    with pytest.raises(InputError, match="does not exist"):
        run_train(str(folder), str(tmp_path / "missing" / "model.npz"), out=io.StringIO())
