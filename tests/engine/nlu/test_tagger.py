"""The CRF slot tagger: exact inference checked by enumeration, BIO handling, and learning from examples."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from chatops.engine.nlu.crf import FORBIDDEN, Chain, marginals, train_crfs
from chatops.engine.nlu.sparse import Rows
from chatops.engine.nlu.tagger import (
    Sentence, SlotTagger, allowed_transitions, bio_labels, bio_spans, viterbi, whole_items,
)
from chatops.engine.nlu.text import tokenize
from chatops.engine.nlu.tokenfeatures import shape, token_features
from tests.engine.nlu.conftest import path_score


def enumerate_marginals(emissions: np.ndarray, transitions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n_tokens, n_labels = emissions.shape
    paths = list(itertools.product(range(n_labels), repeat=n_tokens))
    weights = np.exp([path_score(emissions, transitions, p) for p in paths])
    weights /= weights.sum()
    unary = np.zeros((n_tokens, n_labels))
    pairs = np.zeros((n_labels, n_labels))
    starts = np.zeros(n_labels)
    for path, weight in zip(paths, weights):
        starts[path[0]] += weight
        for t, label in enumerate(path):
            unary[t, label] += weight
            if t:
                pairs[path[t - 1], label] += weight
    return unary, pairs, starts


def test_forward_backward_matches_enumeration_on_a_batch_of_two_chains() -> None:
    """Sentences of two chains, in no order of length: each is scored by its own chain's transitions."""
    rng = np.random.default_rng(3)
    n_labels, lengths, chain_of = 3, [3, 4, 1, 3, 2], np.array([0, 1, 0, 1, 1])
    transitions = rng.normal(size=(2, n_labels + 1, n_labels))
    transitions[0, 0, 2] = FORBIDDEN  # a forbidden step, as the BIO rule makes them
    sentences = [rng.normal(size=(n, n_labels)) * 2 for n in lengths]
    unary, pairs, starts = marginals(np.concatenate(sentences), np.array(lengths), transitions, chain_of)
    expected = [enumerate_marginals(e, transitions[c]) for e, c in zip(sentences, chain_of)]
    np.testing.assert_allclose(unary, np.concatenate([e[0] for e in expected]), atol=1e-9)
    for chain in (0, 1):
        mine = [e for e, c in zip(expected, chain_of) if c == chain]
        np.testing.assert_allclose(pairs[chain], sum(e[1] for e in mine), atol=1e-9)
        np.testing.assert_allclose(starts[chain], sum(e[2] for e in mine), atol=1e-9)


def _chain(rng: np.random.Generator, n_sentences: int, n_labels: int, n_features: int) -> Chain:
    lengths = rng.integers(1, 9, size=n_sentences)
    per_token = [rng.choice(n_features - 1, size=4, replace=False) + 1 for _ in range(int(lengths.sum()))]
    indices = np.concatenate([[0, *cols] for cols in per_token]).astype(np.int32)
    rows = Rows(np.arange(len(per_token) + 1, dtype=np.int64) * 5, indices, np.ones(len(indices), dtype=np.float32))
    labels = ["O", *[f"B-s{i}" for i in range(n_labels - 1)]]
    return Chain(rows, lengths, rng.integers(0, n_labels, size=int(lengths.sum())), n_features, allowed_transitions(labels))


def test_chains_trained_in_lockstep_get_what_each_gets_alone() -> None:
    """One small chain (one batch, 30 epochs), two of several batches, and one of another label count."""
    rng = np.random.default_rng(11)
    chains = [_chain(rng, 20, 3, 40), _chain(rng, 300, 3, 60), _chain(rng, 150, 3, 50), _chain(rng, 40, 2, 30)]
    together = train_crfs(chains)
    for chain, (emissions, transitions) in zip(chains, together):
        alone_emissions, alone_transitions = train_crfs([chain])[0]
        assert emissions.shape == (chain.n_features, chain.allowed.shape[1])
        np.testing.assert_allclose(emissions, alone_emissions, atol=1e-6)
        np.testing.assert_allclose(transitions, alone_transitions, atol=1e-9)
    assert np.abs(together[1][0]).max() > 0.1  # they learned something


def test_viterbi_finds_the_best_path() -> None:
    rng = np.random.default_rng(5)
    for _ in range(20):
        emissions = rng.normal(size=(4, 3))
        transitions = rng.normal(size=(4, 3))
        best = max(itertools.product(range(3), repeat=4), key=lambda p: path_score(emissions, transitions, p))
        assert tuple(viterbi(emissions, transitions)) == best


def test_bio_labels_and_spans_round_trip() -> None:
    text = "move kube-system from prod gke to dr"
    tokens = tokenize(text)
    spans = [(5, 16, "namespace"), (22, 30, "source"), (34, 36, "target")]
    labels = bio_labels(tokens, spans)
    assert labels == ["O", "B-namespace", "I-namespace", "I-namespace", "O", "B-source", "I-source", "O", "B-target"]
    assert bio_spans(tokens, labels) == spans


