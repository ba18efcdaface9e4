"""A slot tagger: BIO labels over tokens, a linear chain of emission and transition weights.

The weights are learned as a linear-chain CRF; decoding is Viterbi with the
BIO rule enforced (an I-x only follows B-x or I-x) and, for the slots of
single-valued parameters, at most one span each (``nlu.decoding``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Collection, Sequence

import numpy as np

from chatops.engine.nlu.crf import CRFFit, train_crf
from chatops.engine.nlu.decoding import decode, viterbi
from chatops.engine.nlu.sparse import Rows
from chatops.engine.nlu.text import WORD, Token, items

OUTSIDE = "O"


@dataclass(frozen=True)
class Sentence:
    tokens: list[Token]
    features: list[list[str]]
    labels: list[str]


def bio_labels(tokens: Sequence[Token], spans: Sequence[tuple[int, int, str]]) -> list[str]:
    """Token labels for character spans (start, end, slot); a token overlapping a span belongs to it."""
    labels = [OUTSIDE] * len(tokens)
    for start, end, slot in spans:
        inside = [i for i, t in enumerate(tokens) if t.start < end and t.end > start]
        for k, i in enumerate(inside):
            labels[i] = ("B-" if k == 0 else "I-") + slot
    return labels


def bio_spans(tokens: Sequence[Token], labels: Sequence[str]) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for token, label in zip(tokens, labels):
        if label.startswith("I-") and spans and spans[-1][2] == label[2:]:
            spans[-1] = (spans[-1][0], token.end, label[2:])
        elif label != OUTSIDE:
            spans.append((token.start, token.end, label[2:]))
    return spans


# Marks that end a clause rather than a value: "jokes about programmers?"
CLAUSE_MARKS = frozenset("?!,;")


def whole_items(tokens: Sequence[Token], spans: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Spans widened to the items they cut ("dev-" of dev-kind) and without a clause mark at their end.

    A tagger trained on a few phrases labels the pieces of an unseen compound unevenly; a slot
    value is never half of one.
    """
    if not spans:
        return []
    spans_of, starts, ends = items(tokens), [t.start for t in tokens], [t.end for t in tokens]
    result: list[tuple[int, int, str]] = []
    for start, end, slot in spans:
        covered = list(range(bisect_right(ends, start), bisect_left(starts, end)))
        while covered and tokens[covered[-1]].text in CLAUSE_MARKS:
            covered.pop()
        words = [i for i in covered if WORD.fullmatch(tokens[i].text)]
        if not words:
            continue  # punctuation alone is no value
        first, last = min(covered[0], spans_of[words[0]][0]), max(covered[-1], spans_of[words[-1]][1])
        span = (tokens[first].start, tokens[last].end, slot)
        if all(span[1] <= s or e <= span[0] for s, e, _ in result):
            result.append(span)
    return result


def allowed_transitions(labels: Sequence[str]) -> np.ndarray:
    """(labels + 1) x labels; the last row is the sentence start."""
    allowed = np.ones((len(labels) + 1, len(labels)), dtype=bool)
    for j, label in enumerate(labels):
        if label.startswith("I-"):
            allowed[:, j] = False
            allowed[j, j] = True
            if "B-" + label[2:] in labels:
                allowed[labels.index("B-" + label[2:]), j] = True
    return allowed


class SlotTagger:
    def __init__(self, vocab: dict[str, int], labels: list[str], emissions: np.ndarray, transitions: np.ndarray) -> None:
        self.vocab = vocab
        self.labels = labels
        self.emissions = emissions  # features x labels; feature 0 is the bias
        self.transitions = transitions  # (labels + 1) x labels; the last row is the start

    @classmethod
    def train(cls, sentences: Sequence[Sentence], *, fit: CRFFit = CRFFit()) -> SlotTagger:
        labels = [OUTSIDE, *sorted({label for s in sentences for label in s.labels} - {OUTSIDE})]
        index = {label: i for i, label in enumerate(labels)}
        vocab: dict[str, int] = {"<bias>": 0}
        tagger = cls(vocab, labels, np.zeros((0, 0), np.float32), np.zeros((0, 0)))
        rows = tagger._rows([f for s in sentences for f in s.features], grow=True)
        gold = np.array([index[label] for s in sentences for label in s.labels], dtype=np.int64)
        lengths = np.array([len(s.labels) for s in sentences], dtype=np.int64)
        tagger.emissions, tagger.transitions = train_crf(
            rows, lengths, gold, n_features=len(vocab), allowed=allowed_transitions(labels), fit=fit
        )
        return tagger

    def _rows(self, tokens: list[list[str]], *, grow: bool = False) -> Rows:
        """One row per token: the bias and its known features (new ones added when ``grow``)."""
        vocab, columns, lengths = self.vocab, [], [0]
        for features in tokens:
            if grow:
                known = [vocab.setdefault(f, len(vocab)) for f in features]
            else:
                known = [c for c in map(vocab.get, features) if c is not None]
            columns.append(0)
            columns.extend(known)
            lengths.append(len(known) + 1)
        indices = np.asarray(columns, dtype=np.int32)
        return Rows(np.cumsum(np.asarray(lengths, dtype=np.int64)), indices, np.ones(len(indices), dtype=np.float32))

    def tag(self, features: list[list[str]], *, single: Collection[str] = ()) -> list[str]:
        """The best labels in which no slot of ``single`` (its single-valued parameters) has two spans."""
        if not features:
            return []
        emissions = self._rows(features).dot(self.emissions)
        return [self.labels[i] for i in decode(emissions, self.transitions, self.labels, single)]


__all__ = ["OUTSIDE", "Sentence", "SlotTagger", "bio_labels", "bio_spans", "viterbi", "whole_items"]
