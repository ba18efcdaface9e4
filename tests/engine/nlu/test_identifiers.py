"""The classifier reads a regexp entity's match as the entity's name: an identifier's words don't pick the intent."""

from __future__ import annotations

from typing import Any, Callable

from chatops.engine.agent import Agent, EntityEntry, EntityType
from chatops.engine.nlu.identifiers import Identifiers
from chatops.engine.nlu.model import train

PATH = {"regexp": True, "entries": [{"value": "path", "synonyms": ["/[a-z0-9_/-]+"]}]}
# Each intent's paths come from its own part of the tree, as in a real agent's few phrases:
# read as words, "/production/..." says "change", whatever verb comes before it.
INTENTS: dict[str, dict[str, Any]] = {
    "show": {"parameters": [{"name": "path", "entity": "@path"}], "phrases": [
        "show [/staging/db/password](path)", "read [/staging/api/key](path)", "what is [/staging/mail/user](path)",
        "get me [/staging/cache/ttl](path)", "display [/staging/queue/url](path)", "show the value of [/staging/app/mode](path)",
    ]},
    "change": {"parameters": [{"name": "path", "entity": "@path"}], "phrases": [
        "change [/production/db/password](path)", "update [/production/api/key](path)", "overwrite [/production/mail/user](path)",
        "modify [/production/cache/ttl](path)", "replace [/production/queue/url](path)", "change the value of [/production/app/mode](path)",
    ]},
    "fallback": {"fallback": True, "phrases": ["what is the weather like", "book a table for two"]},
}


def test_a_verb_picks_the_intent_whatever_the_path(make_agent: Callable[..., Agent]) -> None:
    model = train(make_agent(INTENTS, {"path": PATH}))
    for text, intent in [("show /production/db/password", "show"), ("display /production/api/key", "show"),
                         ("update /staging/db/password", "change"), ("modify /staging/queue/url", "change")]:
        assert model.classify(text)[0].intent == intent, text


def test_the_extraction_still_reads_the_path(make_agent: Callable[..., Agent]) -> None:
    model = train(make_agent(INTENTS, {"path": PATH}))
    found = model.extract("show /production/db/password", intent="show")
    assert ("path", "/production/db/password") in [(m.entity, m.value) for m in found]


def test_each_regexp_entity_has_its_own_word_and_other_text_is_kept() -> None:
    entities = {
        "ssm-path": EntityType("ssm-path", (EntityEntry("p", ("/[a-z/]+",)),), regexp=True),
        "ticket": EntityType("ticket", (EntityEntry("t", ("[A-Z]{2,5}-\\d+",)),), regexp=True),
        "colour": EntityType("colour", (EntityEntry("red", ("red",)),)),
    }
    hidden = Identifiers(entities).hide("show /prod/db for OPS-42 in red")
    assert hidden.split() == ["show", "ssmpathentity", "for", "ticketentity", "in", "red"]


def test_a_pattern_that_can_match_nothing_names_only_what_it_matched() -> None:
    entities = {"code": EntityType("code", (EntityEntry("c", ("[0-9]*",)),), regexp=True)}
    assert Identifiers(entities).hide("call 42 now").split() == ["call", "codeentity", "now"]


def test_an_agent_without_regexp_entities_reads_the_text_as_it_is() -> None:
    assert Identifiers({}).hide("show /production/db") == "show /production/db"
