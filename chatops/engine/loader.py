"""Load and validate an agent folder: ``intents/*.yaml|json`` and ``entities/*.yaml|json``.

Every problem names the file and the field, so an agent author can fix it
without reading this code.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from chatops.engine.agent import (
    NORMAL_PRIORITY,
    SYSTEM_ENTITIES,
    Agent,
    ContextSpec,
    EntityEntry,
    EntityType,
    Intent,
    Parameter,
    TrainingPhrase,
    Translation,

)
from chatops.engine.agent_fields import SUFFIXES, check_keys, read_file, str_list
from chatops.engine.agent_settings import LANGUAGE, agent_settings, load_languages, load_timezone, load_webhook
from chatops.engine.phrases import parse_phrase
from chatops.errors import AgentError

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
INTENT_KEYS = {
    "name", "phrases", "action", "parameters", "input_contexts", "output_contexts", "events",
    "responses", "fallback", "priority", "reset_contexts", "webhook", "webhook_slot_filling", "display_name",
    "end_interaction", "languages", "ml_disabled", "es_id",
}
TRANSLATION_KEYS = {"phrases", "responses", "prompts"}
PARAMETER_KEYS = {"name", "entity", "required", "prompts", "list", "default", "value"}
ENTITY_KEYS = {"name", "entries", "regexp", "fuzzy", "languages"}


def bundled_agent_dir() -> Path:
    """The agent shipped with the package (in a wheel) or beside it (in a checkout)."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "bundled_agent", package.parent / "intents"):
        if (candidate / "intents").is_dir():
            return candidate
    raise AgentError(str(package), "bundled_agent", "the bundled agent is missing from this installation")


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES) if folder.is_dir() else []


def _name(data: dict[str, Any], file: str, field: str = "name") -> str:
    name = data.get(field)
    if not isinstance(name, str) or not NAME.match(name):
        raise AgentError(file, field, f"must be a name of letters, digits, '.', '_' or '-', got {name!r}")
    return name


def _parameter(data: Any, file: str, index: int) -> Parameter:
    where = f"parameters[{index}]"
    data = check_keys(data, PARAMETER_KEYS, file, where)
    name = _name(data, file, "name") if isinstance(data.get("name"), str) else None
    if name is None:
        raise AgentError(file, f"{where}.name", "is required")
    entity = data.get("entity")
    if not isinstance(entity, str) or not entity.startswith("@"):
        raise AgentError(file, f"{where}.entity", f"must be an entity type such as @sys.number, got {entity!r}")
    prompts = str_list(data, "prompts", file)
    required = bool(data.get("required", False))
    if required and not prompts:
        raise AgentError(file, f"{where}.prompts", "a required parameter needs at least one prompt")
    value = data.get("value", "")
    if not isinstance(value, str):
        raise AgentError(file, f"{where}.value", f"must be a text such as $name or #context.name, got {value!r}")
    return Parameter(
        name=name, entity=entity[1:], required=required, prompts=prompts,
        is_list=bool(data.get("list", False)), default=data.get("default"), value=value,
    )


def _context(data: Any, file: str, index: int) -> ContextSpec:
    where = f"output_contexts[{index}]"
    if isinstance(data, str):
        data = {"name": data}
    data = check_keys(data, {"name", "lifespan"}, file, where)
    name = data.get("name")
    if not isinstance(name, str) or not NAME.match(name):
        raise AgentError(file, f"{where}.name", f"must be a context name, got {name!r}")
    lifespan = data.get("lifespan", 5)
    if not isinstance(lifespan, int) or isinstance(lifespan, bool) or not 0 <= lifespan <= 100:
        raise AgentError(file, f"{where}.lifespan", f"must be a whole number of turns from 0 to 100, got {lifespan!r}")
    return ContextSpec(name=name.lower(), lifespan=lifespan)


def load_intent(path: Path) -> Intent:
    file = str(path)
    data = check_keys(read_file(path), INTENT_KEYS, file, "")
    name = _name(data, file)
    parameters = tuple(_parameter(p, file, i) for i, p in enumerate(data.get("parameters") or []))
    if len({p.name for p in parameters}) != len(parameters):
        raise AgentError(file, "parameters", "two parameters share a name")
    known = {p.name for p in parameters}
    phrases = _phrases(data, file, known, "phrases")
    priority = data.get("priority", NORMAL_PRIORITY)
    if not isinstance(priority, int) or isinstance(priority, bool):
        raise AgentError(file, "priority", "must be a whole number (500000 is normal, -1 ignores the intent)")
    # As the ES API reads it: 0 (unset) is the normal priority.
    priority = priority or NORMAL_PRIORITY
    action = data.get("action")
    if action is not None and (not isinstance(action, str) or not NAME.match(action)):
        raise AgentError(file, "action", f"must be an action name, got {action!r}")
    webhook = data.get("webhook")
    if webhook is not None and not isinstance(webhook, bool):
        raise AgentError(file, "webhook", f"must be true or false, got {webhook!r}")
    return Intent(
        name=name,
        phrases=tuple(phrases),
        action=action,
        parameters=parameters,
        input_contexts=tuple(c.lower() for c in str_list(data, "input_contexts", file)),
        output_contexts=tuple(_context(c, file, i) for i, c in enumerate(data.get("output_contexts") or [])),
        events=str_list(data, "events", file),
        responses=str_list(data, "responses", file),
        fallback=bool(data.get("fallback", False)),
        priority=priority,
        reset_contexts=bool(data.get("reset_contexts", False)),
        webhook=webhook,
        webhook_slot_filling=bool(data.get("webhook_slot_filling", False)),
        display_name=str(data.get("display_name") or ""),
        es_id=str(data.get("es_id") or ""),
        end_interaction=bool(data.get("end_interaction", False)),
        translations=_translations(data, file, known),
        ml_disabled=bool(data.get("ml_disabled", False)),
        source=file,
    )


