"""Utterance features for the intent classifier: word 1-2 grams and in-word character 2-5 grams.

Each block is tf-idf weighted (sublinear tf) and L2-normalised on its own. Unseen
features count in the norm but carry no weight: an utterance made mostly of
words the agent never saw keeps only a small vector, which is how an
out-of-scope utterance ends up with low confidence. The work is vectorised
over all utterances at once; each distinct word's character n-grams are looked
up only once.
"""

from __future__ import annotations

import math
from collections import Counter
from itertools import chain
from typing import Any, Sequence

import numpy as np

from chatops.engine.nlu.sparse import Rows, unique_counts
from chatops.engine.nlu.text import TOKEN, normalize

CHAR_SIZES = (2, 3, 4, 5)
BIAS = 0
UNSEEN = -1
UNSEEN_CHAR = -2  # transform_one only: keeps the two blocks' unseen counts apart


def words_of(text: str) -> list[str]:
    return [normalize(w) for w in TOKEN.findall(text)]


def word_grams(words: list[str]) -> list[str]:
    padded = ["<s>", *words, "</s>"]
    return words + [f"{a} {b}" for a, b in zip(padded, padded[1:])]


def char_grams(word: str) -> list[str]:
    padded = f" {word} "
    return [padded[i : i + size] for size in CHAR_SIZES for i in range(len(padded) - size + 1)]


