"""Reading an agent file and checking its fields; every problem names the file and the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from chatops.errors import AgentError

SUFFIXES = (".yaml", ".yml", ".json")


def read_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
        return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError) as exc:
        raise AgentError(str(path), "(file)", f"cannot be read: {exc}") from exc


def str_list(data: dict[str, Any], key: str, file: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list) and any(isinstance(item, bool) for item in value):
        raise AgentError(file, key, "has a bare yes/no/on/off, which YAML reads as true/false: put it in quotes")
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise AgentError(file, key, "must be a list of strings")
    return tuple(value)


def check_keys(data: Any, allowed: set[str], file: str, where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise AgentError(file, where, "must be a mapping")
    unknown = set(data) - allowed
    if unknown:
        raise AgentError(file, f"{where}.{sorted(unknown)[0]}" if where else sorted(unknown)[0], "unknown field")
    return data
