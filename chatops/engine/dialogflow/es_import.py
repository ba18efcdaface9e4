"""Convert a DialogFlow ES export into our agent folder (``intents/*.yaml``, ``entities/*.yaml``).

Both export generations are read: messages as ``{"type": 0, "speech": "..."}``
and as ``{"type": "0", "speech": [...]}``. Follow-up intents need nothing
special: ES already writes their ``<parent>-followup`` contexts. Whatever our
format cannot express is reported as a warning naming the intent and field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from chatops.engine.agent import Agent, derived_intent_id
from chatops.engine.dialogflow.es_agent_json import agent_languages, agent_settings, unsupported_features
from chatops.engine.dialogflow.source import ExportFiles
from chatops.engine.loader import load_agent
from chatops.errors import InputError

SYSTEM_TYPES = {
    "@sys.any": "@sys.any", "@sys.number": "@sys.number", "@sys.number-integer": "@sys.number-integer",
    "@sys.cardinal": "@sys.number-integer", "@sys.date": "@sys.date", "@sys.time": "@sys.time",
    "@sys.date-time": "@sys.date-time", "@sys.duration": "@sys.duration", "@sys.unit-area": "@sys.area",
    "@sys.geo-city-us": "@sys.geo-city", "@sys.geo-state-us": "@sys.geo-state",
    **{f"@sys.{name}": f"@sys.{name}" for name in (
        "geo-city", "geo-country", "geo-country-code", "geo-state", "given-name", "last-name", "person", "color", "language", "email",
        "url", "phone-number", "flight-number", "percentage", "unit-currency", "age", "ordinal",
    )},
}
# Fields we read, or that carry nothing our format needs (ids, timestamps, UI state).
KNOWN_INTENT = {"id", "parentId", "rootParentId", "auto", "lastUpdate", "templates", "followUpIntents", "name",
                "contexts", "responses", "priority", "webhookUsed", "webhookForSlotFilling", "fallbackIntent", "events", "mlEnabled",
                "endInteraction", "mlDisabled"}
KNOWN_RESPONSE = {"resetContexts", "action", "affectedContexts", "parameters", "messages", "speech",
                  "defaultResponsePlatforms", "source"}
KNOWN_PARAMETER = {"id", "value", "promptMessages", "prompts", "name", "dataType", "required", "isList", "defaultValue"}
KNOWN_ENTITY = {"id", "name", "isOverridable", "isEnum", "isRegexp", "allowFuzzyExtraction"}
TEXT_MESSAGE = {0, "0", "message"}
NAME_JUNK = re.compile(r"[^A-Za-z0-9_.\-]+")


@dataclass
class ImportResult:
    agent: Agent
    warnings: list[str] = field(default_factory=list)


def safe_name(name: str) -> str:
    """An ES display name ("pods - yes", "Default Welcome Intent") as one of ours."""
    cleaned = re.sub(r"-{2,}", "-", NAME_JUNK.sub("-", name.strip())).strip("-.")
    return cleaned or "unnamed"


class _Importer:
    def __init__(self, files: ExportFiles) -> None:
        self.files = files
        self.warnings: list[str] = []
        self.meta = files.json("agent.json") if "agent.json" in files.files else {}
        self.language, self.languages = agent_languages(self.meta)
        self.entity_names: dict[str, str] = {}

    def warn(self, where: str, message: str) -> None:
        # Once is enough: an intent with two quick-reply messages has one thing to say about them.
        if f"{where}: {message}" not in self.warnings:
            self.warnings.append(f"{where}: {message}")

    def unsupported(self, raw: dict[str, Any], known: set[str], where: str) -> None:
        """Warn about every field we do not read that holds something (false, empty and zero hold nothing)."""
        for key in sorted(set(raw) - known):
            if raw[key] not in (None, False, "", 0, [], {}):
                self.warn(where, f"field {key!r} is not supported and was ignored")

    def localized(self, folder: str, stem: str, kind: str) -> dict[str, Any]:
        """Language -> the ``<stem>_<kind>_<lang>.json`` file, for the agent's languages.

        A file in a language agent.json does not declare is left out with a warning,
        except when the default language has none: old exports then hold only one.
        """
        prefix = f"{stem}_{kind}_"
        found = {n[len(prefix) : -5].lower(): n for n in self.files.folder(folder) if n.startswith(prefix) and n.endswith(".json")}
        spoken = [self.language, *self.languages]
        undeclared = sorted(set(found) - set(spoken))
        if self.language not in found and undeclared:
            found[self.language] = found.pop(undeclared.pop(0))
        for code in undeclared:
            self.warn(f"{folder[:-1]} {stem!r}", f"{found[code]} is in {code}, not one of the agent's languages; it was ignored")
        return {code: self.files.json(f"{folder}/{found[code]}") for code in spoken if code in found}

    # entities

    def entities(self) -> dict[str, dict[str, Any]]:
        result: dict[str, dict[str, Any]] = {}
        for file_name in self.files.folder("entities"):
            if "_entries_" in file_name or not file_name.endswith(".json"):
                continue
            raw = self.files.json(f"entities/{file_name}")
            original = str(raw.get("name") or file_name[:-5])
            name = safe_name(original)
            where = f"entity {original!r}"
            self.unsupported(raw, KNOWN_ENTITY, where)
            localized = {code: self._entries(items or [], bool(raw.get("isRegexp")))
                         for code, items in self.localized("entities", file_name[:-5], "entries").items()}
            entries = localized.pop(self.language, [])
            if not entries:
                self.warn(where, "has no entries and was skipped")
                continue
            self.entity_names[original] = name
            result[name] = {"name": name, "entries": entries}
            if raw.get("isRegexp"):
                result[name]["regexp"] = True
            if raw.get("allowFuzzyExtraction"):
                result[name]["fuzzy"] = True
            localized = {code: items for code, items in localized.items() if items}
            if localized:
                result[name]["languages"] = localized
        return result

    @staticmethod
    def _entries(raw: list[Any], regexp: bool) -> list[dict[str, Any]]:
        entries = []
        for item in raw:
            value = str(item.get("value", "")).strip() if isinstance(item, dict) else ""
            if not value:
                continue
            synonyms = [str(s) for s in item.get("synonyms") or [] if str(s).strip()] or [value]
            entries.append({"value": value, "synonyms": synonyms} if synonyms != [value] or regexp else {"value": value})
        return entries

    # intents

    def intents(self) -> dict[str, dict[str, Any]]:
        result: dict[str, dict[str, Any]] = {}
        for file_name in self.files.folder("intents"):
            if "_usersays_" in file_name or not file_name.endswith(".json"):
                continue
            raw = self.files.json(f"intents/{file_name}")
            original = str(raw.get("name") or file_name[:-5])
            name = safe_name(original)
            if name in result:
                self.warn(f"intent {original!r}", f"its name clashes with another intent once made safe; renamed {name}-2")
                name = f"{name}-2"
            result[name] = self._intent(raw, name, original, self.localized("intents", file_name[:-5], "usersays"))
        return result

    def _intent(self, raw: dict[str, Any], name: str, original: str, usersays: dict[str, Any]) -> dict[str, Any]:
        where = f"intent {original!r}"
        self.unsupported(raw, KNOWN_INTENT, where)
        responses = raw.get("responses") or [{}]
        if len(responses) > 1:
            self.warn(where, "only the first of several 'responses' blocks was imported")
        response = responses[0]
        self.unsupported(response, KNOWN_RESPONSE, where)
        intent: dict[str, Any] = {"name": name}
        if original != name:
            intent["display_name"] = original
        # Kept for the webhook's intent name and slot filling's "<id>_id_dialog_context", as ES gives them.
        if raw.get("id") and str(raw["id"]) != derived_intent_id(name):
            intent["es_id"] = str(raw["id"])
        parameters = [self._parameter(p, where) for p in response.get("parameters") or []]
        parameters = [p for p in parameters if p is not None]
        phrases = self._phrases(usersays.get(self.language) or [], parameters, where)
        if phrases:
            intent["phrases"] = phrases
        translations = self._translations(response, usersays, parameters, where)
        if response.get("action"):
            intent["action"] = safe_name(str(response["action"]))
        if response.get("action") or raw.get("webhookUsed"):
            intent["webhook"] = bool(raw.get("webhookUsed"))
        if raw.get("webhookUsed") and raw.get("webhookForSlotFilling"):
            intent["webhook_slot_filling"] = True
        if parameters:
            intent["parameters"] = parameters
        if raw.get("contexts"):
            intent["input_contexts"] = [safe_name(str(c)) for c in raw["contexts"]]
        outputs = [self._context(c, where) for c in response.get("affectedContexts") or []]
        if outputs:
            intent["output_contexts"] = outputs
        events = [str(e.get("name")) for e in raw.get("events") or [] if isinstance(e, dict) and e.get("name")]
        if events:
            intent["events"] = events
        texts = self._responses(response.get("messages") or [], response.get("speech"), where, self.language)
        if texts:
            intent["responses"] = texts
        if raw.get("fallbackIntent"):
            intent["fallback"] = True
        if raw.get("endInteraction"):
            intent["end_interaction"] = True
        if isinstance(raw.get("priority"), int) and raw["priority"] not in (0, 500000):
            intent["priority"] = raw["priority"]
        # Older exports say mlEnabled: false, newer ones mlDisabled: true.
        if raw.get("mlDisabled") is True or raw.get("mlEnabled") is False:
            intent["ml_disabled"] = True
        if response.get("resetContexts"):
            intent["reset_contexts"] = True
        if translations:
            intent["languages"] = translations
        return intent

    def _translations(
        self, response: dict[str, Any], usersays: dict[str, Any], parameters: list[dict[str, Any]], where: str
    ) -> dict[str, dict[str, Any]]:
        """Language -> the intent's phrases, responses and prompts in that language (only what it has)."""
        translations = {}
        for code in self.languages:
            texts: dict[str, Any] = {
                "phrases": self._phrases(usersays.get(code) or [], parameters, where),
                "responses": self._responses(response.get("messages") or [], None, where, code),
                "prompts": {safe_name(str(raw["name"])): prompts for raw in response.get("parameters") or []
                            if isinstance(raw, dict) and raw.get("name") and (prompts := self._prompts(raw, code))},
            }
            texts = {key: value for key, value in texts.items() if value}
            if texts:
                translations[code] = texts
        return translations

    def _phrases(self, usersays: list[Any], parameters: list[dict[str, Any]], where: str) -> list[str]:
        return [phrase for phrase in (self._phrase(item, parameters, where) for item in usersays) if phrase]

    def _type(self, data_type: str, where: str) -> str:
        if data_type in SYSTEM_TYPES:
            return SYSTEM_TYPES[data_type]
        if data_type.startswith("@") and data_type[1:] in self.entity_names:
            return "@" + self.entity_names[data_type[1:]]
        self.warn(where, f"entity type {data_type!r} is not supported; the parameter takes any text (@sys.any)")
        return "@sys.any"

    def _parameter(self, raw: dict[str, Any], where: str) -> dict[str, Any] | None:
        name = str(raw.get("name") or "")
        if not name:
            self.warn(where, "a parameter without a name was skipped")
            return None
        here = f"{where} parameter {name!r}"
        parameter: dict[str, Any] = {"name": safe_name(name), "entity": self._type(str(raw.get("dataType") or "@sys.any"), here)}
        prompts = self._prompts(raw, self.language)
        if raw.get("required"):
            parameter["required"] = True
            if not prompts:
                self.warn(here, "is required but has no prompt; added one")
                prompts = [f"What is the {name}?"]
        if prompts:
            parameter["prompts"] = prompts
        if raw.get("isList"):
            parameter["list"] = True
        if raw.get("defaultValue") not in (None, ""):
            parameter["default"] = raw["defaultValue"]
        value = str(raw.get("value") or "").strip()
        if value.lower() == f"${name}".lower() and value != f"${name}":
            # The console keeps the value it wrote when a parameter is renamed ("Existing" still reading
            # "$existing"); read literally the slot could never be filled and its prompt would loop.
            self.warn(here, f"value {value!r} differs from the name only in case; read as '${name}'")
        elif value not in ("", f"${name}"):
            parameter["value"] = value
        self.unsupported(raw, KNOWN_PARAMETER, here)
        return parameter

    def _prompts(self, raw: dict[str, Any], language: str) -> list[str]:
        return [str(p.get("value")) for p in raw.get("prompts") or []
                if isinstance(p, dict) and p.get("value") and str(p.get("lang", self.language)).lower() == language]

    def _phrase(self, item: Any, parameters: list[dict[str, Any]], where: str) -> str:
        pieces = []
        for part in item.get("data") or [] if isinstance(item, dict) else []:
            text = str(part.get("text", ""))
            alias, meta = part.get("alias"), str(part.get("meta") or "")
            if alias and meta != "@sys.ignore":
                if not any(p["name"] == safe_name(alias) for p in parameters):
                    parameters.append({"name": safe_name(alias), "entity": self._type(meta or "@sys.any", f"{where} parameter {alias!r}")})
                pieces.append(f"[{_plain(text)}]({safe_name(alias)})")
            else:
                pieces.append(_plain(text))
        return "".join(pieces).strip() and "".join(pieces)

    def _context(self, raw: Any, where: str) -> dict[str, Any]:
        name = safe_name(str(raw.get("name", "")))
        lifespan = raw.get("lifespan", 5)
        if not isinstance(lifespan, int) or not 0 <= lifespan <= 100:
            self.warn(where, f"context {name!r} lifespan {lifespan!r} is out of range; using 5")
            lifespan = 5
        return {"name": name, "lifespan": lifespan}

    def _responses(self, messages: list[Any], speech: Any, where: str, language: str) -> list[str]:
        texts: list[str] = []
        for message in messages:
            if not isinstance(message, dict) or str(message.get("lang", self.language)).lower() != language:
                continue
            if message.get("type") not in TEXT_MESSAGE:
                self.warn(where, f"a response message of type {message.get('type')!r} is not supported and was ignored")
                continue
            value = message.get("speech", [])
            texts.extend([value] if isinstance(value, str) else [str(v) for v in value])
        if not texts and speech:
            texts = [speech] if isinstance(speech, str) else [str(s) for s in speech]
        return [t for t in texts if t.strip()]


