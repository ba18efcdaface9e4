"""Decoding with slots that begin at most once, checked against enumerating every path."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from chatops.engine.nlu import decoding
from chatops.engine.nlu.crf import FORBIDDEN
from chatops.engine.nlu.decoding import decode, viterbi
from chatops.engine.nlu.tagger import allowed_transitions
from tests.engine.nlu.conftest import path_score

LABELS = ["O", "B-a", "B-b", "I-a", "I-b"]


def best_path(emissions: np.ndarray, transitions: np.ndarray, keep: object = lambda path: True) -> tuple[int, ...]:
    paths = [p for p in itertools.product(range(emissions.shape[1]), repeat=len(emissions)) if keep(p)]
    return max(paths, key=lambda p: path_score(emissions, transitions, p))


def bio_chain(rng: np.random.Generator, n_tokens: int) -> tuple[np.ndarray, np.ndarray]:
    transitions = np.where(allowed_transitions(LABELS), rng.normal(size=(len(LABELS) + 1, len(LABELS))), FORBIDDEN)
    return rng.normal(size=(n_tokens, len(LABELS))) * 2, transitions


@pytest.mark.parametrize("once", [(), (1,), (1, 2), (0,)])
def test_a_label_kept_to_once_is_the_best_path_that_uses_it_at_most_once(once: tuple[int, ...]) -> None:
    rng = np.random.default_rng(11)
    for _ in range(15):
        emissions, transitions = bio_chain(rng, 5)
        if once == (0,):
            emissions[:, 0] += 3.0  # "O" everywhere would be best: at most one "O" must bend the path
        expected = best_path(emissions, transitions, lambda p: all(p.count(i) <= 1 for i in once))
        assert tuple(viterbi(emissions, transitions, once)) == expected


def test_decoding_repeats_no_single_valued_slot_and_keeps_the_best_path_that_does_not() -> None:
    rng = np.random.default_rng(7)
    bound = 0
    for _ in range(30):
        emissions, transitions = bio_chain(rng, 6)
        emissions[:, 1] += 1.5  # many paths would begin "a" twice
        free = tuple(viterbi(emissions, transitions))
        expected = best_path(emissions, transitions, lambda p: p.count(1) <= 1 and p.count(2) <= 1)
        assert tuple(decode(emissions, transitions, LABELS, {"a", "b"})) == expected
        bound += free != expected
    assert bound > 5  # the constraint mattered in many of the draws, not only in none


def test_a_single_slot_keeps_its_likelier_span_and_a_list_slot_both() -> None:
    emissions = np.array([[1, 5, 0, 0, 0], [5, 0, 0, 0, 0], [0, 6, 0, 0, 0]], dtype=float)
    transitions = np.where(allowed_transitions(LABELS), 0.0, FORBIDDEN)
    assert decode(emissions, transitions, LABELS, {"b"}) == [1, 0, 1]
    assert decode(emissions, transitions, LABELS, {"a"}) == [0, 0, 1]  # the later span, not the first


def test_past_the_cap_the_remaining_slots_keep_their_repeats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(decoding, "MAX_CONSTRAINED", 1)
    emissions = np.array([[0, 5, 0, 0, 0], [0, 0, 5, 0, 0], [0, 5, 0, 0, 0], [0, 0, 5, 0, 0]], dtype=float)
    transitions = np.where(allowed_transitions(LABELS), 0.0, FORBIDDEN)
    path = decode(emissions, transitions, LABELS, {"a", "b"})
    assert path.count(1) == 1 and path.count(2) == 2
