"""The intent classifier on a small agent: in-scope phrasings, out-of-scope input, candidates."""

from __future__ import annotations

from typing import Any

import pytest

THRESHOLD = 0.3


@pytest.mark.parametrize(
    ("utterance", "intent"),
    [
        ("tell me a joke", "joke"),
        ("say something funny please", "joke"),
        ("list pods in observability", "pods"),
        ("show me the pods in kube-system", "pods"),
        ("migrate blog from production to dr-aks", "migrate"),
        ("what can you do?", "help"),
        ("how much is a house of 3000 square feet", "price"),
    ],
)
def test_paraphrases_get_their_intent_above_the_threshold(small_model: Any, utterance: str, intent: str) -> None:
    best = small_model.classify(utterance)[0]
    assert best.intent == intent
    assert best.confidence >= THRESHOLD


@pytest.mark.parametrize("utterance", ["the weather in Paris", "asdfgh", "what's the time in tokyo", "qwerty uiop"])
def test_unrelated_utterances_score_below_the_threshold(small_model: Any, utterance: str) -> None:
    assert small_model.classify(utterance)[0].confidence < THRESHOLD


def test_scores_are_sorted_probabilities(small_model: Any) -> None:
    scores = small_model.classify("list pods")
    confidences = [s.confidence for s in scores]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert sum(confidences) <= 1.0 + 1e-6


def test_fallback_and_phraseless_intents_are_never_classified(small_model: Any) -> None:
    names = {s.intent for s in small_model.classify("what is the weather like")}
    assert "fallback" not in names
    assert small_model.classify("what is the weather like")[0].confidence < THRESHOLD


def test_candidates_restrict_and_renormalise(small_model: Any) -> None:
    everything = small_model.classify("yes")
    assert everything[0].intent == "confirm_yes"
    only = small_model.classify("go ahead", candidates={"confirm_yes", "help"})
    assert [s.intent for s in only] == ["confirm_yes", "help"]
    assert only[0].confidence >= THRESHOLD
    # Without its context the follow-up is not a candidate, and "yes" matches nothing else.
    others = small_model.classify("yes", candidates={"joke", "pods", "help", "price", "migrate"})
    assert "confirm_yes" not in {s.intent for s in others}
    assert others[0].confidence < THRESHOLD


def test_no_candidates_gives_no_scores(small_model: Any) -> None:
    assert small_model.classify("tell me a joke", candidates=set()) == []