def _plain(text: str) -> str:
    # Our inline annotations use brackets; a literal one would read as a broken annotation.
    return text.replace("[", "(").replace("]", ")")


def _write(path: Path, document: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")


def import_agent(source: Path | str, out: Path | str) -> ImportResult:
    """Convert the export at ``source`` (zip or folder) into an agent folder ``out`` and load it back."""
    target = Path(out)
    if target.exists() and any(target.iterdir()):
        raise InputError(f"{target} already exists and is not empty; choose a new folder")
    importer = _Importer(ExportFiles.open(source))
    if "startFlow" in importer.meta or "defaultLanguageCode" in importer.meta:
        raise InputError(f"{source} is a Dialogflow CX export (its agent.json names a start flow); "
                         "only DialogFlow ES exports (Settings > Export and Import > Export as ZIP) can be imported")
    entities = importer.entities()
    intents = importer.intents()
    if not intents:
        raise InputError(f"{source} has no intents to import")
    for folder, documents in (("entities", entities), ("intents", intents)):
        (target / folder).mkdir(parents=True, exist_ok=True)
        for name, document in documents.items():
            _write(target / folder / f"{name}.yaml", document)
    for message in unsupported_features(importer.meta):
        importer.warn("agent.json", message)
    agent = agent_settings(importer.meta)
    if agent:
        _write(target / "agent.yaml", agent)
    return ImportResult(load_agent(target), importer.warnings)
