"""Utterance features for the intent classifier: word 1-2 grams and in-word character 2-5 grams.

Each block is tf-idf weighted (sublinear tf) and L2-normalised on its own; the
character block is then scaled by ``char_weight`` (chosen per agent by the
classifier: character n-grams carry a language's morphology and typos, but in
an agent of made-up or code-like words they blur the words apart). Unseen
features count in the norm but carry no weight: an utterance made mostly of
words the agent never saw keeps only a small vector, which is how an
out-of-scope utterance ends up with low confidence.

A batch is featurised as array operations: its words are numbered once, the
bigrams are pairs of neighbouring word numbers, and each distinct word's
columns (its unigram and its character n-grams) form one CSR row that every
occurrence of the word reuses. Only the distinct words and bigrams of a batch
touch Python dictionaries.
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
UNSEEN_CHAR = -2  # keeps the two blocks' unseen counts apart
START, END = "<s>", "</s>"  # never tokens: TOKEN splits "<" and ">" off
WORD_CACHE = 100_000  # distinct words whose columns are kept for serving


def words_of(text: str) -> list[str]:
    return TOKEN.findall(normalize(text))


def char_grams(word: str) -> list[str]:
    padded = f" {word} "
    return [padded[i : i + size] for size in CHAR_SIZES for i in range(len(padded) - size + 1)]


class _Batch:
    """The words of a batch numbered locally, with each token's row and each text's bigrams as number pairs."""

    def __init__(self, texts: Sequence[str]) -> None:
        per_text = [words_of(text) for text in texts]
        counts = np.fromiter(map(len, per_text), dtype=np.int64, count=len(per_text))
        self.distinct: dict[str, int] = {}
        number = self.distinct.setdefault
        self.ids = np.fromiter((number(w, len(self.distinct)) for w in chain.from_iterable(per_text)), dtype=np.int64)
        self.token_rows = np.repeat(np.arange(len(texts)), counts)
        # Each text padded as START w1 .. wn END (local numbers len(distinct) and +1): n + 1 bigrams.
        start, end = len(self.distinct), len(self.distinct) + 1
        padded = np.full(int(counts.sum()) + 2 * len(texts), start, dtype=np.int64)
        padded[np.cumsum(counts + 2) - 1] = end
        padded[np.arange(len(self.ids)) + 1 + 2 * self.token_rows] = self.ids
        within = padded[:-1] != end  # END then the next text's START is no bigram
        self.pairs = (padded[:-1] * (end + 1) + padded[1:])[within]
        self.pair_rows = np.repeat(np.arange(len(texts)), counts + 1)

    def bigrams(self) -> tuple[list[str], np.ndarray]:
        """The distinct bigrams as "a b" strings, and each bigram occurrence's index among them."""
        names = [*self.distinct, START, END]
        pairs, inverse = np.unique(self.pairs, return_inverse=True)
        width = len(names)
        return [f"{names[p // width]} {names[p % width]}" for p in pairs.tolist()], inverse.reshape(-1)


