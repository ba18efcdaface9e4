"""Importing ES exports (old and new layouts), the warnings, and the import -> export -> import round trip."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path
from typing import Any, Callable

import pytest

from chatops.engine.agent import Agent
from chatops.engine.dialogflow import export_agent, import_agent
from chatops.engine.dialogflow.commands import run_export_dialogflow, run_import_dialogflow
from chatops.engine.nlu import train_nlu
from chatops.engine.phrases import render_phrase
from chatops.errors import InputError


def content(agent: Agent) -> dict[str, Any]:
    """The agent without file locations, for comparing two loads."""
    return {
        "intents": {n: dataclasses.replace(i, source="") for n, i in agent.intents.items()},
        "entities": {n: dataclasses.replace(e, source="") for n, e in agent.entities.items()},
    }


@pytest.mark.parametrize("old", [True, False])
def test_an_export_imports_with_everything_we_support(write_export: Callable[[bool], Path], tmp_path: Path, old: bool) -> None:
    result = import_agent(write_export(old), tmp_path / "agent")
    agent = result.agent
    assert set(agent.intents) == {"Default-Welcome-Intent", "Default-Fallback-Intent", "list-pods", "list-pods-more"}
    welcome = agent.intents["Default-Welcome-Intent"]
    assert welcome.events == ("WELCOME",)
    assert welcome.responses == (("Hi! I run your clusters.",) if old else ("Hi! I run your clusters.", "Hello!"))
    # The action is kept (ES reports it), but without webhookUsed the static response answers.
    assert (welcome.action, welcome.webhook, welcome.display_name) == ("input.welcome", False, "Default Welcome Intent")
    fallback = agent.intents["Default-Fallback-Intent"]
    assert fallback.fallback and fallback.phrases == ()  # no _usersays_ file
    pods = agent.intents["list-pods"]
    assert pods.action == "pods.list"
    assert [render_phrase(p) for p in pods.phrases] == [
        "list pods in [kube-system](namespace)",
        "show please the pods of [web](namespace) on [production](cluster)",  # @sys.ignore is plain text
        "pods labelled [app=nginx](labels)",
        "what pods (beta) run",
    ]
    namespace, cluster, labels, city = pods.parameters
    assert (namespace.entity, namespace.required, namespace.prompts) == ("sys.any", True, ("Which namespace?",))
    assert (cluster.entity, cluster.default) == ("cluster", "#defaults.cluster")
    assert labels.is_list and city.entity == "sys.geo-city"
    assert [(c.name, c.lifespan) for c in pods.output_contexts] == [("listpods-followup", 2)]
    more = agent.intents["list-pods-more"]
    assert more.input_contexts == ("listpods-followup",) and more.action == "pods.more"
    assert agent.entities["cluster"].fuzzy and agent.entities["cluster"].entries[0].synonyms == ("prod-gke", "production")
    assert agent.entities["ticket"].regexp
    warnings = "\n".join(result.warnings)
    assert "'conditionalResponses' is not supported" in warnings
    assert "type 4 is not supported" in warnings
    assert "@sys.geo-city" not in warnings
    assert "entity 'ticket': field 'automatedExpansion'" in warnings


def test_an_imported_agent_understands_its_phrases(write_export: Callable[[bool], Path], tmp_path: Path) -> None:
    agent = import_agent(write_export(False), tmp_path / "agent").agent
    nlu = train_nlu(agent)
    assert nlu.classify("list pods in monitoring")[0].intent == "list-pods"
    matches = nlu.extract("list pods in monitoring", intent="list-pods")
    assert any(m.slot == "namespace" and m.text == "monitoring" for m in matches)
    assert nlu.classify("show more", candidates=["list-pods-more", "list-pods"])[0].intent == "list-pods-more"


@pytest.mark.parametrize("old", [True, False])
def test_import_export_import_gives_the_same_agent(write_export: Callable[[bool], Path], tmp_path: Path, old: bool) -> None:
    first = import_agent(write_export(old), tmp_path / "first").agent
    archive = tmp_path / "agent.zip"
    export_agent(first, archive)
    second = import_agent(archive, tmp_path / "second")
    assert content(second.agent) == content(first)
    assert second.warnings == []
    again = tmp_path / "again.zip"
    export_agent(second.agent, again)
    assert again.read_bytes() == archive.read_bytes()


def test_the_export_is_an_es_layout(write_export: Callable[[bool], Path], tmp_path: Path) -> None:
    agent = import_agent(write_export(False), tmp_path / "agent").agent
    archive = tmp_path / "agent.zip"
    export_agent(agent, archive)
    names = set(zipfile.ZipFile(archive).namelist())
    assert {"agent.json", "package.json", "intents/list-pods.json", "intents/list-pods_usersays_en.json",
            "entities/cluster.json", "entities/cluster_entries_en.json"} <= names
    assert "intents/Default-Fallback-Intent_usersays_en.json" not in names


def test_commands_print_counts_and_warnings(write_export: Callable[[bool], Path], tmp_path: Path) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    assert run_import_dialogflow(str(write_export(True)), str(tmp_path / "agent"), stdout=stdout, stderr=stderr) == 0
    assert stdout.getvalue().startswith("imported 4 intents, 2 entities, 8 training phrases")
    assert "warning: intent 'list pods'" in stderr.getvalue()
    out = io.StringIO()
    assert run_export_dialogflow(str(tmp_path / "agent"), str(tmp_path / "agent.zip"), stdout=out) == 0
    assert "exported 4 intents and 2 entities" in out.getvalue()


def test_bad_sources_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        import_agent(tmp_path / "nothing", tmp_path / "out")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no agent.json"):
        import_agent(tmp_path / "empty", tmp_path / "out")
    (tmp_path / "cx").mkdir()
    (tmp_path / "cx" / "agent.json").write_text('{"defaultLanguageCode": "en", "startFlow": "Default Start Flow"}')
    with pytest.raises(InputError, match="Dialogflow CX export"):
        import_agent(tmp_path / "cx", tmp_path / "out")
    (tmp_path / "broken.zip").write_bytes(b"PK not really")
    with pytest.raises(InputError, match="neither a folder nor a zip"):
        import_agent(tmp_path / "broken.zip", tmp_path / "out")


def test_import_refuses_to_mix_into_a_non_empty_folder(write_export: Callable[[bool], Path], tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "file").write_text("x")
    with pytest.raises(InputError, match="not empty"):
        import_agent(write_export(False), tmp_path / "busy")
