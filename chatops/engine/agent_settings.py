"""agent.yaml: what an ES export's agent.json says about the whole agent (languages, time zone, webhook)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chatops.engine.agent import WebhookSpec
from chatops.engine.agent_fields import SUFFIXES, check_keys, read_file, str_list
from chatops.errors import AgentError

AGENT_KEYS = {"webhook", "language", "languages", "timezone"}
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,4})?$")
WEBHOOK_KEYS = {"url", "headers", "username", "password", "protocol"}
PROTOCOLS = ("v2", "v1")


def agent_settings(root: Path) -> tuple[str, dict[str, Any]]:
    """The optional ``agent.yaml`` (what an ES export's agent.json says about the whole agent), and its name."""
    path = next((root / f"agent{suffix}" for suffix in SUFFIXES if (root / f"agent{suffix}").is_file()), None)
    if path is None:
        return str(root / "agent.yaml"), {}
    return str(path), check_keys(read_file(path) or {}, AGENT_KEYS, str(path), "")


def load_languages(file: str, data: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """The default language and the others the agent speaks (``language`` and ``languages`` of agent.yaml)."""
    language, others = data.get("language", "en"), str_list(data, "languages", file)
    for code in (language, *others):
        if not isinstance(code, str) or not LANGUAGE.match(code):
            raise AgentError(file, "language", f"must be a language code such as en, es or pt-br, got {code!r}")
    if language in others or len(set(others)) != len(others):
        raise AgentError(file, "languages", "lists a language twice (the default language is not repeated here)")
    return language, others


def load_timezone(file: str, data: dict[str, Any]) -> str:
    """agent.yaml's ``timezone``: an IANA zone name such as Europe/Paris, or "" for none."""
    zone = data.get("timezone", "")
    if zone == "":
        return zone
    if isinstance(zone, str):
        try:
            ZoneInfo(zone)
            return zone
        except (ValueError, ZoneInfoNotFoundError):
            pass
    raise AgentError(file, "timezone", f"must be a time zone name such as Europe/Paris, got {zone!r}")


def load_webhook(file: str, data: dict[str, Any]) -> WebhookSpec:
    """agent.yaml's ``webhook`` section (the ES export's fulfillment settings)."""
    raw = check_keys(data.get("webhook") or {}, WEBHOOK_KEYS, file, "webhook")
    texts = {key: raw.get(key, "") for key in ("url", "username", "password")}
    protocol = raw.get("protocol", "v2")
    if any(not isinstance(value, str) for value in texts.values()) or protocol not in PROTOCOLS:
        raise AgentError(file, "webhook", f"url, username and password must be strings and protocol one of {', '.join(PROTOCOLS)}")
    headers = raw.get("headers") or {}
    if not isinstance(headers, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
        raise AgentError(file, "webhook.headers", "must map header names to string values")
    return WebhookSpec(**texts, headers=tuple(headers.items()), protocol=protocol)
