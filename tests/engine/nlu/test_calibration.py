"""Calibrated confidence on a small synthetic agent: small intents answer, out-of-scope lines fall back."""

from __future__ import annotations

import numpy as np
import pytest

from chatops.engine.nlu.calibration import Calibration, fit_calibration
from chatops.engine.nlu import intents
from chatops.engine.nlu.intents import IntentClassifier
from chatops.engine.nlu.linear import Fit

THRESHOLD = 0.3  # the default of CHATOPS_THRESHOLD
SMALL_AGENT = {
    "vpn": ["the vpn won't connect", "vpn keeps dropping", "my vpn client is stuck", "remote access to the vpn fails"],
    "printer": ["the printer is jammed", "i can't print anything", "printer says out of toner", "add the office printer"],
    "password": ["i forgot my password", "reset my password", "my password expired", "unlock my account password"],
    "laptop": ["i need a new laptop", "order a laptop charger", "my laptop screen is broken", "upgrade my old laptop"],
}
IN_SCOPE = [("vpn", "vpn is not connecting"), ("printer", "the printer won't print"),
            ("password", "please reset my password"), ("laptop", "can i get a new laptop")]
OUT_OF_SCOPE = ["how many bones are in the human body", "who painted the mona lisa", "convert 30 celsius to fahrenheit"]


@pytest.fixture(scope="module")
def classifier() -> IntentClassifier:
    return IntentClassifier.train([(intent, text) for intent, texts in SMALL_AGENT.items() for text in texts])


@pytest.mark.parametrize(("intent", "text"), IN_SCOPE)
def test_intents_of_four_phrases_answer_above_the_default_threshold(classifier: IntentClassifier, intent: str, text: str) -> None:
    best = classifier.classify(text)[0]
    assert (best.intent, best.confidence >= THRESHOLD) == (intent, True)


@pytest.mark.parametrize("text", OUT_OF_SCOPE)
def test_out_of_scope_lines_fall_back(classifier: IntentClassifier, text: str) -> None:
    assert classifier.classify(text)[0].confidence < THRESHOLD


def test_calibration_raises_the_confidence_the_raw_softmax_gives_a_small_agent(classifier: IntentClassifier) -> None:
    raw = IntentClassifier(classifier.featurizer, classifier.weights, classifier.intents)
    assert classifier.calibration != Calibration()
    for _, text in IN_SCOPE:
        assert classifier.classify(text)[0].confidence > raw.classify(text)[0].confidence


def test_fit_finds_the_shift_that_separates_right_answers_from_out_of_scope() -> None:
    # Two intents and out of scope (last column): right answers have a lead of 2 over a none logit of 3,
    # out-of-scope rows a lead of 0 over a none logit of 4.
    right = np.array([[3.0, 1.0, 3.0]] * 20)
    outside = np.array([[1.0, 1.0, 4.0]] * 20)
    labels = np.array([0] * 20 + [2] * 20)
    calibration = fit_calibration(np.vstack([right, outside]), labels, weights=np.ones(40))
    probs = np.exp(calibration.apply(np.vstack([right[:1], outside[:1]])))
    probs /= probs.sum(axis=1, keepdims=True)
    assert probs[0, 0] > 0.8 and probs[1, :2].max() < 0.2


def test_in_scope_calibration_keeps_wrong_but_in_scope_answers_confident() -> None:
    # Held-out rows of intent 1 whose top intent is 0 (wrong, but in scope), right rows with a wide lead,
    # and out-of-scope rows that lean to none.
    confused = np.array([[2.0, 1.5, 0.0]] * 20)
    right_rows = np.array([[4.0, 0.0, 0.0]] * 20)
    outside = np.array([[0.5, 0.5, 2.0]] * 20)
    logits, labels = np.vstack([confused, right_rows, outside]), np.array([1] * 20 + [0] * 20 + [2] * 20)

    def top(calibration: Calibration) -> float:
        scaled = calibration.apply(confused[:1].copy())
        return float((np.exp(scaled) / np.exp(scaled).sum())[0, 0])

    right = fit_calibration(logits, labels, weights=np.ones(60))
    scope = fit_calibration(logits, labels, weights=np.ones(60), in_scope=True)
    assert top(right) < 0.5 and top(scope) > 0.8


