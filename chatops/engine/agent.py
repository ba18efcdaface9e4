"""The agent model: intents, parameters, contexts and entity types, as loaded from ``intents/``."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Mapping

from chatops.engine.es_dates import DATE_ENTITIES, es_moments

INTENT_IDS = uuid.UUID("0b7d7f52-33c4-4c44-9d8e-5f1e1c8a2d61")

SYSTEM_ENTITIES = frozenset(
    {
        "sys.any",
        "sys.number",
        "sys.number-integer",
        "sys.date",
        "sys.time",
        "sys.date-time",
        "sys.duration",
        "sys.area",
        # Found by name lists and fixed forms (nlu/extended.py), only for agents that use them.
        "sys.geo-city",
        "sys.geo-country",
        "sys.geo-country-code",
        "sys.geo-state",
        "sys.given-name",
        "sys.last-name",
        "sys.person",
        "sys.color",
        "sys.language",
        "sys.email",
        "sys.url",
        "sys.phone-number",
        "sys.flight-number",
        "sys.percentage",
        "sys.unit-currency",
        "sys.age",
        "sys.ordinal",
    }
)

NORMAL_PRIORITY = 500_000


@dataclass(frozen=True)
class PhrasePart:
    """A piece of a training phrase; ``parameter`` names the intent parameter it annotates."""

    text: str
    parameter: str | None = None


@dataclass(frozen=True)
class TrainingPhrase:
    parts: tuple[PhrasePart, ...]

    @property
    def text(self) -> str:
        return "".join(part.text for part in self.parts)


@dataclass(frozen=True)
class Parameter:
    """An intent parameter. ``entity`` is a type name without '@' (``content``, ``sys.number``)."""

    name: str
    entity: str
    required: bool = False
    prompts: tuple[str, ...] = ()
    is_list: bool = False
    default: Any = None
    # The ES value expression ("$name", "#context.param", "$city, $country"); "" means "$name".
    value: str = ""

    @property
    def unfilled(self) -> Any:
        """What ES reports for this parameter when nothing fills it: ``[]`` for a list, else ``""``."""
        return [] if self.is_list else ""


@dataclass(frozen=True)
class ContextSpec:
    name: str
    lifespan: int = 5


@dataclass(frozen=True)
class Translation:
    """An intent's texts in another of the agent's languages (an ES ``_usersays_<lang>.json`` and its ``lang`` messages)."""

    phrases: tuple[TrainingPhrase, ...] = ()
    responses: tuple[str, ...] = ()
    # Parameter name -> its prompts in this language; a parameter left out keeps the default language's prompts.
    prompts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Intent:
    name: str
    phrases: tuple[TrainingPhrase, ...] = ()
    action: str | None = None
    parameters: tuple[Parameter, ...] = ()
    input_contexts: tuple[str, ...] = ()
    output_contexts: tuple[ContextSpec, ...] = ()
    events: tuple[str, ...] = ()
    responses: tuple[str, ...] = ()
    fallback: bool = False
    priority: int = NORMAL_PRIORITY
    reset_contexts: bool = False
    # DialogFlow's webhookUsed: True calls the fulfillment URL, False never does, and None (our own
    # agents) calls it for an action no Python handler serves.
    webhook: bool | None = None
    webhook_slot_filling: bool = False
    end_interaction: bool = False
    # ES's mlDisabled: matched only by a training phrase said as written, or by an event.
    ml_disabled: bool = False
    # The name the agent author gave it (an ES display name such as "Default Welcome Intent").
    display_name: str = ""
    # ES's id for it (the export's ``id``), empty when it is the one ``derived_intent_id`` gives.
    es_id: str = ""
    # Language code -> this intent's texts in that language (the agent's ``languages``).
    translations: Mapping[str, Translation] = field(default_factory=dict)
    source: str = ""

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    @property
    def id(self) -> str:
        """The id ES knows it by: webhooks see ``projects/<p>/agent/intents/<id>``, slot filling ``<id>_id_dialog_context``."""
        return self.es_id or derived_intent_id(self.name)

    def blank(self) -> dict[str, Any]:
        """Every parameter unfilled, and its words (``name.original``) empty: what ES writes into a context first."""
        return {key: value for p in self.parameters for key, value in ((p.name, p.unfilled), (f"{p.name}.original", ""))}

    def reported_parameters(self, values: Mapping[str, Any], *, timezone: str = "") -> dict[str, Any]:
        """Every parameter as ES reports it (query results, webhook bodies): one not filled is ``""`` (a list ``[]``).

        With the agent's ``timezone``, dates and times take ES's form (``es_dates``).
        """
        reported = {p.name: p.unfilled for p in self.parameters} | {k: v for k, v in values.items() if v is not None}
        dates = {p.name for p in self.parameters if p.entity in DATE_ENTITIES}
        return es_moments(reported, dates, timezone=timezone)


@dataclass(frozen=True)
class EntityEntry:
    """A reference value and its synonyms; for a regexp entity, ``synonyms`` are patterns."""

    value: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntityType:
    name: str
    entries: tuple[EntityEntry, ...] = ()
    regexp: bool = False
    fuzzy: bool = False
    # Language code -> the entries in that language (ES keeps one ``_entries_<lang>.json`` per language).
    translations: Mapping[str, tuple[EntityEntry, ...]] = field(default_factory=dict)
    source: str = ""


@dataclass(frozen=True)
class WebhookSpec:
    """The agent's own fulfillment webhook, as an ES export's agent.json names it."""

    url: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    username: str = ""
    password: str = field(default="", repr=False)
    protocol: str = "v2"


@dataclass(frozen=True)
class Agent:
    intents: dict[str, Intent] = field(default_factory=dict)
    entities: dict[str, EntityType] = field(default_factory=dict)
    language: str = "en"
    name: str = "chatops"
    webhook: WebhookSpec = field(default_factory=WebhookSpec)
    # The other languages it speaks (agent.json's ``supportedLanguages``), each with its own phrases and entries.
    languages: tuple[str, ...] = ()

    def resolve_language(self, code: str) -> str:
        """The agent language a request's ``languageCode`` asks for ("es-ES" is "es"); the default when it speaks none."""
        wanted = code.strip().lower()
        spoken = (self.language, *self.languages)
        for candidate in (wanted, wanted.split("-")[0]):
            if candidate in spoken:
                return candidate
        return self.language

    def for_language(self, language: str) -> Agent:
        """The agent as one language sees it: that language's phrases, responses, prompts and entries."""
        if language == self.language or language not in self.languages:
            return self
        intents = {name: _translated_intent(intent, language) for name, intent in self.intents.items()}
        entities = {
            name: dataclasses.replace(entity, entries=entity.translations.get(language, ()), translations={})
            for name, entity in self.entities.items()
        }
        return dataclasses.replace(self, intents=intents, entities=entities, language=language, languages=())

    # An IANA zone name (ES's defaultTimezone); "" keeps dates as our handlers read them.
    timezone: str = ""

    @cached_property
    def date_parameters(self) -> frozenset[str]:
        """The names of every date, time or date-time parameter of the agent's intents."""
        return frozenset(p.name for i in self.intents.values() for p in i.parameters if p.entity in DATE_ENTITIES)

    def reported_context(self, parameters: Mapping[str, Any]) -> dict[str, Any]:
        """A context's parameters as ES reports them: the agent's dates and times in ES's form (``es_dates``)."""
        return es_moments(parameters, self.date_parameters, timezone=self.timezone)

    def fallback_intents(self) -> list[Intent]:
        return [intent for intent in self.intents.values() if intent.fallback]

    def intents_for_event(self, event: str) -> list[Intent]:
        wanted = event.upper()
        # An ignored intent (negative priority) answers no detect-intent request, an event's neither.
        return [i for i in self.intents.values() if i.priority >= 0 and wanted in (e.upper() for e in i.events)]


def _translated_intent(intent: Intent, language: str) -> Intent:
    # ES answers a language only from that language's phrases and messages; an intent without any is not matched there.
    text = intent.translations.get(language, Translation())
    parameters = tuple(
        dataclasses.replace(p, prompts=text.prompts.get(p.name) or p.prompts) for p in intent.parameters
    )
    return dataclasses.replace(
        intent, phrases=text.phrases, responses=text.responses, parameters=parameters, translations={}
    )


def derived_intent_id(name: str) -> str:
    """A stable id for an intent ES never knew (our own agents): the same name gives the same id on every run."""
    return str(uuid.uuid5(INTENT_IDS, name))
