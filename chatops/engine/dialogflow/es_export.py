"""Write an agent as a DialogFlow ES export zip (the newer layout: ``type: "0"``, ``speech`` lists).

Ids are UUIDs derived from names, so exporting the same agent twice gives the
same files. Each language has its own ``_usersays_<lang>``/``_entries_<lang>``
files and ``lang``-tagged messages and prompts, as ES writes them. ES has no
"webhook if no handler" setting, so an intent of ours that leaves it open
(``webhook`` unset) is written as ``webhookUsed`` when it names an action, which
fulfils it the same way.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

from chatops.engine.agent import Agent, EntityEntry, EntityType, Intent, Parameter, TrainingPhrase, WebhookSpec

NAMESPACE = uuid.UUID("5b0e43c6-8a0e-4d1e-9a57-1f3c2f6c9a10")
SYSTEM_TYPES = {"sys.area": "@sys.unit-area"}


def _id(kind: str, name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{name}"))


def _languages(agent: Agent) -> tuple[str, ...]:
    return (agent.language, *agent.languages)


def _prompts(intent: Intent, parameter: Parameter, languages: tuple[str, ...]) -> list[dict[str, str]]:
    prompts = [{"lang": languages[0], "value": prompt} for prompt in parameter.prompts]
    for code in languages[1:]:
        translation = intent.translations.get(code)
        prompts += [{"lang": code, "value": prompt} for prompt in (translation.prompts.get(parameter.name, ()) if translation else ())]
    return prompts


def _messages(intent: Intent, languages: tuple[str, ...]) -> list[dict[str, Any]]:
    texts = {languages[0]: intent.responses} | {code: t.responses for code, t in intent.translations.items()}
    return [{"type": "0", "lang": code, "condition": "", "speech": list(texts[code])} for code in languages if texts.get(code)]


def _parameter(intent: Intent, parameter: Parameter, languages: tuple[str, ...]) -> dict[str, Any]:
    return {
        "id": _id("parameter", parameter.name),
        "name": parameter.name,
        "required": parameter.required,
        "dataType": SYSTEM_TYPES.get(parameter.entity, "@" + parameter.entity),
        "value": parameter.value or "$" + parameter.name,
        "defaultValue": "" if parameter.default is None else parameter.default,
        "isList": parameter.is_list,
        "prompts": _prompts(intent, parameter, languages),
        "promptMessages": [],
        "noMatchPromptMessages": [],
        "noInputPromptMessages": [],
        "outputDialogContexts": [],
    }


def _intent(intent: Intent, languages: tuple[str, ...]) -> dict[str, Any]:
    return {
        "id": intent.id,
        "name": intent.display_name or intent.name,
        "auto": True,
        "contexts": list(intent.input_contexts),
        "responses": [{
            "resetContexts": intent.reset_contexts,
            "action": intent.action or "",
            "affectedContexts": [{"name": c.name, "lifespan": c.lifespan, "parameters": {}} for c in intent.output_contexts],
            "parameters": [_parameter(intent, p, languages) for p in intent.parameters],
            "messages": _messages(intent, languages),
            "defaultResponsePlatforms": {},
            "speech": [],
        }],
        "priority": intent.priority,
        "webhookUsed": intent.webhook if intent.webhook is not None else intent.action is not None,
        "webhookForSlotFilling": intent.webhook_slot_filling,
        "fallbackIntent": intent.fallback,
        "endInteraction": intent.end_interaction,
        "mlDisabled": intent.ml_disabled,
        "events": [{"name": event} for event in intent.events],
        "conditionalResponses": [],
        "condition": "",
        "conditionalFollowupEvents": [],
    }


def _usersays(intent: Intent, phrase: TrainingPhrase, index: int, language: str) -> dict[str, Any]:
    data = []
    for part in phrase.parts:
        if part.parameter:
            parameter = intent.parameter(part.parameter)
            entity = parameter.entity if parameter else "sys.any"
            data.append({"text": part.text, "alias": part.parameter, "meta": SYSTEM_TYPES.get(entity, "@" + entity), "userDefined": True})
        else:
            data.append({"text": part.text, "userDefined": False})
    return {"id": _id("phrase", f"{intent.name}:{language}:{index}"), "data": data, "isTemplate": False, "count": 0, "lang": language, "updated": 0}


def _entity(entity: EntityType) -> dict[str, Any]:
    return {
        "id": _id("entity", entity.name),
        "name": entity.name,
        "isOverridable": True,
        "isEnum": False,
        "isRegexp": entity.regexp,
        "automatedExpansion": False,
        "allowFuzzyExtraction": entity.fuzzy,
    }


def _webhook(spec: WebhookSpec) -> dict[str, Any]:
    if not spec.url:
        return {"available": False}
    webhook: dict[str, Any] = {"url": spec.url, "username": spec.username, "headers": dict(spec.headers), "available": True}
    return webhook | ({"password": spec.password} if spec.password else {})


def _entries(entries: tuple[EntityEntry, ...]) -> list[dict[str, Any]]:
    return [{"value": entry.value, "synonyms": list(entry.synonyms)} for entry in entries]


def export_files(agent: Agent) -> dict[str, Any]:
    """Path in the export -> JSON document."""
    languages = _languages(agent)
    files: dict[str, Any] = {
        "package.json": {"version": "1.0.0"},
        "agent.json": {"description": "", "language": agent.language, "supportedLanguages": list(agent.languages),
                       "mlMinConfidence": 0.3, "enableOnePlatformApi": agent.webhook.protocol != "v1",
                       "onePlatformApiVersion": "v2", "webhook": _webhook(agent.webhook)}
                      | ({"defaultTimezone": agent.timezone} if agent.timezone else {}),
    }
    for intent in agent.intents.values():
        files[f"intents/{intent.name}.json"] = _intent(intent, languages)
        phrases = {agent.language: intent.phrases} | {code: t.phrases for code, t in intent.translations.items()}
        for code in languages:
            if phrases.get(code):
                files[f"intents/{intent.name}_usersays_{code}.json"] = [
                    _usersays(intent, phrase, i, code) for i, phrase in enumerate(phrases[code])
                ]
    for entity in agent.entities.values():
        files[f"entities/{entity.name}.json"] = _entity(entity)
        files[f"entities/{entity.name}_entries_{agent.language}.json"] = _entries(entity.entries)
        for code, entries in entity.translations.items():
            files[f"entities/{entity.name}_entries_{code}.json"] = _entries(entries)
    return files


def export_agent(agent: Agent, out: Path | str) -> None:
    """Write the export zip at ``out``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, document in sorted(export_files(agent).items()):
            archive.writestr(name, json.dumps(document, indent=2, ensure_ascii=False))
    Path(out).write_bytes(buffer.getvalue())