def test_an_inside_label_only_follows_its_own_begin_or_inside() -> None:
    labels = ["O", "B-a", "B-b", "I-a", "I-b"]
    allowed = allowed_transitions(labels)
    assert allowed[1, 3] and allowed[3, 3] and not allowed[0, 3] and not allowed[2, 3] and not allowed[-1, 3]


def test_shapes() -> None:
    assert (shape("Kube-system"), shape("v1.2"), shape("OPS-1234")) == ("Xx-x", "xd.d", "X-d")


def sentence(text: str, spans: list[tuple[str, str]]) -> Sentence:
    tokens = tokenize(text)
    located = [(text.index(value), text.index(value) + len(value), slot) for value, slot in spans]
    return Sentence(tokens, token_features(tokens, [[] for _ in tokens]), bio_labels(tokens, located))


def test_the_tagger_learns_where_values_sit_not_only_which_values() -> None:
    cities = ["paris", "rome", "san jose", "lima", "cairo", "buenos aires", "delhi", "tokyo", "seoul", "hanoi"]
    days = ["monday", "friday", "sunday", "tuesday"]
    train = []
    for i, city in enumerate(cities):
        day = days[i % len(days)]
        train.append(sentence(f"fly to {city} on {day}", [(city, "city"), (day, "day")]))
        train.append(sentence(f"book a flight to {city}", [(city, "city")]))
        train.append(sentence(f"on {day} i want to go to {city} please", [(day, "day"), (city, "city")]))
    tagger = SlotTagger.train(train)

    def spans(text: str) -> list[tuple[str, str]]:
        tokens = tokenize(text)
        return [(text[s:e], slot) for s, e, slot in bio_spans(tokens, tagger.tag(token_features(tokens, [[] for _ in tokens])))]

    assert spans("fly to lisbon on wednesday") == [("lisbon", "city"), ("wednesday", "day")]  # neither seen
    assert spans("book a flight to san diego") == [("san diego", "city")]


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_sentence_has_no_labels(text: str) -> None:
    tagger = SlotTagger.train([sentence("fly to rome", [("rome", "city")])])
    assert tagger.tag(token_features(tokenize(text), [])) == []


def _pieces(text: str, *pieces: str) -> list[str]:
    tokens = tokenize(text)
    spans = [(text.index(p), text.index(p) + len(p), "x") for p in pieces]
    return [text[s:e] for s, e, _ in whole_items(tokens, spans)]


@pytest.mark.parametrize(
    ("text", "pieces", "items"),
    [("list every namespace on dev-kind", ["dev-"], ["dev-kind"]),
     ("renew cert-manager-webhook now", ["-manager-webhook"], ["cert-manager-webhook"]),
     ("renew cert-manager-webhook now", ["cert-", "webhook"], ["cert-manager-webhook"]),
     ("pods labelled app=redis,tier=cache in staging", ["redis"], ["app=redis,tier=cache"]),
     ("fetch /prod/payments/webhook_secret", ["/prod/payments"], ["/prod/payments/webhook_secret"]),
     ("got any jokes about programmers?", ["programmers?"], ["programmers"]),
     ("show me pods in default, then stop", ["default,"], ["default"]),
     ("install notepad++ please", ["notepad++"], ["notepad++"]),
     ("wait until 9 a.m.", ["9 a.m."], ["9 a.m."]),
     ("[Chicago]'s weather", ["Chicago"], ["Chicago"]),
     ("is it ok ?", ["?"], [])],
)
def test_spans_cover_whole_items(text: str, pieces: list[str], items: list[str]) -> None:
    assert _pieces(text, *pieces) == items


def test_parameters_sharing_values_share_one_pool_of_swapped_in_values() -> None:
    from chatops.engine.agent import Agent, Intent, Parameter, PhrasePart, TrainingPhrase
    from chatops.engine.nlu.augment import value_pools

    def phrase(*parts: tuple[str, str | None]) -> TrainingPhrase:
        return TrainingPhrase(tuple(PhrasePart(text, parameter) for text, parameter in parts))

    migrate = Intent("migrate", phrases=(
        phrase(("move it from ", None), ("prod-gke", "source"), (" to ", None), ("dr-aks", "target")),
        phrase(("move it from ", None), ("dr-aks", "source"), (" to ", None), ("prod-gke", "target")),
        phrase(("copy it to ", None), ("staging-eks", "target"), (" as ", None), ("dr-aks", "copy")),
        phrase(("copy it to ", None), ("dr-aks", "target"), (" as ", None), ("prod-gke-2", "copy")),
    ), parameters=tuple(Parameter(name, "sys.any") for name in ("source", "target", "copy")))
    pools = value_pools(Agent(intents={"migrate": migrate}), [migrate])
    # a cluster seen only as a target is swapped in as a source too; one shared value is not enough to merge
    assert pools["source"] == pools["target"] == ["dr-aks", "prod-gke", "staging-eks"]
    assert pools["copy"] == ["dr-aks", "prod-gke-2"]