def test_an_agent_of_two_phrases_per_intent_answers_its_paraphrases() -> None:
    # Its fold models see one phrase per intent: calibrated on "right", its right answers would fall back.
    tiny = IntentClassifier.train([(intent, text) for intent, texts in SMALL_AGENT.items() for text in texts[:2]])
    for intent, text in IN_SCOPE:
        best = tiny.classify(text)[0]
        assert (best.intent, best.confidence >= THRESHOLD) == (intent, True)
    assert sum(tiny.classify(text)[0].confidence < THRESHOLD for text in OUT_OF_SCOPE) >= 2


def test_an_agent_of_one_phrase_per_intent_answers_its_paraphrases() -> None:
    single = IntentClassifier.train([(intent, texts[0]) for intent, texts in SMALL_AGENT.items()])
    for intent, text in IN_SCOPE:
        best = single.classify(text)[0]
        assert (best.intent, best.confidence >= 0.5) == (intent, True)
    assert sum(single.classify(text)[0].confidence < THRESHOLD for text in OUT_OF_SCOPE) >= 2


def test_the_folds_hold_out_half_of_an_intent_s_only_phrase() -> None:
    # No fold can hold out an intent's only phrase whole. Without the halves the calibration of such an agent
    # saw out-of-scope texts only, and sent most in-scope utterances to the fallback.
    texts = [texts[0] for texts in SMALL_AGENT.values()] + OUT_OF_SCOPE * 2
    labels = np.array([0, 1, 2, 3] + [4] * (2 * len(OUT_OF_SCOPE)))
    _, truth = intents._Folds(texts, labels, 4, 4, Fit()).scores(1.0, "softmax")
    assert sorted(truth[truth < 4].tolist()) == [0, 1, 2, 3]


def _candidate(name: float, right: list[bool]) -> tuple[float, str, np.ndarray, np.ndarray]:
    """A candidate whose held-out phrases (all of intent 0 of two) are answered right where ``right`` says."""
    scores = np.array([[1.0, 0.0, 0.0] if r else [0.0, 1.0, 0.0] for r in right])
    return name, "softmax", scores, np.zeros(len(right), dtype=np.int64)


def test_a_setting_replaces_the_default_only_when_it_wins_by_more_than_the_noise() -> None:
    default = _candidate(1.0, [True] * 20 + [False] * 20)
    slightly = _candidate(0.3, [True] * 23 + [False] * 17)  # 3 more right: 1.7 standard deviations
    clearly = _candidate(0.3, [True] * 30 + [False] * 10)  # 10 more: 3.2
    assert intents._best([default, slightly], 2, intents.SIGNIFICANCE)[0] == 1.0
    assert intents._best([default, clearly], 2, intents.SIGNIFICANCE)[0] == 0.3
    assert intents._best([default, slightly], 2, 0.0)[0] == 0.3  # a sampled agent's count decides alone


def test_no_mistakes_to_learn_from_leaves_the_scores_as_they_are() -> None:
    assert fit_calibration(np.array([[2.0, 0.0, 0.0]]), np.array([0]), weights=np.ones(1)) == Calibration()


def test_folded_weights_give_the_calibrated_logits(classifier: IntentClassifier) -> None:
    cols, vals = classifier.featurizer.transform_one("the vpn drops")
    raw = vals @ classifier.weights[cols]
    folded = vals @ classifier.calibration.folded(classifier.weights, bias=0)[cols]
    np.testing.assert_allclose(folded, classifier.calibration.apply(raw), rtol=1e-5, atol=1e-5)


def test_the_folds_keep_full_character_n_grams_for_an_agent_in_english(classifier: IntentClassifier) -> None:
    # Character n-grams carry typos and word forms ("printer", "print"); only agents of made-up words drop them.
    assert classifier.featurizer.char_weight == 1.0


def test_the_character_weight_the_folds_choose_is_the_model_s(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(intents, "CHAR_WEIGHTS", (0.3,))
    light = IntentClassifier.train([(intent, text) for intent, texts in SMALL_AGENT.items() for text in texts])
    assert light.featurizer.char_weight == 0.3
    assert light.classify("reset my password")[0].intent == "password"
