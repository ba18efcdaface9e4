"""A linear-chain CRF over sparse token features, trained by mini-batch AdaGrad.

Forward-backward runs in probability space with per-step scaling, vectorised
over the sentences of a batch (padded to the longest; padding carries the
previous step through unchanged), so one step is a small matrix product. The
gradient of the negative log-likelihood is expected minus observed feature
counts, plus an L2 term.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chatops.engine.nlu.sparse import Rows

FORBIDDEN = -1e4
SMALL = 128  # sentences


@dataclass(frozen=True)
class CRFFit:
    epochs: int = 0  # 0: chosen from the data size
    batch: int = 32
    rate: float = 0.3
    l2: float = 1e-5
    seed: int = 0


class _Batch:
    """Sentences of similar length, with their feature columns grouped once for the gradient."""

    def __init__(self, rows: Rows, lengths: np.ndarray, gold: np.ndarray) -> None:
        self.rows = rows
        self.lengths = lengths
        self.gold = gold
        longest = int(lengths.max())
        self.mask = np.arange(longest)[None, :] < lengths[:, None]
        order = np.argsort(rows.indices, kind="stable")
        sorted_cols = rows.indices[order]
        self.starts = np.concatenate(([0], np.flatnonzero(np.diff(sorted_cols)) + 1))
        self.columns = sorted_cols[self.starts]
        self.token_of = rows.row_ids()[order]
        self.values = rows.data[order][:, None]
        starts = np.concatenate(([0], np.cumsum(lengths)))[:-1]
        self.is_first = np.zeros(len(gold), dtype=bool)
        self.is_first[starts] = True


def make_batches(rows: Rows, lengths: np.ndarray, gold: np.ndarray, size: int, rng: np.random.Generator) -> list[_Batch]:
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    order = np.argsort(lengths + rng.random(len(lengths)), kind="stable")
    batches = []
    for a in range(0, len(order), size):
        chosen = order[a : a + size]
        tokens = np.concatenate([np.arange(offsets[i], offsets[i + 1]) for i in chosen])
        batches.append(_Batch(rows.take(tokens), lengths[chosen], gold[tokens]))
    return batches


def marginals(emissions: np.ndarray, mask: np.ndarray, transitions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-token label marginals (tokens x labels), expected transition counts, expected start counts."""
    n_labels = emissions.shape[1]
    padded = np.zeros((*mask.shape, n_labels))
    padded[mask] = emissions - emissions.max(axis=1, keepdims=True)
    weights = np.exp(padded)
    step = np.exp(transitions[:-1])
    start = np.exp(transitions[-1])
    n, longest = mask.shape
    alpha = np.empty_like(weights)
    scale = np.ones((n, longest))
    current = start[None, :] * weights[:, 0]
    for t in range(longest):
        if t:
            proposed = (alpha[:, t - 1] @ step) * weights[:, t]
            current = np.where(mask[:, t][:, None], proposed, alpha[:, t - 1])
        total = current.sum(axis=1)
        live = mask[:, t]
        scale[live, t] = total[live]
        alpha[:, t] = current / scale[:, t][:, None]
    beta = np.ones_like(weights)
    for t in range(longest - 1, 0, -1):
        carried = (weights[:, t] * beta[:, t] / scale[:, t][:, None]) @ step.T
        beta[:, t - 1] = np.where(mask[:, t][:, None], carried, beta[:, t])
    unary = alpha * beta
    unary /= unary.sum(axis=2, keepdims=True)
    later = mask[:, 1:]
    previous = alpha[:, :-1][later]
    following = (weights[:, 1:] * beta[:, 1:] / scale[:, 1:, None])[later]
    pairs = step * (previous.T @ following)
    return unary[mask], pairs, unary[:, 0].sum(axis=0)


def observed(gold: np.ndarray, is_first: np.ndarray, n_labels: int) -> tuple[np.ndarray, np.ndarray]:
    pairs = np.zeros((n_labels, n_labels))
    follows = ~is_first[1:]
    np.add.at(pairs, (gold[:-1][follows], gold[1:][follows]), 1.0)
    return pairs, np.bincount(gold[is_first], minlength=n_labels).astype(np.float64)


def train_crf(
    rows: Rows, lengths: np.ndarray, gold: np.ndarray, *, n_features: int, allowed: np.ndarray, fit: CRFFit = CRFFit(),
) -> tuple[np.ndarray, np.ndarray]:
    """Emission weights (features x labels) and transitions ((labels + 1) x labels, last row: start)."""
    n_labels = allowed.shape[1]
    rng = np.random.default_rng(fit.seed)
    # A small intent is one batch: per-step overhead, not arithmetic, is what costs there.
    batches = make_batches(rows, lengths, gold, fit.batch if len(lengths) > SMALL else SMALL, rng)
    emissions = np.zeros((n_features, n_labels))
    emission_history = np.full_like(emissions, 1e-8)
    transitions = np.where(allowed, 0.0, FORBIDDEN)
    transition_history = np.full_like(transitions, 1e-8)
    epochs = fit.epochs or int(np.clip(np.ceil(60 / len(batches)), 3, 12))
    for _ in range(epochs):
        for index in rng.permutation(len(batches)):
            batch = batches[index]
            scale = 1.0 / len(batch.lengths)
            unary, pairs, starts = marginals(batch.rows.dot(emissions), batch.mask, transitions)
            unary[np.arange(len(batch.gold)), batch.gold] -= 1.0
            grad = np.add.reduceat(unary[batch.token_of] * batch.values, batch.starts, axis=0) * scale
            touched = emissions[batch.columns]
            grad += fit.l2 * touched
            emission_history[batch.columns] += grad * grad
            emissions[batch.columns] = touched - fit.rate * grad / np.sqrt(emission_history[batch.columns])
            gold_pairs, gold_starts = observed(batch.gold, batch.is_first, n_labels)
            tgrad = np.vstack([pairs - gold_pairs, starts - gold_starts]) * scale * allowed
            transition_history += tgrad * tgrad
            transitions = np.where(allowed, transitions - fit.rate * tgrad / np.sqrt(transition_history), FORBIDDEN)
    return emissions.astype(np.float32), transitions