def _phrases(data: dict[str, Any], file: str, known: set[str], where: str) -> tuple[TrainingPhrase, ...]:
    phrases = []
    for i, text in enumerate(str_list(data, "phrases", file)):
        phrase = parse_phrase(text, file=file, field=f"{where}[{i}]")
        for part in phrase.parts:
            if part.parameter is not None and part.parameter not in known:
                raise AgentError(file, f"{where}[{i}]", f"annotates unknown parameter {part.parameter!r}")
        phrases.append(phrase)
    return tuple(phrases)


def _languages(data: dict[str, Any], file: str) -> dict[str, Any]:
    """An intent's or entity's ``languages`` mapping: language code -> its texts in that language."""
    raw = data.get("languages") or {}
    if not isinstance(raw, dict) or not all(isinstance(k, str) and LANGUAGE.match(k) for k in raw):
        raise AgentError(file, "languages", "must map language codes such as es or pt-br to that language's texts")
    return raw


def _translations(data: dict[str, Any], file: str, known: set[str]) -> dict[str, Translation]:
    translations = {}
    for language, raw in _languages(data, file).items():
        where = f"languages.{language}"
        raw = check_keys(raw or {}, TRANSLATION_KEYS, file, where)
        prompts = raw.get("prompts") or {}
        if not isinstance(prompts, dict) or not set(prompts) <= known:
            raise AgentError(file, f"{where}.prompts", "must map the intent's parameter names to their prompts")
        translations[language] = Translation(
            phrases=_phrases(raw, file, known, f"{where}.phrases"),
            responses=str_list(raw, "responses", file),
            prompts={name: str_list(prompts, name, file) for name in prompts},
        )
    return translations


def _entries(data: dict[str, Any], file: str, regexp: bool, where: str) -> tuple[EntityEntry, ...]:
    entries = []
    for i, raw in enumerate(data.get("entries") or []):
        here = f"{where}[{i}]"
        if isinstance(raw, str):
            raw = {"value": raw}
        raw = check_keys(raw, {"value", "synonyms"}, file, here)
        value = raw.get("value")
        if not isinstance(value, str) or not value.strip():
            raise AgentError(file, f"{here}.value", "must be a non-empty string")
        synonyms = str_list(raw, "synonyms", file) or (value,)
        if regexp:
            for pattern in synonyms:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise AgentError(file, f"{here}.synonyms", f"invalid regular expression {pattern!r}: {exc}") from exc
        entries.append(EntityEntry(value=value, synonyms=synonyms))
    return tuple(entries)


def load_entity(path: Path) -> EntityType:
    file = str(path)
    data = check_keys(read_file(path), ENTITY_KEYS, file, "")
    name = _name(data, file)
    # ES's extended system entities: an entity named for one adds its entries to what the system finds.
    if name.startswith("sys.") and name not in SYSTEM_ENTITIES:
        raise AgentError(file, "name", f"the sys. prefix is reserved for system entities, and {name} is not one")
    regexp = bool(data.get("regexp", False))
    entries = _entries(data, file, regexp, "entries")
    if not entries:
        raise AgentError(file, "entries", "an entity needs at least one entry")
    translations = {
        language: _entries({"entries": raw}, file, regexp, f"languages.{language}")
        for language, raw in _languages(data, file).items()
    }
    return EntityType(
        name=name, entries=entries, regexp=regexp, fuzzy=bool(data.get("fuzzy", False)), translations=translations, source=file
    )


def load_agent(folder: Path | str | None = None) -> Agent:
    """Load and validate an agent (which actions are served how is ``fulfillment_check``'s part)."""
    root = Path(folder) if folder else bundled_agent_dir()
    if not (root / "intents").is_dir():
        raise AgentError(str(root), "intents/", "the agent folder has no intents/ folder")
    entities: dict[str, EntityType] = {}
    for path in _files(root / "entities"):
        entity = load_entity(path)
        if entity.name in entities:
            raise AgentError(str(path), "name", f"entity {entity.name!r} is also defined in {entities[entity.name].source}")
        entities[entity.name] = entity
    intents: dict[str, Intent] = {}
    for path in _files(root / "intents"):
        intent = load_intent(path)
        if intent.name in intents:
            raise AgentError(str(path), "name", f"intent {intent.name!r} is also defined in {intents[intent.name].source}")
        _check_references(intent, entities)
        intents[intent.name] = intent
    if not intents:
        raise AgentError(str(root), "intents/", "the agent has no intents")
    file, settings = agent_settings(root)
    language, languages = load_languages(file, settings)
    _check_languages([*intents.values(), *entities.values()], languages)
    return Agent(
        intents=intents, entities=entities, name=root.name, webhook=load_webhook(file, settings),
        timezone=load_timezone(file, settings), language=language, languages=languages,
    )


def _check_languages(items: list[Intent | EntityType], languages: tuple[str, ...]) -> None:
    for item in items:
        unknown = sorted(set(item.translations) - set(languages))
        if unknown:
            raise AgentError(item.source, f"languages.{unknown[0]}", "is not one of the agent's languages (agent.yaml languages)")


def _check_references(intent: Intent, entities: dict[str, EntityType]) -> None:
    for i, parameter in enumerate(intent.parameters):
        if parameter.entity not in SYSTEM_ENTITIES and parameter.entity not in entities:
            raise AgentError(intent.source, f"parameters[{i}].entity", f"unknown entity type @{parameter.entity}")
