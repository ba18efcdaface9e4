"""The reference system: tf-idf word 1-2 grams + char 2-5 grams with a linear SVM (scikit-learn).

Slots get the same kind of reference: a linear SVM per intent over one-hot
window features of each token (the word, its neighbours, shape and affixes),
BIO labels decoded greedily with I- repaired to B- when it starts a span.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline, make_union
from sklearn.svm import LinearSVC

from chatops.engine.nlu.dataset import NONE_INTENT, Dataset, Example
from chatops.engine.nlu.tagger import OUTSIDE, bio_labels, bio_spans
from chatops.engine.nlu.text import tokenize
from chatops.engine.nlu.tokenfeatures import shape


def token_dicts(text: str) -> tuple[list[Any], list[dict[str, int]]]:
    tokens = tokenize(text)
    words = ["<s2>", "<s>", *(t.lower for t in tokens), "</s>", "</s2>"]
    features = []
    for i, token in enumerate(tokens):
        j = i + 2
        features.append({f"w={words[j]}": 1, f"w-1={words[j - 1]}": 1, f"w+1={words[j + 1]}": 1, f"w-2={words[j - 2]}": 1,
                         f"w+2={words[j + 2]}": 1, f"s={shape(token.text)}": 1, f"x3={words[j][-3:]}": 1, f"p3={words[j][:3]}": 1})
    return tokens, features


def _int32(matrix: Any) -> Any:
    """LinearSVC takes only 32-bit sparse indices; DictVectorizer may give 64-bit ones."""
    matrix = matrix.tocsr()
    matrix.indices = matrix.indices.astype(np.int32)
    matrix.indptr = matrix.indptr.astype(np.int32)
    return matrix


class Baseline:
    def __init__(self, dataset: Dataset) -> None:
        self.intents = make_pipeline(
            make_union(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                       TfidfVectorizer(analyzer="char", ngram_range=(2, 5), sublinear_tf=True)),
            LinearSVC(C=1.0),
        )
        self.intents.fit([e.text for e in dataset.train], [e.intent or NONE_INTENT for e in dataset.train])
        self.taggers: dict[str, tuple[DictVectorizer, LinearSVC | str]] = {}
        grouped: dict[str, list[Example]] = {}
        for example in dataset.train:
            if example.intent:
                grouped.setdefault(example.intent, []).append(example)
        for intent, examples in grouped.items():
            rows, labels = [], []
            for example in examples:
                tokens, features = token_dicts(example.text)
                rows.extend(features)
                labels.extend(bio_labels(tokens, [(s.start, s.end, s.entity) for s in example.spans]))
            vectorizer = DictVectorizer()
            matrix = _int32(vectorizer.fit_transform(rows))
            model: LinearSVC | str = labels[0] if len(set(labels)) == 1 else LinearSVC(C=0.5).fit(matrix, labels)
            self.taggers[intent] = (vectorizer, model)

    def predict(self, text: str) -> tuple[str | None, list[dict[str, Any]]]:
        intent = str(self.intents.predict([text])[0])
        if intent == NONE_INTENT or intent not in self.taggers:
            return None if intent == NONE_INTENT else intent, []
        tokens, features = token_dicts(text)
        if not tokens:
            return intent, []
        vectorizer, model = self.taggers[intent]
        labels = [model] * len(tokens) if isinstance(model, str) else list(model.predict(_int32(vectorizer.transform(features))))
        repaired, previous = [], OUTSIDE
        for label in labels:
            if label.startswith("I-") and previous[2:] != label[2:]:
                label = "B-" + label[2:]
            repaired.append(label)
            previous = label
        spans = bio_spans(tokens, repaired)
        return intent, [{"entity": slot, "start": s, "end": e, "value": text[s:e]} for s, e, slot in spans]
