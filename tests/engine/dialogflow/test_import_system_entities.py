"""ES system entity types import as ours, without warnings, and the imported agent finds their values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatops.engine.dialogflow import export_agent, import_agent
from chatops.engine.loader import load_entity
from chatops.engine.nlu import train_nlu
from chatops.errors import AgentError

ES_TYPES = {
    "city": "@sys.geo-city", "uscity": "@sys.geo-city-us", "country": "@sys.geo-country", "code": "@sys.geo-country-code", "state": "@sys.geo-state-us",
    "colour": "@sys.color", "email": "@sys.email", "phone": "@sys.phone-number", "site": "@sys.url",
    "share": "@sys.percentage", "price": "@sys.unit-currency", "age": "@sys.age", "person": "@sys.person",
    "first": "@sys.given-name", "last": "@sys.last-name", "language": "@sys.language", "rank": "@sys.ordinal",
    "flight": "@sys.flight-number", "address": "@sys.address",
}


def _part(text: str, alias: str | None = None) -> dict[str, object]:
    if alias is None:
        return {"text": text, "userDefined": False}
    return {"text": text, "alias": alias, "meta": ES_TYPES[alias], "userDefined": True}


def write_export(root: Path) -> Path:
    intent = {
        "id": "w", "name": "weather", "auto": True, "contexts": [], "webhookUsed": False, "events": [],
        "responses": [{"action": "weather.get", "parameters": [
            {"id": name, "name": name, "dataType": data_type, "value": f"${name}", "isList": False}
            for name, data_type in ES_TYPES.items()
        ], "messages": [{"type": "0", "lang": "en", "speech": ["Weather in $city."]}]}],
    }
    says = [
        [_part("weather in "), _part("Paris", "city")], [_part("what is the weather like in "), _part("Oslo", "city")],
        [_part("forecast for "), _part("Lima", "city"), _part(" in "), _part("Peru", "country")],
        [_part("is it raining in "), _part("Dublin", "city")], [_part("weather please")],
    ]
    files = {
        "agent.json": {"language": "en"}, "package.json": {"version": "1.0.0"}, "intents/weather.json": intent,
        "intents/weather_usersays_en.json": [{"id": str(i), "data": data, "isTemplate": False, "count": 0} for i, data in enumerate(says)],
    }
    for name, document in files.items():
        path = root / "My Agent" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document))
    return root


def test_system_types_map_to_ours_and_only_unsupported_ones_warn(tmp_path: Path) -> None:
    result = import_agent(write_export(tmp_path / "export"), tmp_path / "agent")
    types = {p.name: p.entity for p in result.agent.intents["weather"].parameters}
    assert types == {
        "city": "sys.geo-city", "uscity": "sys.geo-city", "country": "sys.geo-country", "code": "sys.geo-country-code", "state": "sys.geo-state",
        "colour": "sys.color", "email": "sys.email", "phone": "sys.phone-number", "site": "sys.url",
        "share": "sys.percentage", "price": "sys.unit-currency", "age": "sys.age", "person": "sys.person",
        "first": "sys.given-name", "last": "sys.last-name", "language": "sys.language", "rank": "sys.ordinal",
        "flight": "sys.flight-number", "address": "sys.any",
    }
    assert [w for w in result.warnings if "is not supported" in w] == [
        "intent 'weather' parameter 'address': entity type '@sys.address' is not supported; the parameter takes any text (@sys.any)"
    ]


def test_the_imported_agent_fills_a_city_and_a_country(tmp_path: Path) -> None:
    agent = import_agent(write_export(tmp_path / "export"), tmp_path / "agent").agent
    nlu = train_nlu(agent)
    matches = nlu.extract("forecast for Quito in Ecuador", intent="weather")
    found = [(m.entity, m.value) for m in matches]
    assert ("sys.geo-city", "Quito") in found and ("sys.geo-country", "Ecuador") in found
    assert nlu.resolve("madrid", "sys.geo-city") is not None


def test_the_types_survive_an_export_and_a_second_import(tmp_path: Path) -> None:
    first = import_agent(write_export(tmp_path / "export"), tmp_path / "agent").agent
    export_agent(first, tmp_path / "again.zip")
    second = import_agent(tmp_path / "again.zip", tmp_path / "agent2")
    assert [p.entity for p in second.agent.intents["weather"].parameters] == [p.entity for p in first.intents["weather"].parameters]


def test_an_extended_system_entity_adds_the_agent_entries_to_what_the_system_finds(tmp_path: Path) -> None:
    # ES exports an extended system entity as an entity file named for it, its entries beside.
    export = write_export(tmp_path / "export") / "My Agent" / "entities"
    export.mkdir()
    (export / "sys.geo-city.json").write_text(json.dumps({"id": "x", "name": "sys.geo-city", "isOverridable": True,
                                                          "isEnum": False, "isRegexp": False, "automatedExpansion": False}))
    (export / "sys.geo-city_entries_en.json").write_text(json.dumps([{"value": "Gotham", "synonyms": ["Gotham", "the big G"]}]))
    nlu = train_nlu(import_agent(tmp_path / "export", tmp_path / "agent").agent)
    found = [(m.entity, m.value) for m in nlu.extract("forecast for the big G", intent="weather")]
    assert ("sys.geo-city", "Gotham") in found
    assert nlu.resolve("gotham", "sys.geo-city").value == "Gotham"  # type: ignore[union-attr]  # a prompt's answer
    assert nlu.resolve("madrid", "sys.geo-city") is not None  # the system's own names still count


def test_an_entity_named_for_no_system_entity_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sys.bogus.yaml"
    path.write_text("name: sys.bogus\nentries: [{value: a, synonyms: [a]}]\n")
    with pytest.raises(AgentError, match="sys.bogus is not one"):
        load_entity(path)


def test_small_talk_and_knowledge_connectors_are_named_as_not_imported(tmp_path: Path) -> None:
    meta = tmp_path / "export" / "My Agent" / "agent.json"
    write_export(tmp_path / "export")
    meta.write_text(json.dumps({"language": "en", "activeAssistantAgents": ["smalltalk-domain-on"],
                                "enabledKnowledgeBaseNames": ["projects/p/knowledgeBases/kb1"]}))
    warnings = import_agent(tmp_path / "export", tmp_path / "agent").warnings
    assert [w for w in warnings if w.startswith("agent.json")] == [
        "agent.json: ES's prebuilt small talk is switched on and not imported; small talk falls back",
        "agent.json: knowledge connectors (enabledKnowledgeBaseNames) are not imported; their questions fall back",
    ]
