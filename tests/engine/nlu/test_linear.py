"""The linear models (softmax, squared hinge): the dense-batch step and the sparse step learn the same weights."""

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


def _train(monkeypatch: pytest.MonkeyPatch, dense_cells: int, loss: str = "softmax") -> tuple[Featurizer, np.ndarray]:
    texts = [t for label in TEXTS for t in TEXTS[label]]
    labels = np.array([label for label in TEXTS for _ in TEXTS[label]])
    featurizer, rows = Featurizer.fit_transform(texts)
    monkeypatch.setattr(linear, "DENSE_CELLS", dense_cells)
    monkeypatch.setattr(linear, "DENSE_CLASSES", 2)
    fit = linear.Fit(epochs=20, batch=4, loss=loss)
    return featurizer, linear.train_linear(rows, labels, n_features=featurizer.n_features, n_classes=3, fit=fit)


@pytest.mark.parametrize("loss", linear.LOSSES)
def test_dense_and_sparse_steps_agree(monkeypatch: pytest.MonkeyPatch, loss: str) -> None:
    _, dense = _train(monkeypatch, 1 << 30, loss)
    _, sparse = _train(monkeypatch, 0, loss)
    assert np.abs(dense).max() > 0.1  # something was learned
    np.testing.assert_allclose(dense, sparse, atol=1e-5)


@pytest.mark.parametrize("loss", linear.LOSSES)
def test_the_fit_separates_unseen_phrasings(monkeypatch: pytest.MonkeyPatch, loss: str) -> None:
    featurizer, weights = _train(monkeypatch, 1 << 30, loss)
    for text, label in [("list pods", 0), ("a funny joke", 1), ("rotate the webhook certificate", 2)]:
        cols, vals = featurizer.transform_one(text)
        assert int(np.argmax(vals @ weights[cols])) == label


def test_the_hinge_s_margins_stop_near_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # Unlike cross-entropy, the squared hinge does not push a phrase's own score past the margin of 1.
    featurizer, weights = _train(monkeypatch, 1 << 30, "hinge")
    cols, vals = featurizer.transform_one("list the pods")
    scores = vals @ weights[cols]
    assert 0.5 < scores[0] < 1.5 and scores[1:].max() < 0


@pytest.mark.parametrize("loss", linear.LOSSES)
def test_the_penalty_holds_the_weights_of_a_small_data_set_back(monkeypatch: pytest.MonkeyPatch, loss: str) -> None:
    # The penalty is the data set's, spread over its rows: a few phrases are regularised as LinearSVC's C=1 does.
    _, default = _train(monkeypatch, 1 << 30, loss)
    monkeypatch.setattr(linear, "PENALTIES", {"softmax": 1e-9, "hinge": 1e-9})
    _, bare = _train(monkeypatch, 1 << 30, loss)
    assert np.linalg.norm(default) < 0.9 * np.linalg.norm(bare)


def test_an_unknown_loss_is_refused() -> None:
    featurizer, rows = Featurizer.fit_transform(["list pods", "tell a joke"])
    with pytest.raises(ValueError, match="unknown loss 'log'"):
        linear.train_linear(rows, np.array([0, 1]), n_features=featurizer.n_features, n_classes=2, fit=linear.Fit(loss="log"))
