"""What an ES export's agent.json says about the whole agent, as our agent.yaml: languages, time zone, webhook."""

from __future__ import annotations

from typing import Any


def agent_languages(meta: dict[str, Any]) -> tuple[str, list[str]]:
    """The default language and the others the agent speaks."""
    language = str(meta.get("language") or "en").lower()
    # ES lists the other languages in supportedLanguages (newer exports list the default there too).
    supported = [str(code).lower() for code in meta.get("supportedLanguages") or []]
    return language, [code for code in dict.fromkeys(supported) if code != language]


def agent_settings(meta: dict[str, Any]) -> dict[str, Any]:
    """agent.yaml: the languages, the time zone, and the fulfillment webhook when agent.json names a URL."""
    language, others = agent_languages(meta)
    document: dict[str, Any] = {"language": language} if language != "en" else {}
    if others:
        document["languages"] = others
    zone = meta.get("defaultTimezone")
    if isinstance(zone, str) and zone:
        document["timezone"] = zone
    webhook = _webhook(meta)
    return document | ({"webhook": webhook} if webhook else {})


def unsupported_features(meta: dict[str, Any]) -> list[str]:
    """What agent.json switches on that ES answers from its own services and we do not: say so at import."""
    messages = []
    if any("smalltalk" in str(name) for name in meta.get("activeAssistantAgents") or []):
        messages.append("ES's prebuilt small talk is switched on and not imported; small talk falls back")
    if meta.get("enabledKnowledgeBaseNames"):
        messages.append("knowledge connectors (enabledKnowledgeBaseNames) are not imported; their questions fall back")
    return messages


def _webhook(meta: dict[str, Any]) -> dict[str, Any]:
    raw = meta.get("webhook") if isinstance(meta.get("webhook"), dict) else {}
    if not raw.get("url") or raw.get("available") is False:
        return {}
    webhook: dict[str, Any] = {"url": str(raw["url"])}
    # The console saves its blank header row as {"": ""}; sent as is, a server refuses the request (": " is no header).
    given = raw.get("headers") if isinstance(raw.get("headers"), dict) else {}
    headers = {str(k).strip(): str(v) for k, v in given.items() if str(k).strip()}
    if headers:
        webhook["headers"] = headers
    for key in ("username", "password"):
        if raw.get(key):
            webhook[key] = str(raw[key])
    # Exports from before the v2 API (enableOnePlatformApi false) have a webhook speaking v1.
    if meta.get("enableOnePlatformApi") is False:
        webhook["protocol"] = "v1"
    return webhook
