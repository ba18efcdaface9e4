"""The intent classifier: tf-idf n-grams, a softmax or squared-hinge linear model, an out-of-scope class, calibrated confidence.

The last class is "none of the intents": it learns from synthetic nonsense and
from the phrases of fallback intents (or a corpus's ``None`` examples). Its
probability is what an unrelated utterance's mass flows to, so the scores of
real intents stay low for such input. Restricting to candidates renormalises
over the candidates and the out-of-scope class. The reported confidence is the
calibrated one (``calibration``): the estimated probability that the answer
is right.
"""

from __future__ import annotations

import dataclasses
from typing import Collection, Sequence

import numpy as np

from chatops.engine.nlu import IntentScore
from chatops.engine.nlu.calibration import Calibration, fit_calibration
from chatops.engine.nlu.featurizer import BIAS, Featurizer
from chatops.engine.nlu.linear import LOSSES, Fit, default_epochs, train_linear
from chatops.engine.nlu.negatives import out_of_scope, unrelated_requests
from chatops.engine.nlu.sparse import Rows

FOLDS = 3
CALIBRATION_SAMPLE = 1000  # in-scope phrases calibration samples at most: bounds the training time of large agents
SAMPLED_EPOCHS = 4  # a sampled agent's fold models: a few passes, as its full model makes over its many batches
# The losses a sampled agent's folds compare. Its fold models (a sample, SAMPLED_EPOCHS passes) need not rank the
# losses as its full model (two passes over every phrase) would: cross-validated on whole training files, letting
# them pick the hinge scored no better (macro F1 0.8805 against 0.8808: `python bench/nlu/tune.py --large`), and
# the hinge's fold fit is saved.
SAMPLED_LOSSES: tuple[str, ...] = ("softmax",)
CHAR_WEIGHTS = (1.0, 0.3)  # of the character n-gram block; each agent's held-out folds choose
SMALL_AGENT = 6  # phrases per intent (the median) up to which the confidence is calibrated as "in scope"
SIGNIFICANCE = 2.0  # standard deviations by which a setting must beat the default on a small agent's held-out folds
IN_SCOPE_PRIOR = 1.5  # odds of "in scope" the calibration assumes; chosen by cross-validation on Snips training data


