"""Multinomial logistic regression on sparse rows, trained by mini-batch AdaGrad.

AdaGrad suits sparse text features: rare n-grams keep a large step size while
frequent ones settle, so a few epochs reach a good optimum. Only the rows of
the weight matrix a batch touches are updated (lazy L2), which keeps an
epoch linear in the number of non-zeros.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chatops.engine.nlu.sparse import Rows


@dataclass(frozen=True)
class Fit:
    epochs: int = 0  # 0: chosen from the data size
    batch: int = 0  # 0: 64, or 1/64 of the data when that is larger (a step's fixed cost then pays off)
    rate: float = 0.5
    l2: float = 1e-6
    seed: int = 0


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


class _Batch:
    """A fixed batch with its columns grouped once, so each step only gathers and sums."""

    def __init__(self, rows: Rows, labels: np.ndarray) -> None:
        self.rows = rows
        self.labels = labels
        order = np.argsort(rows.indices, kind="stable")
        sorted_cols = rows.indices[order]
        boundaries = np.flatnonzero(np.diff(sorted_cols)) + 1
        self.starts = np.concatenate(([0], boundaries))
        self.columns = sorted_cols[self.starts]
        self.row_of = rows.row_ids()[order]
        self.values = rows.data[order][:, None]


def train_softmax(
    rows: Rows, labels: np.ndarray, *, n_features: int, n_classes: int, fit: Fit = Fit(),
) -> np.ndarray:
    """Weights (features x classes) minimising the L2-regularised cross-entropy."""
    rng = np.random.default_rng(fit.seed)
    order = rng.permutation(len(rows))
    shuffled, labels = rows.take(order), labels[order]
    size = fit.batch or max(64, len(rows) // 64)
    batches = [_Batch(shuffled.slice(a, min(a + size, len(rows))), labels[a : a + size]) for a in range(0, len(rows), size)]
    epochs = fit.epochs or int(np.clip(np.ceil(150 / len(batches)), 3, 100))
    weights = np.zeros((n_features, n_classes), dtype=np.float32)
    history = np.full((n_features, n_classes), 1e-6, dtype=np.float32)
    for _ in range(epochs):
        for index in rng.permutation(len(batches)):
            _step(batches[index], weights, history, fit)
    return weights


def _step(batch: _Batch, weights: np.ndarray, history: np.ndarray, fit: Fit) -> None:
    probs = softmax(batch.rows.dot(weights))
    probs[np.arange(len(batch.labels)), batch.labels] -= 1.0
    probs /= len(batch.labels)
    contrib = probs[batch.row_of] * batch.values
    grad = np.add.reduceat(contrib, batch.starts, axis=0)
    touched = weights[batch.columns]
    grad += fit.l2 * touched
    history[batch.columns] += grad * grad
    weights[batch.columns] = touched - fit.rate * grad / np.sqrt(history[batch.columns])
