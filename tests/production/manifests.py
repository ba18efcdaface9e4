"""Reading the packaging files the way their tools do: deploy/ through its kustomization, the Dockerfile by instruction."""

from __future__ import annotations

import dataclasses
import fnmatch
import re
import shlex
from pathlib import Path
from typing import Any, Iterator

import yaml
from aiohttp import web

from chatops.config import Settings, load_settings, reference
from chatops.server import create_app

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def setting_names() -> set[str]:
    """Every environment variable the service reads (chatops/config.py)."""
    return {env for env, _, _ in reference()}


def routes(settings: Settings | None = None) -> set[tuple[str, str]]:
    """(method, path) of every route of the app, Slack mounted (it only is when configured)."""
    settings = settings or load_settings(env={})
    slack = dataclasses.replace(settings.slack, bot_token="xoxb-x", signing_secret="s")
    app: web.Application = create_app(dataclasses.replace(settings, slack=slack))
    return {(r.method, r.resource.canonical) for r in app.router.routes() if r.resource is not None}


def kustomize_documents() -> list[dict[str, Any]]:
    """The resources deploy/kustomization.yaml lists, with its namespace applied (generated ConfigMaps apart)."""
    kustomization = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())
    documents = []
    for name in kustomization["resources"]:
        for document in yaml.safe_load_all((DEPLOY / name).read_text()):
            if document:
                if document["kind"] not in ("Namespace", "ClusterRole", "ClusterRoleBinding"):
                    document["metadata"].setdefault("namespace", kustomization["namespace"])
                documents.append(document)
    return documents


def one(documents: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    found = [d for d in documents if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


@dataclasses.dataclass
class Instruction:
    keyword: str
    arguments: str
    stage: int

    def exec_form(self) -> list[str]:
        """The JSON (exec) form's words, or the shell form's words."""
        text = self.arguments.strip()
        return yaml.safe_load(text) if text.startswith("[") else shlex.split(text)


def dockerfile(path: Path = ROOT / "Dockerfile") -> list[Instruction]:
    """Instructions with line continuations joined and comments dropped; ``stage`` counts FROMs from 0."""
    text = re.sub(r"\\\n", " ", path.read_text())
    instructions: list[Instruction] = []
    stage = -1
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, arguments = line.partition(" ")
        if keyword.upper() == "FROM":
            stage += 1
        instructions.append(Instruction(keyword.upper(), arguments.strip(), stage))
    return instructions


def env_assignments(arguments: str) -> Iterator[tuple[str, str]]:
    for word in shlex.split(arguments):
        name, _, value = word.partition("=")
        yield name, value


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore drops ``path`` (a path relative to the context; last matching pattern wins)."""
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatch(p, pattern) or fnmatch.fnmatch(p, pattern.removeprefix("**/")) for p in prefixes):
            ignored = not negate
    return ignored


def dockerignore_patterns(path: Path = ROOT / ".dockerignore") -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


def env_file_names(path: Path) -> set[str]:
    return {line.split("=", 1)[0].strip() for line in path.read_text().splitlines() if "=" in line and not line.startswith("#")}
