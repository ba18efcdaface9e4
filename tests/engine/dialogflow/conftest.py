"""DialogFlow ES export folders written here, in the old and the new message layouts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest


def _message(speech: list[str], old: bool) -> dict[str, Any]:
    # Old exports: type 0 (a number) and one string; new ones: type "0" and a list.
    return {"type": 0, "lang": "en", "speech": speech[0]} if old else {"type": "0", "lang": "en", "speech": speech}


def _part(text: str, alias: str | None = None, meta: str | None = None) -> dict[str, Any]:
    if alias is None and meta is None:
        return {"text": text, "userDefined": False}
    part: dict[str, Any] = {"text": text, "userDefined": True, "meta": meta}
    if alias is not None:
        part["alias"] = alias
    return part


def _says(*phrases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": f"u{i}", "data": data, "isTemplate": False, "count": 0, "lang": "en"} for i, data in enumerate(phrases)]


def export_tree(old: bool) -> dict[str, Any]:
    welcome = {
        "id": "w", "name": "Default Welcome Intent", "auto": True, "contexts": [], "priority": 500000,
        "responses": [{"resetContexts": False, "action": "input.welcome", "affectedContexts": [], "parameters": [],
                       "messages": [_message(["Hi! I run your clusters.", "Hello!"], old)]}],
        "webhookUsed": False, "fallbackIntent": False, "events": [{"name": "WELCOME"}],
    }
    fallback = {
        "id": "f", "name": "Default Fallback Intent", "auto": True, "contexts": [],
        "responses": [{"action": "input.unknown", "parameters": [], "messages": [_message(["Sorry, say again?"], old)]}],
        "fallbackIntent": True, "events": [], "webhookUsed": False,
    }
    pods = {
        "id": "p", "name": "list pods", "auto": True, "contexts": [], "priority": 500000, "webhookUsed": True,
        "responses": [{
            "resetContexts": False, "action": "pods.list",
            "affectedContexts": [{"name": "listpods-followup", "parameters": {}, "lifespan": 2}],
            "parameters": [
                {"id": "a", "name": "namespace", "required": True, "dataType": "@sys.any", "value": "$namespace",
                 "prompts": [{"lang": "en", "value": "Which namespace?"}], "isList": False, "defaultValue": ""},
                {"id": "b", "name": "cluster", "required": False, "dataType": "@cluster", "value": "$cluster",
                 "prompts": [], "isList": False, "defaultValue": "#defaults.cluster"},
                {"id": "c", "name": "labels", "required": False, "dataType": "@sys.any", "value": "$labels", "isList": True},
                {"id": "d", "name": "city", "dataType": "@sys.geo-city", "value": "$city"},
            ],
            "messages": [_message(["Listing pods in $namespace."], old), {"type": 4, "lang": "en", "payload": {"slack": {}}}],
        }],
        "fallbackIntent": False, "events": [], "conditionalResponses": [{"condition": "x"}],
    }
    more = {
        "id": "m", "parentId": "p", "rootParentId": "p", "name": "list pods - more", "auto": True,
        "contexts": ["listpods-followup"], "webhookUsed": True,
        "responses": [{"action": "pods.more", "affectedContexts": [{"name": "listpods-followup", "lifespan": 2}],
                       "parameters": [], "messages": [_message(["Here are more."], old)]}],
        "events": [],
    }
    return {
        "agent.json": {"language": "en", "description": "test agent"},
        "package.json": {"version": "1.0.0"},
        "intents/Default Welcome Intent.json": welcome,
        "intents/Default Welcome Intent_usersays_en.json": _says([_part("hi")], [_part("hello there")]),
        "intents/Default Fallback Intent.json": fallback,
        "intents/list pods.json": pods,
        "intents/list pods_usersays_en.json": _says(
            [_part("list pods in "), _part("kube-system", "namespace", "@sys.any")],
            [_part("show "), _part("please", None, "@sys.ignore"), _part(" the pods of "), _part("web", "namespace", "@sys.any"),
             _part(" on "), _part("production", "cluster", "@cluster")],
            [_part("pods labelled "), _part("app=nginx", "labels", "@sys.any")],
            [_part("what pods [beta] run")],
        ),
        "intents/list pods - more.json": more,
        "intents/list pods - more_usersays_en.json": _says([_part("more")], [_part("show more")]),
        "entities/cluster.json": {"id": "e", "name": "cluster", "isOverridable": True, "isEnum": False, "isRegexp": False,
                                  "automatedExpansion": False, "allowFuzzyExtraction": True},
        "entities/cluster_entries_en.json": [{"value": "prod-gke", "synonyms": ["prod-gke", "production"]},
                                             {"value": "dr-aks", "synonyms": ["dr-aks"]}],
        "entities/ticket.json": {"id": "t", "name": "ticket", "isRegexp": True, "automatedExpansion": True},
        "entities/ticket_entries_en.json": [{"value": "[A-Z]+-\\d+", "synonyms": ["[A-Z]+-\\d+"]}],
    }


@pytest.fixture
def write_export(tmp_path: Path) -> Callable[[bool], Path]:
    def write(old: bool) -> Path:
        root = tmp_path / ("old-export" if old else "new-export") / "My Agent"
        for name, document in export_tree(old).items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(document))
        return root.parent

    return write
