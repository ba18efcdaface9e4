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
from typing import Any, Sequence

import numpy as np

from chatops.engine.nlu.sparse import Rows
from chatops.engine.nlu.text import TOKEN, normalize

CHAR_SIZES = (2, 3, 4, 5)
BIAS = 0
UNSEEN = -1


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

    @property
    def n_features(self) -> int:
        return len(self.idf) - 1

    @classmethod
    def fit(cls, texts: Sequence[str]) -> Featurizer:
        word_df: Counter[str] = Counter()
        char_df: Counter[str] = Counter()
        for text in texts:
            words = words_of(text)
            word_df.update(set(word_grams(words)))
            char_df.update({gram for word in set(words) for gram in char_grams(word)})
        # Column 0 is the bias, then the word block, then the character block.
        words_vocab = {gram: 1 + i for i, gram in enumerate(word_df)}
        chars_vocab = {gram: 1 + len(words_vocab) + i for i, gram in enumerate(char_df)}
        df = np.array([len(texts), *word_df.values(), *char_df.values()], dtype=np.float64)
        idf = np.log((1 + len(texts)) / (1 + df)) + 1.0
        return cls(words_vocab, chars_vocab, idf, len(texts))

    def _chars(self, word: str) -> np.ndarray:
        cached = self._char_cache.get(word)
        if cached is None:
            cached = np.array([self.chars.get(g, UNSEEN) for g in char_grams(word)], dtype=np.int64)
            if len(self._char_cache) < 100_000:
                self._char_cache[word] = cached
        return cached

    def transform(self, texts: Sequence[str]) -> Rows:
        word_rows, word_cols, char_rows, char_cols = [], [], [], []
        for row, text in enumerate(texts):
            words = words_of(text)
            grams = [self.words.get(g, UNSEEN) for g in word_grams(words)]
            word_cols.extend(grams)
            word_rows.extend([row] * len(grams))
            for word in words:
                columns = self._chars(word)
                char_cols.append(columns)
                char_rows.append(np.full(len(columns), row))
        n = len(texts)
        blocks = [
            self._block(np.asarray(word_rows, dtype=np.int64), np.asarray(word_cols, dtype=np.int64), n),
            self._block(_concat(char_rows), _concat(char_cols), n),
            (np.arange(n), np.full(n, BIAS), np.ones(n, dtype=np.float32)),
        ]
        rows = np.concatenate([b[0] for b in blocks])
        order = np.argsort(rows, kind="stable")
        indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=n))))
        cols = np.concatenate([b[1] for b in blocks])[order].astype(np.int32)
        vals = np.concatenate([b[2] for b in blocks])[order].astype(np.float32)
        return Rows(indptr, cols, vals)

    def _block(self, rows: np.ndarray, cols: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sublinear tf-idf, L2-normalised per row with unseen n-grams in the norm only."""
        unseen = cols == UNSEEN
        keys = rows * (len(self.idf) + 1) + np.where(unseen, len(self.idf) - 1, cols)
        unique, counts = np.unique(keys, return_counts=True)
        urows, ucols = unique // (len(self.idf) + 1), unique % (len(self.idf) + 1)
        weights = (1.0 + np.log(counts)) * self.idf[ucols]
        is_unseen = ucols == len(self.idf) - 1
        # Each unseen occurrence counts as its own n-gram in the norm.
        squares = np.where(is_unseen, counts * self.idf[-1] ** 2, weights**2)
        norms = np.sqrt(np.bincount(urows, weights=squares, minlength=n))
        keep = ~is_unseen
        return urows[keep], ucols[keep], (weights[keep] / norms[urows[keep]]).astype(np.float32)

    def transform_one(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        rows = self.transform([text])
        return rows.indices, rows.data

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
