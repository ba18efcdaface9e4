"""Loading an agent validates everything and names the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatops.engine.loader import load_agent
from chatops.engine.phrases import parse_phrase, render_phrase
from chatops.errors import AgentError

from .conftest import TEST_AGENT


def write_agent(root: Path, intents: dict[str, str], entities: dict[str, str] | None = None) -> Path:
    (root / "intents").mkdir(parents=True)
    (root / "entities").mkdir()
    for name, text in intents.items():
        (root / "intents" / name).write_text(text)
    for name, text in (entities or {}).items():
        (root / "entities" / name).write_text(text)
    return root


GOOD = "name: hello\nphrases: [hi, hello]\nresponses: [Hi!]\n"


def test_the_test_agent_loads_with_every_field() -> None:
    agent = load_agent(TEST_AGENT)
    paint = agent.intents["paint"]
    assert [p.name for p in paint.parameters] == ["colour", "thing", "coats"]
    assert paint.parameter("colour") is not None and paint.parameter("colour").required
    assert agent.intents["another"].input_contexts == ("tell-followup",)
    assert agent.intents["tell"].output_contexts[0].lifespan == 2
    assert agent.intents["welcome"].events == ("WELCOME",)
    assert agent.entities["content"].fuzzy is True
    assert [i.name for i in agent.fallback_intents()] == ["fallback"]


def test_json_files_load_too(tmp_path: Path) -> None:
    agent = load_agent(write_agent(tmp_path, {"a.json": '{"name": "a", "phrases": ["hi"]}'}))
    assert list(agent.intents) == ["a"]


@pytest.mark.parametrize(
    ("intent", "field", "problem"),
    [
        ("name: a\nphrases: [hi]\nparameters: [{name: x, entity: '@nope'}]\n", "parameters[0].entity", "unknown entity type @nope"),
        ("name: a\nphrases: [hi]\noutput_contexts: [{name: c, lifespan: -1}]\n", "output_contexts[0].lifespan", "from 0 to 100"),
        ("name: a\nphrases: [hi]\noutput_contexts: [{name: c, lifespan: two}]\n", "output_contexts[0].lifespan", "whole number"),
        ("name: a\nphrases: ['say [hi](who)']\n", "phrases[0]", "unknown parameter 'who'"),
        ("name: a\nphrases: ['say [hi(who)']\n", "phrases[0]", "unbalanced"),
        ("name: a\nphrases: [hi]\nparameters: [{name: x, entity: '@sys.any', required: true}]\n", "parameters[0].prompts", "prompt"),
        ("name: a\nphrases: [hi]\ncolour: red\n", "colour", "unknown field"),
        ("name: 'a b'\nphrases: [hi]\n", "name", "must be a name"),
        ("name: a\nphrases: [hi]\npriority: high\n", "priority", "whole number"),
        ("name: a\nphrases: [hi]\nwebhook: sometimes\n", "webhook", "true or false"),
        ("name: a\nphrases: [yes, sure]\n", "phrases", "put it in quotes"),
        ("name: a\nphrases: [hi]\nparameters: [{name: x, entity: '@sys.any', value: 3}]\n", "parameters[0].value", "$name"),
    ],
)
def test_invalid_intents_name_the_file_and_field(tmp_path: Path, intent: str, field: str, problem: str) -> None:
    root = write_agent(tmp_path, {"bad.yaml": intent})
    with pytest.raises(AgentError) as caught:
        load_agent(root)
    assert caught.value.file.endswith("bad.yaml")
    assert caught.value.field == field
    assert problem in caught.value.problem


def test_es_fields_load(tmp_path: Path) -> None:
    intent = "name: a\nphrases: [hi]\npriority: 0\nml_disabled: true\nparameters: [{name: x, entity: '@sys.any', value: '#c.x'}]\n"
    root = write_agent(tmp_path, {"a.yaml": intent})
    (root / "agent.yaml").write_text("timezone: Europe/Paris\n")
    agent = load_agent(root)
    a = agent.intents["a"]
    assert (a.priority, a.ml_disabled, a.parameters[0].value, agent.timezone) == (500_000, True, "#c.x", "Europe/Paris")


def test_an_unknown_time_zone_is_reported(tmp_path: Path) -> None:
    root = write_agent(tmp_path, {"a.yaml": GOOD})
    (root / "agent.yaml").write_text("timezone: Mars/Olympus\n")
    with pytest.raises(AgentError) as caught:
        load_agent(root)
    assert caught.value.field == "timezone" and "Europe/Paris" in caught.value.problem


def test_duplicate_intent_names_both_files(tmp_path: Path) -> None:
    root = write_agent(tmp_path, {"one.yaml": GOOD, "two.yaml": GOOD})
    with pytest.raises(AgentError) as caught:
        load_agent(root)
    assert caught.value.file.endswith("two.yaml") and "one.yaml" in caught.value.problem


def test_invalid_entities_are_reported(tmp_path: Path) -> None:
    root = write_agent(tmp_path, {"a.yaml": GOOD}, {"e.yaml": "name: e\nregexp: true\nentries: [{value: v, synonyms: ['[']}]\n"})
    with pytest.raises(AgentError) as caught:
        load_agent(root)
    assert caught.value.field == "entries[0].synonyms" and "invalid regular expression" in caught.value.problem


def test_unreadable_yaml_is_reported(tmp_path: Path) -> None:
    root = write_agent(tmp_path, {"a.yaml": "name: [unclosed\n"})
    with pytest.raises(AgentError) as caught:
        load_agent(root)
    assert caught.value.field == "(file)"


def test_a_folder_without_intents_is_reported(tmp_path: Path) -> None:
    with pytest.raises(AgentError) as caught:
        load_agent(tmp_path)
    assert caught.value.field == "intents/"


def test_phrase_annotations_round_trip() -> None:
    text = "tell me a [joke](content) about [cats](topic)!"
    phrase = parse_phrase(text)
    assert phrase.text == "tell me a joke about cats!"
    assert [(p.text, p.parameter) for p in phrase.parts if p.parameter] == [("joke", "content"), ("cats", "topic")]
    assert render_phrase(phrase) == text
