"""Confidence that means the same in every agent: temperature scaling fitted on held-out folds of the agent's phrases.

The softmax's raw probability depends on the agent's size: an intent with ten
phrases never reaches the scores of one with a thousand, and the out-of-scope
class takes a larger share in a small agent. So the logits are rescaled (a
temperature, and a shift of the out-of-scope logit) to make the top intent's
probability the chance that the answer is right, learnt from the classifier's
own mistakes: a few models trained on part of the phrases score the phrases
they did not see (right or wrong) and the out-of-scope texts they did not see
(always wrong). A fallback threshold then reads the same on an agent of 5
phrases per intent as on one of 5,000, and the scores still sum to at most 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TEMPERATURES = np.geomspace(0.03, 4.0, 29)  # down to 0.03: a squared hinge's scores are margins of about 1, not logits
SHIFTS = np.linspace(-8.0, 16.0, 49)
EPSILON = 1e-6


@dataclass(frozen=True)
class Calibration:
    """Logits divided by ``temperature``; the out-of-scope logit (the last) lowered by ``none_shift``. Default: none."""

    temperature: float = 1.0
    none_shift: float = 0.0

    def apply(self, logits: np.ndarray) -> np.ndarray:
        scaled = logits / self.temperature
        scaled[..., -1] -= self.none_shift
        return scaled

    def folded(self, weights: np.ndarray, *, bias: int) -> np.ndarray:
        """Weights (features x classes, out of scope last) whose products are the calibrated logits.

        The row ``bias`` is the constant feature 1 of every utterance, so the
        shift of the out-of-scope logit is a change of that one weight.
        """
        folded = (weights / self.temperature).astype(np.float32)
        folded[bias, -1] -= self.none_shift
        return folded


def fit_calibration(logits: np.ndarray, labels: np.ndarray, *, weights: np.ndarray, in_scope: bool = False) -> Calibration:
    """The grid point of least weighted log-loss of "the top intent is right"; ``labels`` == n_intents: out of scope.

    With ``in_scope``, of "the text is one of the intents" instead: the top
    intent's probability then estimates that the fallback should not answer.

    The top intent does not depend on the temperature or the shift, only its
    probability does, so each temperature needs one log-sum-exp and every
    shift is then a cheap update.
    """
    intents = logits[:, :-1]
    top = intents.argmax(axis=1)
    correct = labels < intents.shape[1] if in_scope else top == labels
    if len(labels) == 0 or correct.all() or not correct.any():
        return Calibration()
    best, best_loss = Calibration(), np.inf
    rows = np.arange(len(labels))
    for temperature in TEMPERATURES:
        scaled = intents / temperature
        peak = scaled.max(axis=1)
        mass = np.exp(scaled - peak[:, None]).sum(axis=1)
        none = logits[:, -1] / temperature - peak
        for shift in SHIFTS:
            log_top = scaled[rows, top] - peak - np.log(mass + np.exp(none - shift))
            p = np.clip(np.exp(log_top), EPSILON, 1 - EPSILON)
            loss = -float(weights @ np.where(correct, np.log(p), np.log1p(-p)))
            if loss < best_loss:
                best, best_loss = Calibration(float(temperature), float(shift)), loss
    return best
