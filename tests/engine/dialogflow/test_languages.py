"""A three-language ES export driven as conversations: each request's languageCode picks the phrases, prompts and entries.

What ES documents (cloud.google.com/dialogflow/es/docs/agents-multilingual):
an agent has a default language and supported languages, each with its own
training phrases, responses, prompts and entity entries; a request names its
language, and a regional code ("es-ES") falls back to its root language.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import AsyncIterator

import pytest

from aiohttp.test_utils import TestClient, TestServer

from chatops.cli import main
from chatops.config import load_settings
from chatops.engine.dialogflow import import_agent
from chatops.engine.nlu.commands import run_train
from chatops.engine.nlu.persist import language_model_path, load_model
from chatops.engine.loader import load_agent
from chatops.errors import AgentError
from chatops.models import Query
from chatops.server import create_app
from chatops.testing import ChatHarness
from tests.engine.dialogflow.es_clinic_agent import write_export


@pytest.fixture(scope="module")
def clinic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("clinic")
    result = import_agent(write_export(root), root / "agent")
    assert result.warnings == []
    return root / "agent"


@pytest.fixture
async def chat(clinic_dir: Path) -> AsyncIterator[ChatHarness]:
    settings = load_settings(env={}, overrides={"engine": {"agent_dir": str(clinic_dir)}, "store": {"url": "sqlite:///:memory:"}})
    async with ChatHarness(settings, tables=[]) as harness:
        yield harness


async def turns(chat: ChatHarness, language: str, *texts: str) -> list[tuple[str, str]]:
    """(intent, reply text) of each turn, all in ``language``."""
    said = []
    for text in texts:
        result = await chat.query(Query(session=chat.session, text=text, language=language))
        said.append((result.intent.name if result.intent else "", result.reply.text))
    return said


async def test_the_rest_api_answers_in_the_bodys_lang(clinic_dir: Path) -> None:
    settings = load_settings(env={}, overrides={"engine": {"agent_dir": str(clinic_dir)}, "store": {"url": "sqlite:///:memory:"}})
    async with TestClient(TestServer(create_app(settings, tables=[]))) as client:
        response = await client.post("/api/v1/query", json={"session": "s", "text": "pedir cita", "lang": "es-ES"})
        body = await response.json()
    assert (body["intent"]["displayName"], body["fulfillmentText"], body["languageCode"]) == (
        "Book Visit", "¿Ya es paciente nuestro?", "es-ES")


def test_check_counts_the_phrases_of_each_language(clinic_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--agent", str(clinic_dir)]) == 0
    assert "training phrases by language (the first is the default): en 13, es 13, fr 13" in capsys.readouterr().out


def test_the_import_keeps_every_language(clinic_dir: Path) -> None:
    agent = import_agent(write_export(clinic_dir.parent / "again"), clinic_dir.parent / "again-agent").agent
    assert (agent.language, agent.languages) == ("en", ("es", "fr"))
    spanish = agent.for_language("es")
    book = spanish.intents["Book-Visit"]
    assert [p.text for p in book.phrases][0] == "necesito una cita"  # the @sys.ignore word is plain text
    assert book.parameters[0].prompts == ("¿Ya es paciente nuestro?",)
    assert book.responses == ("Reservada una consulta de $visit.",)
    assert spanish.entities["patient"].entries[0].synonyms == ("sí", "lo soy", "claro")
    assert spanish.entities["record"].entries == ()  # ES keeps entries per language; this one has English only
    assert agent.for_language("en") is agent and agent.for_language("de") is agent


@pytest.mark.parametrize(
    ("language", "script"),
    [
        ("es", [("hola", "Default-Welcome-Intent", "¡Bienvenido a la clínica!"),
                ("necesito una cita", "Book-Visit", "¿Ya es paciente nuestro?"),
                ("sí", "Book-Visit", "¿Qué tipo de consulta?"),
                ("dentista", "Book-Visit", "Reservada una consulta de dental."),
                ("cancélala", "Book-Visit-cancel", "Su consulta de dental está cancelada.")]),
        ("fr-FR", [("je voudrais un rendez-vous", "Book-Visit", "Êtes-vous déjà patient chez nous ?"),
                   ("première fois", "Book-Visit", "Quel type de consultation ?"),
                   ("dents", "Book-Visit", "Consultation dental réservée."),
                   ("annuler", "Book-Visit-cancel", "Votre consultation dental est annulée.")]),
        ("en", [("book a dental visit", "Book-Visit", "Are you an existing patient?"),
                ("yep", "Book-Visit", "Booked a dental visit."),
                ("cancel it", "Book-Visit-cancel", "Your dental visit is cancelled.")]),
    ],
)
async def test_a_booking_runs_in_the_requests_language(chat: ChatHarness, language: str, script: list[tuple[str, str, str]]) -> None:
    said = await turns(chat, language, *(text for text, _, _ in script))
    assert said == [(intent, reply) for _, intent, reply in script]
    # The entity's reference value is the same in every language, as ES resolves it.
    assert chat.results[-2].parameters["visit"] == "dental"


async def test_each_language_understands_only_its_own_phrases(chat: ChatHarness) -> None:
    assert await turns(chat, "es", "I want to see the doctor") == [("Default-Fallback-Intent", "Perdón, ¿puede repetir?")]
    # The Spanish model learnt the phrase; the English one never saw it and is unsure (which intent it guesses,
    # if any, is the NLU's business).
    spanish = await chat.query(Query(session="es", text="quiero ver al médico", language="es"))
    english = await chat.query(Query(session="en", text="quiero ver al médico", language="en"))
    assert spanish.intent is not None and spanish.intent.name == "Book-Visit" and spanish.confidence > 0.9
    assert english.confidence < 0.5


async def test_a_language_the_agent_does_not_speak_gets_the_default_one(chat: ChatHarness) -> None:
    assert await turns(chat, "de", "when do you open") == [("Opening-Hours", "We open at nine.")]
    result = await chat.query(Query(session="other", event="WELCOME", language="es-419"))
    assert result.reply.text == "¡Bienvenido a la clínica!"


def test_each_language_has_its_own_model_file(clinic_dir: Path, tmp_path: Path) -> None:
    assert language_model_path("/models/clinic.npz", "pt-br") == "/models/clinic.pt-br.npz"
    assert language_model_path("", "es") == ""
    out = io.StringIO()
    assert run_train(str(clinic_dir), str(tmp_path / "clinic.npz"), out=out) == 0
    assert "wrote the es model" in out.getvalue() and "wrote the fr model" in out.getvalue()
    agent = load_agent(clinic_dir)
    # What the runtime loads at start: each file fits its language's agent (a stale one would be trained afresh).
    spanish = load_model(agent.for_language("es"), tmp_path / "clinic.es.npz")
    assert spanish.classify("pedir cita")[0].intent == "Book-Visit"


def test_a_translation_in_a_language_the_agent_does_not_list_is_refused(tmp_path: Path) -> None:
    agent = tmp_path / "agent"
    (agent / "intents").mkdir(parents=True)
    (agent / "intents" / "hours.yaml").write_text("name: hours\nphrases: [when do you open]\nlanguages:\n  de:\n    phrases: [wann]\n")
    with pytest.raises(AgentError, match="languages.de"):
        load_agent(agent)