class Featurizer:
    """Maps utterances to sparse rows; column 0 is a constant bias."""

    def __init__(self, words: dict[str, int], chars: dict[str, int], idf: np.ndarray, n_docs: int) -> None:
        self.words = words
        self.chars = chars
        self.idf = np.append(idf.astype(np.float32), np.float32(math.log(1 + n_docs) + 1.0))  # last: unseen
        self.n_docs = n_docs
        self._char_cache: dict[str, np.ndarray] = {}
        self._char_lists: dict[str, list[int]] = {}  # transform_one's cache

    @property
    def n_features(self) -> int:
        return len(self.idf) - 1

    @classmethod
    def fit_transform(cls, texts: Sequence[str]) -> tuple[Featurizer, Rows]:
        """Learn the vocabulary and document frequencies, and featurise ``texts`` in the same pass."""
        featurizer = cls({}, {}, np.ones(1), len(texts))
        word_coords, char_coords = featurizer._coordinates(texts, grow=True)
        n_columns = 1 + len(featurizer.words) + len(featurizer.chars)
        df = np.zeros(n_columns)
        for rows, cols in (word_coords, char_coords):
            unique, _ = unique_counts(rows * n_columns + cols)
            df += np.bincount(unique % n_columns, minlength=n_columns)
        df[BIAS] = len(texts)
        idf = np.log((1 + len(texts)) / (1 + df)) + 1.0
        featurizer = cls(featurizer.words, featurizer.chars, idf, len(texts))
        return featurizer, featurizer._rows(word_coords, char_coords, len(texts))

    def _chars(self, word: str, grow: bool) -> np.ndarray:
        cached = self._char_cache.get(word)
        if cached is None:
            if grow:
                # Character columns are numbered after the word block once the vocabulary is final.
                cached = np.array([self.chars.setdefault(g, len(self.chars)) for g in char_grams(word)], dtype=np.int64)
            else:
                cached = np.array([self.chars.get(g, UNSEEN) for g in char_grams(word)], dtype=np.int64)
            if len(self._char_cache) < 100_000:
                self._char_cache[word] = cached
        return cached

    def _coordinates(self, texts: Sequence[str], *, grow: bool) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """(row, column) pairs of every word-gram and char-gram occurrence; UNSEEN for unknown ones."""
        word_rows, word_cols, char_rows, char_parts = [], [], [], []
        lookup = (lambda g: self.words.setdefault(g, len(self.words) + 1)) if grow else (lambda g: self.words.get(g, UNSEEN))
        for row, text in enumerate(texts):
            words = words_of(text)
            grams = word_grams(words)
            word_cols.extend(lookup(g) for g in grams)
            word_rows.extend([row] * len(grams))
            for word in words:
                char_parts.append(self._chars(word, grow))
                char_rows.append(row)
        lengths = [len(part) for part in char_parts]
        char_cols = np.concatenate(char_parts) if char_parts else np.zeros(0, dtype=np.int64)
        if grow:
            self._char_cache.clear()  # cached columns are provisional until the offset is known
            char_cols = char_cols + 1 + len(self.words)
            self.chars = {g: c + 1 + len(self.words) for g, c in self.chars.items()}
        words_coords = (np.asarray(word_rows, dtype=np.int64), np.asarray(word_cols, dtype=np.int64))
        return words_coords, (np.repeat(np.asarray(char_rows, dtype=np.int64), lengths), char_cols)

    def _rows(self, word_coords: tuple[np.ndarray, np.ndarray], char_coords: tuple[np.ndarray, np.ndarray], n: int) -> Rows:
        blocks = [
            self._block(*word_coords, n),
            self._block(*char_coords, n),
            (np.arange(n), np.full(n, BIAS), np.ones(n, dtype=np.float32)),
        ]
        rows = np.concatenate([b[0] for b in blocks])
        order = np.argsort(rows, kind="stable")
        indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=n))))
        cols = np.concatenate([b[1] for b in blocks])[order].astype(np.int32)
        vals = np.concatenate([b[2] for b in blocks])[order].astype(np.float32)
        return Rows(indptr, cols, vals)

    def transform(self, texts: Sequence[str]) -> Rows:
        word_coords, char_coords = self._coordinates(texts, grow=False)
        return self._rows(word_coords, char_coords, len(texts))

    def _block(self, rows: np.ndarray, cols: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sublinear tf-idf, L2-normalised per row with unseen n-grams in the norm only."""
        unseen = cols == UNSEEN
        keys = rows * (len(self.idf) + 1) + np.where(unseen, len(self.idf) - 1, cols)
        unique, counts = unique_counts(keys)
        urows, ucols = unique // (len(self.idf) + 1), unique % (len(self.idf) + 1)
        weights = (1.0 + np.log(counts)) * self.idf[ucols]
        is_unseen = ucols == len(self.idf) - 1
        # Each unseen occurrence counts as its own n-gram in the norm.
        squares = np.where(is_unseen, counts * self.idf[-1] ** 2, weights**2)
        norms = np.sqrt(np.bincount(urows, weights=squares, minlength=n))
        keep = ~is_unseen
        return urows[keep], ucols[keep], (weights[keep] / norms[urows[keep]]).astype(np.float32)

    def transform_one(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """One utterance's (columns, values), the same as ``transform`` gives, for the serving hot path.

        One row has a few hundred n-gram occurrences: a dict count (in C) and
        one vectorised weighting beat the sort and the dozen array passes that
        pay off only for batches. Unseen character n-grams count under their
        own key, so both blocks' norms come from one bincount.
        """
        words = words_of(text)
        counts = Counter(map(self._word_column, word_grams(words)))
        counts.update(chain.from_iterable(map(self._char_list, words)))
        unseen = np.array([counts.pop(UNSEEN, 0), counts.pop(UNSEEN_CHAR, 0)], dtype=np.float64)
        cols = np.fromiter(counts, dtype=np.int64, count=len(counts))
        occurrences = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        weights = (1.0 + np.log(occurrences)) * self.idf[cols]
        block = (cols > len(self.words)).astype(np.int64)  # 0: word n-gram, 1: character n-gram
        squares = np.bincount(block, weights=weights * weights, minlength=2) + unseen * float(self.idf[-1]) ** 2
        values = weights / np.sqrt(squares)[block]
        return np.append(cols, BIAS).astype(np.int32), np.append(values, 1.0).astype(np.float32)

    def _word_column(self, gram: str) -> int:
        return self.words.get(gram, UNSEEN)

    def _char_list(self, word: str) -> list[int]:
        cached = self._char_lists.get(word)
        if cached is None:
            cached = [self.chars.get(g, UNSEEN_CHAR) for g in char_grams(word)]
            if len(self._char_lists) < 100_000:
                self._char_lists[word] = cached
        return cached

    def to_state(self) -> dict[str, Any]:
        return {"words": list(self.words), "chars": list(self.chars), "n_docs": self.n_docs}

    def idf_array(self) -> np.ndarray:
        return self.idf[:-1]

    @classmethod
    def from_state(cls, state: dict[str, Any], idf: np.ndarray) -> Featurizer:
        words = {g: 1 + i for i, g in enumerate(state["words"])}
        chars = {g: 1 + len(words) + i for i, g in enumerate(state["chars"])}
        return cls(words, chars, idf, int(state["n_docs"]))


def _concat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)
