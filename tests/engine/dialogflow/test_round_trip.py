"""Export -> import gives back the same agent, field for field, for every field the importer reads.

Fixed agents (the bundled one, the pizza agent, the old- and new-layout
exports, the three-language clinic) and agents Hypothesis builds with
follow-ups, contexts, regexp and fuzzy entities, lists and several languages.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatops.engine.agent import (
    Agent,
    ContextSpec,
    EntityEntry,
    EntityType,
    Intent,
    Parameter,
    PhrasePart,
    TrainingPhrase,
    Translation,
    WebhookSpec,
)
from chatops.engine.dialogflow import export_agent, import_agent
from chatops.engine.dialogflow.es_import import safe_name
from chatops.engine.loader import load_agent
from tests.engine.dialogflow.conftest import export_tree
from tests.engine.dialogflow.es_clinic_agent import write_export as write_clinic
from tests.engine.dialogflow.es_travel_agent import intent_id
from tests.engine.dialogflow.es_travel_agent import write_export as write_travel
from tests.fulfillment.es_pizza_agent import write_export as write_pizza


def fields(agent: Agent) -> dict[str, Any]:
    """Everything the importer reads, without where the files were."""
    return {
        "intents": {n: dataclasses.replace(i, source="") for n, i in agent.intents.items()},
        "entities": {n: dataclasses.replace(e, source="") for n, e in agent.entities.items()},
        "language": agent.language, "languages": agent.languages, "webhook": agent.webhook,
    }


def round_trip(agent: Agent, folder: Path) -> Agent:
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / "export.zip"
    export_agent(agent, archive)
    result = import_agent(archive, folder / "again")
    assert result.warnings == []
    return result.agent


def test_the_bundled_agent_comes_back_with_its_webhook_choice_made_explicit(tmp_path: Path) -> None:
    bundled = load_agent(None)
    again = round_trip(bundled, tmp_path)
    # ES has no "webhook when no handler serves the action": an action's intent comes back webhookUsed, fulfilled alike.
    explicit = {n: dataclasses.replace(i, webhook=True if i.webhook is None and i.action else i.webhook)
                for n, i in bundled.intents.items()}
    assert fields(again) == fields(dataclasses.replace(bundled, intents=explicit, name=again.name))
    assert fields(round_trip(again, tmp_path / "twice")) == fields(again)


def _written(tmp_path: Path, files: dict[str, Any]) -> Path:
    for name, document in files.items():
        (tmp_path / "src" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "src" / name).write_text(json.dumps(document))
    return tmp_path / "src"


def test_imported_exports_come_back_identical(tmp_path: Path) -> None:
    sources = {
        "pizza": write_pizza(tmp_path / "pizza.zip", {"url": "https://example.test/hook", "headers": {"X-Key": "k"},
                                                      "username": "u", "password": "p", "available": True}),
        "old": _written(tmp_path / "old", export_tree(True)),
        "new": _written(tmp_path / "new", export_tree(False)),
        "clinic": write_clinic(tmp_path / "clinic"),
        "travel": write_travel(tmp_path / "travel.zip", "https://example.test/travel"),
    }
    for name, source in sources.items():
        first = import_agent(source, tmp_path / f"{name}-agent").agent
        assert fields(round_trip(first, tmp_path / name)) == fields(first), name
    assert import_agent(sources["clinic"], tmp_path / "clinic-check").agent.languages == ("es", "fr")
    # The export's intent ids are kept (and compared above once exported and imported again).
    assert import_agent(sources["travel"], tmp_path / "travel-check").agent.intents["book-table"].id == intent_id("book table")


def test_each_language_has_its_own_files_in_the_export(tmp_path: Path) -> None:
    agent = import_agent(write_clinic(tmp_path), tmp_path / "agent").agent
    export_agent(agent, tmp_path / "clinic.zip")
    with zipfile.ZipFile(tmp_path / "clinic.zip") as archive:
        names = set(archive.namelist())
        meta = json.loads(archive.read("agent.json"))
        book = json.loads(archive.read("intents/Book-Visit.json"))
    assert {f"intents/Book-Visit_usersays_{code}.json" for code in ("en", "es", "fr")} <= names
    assert {f"entities/patient_entries_{code}.json" for code in ("en", "es", "fr")} <= names
    assert "entities/record_entries_es.json" not in names  # the regexp entity has English entries only
    assert (meta["language"], meta["supportedLanguages"]) == ("en", ["es", "fr"])
    assert [m["lang"] for m in book["responses"][0]["messages"]] == ["en", "es", "fr"]
    assert [p["lang"] for p in book["responses"][0]["parameters"][0]["prompts"]] == ["en", "es", "fr"]


# Agents Hypothesis builds: names already safe, texts without brackets, as an ES console would accept them.

WORD = st.text("abcdefghijklmnopqrstuvwxyzéñ", min_size=1, max_size=6)
NAME = st.from_regex(r"[a-z][a-z0-9]{0,5}", fullmatch=True)
TEXT = st.lists(WORD, min_size=1, max_size=4).map(" ".join)
LANGS = ("en", "es", "fr", "pt-br")


@st.composite
def phrases(draw: st.DrawFn, parameters: list[str]) -> TrainingPhrase:
    parts = [PhrasePart(draw(TEXT) + " ")]
    for _ in range(draw(st.integers(0, 2)) if parameters else 0):
        parts.append(PhrasePart(draw(TEXT), parameter=draw(st.sampled_from(parameters))))
        parts.append(PhrasePart(" " + draw(TEXT)))
    return TrainingPhrase(tuple(parts))


@st.composite
def intents(draw: st.DrawFn, name: str, entities: list[str], contexts: list[str], languages: tuple[str, ...]) -> Intent:
    display = draw(st.sampled_from([name, name.replace("-", " ").title(), f"{name} - yes"]))
    parameters = tuple(
        Parameter(
            name=p, entity=draw(st.sampled_from(["sys.any", "sys.number", "sys.date", *entities])),
            required=(required := draw(st.booleans())), prompts=tuple(draw(st.lists(TEXT, min_size=int(required), max_size=2))),
            is_list=draw(st.booleans()), default=draw(st.sampled_from([None, "#ctx.p", "x"])),
            value=draw(st.sampled_from(["", f"${p}.original", "#ctx.p", f"${p} units"])),
        )
        for p in draw(st.lists(NAME, max_size=3, unique=True))
    )
    names = [p.name for p in parameters]
    action = draw(st.none() | NAME.map(lambda a: f"{a}.do"))
    webhook = draw(st.sampled_from([True, False] if action else [None, True]))
    translations = {}
    for code in languages:
        translation = Translation(
            phrases=tuple(draw(st.lists(phrases(names), min_size=1, max_size=2))),
            responses=tuple(draw(st.lists(TEXT, max_size=2))),
            prompts={p: tuple(draw(st.lists(TEXT, min_size=1, max_size=2))) for p in draw(st.lists(st.sampled_from(names), unique=True))}
            if names else {},
        )
        if draw(st.booleans()):
            translations[code] = translation
    return Intent(
        name=safe_name(display), display_name="" if safe_name(display) == display else display,
        phrases=tuple(draw(st.lists(phrases(names), max_size=3))), action=action, parameters=parameters,
        input_contexts=tuple(draw(st.lists(st.sampled_from(contexts), max_size=1))),
        output_contexts=tuple(ContextSpec(c, draw(st.integers(0, 100))) for c in draw(st.lists(st.sampled_from(contexts), max_size=2, unique=True))),
        events=tuple(draw(st.lists(NAME.map(str.upper), max_size=1))), responses=tuple(draw(st.lists(TEXT, max_size=2))),
        fallback=draw(st.booleans()), priority=draw(st.sampled_from([-1, 250000, 500000, 1000000])),
        reset_contexts=draw(st.booleans()), webhook=webhook, webhook_slot_filling=bool(webhook) and draw(st.booleans()),
        end_interaction=draw(st.booleans()), ml_disabled=draw(st.booleans()), translations=translations,
    )


@st.composite
def entity_types(draw: st.DrawFn, name: str, languages: tuple[str, ...]) -> EntityType:
    regexp = draw(st.booleans())
    entry = WORD.map(lambda w: EntityEntry(w, (f"{w}\\d+",))) if regexp else \
        st.tuples(WORD, st.lists(TEXT, max_size=2)).map(lambda t: EntityEntry(t[0], (t[0], *t[1])))
    entries = st.lists(entry, min_size=1, max_size=3, unique_by=lambda e: e.value).map(tuple)
    return EntityType(
        name=name, entries=draw(entries), regexp=regexp, fuzzy=not regexp and draw(st.booleans()),
        translations={code: draw(entries) for code in languages if draw(st.booleans())},
    )


@st.composite
def agents(draw: st.DrawFn) -> Agent:
    language = draw(st.sampled_from(LANGS))
    languages = tuple(draw(st.lists(st.sampled_from([c for c in LANGS if c != language]), max_size=2, unique=True)))
    entity_names = draw(st.lists(NAME, max_size=3, unique=True))
    entities = {n: draw(entity_types(n, languages)) for n in entity_names}
    contexts = [f"{n}-followup" for n in draw(st.lists(NAME, min_size=1, max_size=3, unique=True))]
    built = [draw(intents(n, entity_names, contexts, languages)) for n in draw(st.lists(NAME, min_size=1, max_size=4, unique=True))]
    url = draw(st.sampled_from(["", "https://hooks.example.test/df"]))
    webhook = WebhookSpec(url=url, headers=(("X-Token", "t"),) if url else (), username="bot" if url else "",
                          password="pw" if url else "", protocol=draw(st.sampled_from(["v2", "v1"])) if url else "v2")
    timezone = draw(st.sampled_from(["", "Europe/Madrid", "America/New_York"]))
    return Agent(intents={i.name: i for i in built}, entities=entities, language=language, languages=languages,
                 webhook=webhook, timezone=timezone)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(agents())
def test_any_agent_survives_export_and_import(agent: Agent) -> None:
    with tempfile.TemporaryDirectory() as folder:
        again = round_trip(agent, Path(folder))
    assert fields(again) == fields(agent)
