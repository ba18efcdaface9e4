"""Linear models on sparse rows, trained by mini-batch AdaGrad: softmax regression, or a one-vs-rest squared hinge.

The squared hinge (what LinearSVC minimises) stops pulling on a phrase once
its margin is 1, so with one or two phrases per intent it does not drive the
weights of those few n-grams up without bound as cross-entropy does; which of
the two an agent gets is chosen by its held-out folds (``intents``).

AdaGrad suits sparse text features: rare n-grams keep a large step size while
frequent ones settle, so a few epochs reach a good optimum. Only the rows of
the weight matrix a batch touches are updated (lazy L2), which keeps an
epoch linear in the number of non-zeros.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chatops.engine.nlu.sparse import Rows

DENSE_CELLS = 1 << 22  # 16 MB of float32 per step at most
DENSE_CLASSES = 16  # with fewer classes, filling the dense block each step costs what BLAS saves
KEPT_CELLS = 1 << 23  # 32 MB of float32: a small agent's batches stay dense from the first epoch to the last


@dataclass(frozen=True)
class Fit:
    epochs: int = 0  # 0: chosen from the data size
    batch: int = 0  # 0: 64, or 1/64 of the data when that is larger (a step's fixed cost then pays off)
    rate: float = 0.0  # 0: the loss's own (RATES)
    l2: float = 0.0  # 0: the loss's own (PENALTIES); the penalty of the whole data set, a step's is l2 / rows
    seed: int = 0
    loss: str = "softmax"  # or "hinge"; IntentClassifier's held-out folds choose it per agent


LOSSES = ("softmax", "hinge")
RATES = {"softmax": 0.5, "hinge": 0.1}  # the hinge's scores are margins near 1, not logits: a smaller step
PENALTIES = {"softmax": 0.03, "hinge": 3.0}  # chosen by cross-validation on training files: `python bench/nlu/tune.py --penalty`


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


class _Batch:
    """A fixed batch with its columns numbered locally once.

    A step works on the batch as a dense (rows x touched columns) matrix: two
    BLAS products cost less than gathering and segment-summing every non-zero
    times every class (``reduceat`` over thousands of short column segments is
    slow). When all batches fit in ``KEPT_CELLS`` their dense matrices are
    built once; otherwise each step fills its own, which pays off only with
    many classes. A batch too wide to hold densely keeps the sparse path.
    """

    def __init__(self, rows: Rows, labels: np.ndarray, scale: np.ndarray, n_classes: int, *, keep: bool) -> None:
        self.rows = rows
        self.labels = labels
        self.scale = scale[:, None]
        self.columns, local = np.unique(rows.indices, return_inverse=True)
        self.dense = (keep or n_classes >= DENSE_CLASSES) and len(rows) * len(self.columns) <= DENSE_CELLS
        self.kept: np.ndarray | None = None
        if self.dense:
            self.cells = (rows.row_ids(), local)
            if keep:
                self.kept = self.matrix()
        else:
            order = np.argsort(rows.indices, kind="stable")
            self.starts = np.concatenate(([0], np.flatnonzero(np.diff(rows.indices[order])) + 1))
            self.row_of = rows.row_ids()[order]
            self.values = rows.data[order][:, None]

    def matrix(self) -> np.ndarray:
        if self.kept is not None:
            return self.kept
        dense = np.zeros((len(self.rows), len(self.columns)), dtype=np.float32)
        dense[self.cells] = self.rows.data  # a row's columns are distinct, so nothing is overwritten
        return dense


def batch_size(n_rows: int, fit: Fit) -> int:
    return fit.batch or max(64, n_rows // 64)


def default_epochs(n_rows: int, fit: Fit) -> int:
    """About 150 steps; two passes over a large agent (its 64 batches) score as three did on Snips and the synthetic set."""
    return int(np.clip(150 // -(-n_rows // batch_size(n_rows, fit)), 2, 100))


def train_linear(
    rows: Rows, labels: np.ndarray, *, n_features: int, n_classes: int, fit: Fit = Fit(),
    sample_weights: np.ndarray | None = None,
) -> np.ndarray:
    """Weights (features x classes) minimising the L2-regularised, sample-weighted loss ``fit.loss``."""
    if fit.loss not in LOSSES:
        raise ValueError(f"unknown loss {fit.loss!r}: expected one of {', '.join(LOSSES)}")
    rng = np.random.default_rng(fit.seed)
    order = rng.permutation(len(rows))
    shuffled, labels = rows.take(order), labels[order]
    scale = (np.ones(len(rows)) if sample_weights is None else sample_weights)[order].astype(np.float32)
    size = batch_size(len(rows), fit)
    keep = len(rows) * n_features <= KEPT_CELLS  # a bound on the batches' cells together
    batches = [
        _Batch(shuffled.slice(a, min(a + size, len(rows))), labels[a : a + size], scale[a : a + size], n_classes, keep=keep)
        for a in range(0, len(rows), size)
    ]
    epochs = fit.epochs or default_epochs(len(rows), fit)
    weights = np.zeros((n_features, n_classes), dtype=np.float32)
    history = np.full((n_features, n_classes), 1e-6, dtype=np.float32)
    penalty = (fit.l2 or PENALTIES[fit.loss]) / len(rows)
    for _ in range(epochs):
        for index in rng.permutation(len(batches)):
            _step(batches[index], weights, history, fit, penalty)
    return weights


def _softmax_gradient(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    probs = softmax(logits)
    probs[np.arange(len(labels)), labels] -= 1.0
    return probs


def _hinge_gradient(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Of the squared hinge max(0, 1 - y s)^2 summed over the classes, y = +1 for the phrase's class, -1 for the others."""
    signs = np.full(scores.shape, -1.0, dtype=np.float32)
    signs[np.arange(len(labels)), labels] = 1.0
    return -2.0 * signs * np.maximum(0.0, 1.0 - signs * scores)


def _step(batch: _Batch, weights: np.ndarray, history: np.ndarray, fit: Fit, penalty: float) -> None:
    touched = weights[batch.columns]
    if batch.dense:
        matrix = batch.matrix()
        scores = matrix @ touched
    else:
        scores = batch.rows.dot(weights)
    slopes = _hinge_gradient(scores, batch.labels) if fit.loss == "hinge" else _softmax_gradient(scores, batch.labels)
    slopes *= batch.scale / len(batch.labels)
    if batch.dense:
        grad = matrix.T @ slopes
    else:
        grad = np.add.reduceat(slopes[batch.row_of] * batch.values, batch.starts, axis=0)
    grad += penalty * touched
    seen = history[batch.columns] + grad * grad
    history[batch.columns] = seen
    weights[batch.columns] = touched - (fit.rate or RATES[fit.loss]) * grad / np.sqrt(seen)
