"""Linear-chain CRFs over sparse token features, trained by mini-batch AdaGrad, many in lockstep.

Forward-backward runs in probability space with per-step scaling, vectorised
over the sentences of a batch (sorted longest first, so the sentences still
running at step t are the first rows), so one step is a few small array
operations. The gradient of the negative log-likelihood is expected minus
observed feature counts, plus an L2 term.

An agent has a tagger per intent, and a small intent's tagger takes a few
dozen steps over a few hundred tokens each: numpy's per-call overhead, not
arithmetic, would be the cost of training them one by one. ``train_crfs``
steps the chains of one label count together: a joint step is one batch of
each chain, and since each has its own feature columns and transitions, each
gets exactly the updates it would get alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from chatops.engine.nlu.sparse import Rows

FORBIDDEN = -1e4
SMALL = 128  # sentences
# About this many AdaGrad steps per tagger (3 to 30 epochs): 40 scored as 60 did in 3-fold cross-validation on the
# Snips 2017 and synthetic training files (entity F1 0.8857 / 0.8852, 0.9237 / 0.9225) in a third less of the time
# of intents above SMALL sentences; a single batch keeps its 30 epochs.
STEPS = 40


@dataclass(frozen=True)
class CRFFit:
    """Training settings; features are binary (each token row's values are all 1)."""

    epochs: int = 0  # 0: chosen from the data size
    batch: int = 32
    rate: float = 0.3
    l2: float = 1e-5
    seed: int = 0


@dataclass(frozen=True)
class Chain:
    """One tagger's training data: a row of feature columns per token, sentence lengths, gold label numbers."""

    rows: Rows
    lengths: np.ndarray
    gold: np.ndarray
    n_features: int
    allowed: np.ndarray  # (labels + 1) x labels, shaped as the transitions


class _Batch:
    """Sentences of one chain of similar length, longest first, with their feature columns numbered locally once.

    A token's scores are one ``reduceat`` over its row (a few dozen columns);
    a column's sums are one ``bincount`` over column x label keys, which with
    a handful of labels beats ``reduceat`` over thousands of segments of one
    or two tokens.
    """

    def __init__(self, rows: Rows, lengths: np.ndarray, gold: np.ndarray, n_labels: int) -> None:
        self.lengths = lengths
        self.gold = gold
        self.columns, local = np.unique(rows.indices, return_inverse=True)
        self.local = local.astype(np.int64)
        self.token_of = rows.row_ids()
        self.row_starts = rows.indptr[:-1]
        self.column_keys = (self.local[:, None] * n_labels + np.arange(n_labels)).ravel()
        self.observed = observed(gold, lengths, n_labels)


class _Plan:
    """A chain's batches and the order it takes them in: the draws of training it alone."""

    def __init__(self, chain: Chain, fit: CRFFit) -> None:
        rng = np.random.default_rng(fit.seed)
        # A small intent is one batch: per-step overhead, not arithmetic, is what costs there.
        size = fit.batch if len(chain.lengths) > SMALL else SMALL
        offsets = np.concatenate(([0], np.cumsum(chain.lengths)))
        order = np.argsort(-(chain.lengths + rng.random(len(chain.lengths))), kind="stable")
        self.batches = []
        for a in range(0, len(order), size):
            chosen = order[a : a + size]
            tokens = np.concatenate([np.arange(offsets[i], offsets[i + 1]) for i in chosen])
            self.batches.append(_Batch(chain.rows.take(tokens), chain.lengths[chosen], chain.gold[tokens], chain.allowed.shape[1]))
        epochs = fit.epochs or int(np.clip(np.ceil(STEPS / len(self.batches)), 3, 30))
        self.schedule = np.concatenate([rng.permutation(len(self.batches)) for _ in range(epochs)])


class _Joint:
    """One batch of each of several chains as one batch, their columns, tokens and non-zeros numbered apart."""

    def __init__(self, batches: Sequence[_Batch], feature_offsets: np.ndarray, n_labels: int) -> None:
        columns = np.cumsum([0, *(len(b.columns) for b in batches)])
        tokens = np.cumsum([0, *(len(b.gold) for b in batches)])
        nonzeros = np.cumsum([0, *(len(b.local) for b in batches)])
        self.columns = np.concatenate([b.columns + offset for b, offset in zip(batches, feature_offsets)])
        self.local = np.concatenate([b.local + base for b, base in zip(batches, columns)])
        self.token_of = np.concatenate([b.token_of + base for b, base in zip(batches, tokens)])
        self.row_starts = np.concatenate([b.row_starts + base for b, base in zip(batches, nonzeros)])
        self.column_keys = np.concatenate([b.column_keys + base * n_labels for b, base in zip(batches, columns)])
        self.lengths = np.concatenate([b.lengths for b in batches])
        self.gold = np.concatenate([b.gold for b in batches])
        sizes = np.array([len(b.lengths) for b in batches])
        self.chain_of = np.repeat(np.arange(len(batches)), sizes)  # per sentence
        self.scale = 1.0 / sizes  # per chain: each chain's gradient is its batch's mean
        self.gold_pairs = np.stack([b.observed[0] for b in batches])
        self.gold_starts = np.stack([b.observed[1] for b in batches])

    def scores(self, touched: np.ndarray) -> np.ndarray:
        """Per-token emission scores from the touched columns' weights (features are binary)."""
        return np.add.reduceat(touched[self.local], self.row_starts, axis=0)

    def column_sums(self, residual: np.ndarray) -> np.ndarray:
        """Per touched column, the sum of its tokens' rows of ``residual``."""
        sums = np.bincount(self.column_keys, weights=residual[self.token_of].ravel(), minlength=len(self.columns) * residual.shape[1])
        return sums.reshape(len(self.columns), residual.shape[1])


def marginals(
    emissions: np.ndarray, lengths: np.ndarray, transitions: np.ndarray, chain_of: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-token label marginals (tokens x labels), and per chain the expected transition and start counts.

    ``emissions`` hold the tokens of the sentences of ``lengths`` one after
    another; sentence i is of chain ``chain_of[i]``, whose transitions are
    ``transitions[chain_of[i]]`` ((labels + 1) x labels, the last row the start).
    """
    n_chains, n_labels = transitions.shape[0], emissions.shape[1]
    order = np.argsort(-lengths, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    sentence = np.repeat(np.arange(len(lengths)), lengths)
    position = np.arange(len(sentence)) - np.concatenate(([0], np.cumsum(lengths)[:-1]))[sentence]
    cell = (rank[sentence], position)  # each token's row and step in the sorted layout
    ordered, chains = lengths[order], chain_of[order]
    live = np.count_nonzero(ordered[None, :] > np.arange(int(ordered[0]))[:, None], axis=1)
    weights = np.zeros((len(lengths), int(ordered[0]), n_labels))
    weights[cell] = np.exp(emissions - emissions.max(axis=1, keepdims=True))
    exp = np.exp(transitions)
    steps = exp[chains, :-1]
    alpha = np.zeros_like(weights)
    scale = np.ones(weights.shape[:2])
    current = exp[chains, -1] * weights[:, 0]
    for t, k in enumerate(live):
        if t:
            current = np.einsum("bi,bij->bj", alpha[:k, t - 1], steps[:k]) * weights[:k, t]
        scale[:k, t] = current.sum(axis=1)
        alpha[:k, t] = current / scale[:k, t, None]
    beta = np.ones_like(weights)
    for t in range(len(live) - 1, 0, -1):
        k = live[t]
        beta[:k, t - 1] = np.einsum("bj,bij->bi", weights[:k, t] * beta[:k, t] / scale[:k, t, None], steps[:k])
    unary = (alpha * beta)[cell]
    unary /= unary.sum(axis=1, keepdims=True)
    later = position > 0
    rows, at = cell[0][later], cell[1][later]
    following = weights[rows, at] * beta[rows, at] / scale[rows, at, None]
    outer = alpha[rows, at - 1][:, :, None] * following[:, None, :]
    square = n_labels * n_labels
    keys = (chain_of[sentence[later]][:, None] * square + np.arange(square)).ravel()
    pairs = np.bincount(keys, weights=outer.ravel(), minlength=n_chains * square).reshape(n_chains, n_labels, n_labels)
    start_keys = (chains[:, None] * n_labels + np.arange(n_labels)).ravel()
    starts = np.bincount(start_keys, weights=(alpha[:, 0] * beta[:, 0]).ravel(), minlength=n_chains * n_labels)
    return unary, exp[:, :-1] * pairs, starts.reshape(n_chains, n_labels)


def observed(gold: np.ndarray, lengths: np.ndarray, n_labels: int) -> tuple[np.ndarray, np.ndarray]:
    """Label-bigram and first-label counts of the gold paths."""
    is_first = np.zeros(len(gold), dtype=bool)
    is_first[np.concatenate(([0], np.cumsum(lengths)))[:-1]] = True
    pairs = np.zeros((n_labels, n_labels))
    follows = ~is_first[1:]
    np.add.at(pairs, (gold[:-1][follows], gold[1:][follows]), 1.0)
    return pairs, np.bincount(gold[is_first], minlength=n_labels).astype(np.float64)


def train_crfs(chains: Sequence[Chain], *, fit: CRFFit = CRFFit()) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per chain, emission weights (features x labels) and transitions ((labels + 1) x labels, last row: start)."""
    groups: dict[int, list[int]] = {}
    for i, chain in enumerate(chains):
        groups.setdefault(chain.allowed.shape[1], []).append(i)
    trained: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for members in groups.values():
        trained.update(zip(members, _lockstep([chains[i] for i in members], fit)))
    return [trained[i] for i in range(len(chains))]


def _lockstep(chains: Sequence[Chain], fit: CRFFit) -> list[tuple[np.ndarray, np.ndarray]]:
    """Chains of one label count, each through its own schedule of batches, one joint step per step."""
    n_labels = chains[0].allowed.shape[1]
    plans = [_Plan(chain, fit) for chain in chains]
    offsets = np.cumsum([0, *(chain.n_features for chain in chains)])
    emissions = np.zeros((int(offsets[-1]), n_labels))
    emission_history = np.full_like(emissions, 1e-8)
    allowed = np.stack([chain.allowed for chain in chains])
    transitions = np.where(allowed, 0.0, FORBIDDEN)
    transition_history = np.full_like(transitions, 1e-8)
    for s in range(max(len(plan.schedule) for plan in plans)):
        live = np.array([k for k, plan in enumerate(plans) if s < len(plan.schedule)])
        batch = _Joint([plans[k].batches[plans[k].schedule[s]] for k in live], offsets[live], n_labels)
        touched = emissions[batch.columns]
        unary, pairs, starts = marginals(batch.scores(touched), batch.lengths, transitions[live], batch.chain_of)
        unary[np.arange(len(batch.gold)), batch.gold] -= 1.0
        unary *= np.repeat(batch.scale[batch.chain_of], batch.lengths)[:, None]
        grad = batch.column_sums(unary)
        grad += fit.l2 * touched
        seen = emission_history[batch.columns] + grad * grad
        emission_history[batch.columns] = seen
        emissions[batch.columns] = touched - fit.rate * grad / np.sqrt(seen)
        tgrad = np.concatenate([pairs - batch.gold_pairs, (starts - batch.gold_starts)[:, None]], axis=1)
        tgrad *= batch.scale[:, None, None] * allowed[live]
        transition_history[live] += tgrad * tgrad
        # Forbidden cells get a zero gradient, so they stay FORBIDDEN.
        transitions[live] -= fit.rate * tgrad / np.sqrt(transition_history[live])
    return [(emissions[offsets[k] : offsets[k + 1]].astype(np.float32), transitions[k]) for k in range(len(chains))]
