"""A three-language ES export (en, es, fr) in the shapes public 2018-2020 exports use.

Our own content, written the way those exports are: agent.json lists only the
other languages in ``supportedLanguages``; ``_usersays_<lang>`` items carry no
``lang``; messages are the old ``type: 0`` with one ``speech`` string per
language; prompts are ``{lang, value}`` lists; a follow-up intent has
``parentId`` and requires ``<Parent>-followup``; an entity has one
``_entries_<lang>`` file per language; ``@sys.ignore`` marks filler words.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

LANGUAGES = ("en", "es", "fr")


def _says(*phrases: list[tuple[str, str | None, str | None]]) -> list[dict[str, Any]]:
    def part(text: str, alias: str | None, meta: str | None) -> dict[str, Any]:
        if meta == "@sys.ignore":
            return {"text": text, "meta": meta, "userDefined": False}
        return {"text": text, "userDefined": alias is not None} | ({"alias": alias, "meta": meta} if alias else {})

    return [{"id": f"p{i}", "data": [part(*p) for p in data], "isTemplate": False, "count": 0, "updated": 0}
            for i, data in enumerate(phrases)]


def _plain(*texts: str) -> list[dict[str, Any]]:
    return _says(*([(text, None, None)] for text in texts))


def _speech(**by_language: str) -> list[dict[str, Any]]:
    return [{"type": 0, "lang": code, "condition": "", "speech": text} for code, text in by_language.items()]


def _parameter(name: str, data_type: str, *, required: bool = False, is_list: bool = False,
               prompts: dict[str, str] | None = None) -> dict[str, Any]:
    return {"id": name, "required": required, "dataType": data_type, "name": name, "value": f"${name}",
            "prompts": [{"lang": code, "value": text} for code, text in (prompts or {}).items()],
            "promptMessages": [], "noMatchPromptMessages": [], "noInputPromptMessages": [], "outputDialogContexts": [],
            "isList": is_list}


def _intent(name: str, messages: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    response = {"resetContexts": False, "action": extra.pop("action", ""), "affectedContexts": extra.pop("out", []),
                "parameters": extra.pop("parameters", []), "messages": messages, "defaultResponsePlatforms": {}, "speech": []}
    return {"id": name, "name": name, "auto": True, "contexts": extra.pop("contexts", []), "responses": [response],
            "priority": 500000, "webhookUsed": extra.pop("webhook", False), "webhookForSlotFilling": False,
            "fallbackIntent": extra.pop("fallback", False), "events": [{"name": e} for e in extra.pop("events", [])],
            "conditionalResponses": [], "condition": "", "conditionalFollowupEvents": [], **extra}


def _entity(name: str, **flags: bool) -> dict[str, Any]:
    return {"id": name, "name": name, "isOverridable": True, "isEnum": False, "isRegexp": flags.get("regexp", False),
            "automatedExpansion": False, "allowFuzzyExtraction": flags.get("fuzzy", False)}


def export_files() -> dict[str, Any]:
    book_parameters = [
        _parameter("patient", "@patient", required=True, prompts={
            "en": "Are you an existing patient?", "es": "¿Ya es paciente nuestro?", "fr": "Êtes-vous déjà patient chez nous ?"}),
        _parameter("visit", "@visit", required=True, prompts={
            "en": "What kind of visit?", "es": "¿Qué tipo de consulta?", "fr": "Quel type de consultation ?"}),
        _parameter("symptoms", "@sys.any", is_list=True),
    ]
    return {
        "agent.json": {"description": "", "language": "en", "defaultTimezone": "Europe/Madrid",
                       "webhook": {"url": "", "username": "", "headers": {}, "available": False},
                       "isPrivate": True, "mlMinConfidence": 0.3, "supportedLanguages": ["es", "fr"],
                       "onePlatformApiVersion": "v2beta1"},
        "package.json": {"version": "1.0.0"},
        "intents/Default Welcome Intent.json": _intent(
            "Default Welcome Intent", _speech(en="Welcome to the clinic!", es="¡Bienvenido a la clínica!", fr="Bienvenue à la clinique !"),
            action="input.welcome", events=["WELCOME"], out=[{"name": "welcome", "parameters": {}, "lifespan": 2}]),
        "intents/Default Welcome Intent_usersays_en.json": _plain("hi", "hello", "good morning"),
        "intents/Default Welcome Intent_usersays_es.json": _plain("hola", "buenos días", "buenas tardes"),
        "intents/Default Welcome Intent_usersays_fr.json": _plain("bonjour", "salut", "bonsoir"),
        "intents/Book Visit.json": _intent(
            "Book Visit", _speech(en="Booked a $visit visit.", es="Reservada una consulta de $visit.", fr="Consultation $visit réservée."),
            action="visit.book", webhook=True, parameters=book_parameters,
            out=[{"name": "BookVisit-followup", "parameters": {}, "lifespan": 2}]),
        "intents/Book Visit_usersays_en.json": _says(
            [("I need ", None, None), ("an", None, "@sys.ignore"), (" appointment", None, None)],
            [("book a ", None, None), ("dental", "visit", "@visit"), (" visit", None, None)],
            [("schedule a check-up", None, None)], [("I want to see the doctor", None, None)]),
        "intents/Book Visit_usersays_es.json": _says(
            [("necesito ", None, None), ("una", None, "@sys.ignore"), (" cita", None, None)],
            [("reservar una consulta ", None, None), ("dental", "visit", "@visit")],
            [("quiero ver al médico", None, None)], [("pedir cita", None, None)]),
        "intents/Book Visit_usersays_fr.json": _says(
            [("je voudrais ", None, None), ("un", None, "@sys.ignore"), (" rendez-vous", None, None)],
            [("réserver une consultation ", None, None), ("dentaire", "visit", "@visit")],
            [("je veux voir le médecin", None, None)], [("prendre rendez-vous", None, None)]),
        "intents/Book Visit - cancel.json": _intent(
            "Book Visit - cancel", _speech(en="Your #BookVisit-followup.visit visit is cancelled.",
                                           es="Su consulta de #BookVisit-followup.visit está cancelada.",
                                           fr="Votre consultation #BookVisit-followup.visit est annulée."),
            action="BookVisit.BookVisit-cancel", contexts=["BookVisit-followup"], parentId="Book Visit", rootParentId="Book Visit"),
        "intents/Book Visit - cancel_usersays_en.json": _plain("cancel it", "cancel that visit", "never mind, cancel"),
        "intents/Book Visit - cancel_usersays_es.json": _plain("cancélala", "anula la cita", "cancelar"),
        "intents/Book Visit - cancel_usersays_fr.json": _plain("annulez-le", "annuler le rendez-vous", "annuler"),
        "intents/Opening Hours.json": _intent(
            "Opening Hours", _speech(en="We open at nine.", es="Abrimos a las nueve.", fr="Nous ouvrons à neuf heures.")),
        "intents/Opening Hours_usersays_en.json": _plain("when do you open", "what are your opening hours", "are you open today"),
        "intents/Opening Hours_usersays_es.json": _plain("a qué hora abren", "cuál es el horario", "están abiertos hoy"),
        "intents/Opening Hours_usersays_fr.json": _plain("quand ouvrez-vous", "quels sont vos horaires", "êtes-vous ouverts aujourd'hui"),
        "intents/Default Fallback Intent.json": _intent(
            "Default Fallback Intent", _speech(en="Sorry, say again?", es="Perdón, ¿puede repetir?", fr="Pardon, pouvez-vous répéter ?"),
            action="input.unknown", fallback=True),
        "entities/patient.json": _entity("patient"),
        "entities/patient_entries_en.json": [{"value": "yes", "synonyms": ["yes", "I am", "yep"]},
                                             {"value": "no", "synonyms": ["no", "not yet", "first time"]}],
        "entities/patient_entries_es.json": [{"value": "yes", "synonyms": ["sí", "lo soy", "claro"]},
                                             {"value": "no", "synonyms": ["no", "todavía no", "primera vez"]}],
        "entities/patient_entries_fr.json": [{"value": "yes", "synonyms": ["oui", "je le suis", "bien sûr"]},
                                             {"value": "no", "synonyms": ["non", "pas encore", "première fois"]}],
        "entities/visit.json": _entity("visit", fuzzy=True),
        "entities/visit_entries_en.json": [{"value": "dental", "synonyms": ["dental", "dentist", "teeth"]},
                                           {"value": "general", "synonyms": ["general", "check-up", "routine"]}],
        "entities/visit_entries_es.json": [{"value": "dental", "synonyms": ["dental", "dentista", "dientes"]},
                                           {"value": "general", "synonyms": ["general", "chequeo", "rutina"]}],
        "entities/visit_entries_fr.json": [{"value": "dental", "synonyms": ["dentaire", "dentiste", "dents"]},
                                           {"value": "general", "synonyms": ["générale", "bilan", "routine"]}],
        "entities/record.json": _entity("record", regexp=True),
        "entities/record_entries_en.json": [{"value": "[A-Z]{2}-\\d{4}", "synonyms": ["[A-Z]{2}-\\d{4}"]}],
    }


def write_export(root: Path) -> Path:
    """The export unpacked under ``root/clinic`` (as a repository of an export holds it)."""
    for name, document in export_files().items():
        path = root / "clinic" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return root / "clinic"
