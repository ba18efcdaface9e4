"""Developer entities, regexp entities, free-form slots and prompt answers through the trained model."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from chatops.engine.nlu import EntityMatch


def found(model: Any, text: str, intent: str | None = None) -> list[tuple[str, str, Any, str | None]]:
    return [(m.entity, m.text, m.value, m.slot) for m in model.extract(text, intent=intent)]


def test_synonyms_resolve_to_reference_values_case_insensitively(small_model: Any) -> None:
    assert ("content", "Something Funny", "joke", None) in found(small_model, "say Something Funny")
    assert ("content", "TRIVIA", "fact", None) in found(small_model, "some TRIVIA")


def test_fuzzy_entities_tolerate_typos_but_not_real_words(small_model: Any) -> None:
    assert ("cluster", "prodution", "prod-gke", None) in found(small_model, "pods on prodution")
    assert ("cluster", "porduction", "prod-gke", None) in found(small_model, "pods on porduction")
    assert ("cluster", "prdouctoin", "prod-gke", None) in found(small_model, "pods on prdouctoin")
    assert ("cluster", "prud", "prod-gke", None) in found(small_model, "pods on prud")
    assert not [m for m in found(small_model, "pods on proud") if m[0] == "cluster"]
    # content is not fuzzy: a typo is not a match
    assert not [m for m in found(small_model, "tell me a jokke") if m[0] == "content"]


def test_regexp_entities_return_the_matched_text(small_model: Any) -> None:
    assert ("ticket", "OPS-1234", "OPS-1234", None) in found(small_model, "link it to OPS-1234")


def test_offsets_point_into_the_text(small_model: Any) -> None:
    text = "migrate shop from production to dr-aks"
    for match in small_model.extract(text, intent="migrate"):
        assert text[match.start : match.end] == match.text


def test_free_form_slots_learned_from_annotated_phrases(small_model: Any) -> None:
    assert ("sys.any", "observability", "observability", "namespace") in found(
        small_model, "list pods in observability", "pods")
    assert ("sys.any", "team-a", "team-a", "namespace") in found(small_model, "show pods in team-a", "pods")


def test_tagger_tells_apart_two_parameters_of_one_entity_type(small_model: Any) -> None:
    matches = found(small_model, "migrate billing from dr-aks to production", "migrate")
    assert ("sys.any", "billing", "billing", "namespace") in matches
    assert ("cluster", "dr-aks", "dr-aks", "source") in matches
    assert ("cluster", "production", "prod-gke", "target") in matches


def test_without_an_intent_only_known_entities_are_found(small_model: Any) -> None:
    assert [m[0] for m in found(small_model, "list pods in observability")] == []


def test_system_entities_come_through_extract(small_model: Any) -> None:
    matches = small_model.extract("price of 5,000 sq ft", intent="price")
    area = next(m for m in matches if m.entity == "sys.area")
    assert area.value == {"amount": 5000, "unit": "sq ft"}
    assert area.slot == "area"


def test_relative_dates_use_the_reference_day(small_model: Any) -> None:
    matches = small_model.extract("tomorrow", now=datetime(2030, 1, 31))
    assert any(m.entity == "sys.date" and m.value == "2030-02-01" for m in matches)


def test_resolve_reads_a_prompt_answer(small_model: Any) -> None:
    assert small_model.resolve("  kube-system ", "sys.any") == EntityMatch("sys.any", 2, 13, "kube-system", "kube-system")
    assert small_model.resolve("disaster recovery please", "cluster").value == "dr-aks"
    assert small_model.resolve("about 400 m2", "sys.area").value == {"amount": 400, "unit": "sq m"}
    assert small_model.resolve("five", "sys.number").value == 5
    assert small_model.resolve("no idea", "cluster") is None
    assert small_model.resolve("   ", "sys.any") is None


def _gazetteer(fuzzy: bool) -> Any:
    from chatops.engine.agent import EntityEntry, EntityType
    from chatops.engine.nlu.gazetteer import Gazetteer

    entries = (EntityEntry("fact", ("fact", "trivia")), EntityEntry("joke", ("joke",)), EntityEntry("joker", ("jokester",)),
               EntityEntry("service", ("tune-up", "oil change")), EntityEntry("kubernetes", ("kubernetes",)),
               EntityEntry("card", ("krad",)), EntityEntry("kras", ("kras",)))
    return Gazetteer({"@content": EntityType("content", entries, fuzzy=fuzzy)})


@pytest.mark.parametrize(
    ("text", "value"),
    [("a fcat please", "fact"), ("a jkoe", "joke"), ("a fakt", "fact"), ("some trivai", "fact"), ("on kuberentes", "kubernetes"),
     ("on kubrenetse", "kubernetes"), ("a jokestre", "joker"), ("a tnue-up", "service"),
     # three letters: no typo; two edits only from eight letters; a common English word is meant as written
     ("a fat cat", None), ("a fcta", None), ("a jokstre", None), ("a fast one", None), ("a face", None), ("a jokes", None),
     # a synonym of one value is never a typo of another; a typo as close to two values matches neither
     ("krad", "card"), ("krat", None)],
)
def test_fuzzy_matching_scales_with_word_length(text: str, value: str | None) -> None:
    values = [m.value for m in _gazetteer(fuzzy=True).find(text)]
    assert values == ([] if value is None else [value])


@pytest.mark.parametrize("text", ["book a tune-up", "book a tune up", "book a tuneup", "an oil-change", "an oilchange"])
def test_compound_synonyms_match_with_a_hyphen_a_space_or_closed_up(text: str) -> None:
    assert [m.value for m in _gazetteer(fuzzy=False).find(text)] == ["service"]


def test_an_intent_gets_only_the_system_entities_its_parameters_take(small_model: Any) -> None:
    # "pods" takes no system entity: its extraction skips the number, date and quantity parsers.
    assert not [m for m in small_model.extract("list 5 pods in web tomorrow", intent="pods") if m.entity.startswith("sys.") and m.entity != "sys.any"]
    price = {m.entity for m in small_model.extract("price of 5,000 sq ft tomorrow", intent="price")}
    assert "sys.area" in price and not price & {"sys.number", "sys.date", "sys.date-time"}
    # Without an intent, every kind is found.
    assert {"sys.number", "sys.date"} <= {m.entity for m in small_model.extract("list 5 pods tomorrow")}
