"""The bundled agent in intents/: it loads, covers every action, and its training data is consistent.

Regexp entities are compiled case-insensitively here, as the NLU's gazetteer compiles them.

The data checks matter because the NLU learns from these phrases: an entity occurrence
left unannotated, or an annotation that its entity cannot match, teaches the tagger wrong.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from chatops.engine.agent import Agent, EntityType, Intent, TrainingPhrase
from chatops.engine.fulfillment_check import check_fulfillment
from chatops.engine.loader import load_agent
from handlers import TABLE_MODULES, load_tables

# Actions the engine and the dispatcher answer themselves, without a handler table.
ENGINE_ACTIONS = {"dialog.cancel", "confirm.yes", "confirm.no"}
HANDLER_ACTIONS = {
    "reddit.tell", "reddit.another",
    "pods.list", "pods.more", "pods.logs", "pods.diagnose", "namespaces.list",
    "certs.check", "certs.rotate",
    "velero.migrate", "velero.status", "velero.backups",
    "secrets.get", "secrets.list", "secrets.history", "secrets.put",
    "prices.predict", "prices.use_dataset",
}
# Actions reached from an API rather than an utterance (POST /api/v1/datasets, a Slack file share).
API_ACTIONS = {"prices.upload_dataset"}
MAIN_INTENTS = {"reddit.tell", "pods.list", "certs.rotate", "velero.migrate", "secrets.get", "prices.predict"}
# Contexts set outside intents/: the dispatcher sets this one when it asks "Shall I ...?".
DISPATCHER_CONTEXTS = {"awaiting-confirmation"}
CONTEXT_REFERENCE = re.compile(r"^#([A-Za-z0-9_.\-]+)\.([A-Za-z0-9_\-]+)$")


@pytest.fixture(scope="module")
def agent() -> Agent:
    return load_agent()


def spans(phrase: TrainingPhrase) -> list[tuple[int, int, str, str | None]]:
    """(start, end, text, parameter) of every part of a phrase."""
    out, position = [], 0
    for part in phrase.parts:
        out.append((position, position + len(part.text), part.text, part.parameter))
        position += len(part.text)
    return out


def entity_of(agent: Agent, intent: Intent, parameter: str) -> EntityType | None:
    declared = intent.parameter(parameter)
    assert declared is not None
    return agent.entities.get(declared.entity)


def synonyms(entity: EntityType) -> set[str]:
    return {synonym.lower() for entry in entity.entries for synonym in entry.synonyms}


def test_the_bundled_agent_loads_against_every_registered_handler() -> None:
    registered = {name for table in load_tables(list(TABLE_MODULES)) for name in table.actions}
    agent = load_agent()
    report = check_fulfillment(agent, registered | ENGINE_ACTIONS, has_url=False)
    assert report.warnings == () and report.webhook == (), "an action no handler serves"
    reached = {intent.action for intent in agent.intents.values()} | API_ACTIONS
    assert registered <= reached, "a handler no intent reaches"


def test_the_actions_are_exactly_the_expected_ones(agent: Agent) -> None:
    actions = {intent.action for intent in agent.intents.values() if intent.action}
    assert actions == HANDLER_ACTIONS | ENGINE_ACTIONS


def test_there_is_one_fallback_and_a_welcome_for_the_welcome_event(agent: Agent) -> None:
    assert [intent.name for intent in agent.fallback_intents()] == ["fallback"]
    assert agent.intents["fallback"].responses and not agent.intents["fallback"].phrases
    assert [intent.name for intent in agent.intents_for_event("WELCOME")] == ["welcome"]


def test_every_intent_has_enough_phrases(agent: Agent) -> None:
    for intent in agent.intents.values():
        if intent.fallback:
            continue
        least = 20 if intent.name in MAIN_INTENTS else 15
        assert len(intent.phrases) >= least, f"{intent.name} has {len(intent.phrases)} phrases"


def test_no_phrase_is_repeated_within_or_across_intents(agent: Agent) -> None:
    owners = Counter(
        " ".join(phrase.text.lower().split()) for intent in agent.intents.values() for phrase in intent.phrases
    )
    assert [text for text, count in owners.items() if count > 1] == []


def test_every_annotation_names_a_declared_parameter(agent: Agent) -> None:
    for intent in agent.intents.values():
        declared = {parameter.name for parameter in intent.parameters}
        for phrase in intent.phrases:
            for part in phrase.parts:
                assert part.parameter is None or part.parameter in declared, (intent.name, phrase.text)


def test_every_required_parameter_has_a_prompt(agent: Agent) -> None:
    for intent in agent.intents.values():
        for parameter in intent.parameters:
            if parameter.required:
                assert parameter.prompts and all(p.strip() for p in parameter.prompts), (intent.name, parameter.name)


def test_parameters_are_taught_with_varied_values_and_also_left_out(agent: Agent) -> None:
    for intent in agent.intents.values():
        if not intent.parameters:
            continue
        values: dict[str, list[str]] = {parameter.name: [] for parameter in intent.parameters}
        for phrase in intent.phrases:
            for part in phrase.parts:
                if part.parameter:
                    values[part.parameter].append(part.text.lower())
        for name, texts in values.items():
            assert len(texts) >= 2, f"{intent.name}.{name} is annotated in {len(texts)} phrases"
            if intent.parameter(name).entity in ("sys.any", "ssm-path", "label-selector"):  # type: ignore[union-attr]
                assert len(set(texts)) >= min(3, len(texts)), f"{intent.name}.{name} always has the same value"
        assert any(all(part.parameter is None for part in phrase.parts) for phrase in intent.phrases), (
            f"{intent.name} has no phrase without parameters (the prompts are never exercised)"
        )


def test_developer_entity_annotations_are_synonyms_and_no_occurrence_is_left_unannotated(agent: Agent) -> None:
    for intent in agent.intents.values():
        typed = {p.name: agent.entities[p.entity] for p in intent.parameters if p.entity in agent.entities}
        for phrase in intent.phrases:
            for _, _, text, parameter in spans(phrase):
                if parameter in typed and not typed[parameter].regexp:
                    assert text.lower() in synonyms(typed[parameter]), (intent.name, phrase.text)
                if parameter is None:
                    for entity in (e for e in typed.values() if not e.regexp):
                        for synonym in synonyms(entity):
                            found = re.search(rf"(?<!\w){re.escape(synonym)}(?!\w)", text, re.IGNORECASE)
                            assert not found, f"{intent.name}: {synonym!r} is not annotated in {phrase.text!r}"


def test_regexp_entities_match_exactly_the_annotated_spans(agent: Agent) -> None:
    for intent in agent.intents.values():
        for parameter in intent.parameters:
            entity = agent.entities.get(parameter.entity)
            if entity is None or not entity.regexp:
                continue
            patterns = [re.compile(s, re.IGNORECASE) for entry in entity.entries for s in entry.synonyms]
            for phrase in intent.phrases:
                annotated = {(s, e) for s, e, _, p in spans(phrase) if p == parameter.name}
                matched = {m.span() for pattern in patterns for m in pattern.finditer(phrase.text)}
                assert matched == annotated, (intent.name, phrase.text)


def test_no_synonym_resolves_to_two_values(agent: Agent) -> None:
    for entity in agent.entities.values():
        owner: dict[str, str] = {}
        for entry in entity.entries:
            for synonym in entry.synonyms:
                assert owner.setdefault(synonym.lower(), entry.value) == entry.value, (entity.name, synonym)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("get /production/db/password.", ["/production/db/password"]),
        ("list under /development please", ["/development"]),
        ("show /development/app/log.level and /shared/x_y-z", ["/development/app/log.level", "/shared/x_y-z"]),
        ("set it to redis://cache:6379/1", []),
        ("either and/or", []),
    ],
)
def test_ssm_path_pattern(agent: Agent, text: str, expected: list[str]) -> None:
    (pattern,) = agent.entities["ssm-path"].entries[0].synonyms
    assert [m.group(0) for m in re.finditer(pattern, text, re.IGNORECASE)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pods with app=nginx in default", ["app=nginx"]),
        ("pods matching tier in (web, api) please", ["tier in (web, api)"]),
        ("pods with env!=prod,!canary", ["env!=prod,!canary"]),
        ("app.kubernetes.io/name=grafana, tier notin (db) now", ["app.kubernetes.io/name=grafana, tier notin (db)"]),
        ("hello! list pods in kube-system", []),
        ("get /production/db/password", []),
    ],
)
def test_label_selector_pattern(agent: Agent, text: str, expected: list[str]) -> None:
    (pattern,) = agent.entities["label-selector"].entries[0].synonyms
    assert [m.group(0) for m in re.finditer(pattern, text, re.IGNORECASE)] == expected


def test_follow_up_contexts_are_produced_and_context_defaults_resolve(agent: Agent) -> None:
    produced: dict[str, set[str]] = {}
    for intent in agent.intents.values():
        for context in intent.output_contexts:
            produced.setdefault(context.name, set()).update(p.name for p in intent.parameters)
    for intent in agent.intents.values():
        for name in intent.input_contexts:
            assert name in produced or name in DISPATCHER_CONTEXTS, f"{intent.name} waits for {name!r}"
        for parameter in intent.parameters:
            reference = CONTEXT_REFERENCE.match(str(parameter.default or ""))
            if reference:
                context, source = reference.groups()
                assert context in intent.input_contexts, (intent.name, parameter.name)
                assert source in produced[context], (intent.name, parameter.name)


def test_the_follow_ups_keep_their_context_alive(agent: Agent) -> None:
    another = agent.intents["reddit.another"]
    assert another.action == "reddit.another" and another.input_contexts == ("reddit-followup",)
    assert [c.name for c in another.output_contexts] == ["reddit-followup"]
    more = agent.intents["pods.more"]
    assert more.input_contexts == ("pods-followup",) and [c.name for c in more.output_contexts] == ["pods-followup"]
    assert not more.parameters  # so renewing the context adds nothing over the listing's parameters
    assert agent.intents["confirm.yes"].input_contexts == agent.intents["confirm.no"].input_contexts
    assert agent.intents["cancel"].reset_contexts


def test_help_lists_every_capability_with_an_example(agent: Agent) -> None:
    (text,) = agent.intents["help"].responses
    for capability in ("joke", "fact", "pods", "webhook", "Velero", "SSM", "price"):
        assert capability.lower() in text.lower()
    for example in ("tell me a joke", "list pods in kube-system", "rotate the cert", "migrate namespace",
                    "/production/db/password", "5,000 sq ft"):
        assert example in text


def test_responses_only_substitute_declared_parameters(agent: Agent) -> None:
    for intent in agent.intents.values():
        declared = {parameter.name for parameter in intent.parameters}
        for response in intent.responses:
            assert set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_\-]*)", response)) <= declared, intent.name
