"""A slot tagger: BIO labels over tokens, a linear chain of emission and transition weights.

The weights are learned as a linear-chain CRF; decoding is Viterbi with the
BIO rule enforced (an I-x only follows B-x or I-x) and, for the slots of
single-valued parameters, at most one span each (``nlu.decoding``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import chain, repeat
from typing import Collection, Sequence

import numpy as np

from chatops.engine.nlu.crf import Chain, CRFFit, train_crfs
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
        # A row of zeros past the last feature, which an unknown feature reads: no filtering per token.
        self._scoring = np.vstack([emissions, np.zeros((1, emissions.shape[1]), emissions.dtype)])

    @classmethod
    def train(cls, sentences: Sequence[Sentence], *, fit: CRFFit = CRFFit()) -> SlotTagger:
        return cls.train_many([sentences], fit=fit)[0]

    @classmethod
    def train_many(cls, corpora: Sequence[Sequence[Sentence]], *, fit: CRFFit = CRFFit()) -> list[SlotTagger]:
        """A tagger for each list of sentences, all trained together (``crf.train_crfs``)."""
        vocabs, label_lists, chains = [], [], []
        for sentences in corpora:
            labels = [OUTSIDE, *sorted({label for s in sentences for label in s.labels} - {OUTSIDE})]
            index = {label: i for i, label in enumerate(labels)}
            vocab, rows = _numbered([f for s in sentences for f in s.features])
            gold = np.array([index[label] for s in sentences for label in s.labels], dtype=np.int64)
            lengths = np.array([len(s.labels) for s in sentences], dtype=np.int64)
            chains.append(Chain(rows, lengths, gold, len(vocab), allowed_transitions(labels)))
            vocabs.append(vocab)
            label_lists.append(labels)
        trained = train_crfs(chains, fit=fit)
        return [
            cls(vocab, labels, emissions, transitions)
            for vocab, labels, (emissions, transitions) in zip(vocabs, label_lists, trained)
        ]

    def scores(self, features: list[list[str]]) -> np.ndarray:
        """Per token, the emission scores of its known features and the bias (tokens x labels)."""
        counts = np.fromiter(map(len, features), dtype=np.int64, count=len(features))
        flat = chain.from_iterable(features)
        columns = np.fromiter(map(self.vocab.get, flat, repeat(len(self.emissions))), dtype=np.int64, count=int(counts.sum()))
        starts = np.concatenate(([0], np.cumsum(counts + 1)[:-1]))
        with_bias = np.insert(columns, starts - np.arange(len(starts)), 0)  # the bias opens every token's row
        return np.add.reduceat(self._scoring[with_bias], starts, axis=0)

    def tag(self, features: list[list[str]], *, single: Collection[str] = ()) -> list[str]:
        """The best labels in which no slot of ``single`` (its single-valued parameters) has two spans."""
        if not features:
            return []
        return [self.labels[i] for i in decode(self.scores(features), self.transitions, self.labels, single)]


def _numbered(tokens: list[list[str]]) -> tuple[dict[str, int], Rows]:
    """A vocabulary of the tokens' features (0: the bias) and one row per token: the bias and its features."""
    vocab = {"<bias>": 0}
    columns, lengths = [], [0]
    for features in tokens:
        columns.append(0)
        columns.extend(vocab.setdefault(f, len(vocab)) for f in features)
        lengths.append(len(features) + 1)
    indices = np.asarray(columns, dtype=np.int32)
    return vocab, Rows(np.cumsum(np.asarray(lengths, dtype=np.int64)), indices, np.ones(len(indices), dtype=np.float32))


__all__ = ["OUTSIDE", "Sentence", "SlotTagger", "bio_labels", "bio_spans", "viterbi", "whole_items"]