class IntentClassifier:
    def __init__(
        self, featurizer: Featurizer, weights: np.ndarray, intents: Sequence[str], calibration: Calibration = Calibration(),
    ) -> None:
        self.featurizer = featurizer
        self.weights = weights
        self.intents = list(intents)
        self.index = {name: i for i, name in enumerate(self.intents)}
        self.none = len(self.intents)
        self.calibration = calibration
        self.serving = calibration.folded(weights, bias=BIAS)  # one product gives the calibrated logits

    @classmethod
    def train(
        cls, examples: Sequence[tuple[str, str]], *, negatives: Sequence[str] = (), fit: Fit = Fit(),
    ) -> IntentClassifier:
        """``examples`` are (intent, text); ``negatives`` are known out-of-scope texts."""
        intents = sorted({intent for intent, _ in examples})
        index = {name: i for i, name in enumerate(intents)}
        synthetic = out_of_scope(examples, int(np.clip(len(examples) // 4, 30, 2000)), seed=fit.seed)
        none_texts = [*negatives, *unrelated_requests(examples), *synthetic]
        labels = np.array([index[intent] for intent, _ in examples] + [len(intents)] * len(none_texts))
        texts = [text for _, text in examples] + none_texts
        char_weight, fit, calibration = _calibrate(texts, labels, len(intents), len(examples), fit)
        featurizer, weights = _fit(texts, labels, len(intents), fit, char_weight)
        return cls(featurizer, weights, intents, calibration)

    def probabilities(self, text: str, candidates: Collection[str] | None = None) -> tuple[list[str], np.ndarray]:
        """Candidate names and their calibrated probabilities; the out-of-scope share is 1 minus their sum."""
        wanted = None if candidates is None else set(candidates)  # the engine passes a list: no scan per intent
        names = self.intents if wanted is None else [c for c in self.intents if c in wanted]
        if not names:
            return [], np.zeros(0)
        cols, vals = self.featurizer.transform_one(text)
        logits = vals @ self.serving[cols]
        if candidates is not None:
            logits = logits[[self.index[name] for name in names] + [self.none]]
        exp = np.exp(logits - logits.max())
        return names, exp[:-1] / exp.sum()

    def classify(self, text: str, candidates: Collection[str] | None = None) -> list[IntentScore]:
        return ranked(*self.probabilities(text, candidates))


def ranked(names: Sequence[str], confidences: np.ndarray, at_least: float = 0.0) -> list[IntentScore]:
    """Highest first (a tie keeps the names' order); of those below ``at_least``, only the best if it is one."""
    order = np.argsort(-confidences, kind="stable")
    kept = order[: max(1, int(np.count_nonzero(confidences >= at_least)))].tolist()
    return [IntentScore(names[i], c) for i, c in zip(kept, confidences[kept].tolist())]


def _fit(texts: Sequence[str], labels: np.ndarray, n_intents: int, fit: Fit, char_weight: float) -> tuple[Featurizer, np.ndarray]:
    featurizer, rows = Featurizer.fit_transform(texts, char_weight=char_weight)
    return featurizer, _train(rows, labels, n_intents, fit, featurizer.n_features)


def _train(rows: Rows, labels: np.ndarray, n_intents: int, fit: Fit, n_features: int) -> np.ndarray:
    return train_linear(
        rows, labels, n_features=n_features, n_classes=n_intents + 1, fit=fit, sample_weights=balance(labels, n_intents),
    )


def balance(labels: np.ndarray, n_intents: int) -> np.ndarray:
    """Per-example weights: small intents count more (by the square root of the size ratio, a half-way balance),
    and the out-of-scope texts weigh at most what all the in-scope phrases weigh, so that in a small agent the
    hundreds of negatives do not drown its few phrases."""
    counts = np.bincount(labels, minlength=n_intents + 1).astype(np.float64)
    in_scope = counts[:n_intents]
    mean = in_scope[in_scope > 0].mean() if (in_scope > 0).any() else 1.0
    per_class = np.ones(n_intents + 1)
    per_class[:n_intents] = np.sqrt(mean / np.maximum(in_scope, 1))
    if counts[n_intents]:
        per_class[n_intents] = min(1.0, in_scope.sum() / counts[n_intents])
    return per_class[labels]


def _calibrate(
    texts: Sequence[str], labels: np.ndarray, n_intents: int, n_examples: int, fit: Fit,
) -> tuple[float, Fit, Calibration]:
    """The character block's weight, the loss, and the temperature scaling of the logits, all from held-out folds.

    The softmax trains the same folds with each weight of ``CHAR_WEIGHTS``,
    then the squared hinge with the weight that won (a third fit, not a
    fourth: the weight depends on the agent's words more than on the loss),
    unless the agent is sampled (``SAMPLED_LOSSES``). The first candidate
    (weight 1.0, softmax) stays unless another answers significantly more
    held-out phrases right (``_best``), and the winner's held-out scores fit
    the calibration. A large
    agent's folds train on a stratified sample of its phrases (and the same
    share of its out-of-scope texts), so this costs a few small fits whatever
    the agent's size.
    """
    folds = _Folds(texts, labels, n_intents, n_examples, fit)
    # A sampled agent holds out about CALIBRATION_SAMPLE phrases: there the count alone is no longer noise.
    significance = 0.0 if folds.sampled else SIGNIFICANCE
    softmax = _best([(w, "softmax", *folds.scores(w, "softmax")) for w in CHAR_WEIGHTS], n_intents, significance)
    if not len(softmax[3]):
        return 1.0, fit, Calibration()
    losses = SAMPLED_LOSSES if folds.sampled else LOSSES
    others = [(softmax[0], loss, *folds.scores(softmax[0], loss)) for loss in losses if loss != "softmax"]
    char_weight, loss, scores, truth = _best([softmax, *others], n_intents, significance)
    scope = truth < n_intents
    # In-scope and out-of-scope texts weigh IN_SCOPE_PRIOR : 1 in total, whatever the number of negatives.
    weights = np.where(scope, IN_SCOPE_PRIOR / max(scope.sum(), 1), 1.0 / max((~scope).sum(), 1)) * len(scope) / (1 + IN_SCOPE_PRIOR)
    # A small agent's fold models see one or two phrases per intent fewer than its model: their many wrong
    # answers would teach a confidence far below what the model earns, and send its right answers to the
    # fallback. There the confidence estimates "in scope" instead, which the folds measure without that bias.
    small = bool(np.median(np.bincount(labels[labels < n_intents], minlength=n_intents)) <= SMALL_AGENT)
    return char_weight, dataclasses.replace(fit, loss=loss), fit_calibration(scores, truth, weights=weights, in_scope=small)


_Candidate = tuple[float, str, np.ndarray, np.ndarray]  # char weight, loss, held-out scores, held-out labels


def _best(candidates: list[_Candidate], n_intents: int, significance: float) -> _Candidate:
    """The first candidate, unless another answers significantly more held-out phrases right.

    A challenger replaces the best so far when, of the in-scope phrases exactly
    one of the two answers right, it wins more than the loser's share by
    ``significance`` standard deviations (McNemar's paired test). A small
    agent's folds hold out a few dozen phrases, where a difference of two or
    three is noise: picking by the raw count chose the weaker setting on half
    of the few-shot subsamples of Snips.
    """
    best = candidates[0]
    for challenger in candidates[1:]:
        wins, losses = _paired(challenger, best, n_intents)
        if wins - losses > significance * np.sqrt(wins + losses):
            best = challenger
    return best


def _paired(a: _Candidate, b: _Candidate, n_intents: int) -> tuple[int, int]:
    """Of the in-scope held-out phrases, how many only ``a`` answers right, and how many only ``b``."""
    scope = a[3] < n_intents
    right_a = a[2][scope, :-1].argmax(axis=1) == a[3][scope]
    right_b = b[2][scope, :-1].argmax(axis=1) == b[3][scope]
    return int((right_a & ~right_b).sum()), int((right_b & ~right_a).sum())


def _half(text: str, which: int) -> str:
    """Every other word of ``text``, from the first word when ``which`` is even, else from the second."""
    return " ".join(text.split()[which % 2 :: 2])


class _Folds:
    """Stratified folds of (a sample of) the training texts, featurised once for every weight they compare.

    A held-out phrase whose intent has no phrase left in its fold's training
    part (an intent of one phrase) is split: the fold trains on every other
    word of it and scores the remaining words, a paraphrase that shares none of
    its words. Without these, an agent of one phrase per intent would hold out
    only out-of-scope texts, and its calibration would send nearly every
    in-scope utterance to the fallback (0.95 of Snips' at one phrase per intent).
    A one-word phrase cannot be split and is skipped.
    """

    def __init__(self, texts: Sequence[str], labels: np.ndarray, n_intents: int, n_examples: int, fit: Fit) -> None:
        rng = np.random.default_rng(fit.seed)
        share = min(1.0, CALIBRATION_SAMPLE / max(n_examples, 1))
        picked = np.flatnonzero(rng.random(len(labels)) < share) if share < 1 else np.arange(len(labels))
        self.sampled = share < 1
        count = FOLDS if share == 1 else 2  # a sampled agent's halves are still large enough to score each other
        if share == 1:
            # A fold model passes over its part of the phrases as often as the full model will over all of them.
            self.fit = dataclasses.replace(fit, epochs=fit.epochs or default_epochs(len(labels), fit))
        else:
            self.fit = dataclasses.replace(fit, epochs=SAMPLED_EPOCHS)
        self.labels, self.n_intents = labels, n_intents
        fold_of = np.empty(len(picked), dtype=np.int64)
        for label in np.unique(labels[picked]):
            members = np.flatnonzero(labels[picked] == label)
            fold_of[members[rng.permutation(len(members))]] = np.arange(len(members)) % count
        self.splits = []
        for fold in range(count):
            train, held = picked[fold_of != fold], picked[fold_of == fold]
            seen = np.zeros(n_intents + 1, dtype=bool)
            seen[labels[train]] = True
            lone = [i for i in held.tolist() if not seen[labels[i]] and len(texts[i].split()) > 1]
            held = held[seen[labels[held]]]
            if len(held) or lone:
                featurizer, rows = Featurizer.fit_transform([*(texts[i] for i in train), *(_half(texts[i], fold) for i in lone)])
                held_texts = [*(texts[i] for i in held), *(_half(texts[i], fold + 1) for i in lone)]
                self.splits.append((
                    featurizer, rows, np.concatenate((labels[train], labels[lone])),
                    featurizer.transform(held_texts), np.concatenate((labels[held], labels[lone])),
                ))

    def scores(self, char_weight: float, loss: str) -> tuple[np.ndarray, np.ndarray]:
        """Held-out logits (rows x classes) of the fold models, and the held-out labels."""
        scores, truth = [np.zeros((0, self.n_intents + 1))], [np.zeros(0, dtype=np.int64)]
        fit = dataclasses.replace(self.fit, loss=loss)
        for featurizer, rows, labels, held, held_labels in self.splits:
            weights = _train(featurizer.char_scaled(rows, char_weight), labels, self.n_intents, fit, featurizer.n_features)
            scores.append(featurizer.char_scaled(held, char_weight).dot(weights))
            truth.append(held_labels)
        return np.concatenate(scores), np.concatenate(truth)