class Featurizer:
    """Maps utterances to sparse rows; column 0 is a constant bias, then word n-grams, then character n-grams."""

    def __init__(
        self, words: dict[str, int], chars: dict[str, int], idf: np.ndarray, n_docs: int, *, char_weight: float = 1.0,
    ) -> None:
        self.words = words
        self.chars = chars
        self.char_weight = char_weight
        self.idf = np.append(idf.astype(np.float32), np.float32(math.log(1 + n_docs) + 1.0))  # last: unseen
        self.n_docs = n_docs
        self.n_word_columns = 1 + len(words)
        self._columns: dict[str, list[int]] = {}  # a word's unigram column and character columns

    @property
    def n_features(self) -> int:
        return len(self.idf) - 1

    @classmethod
    def fit_transform(cls, texts: Sequence[str], *, char_weight: float = 1.0) -> tuple[Featurizer, Rows]:
        """Learn the vocabulary and document frequencies, and featurise ``texts`` in the same pass."""
        batch = _Batch(texts)
        bigrams, pair_cols = batch.bigrams()
        words = {name: 1 + i for i, name in enumerate([*batch.distinct, *bigrams])}
        chars: dict[str, int] = {}
        grams = [[chars.setdefault(g, 1 + len(words) + len(chars)) for g in char_grams(w)] for w in batch.distinct]
        char_rows, char_cols = _expand(grams, batch.ids, batch.token_rows)
        word_rows = np.concatenate((batch.token_rows, batch.pair_rows))
        word_cols = np.concatenate((batch.ids + 1, pair_cols + 1 + len(batch.distinct)))
        n_columns = 1 + len(words) + len(chars)
        df = np.zeros(n_columns)
        for rows, cols in ((word_rows, word_cols), (char_rows, char_cols)):
            unique, _ = unique_counts(rows * n_columns + cols)
            df += np.bincount(unique % n_columns, minlength=n_columns)
        df[BIAS] = len(texts)
        featurizer = cls(words, chars, np.log((1 + len(texts)) / (1 + df)) + 1.0, len(texts), char_weight=char_weight)
        return featurizer, featurizer._rows((word_rows, word_cols), (char_rows, char_cols), len(texts))

    def char_scaled(self, rows: Rows, char_weight: float) -> Rows:
        """``rows`` of this featurizer with the character block at ``char_weight`` instead (a weight of 1 to compare others)."""
        factor = np.float32(char_weight / self.char_weight)
        return Rows(rows.indptr, rows.indices, np.where(rows.indices >= self.n_word_columns, rows.data * factor, rows.data))

    def transform(self, texts: Sequence[str]) -> Rows:
        batch = _Batch(texts)
        unigrams = np.array([self.words.get(w, UNSEEN) for w in batch.distinct], dtype=np.int64)
        names, inverse = batch.bigrams()
        bigrams = np.array([self.words.get(name, UNSEEN) for name in names], dtype=np.int64)
        grams = [[self.chars.get(g, UNSEEN) for g in char_grams(w)] for w in batch.distinct]
        char_coords = _expand(grams, batch.ids, batch.token_rows)
        word_rows = np.concatenate((batch.token_rows, batch.pair_rows))
        word_cols = np.concatenate((unigrams[batch.ids], bigrams[inverse]))
        return self._rows((word_rows, word_cols), char_coords, len(texts))

    def _rows(self, word_coords: tuple[np.ndarray, np.ndarray], char_coords: tuple[np.ndarray, np.ndarray], n: int) -> Rows:
        char_rows, char_cols, char_values = self._block(*char_coords, n)
        blocks = [
            self._block(*word_coords, n),
            (char_rows, char_cols, char_values * np.float32(self.char_weight)),
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

        Each word is one dictionary lookup of its cached columns (unigram and
        character n-grams), each bigram one lookup; a C-level count and one
        vectorised weighting follow. For a row of a few hundred occurrences
        this beats the sorts and the dozen array passes of the batch path.
        """
        words = words_of(text)
        padded = [START, *words, END]
        get = self.words.get
        counts = Counter(get(f"{a} {b}", UNSEEN) for a, b in zip(padded, padded[1:]))
        counts.update(chain.from_iterable(map(self._word_columns, words)))
        unseen = np.array([counts.pop(UNSEEN, 0), counts.pop(UNSEEN_CHAR, 0)], dtype=np.float64)
        n = len(counts)
        cols = np.fromiter(counts, dtype=np.int64, count=n)
        weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=n))) * self.idf[cols]
        block = (cols >= self.n_word_columns).astype(np.int64)  # 0: word n-gram, 1: character n-gram
        squares = np.bincount(block, weights=weights * weights, minlength=2) + unseen * float(self.idf[-1]) ** 2
        columns, values = np.zeros(n + 1, dtype=np.int32), np.ones(n + 1, dtype=np.float32)  # the last: the bias
        columns[:n], values[:n] = cols, weights * np.array([1.0, self.char_weight])[block] / np.sqrt(squares)[block]
        return columns, values

    def _word_columns(self, word: str) -> list[int]:
        cached = self._columns.get(word)
        if cached is None:
            chars = self.chars.get
            cached = [self.words.get(word, UNSEEN), *(chars(g, UNSEEN_CHAR) for g in char_grams(word))]
            if len(self._columns) < WORD_CACHE:
                self._columns[word] = cached
        return cached

    def to_state(self) -> dict[str, Any]:
        return {"words": list(self.words), "chars": list(self.chars), "n_docs": self.n_docs, "char_weight": self.char_weight}

    def idf_array(self) -> np.ndarray:
        return self.idf[:-1]

    @classmethod
    def from_state(cls, state: dict[str, Any], idf: np.ndarray) -> Featurizer:
        words = {g: 1 + i for i, g in enumerate(state["words"])}
        chars = {g: 1 + len(words) + i for i, g in enumerate(state["chars"])}
        return cls(words, chars, idf, int(state["n_docs"]), char_weight=float(state["char_weight"]))


def _expand(grams: list[list[int]], ids: np.ndarray, token_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every character n-gram occurrence: each token repeats its distinct word's columns."""
    lengths = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
    flat = np.fromiter(chain.from_iterable(grams), dtype=np.int64, count=int(lengths.sum()))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    per_token = lengths[ids]
    offsets = np.concatenate(([0], np.cumsum(per_token)[:-1]))
    picks = np.repeat(starts[ids] - offsets, per_token) + np.arange(int(per_token.sum()))
    return np.repeat(token_rows, per_token), flat[picks]
