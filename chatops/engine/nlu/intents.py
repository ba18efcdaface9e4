"""The intent classifier: tf-idf n-grams, softmax regression, and an explicit out-of-scope class.

The last class is "none of the intents": it learns from synthetic nonsense and
from the phrases of fallback intents (or a corpus's ``None`` examples). Its
probability is what an unrelated utterance's mass flows to, so the scores of
real intents stay below the fallback threshold for such input. Restricting to
candidates renormalises over the candidates and the out-of-scope class.
"""

from __future__ import annotations

from typing import Collection, Sequence

import numpy as np

from chatops.engine.nlu import IntentScore
from chatops.engine.nlu.featurizer import Featurizer
from chatops.engine.nlu.linear import Fit, softmax, train_softmax
from chatops.engine.nlu.negatives import out_of_scope, unrelated_requests


class IntentClassifier:
    def __init__(self, featurizer: Featurizer, weights: np.ndarray, intents: Sequence[str]) -> None:
        self.featurizer = featurizer
        self.weights = weights
        self.intents = list(intents)
        self.index = {name: i for i, name in enumerate(self.intents)}
        self.none = len(self.intents)

    @classmethod
    def train(
        cls, examples: Sequence[tuple[str, str]], *, negatives: Sequence[str] = (), fit: Fit = Fit(),
    ) -> IntentClassifier:
        """``examples`` are (intent, text); ``negatives`` are known out-of-scope texts."""
        intents = sorted({intent for intent, _ in examples})
        index = {name: i for i, name in enumerate(intents)}
        synthetic = out_of_scope(examples, int(np.clip(len(examples) // 4, 30, 2000)), seed=fit.seed)
        none_texts = [*negatives, *unrelated_requests(examples), *synthetic]
        texts = [text for _, text in examples] + none_texts
        labels = np.array([index[intent] for intent, _ in examples] + [len(intents)] * len(none_texts))
        featurizer, rows = Featurizer.fit_transform(texts)
        weights = train_softmax(rows, labels, n_features=featurizer.n_features, n_classes=len(intents) + 1, fit=fit)
        return cls(featurizer, weights, intents)

    def probabilities(self, text: str, candidates: Collection[str] | None = None) -> tuple[list[str], np.ndarray]:
        """Candidate names and their probabilities; the out-of-scope share is 1 minus their sum."""
        names = self.intents if candidates is None else [c for c in self.intents if c in candidates]
        if not names:
            return [], np.zeros(0)
        cols, vals = self.featurizer.transform_one(text)
        logits = vals @ self.weights[cols]
        chosen = [self.index[name] for name in names] + [self.none]
        probs = softmax(logits[chosen])
        return names, probs[:-1]

    def classify(self, text: str, candidates: Collection[str] | None = None) -> list[IntentScore]:
        names, probs = self.probabilities(text, candidates)
        order = np.argsort(-probs, kind="stable")
        return [IntentScore(names[i], float(probs[i])) for i in order]
