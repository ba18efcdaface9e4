"""Softmax regression: the dense-batch step and the sparse step learn the same weights."""

from __future__ import annotations

import numpy as np
import pytest

from chatops.engine.nlu import linear
from chatops.engine.nlu.featurizer import Featurizer

TEXTS = {
    0: ["list the pods", "show pods in kube-system", "which pods run in observability"],
    1: ["tell me a joke", "say something funny", "make me laugh with a joke"],
    2: ["rotate the certificate", "renew the webhook cert", "rotate certs now"],
}


def _train(monkeypatch: pytest.MonkeyPatch, dense_cells: int) -> tuple[Featurizer, np.ndarray]:
    texts = [t for label in TEXTS for t in TEXTS[label]]
    labels = np.array([label for label in TEXTS for _ in TEXTS[label]])
    featurizer, rows = Featurizer.fit_transform(texts)
    monkeypatch.setattr(linear, "DENSE_CELLS", dense_cells)
    monkeypatch.setattr(linear, "DENSE_CLASSES", 2)
    fit = linear.Fit(epochs=20, batch=4)
    return featurizer, linear.train_softmax(rows, labels, n_features=featurizer.n_features, n_classes=3, fit=fit)


def test_dense_and_sparse_steps_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    _, dense = _train(monkeypatch, 1 << 30)
    _, sparse = _train(monkeypatch, 0)
    assert np.abs(dense).max() > 0.1  # something was learned
    np.testing.assert_allclose(dense, sparse, atol=1e-5)


def test_the_fit_separates_unseen_phrasings(monkeypatch: pytest.MonkeyPatch) -> None:
    featurizer, weights = _train(monkeypatch, 1 << 30)
    for text, label in [("list pods", 0), ("a funny joke", 1), ("rotate the webhook certificate", 2)]:
        cols, vals = featurizer.transform_one(text)
        assert int(np.argmax(vals @ weights[cols])) == label
