"""Compressed sparse rows in plain numpy: the design matrices of the linear models."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Rows:
    """``indices[indptr[i]:indptr[i+1]]`` are row i's columns, ``data`` their values."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def take(self, order: np.ndarray) -> Rows:
        """The rows in ``order`` (a permutation or a subset)."""
        starts, ends = self.indptr[order], self.indptr[order + 1]
        lengths = ends - starts
        indptr = np.concatenate(([0], np.cumsum(lengths)))
        picks = np.repeat(starts - indptr[:-1], lengths) + np.arange(indptr[-1])
        return Rows(indptr, self.indices[picks], self.data[picks])

    def slice(self, start: int, stop: int) -> Rows:
        a, b = self.indptr[start], self.indptr[stop]
        return Rows(self.indptr[start : stop + 1] - a, self.indices[a:b], self.data[a:b])

    def row_ids(self) -> np.ndarray:
        return np.repeat(np.arange(len(self)), np.diff(self.indptr))

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """Row-wise products with a (features x classes) matrix; every row must be non-empty."""
        contrib = weights[self.indices] * self.data[:, None]
        return np.add.reduceat(contrib, self.indptr[:-1], axis=0)


def unique_counts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values and their counts (a sort, cheaper than np.unique's hashing for int keys)."""
    if len(keys) == 0:
        return keys, np.zeros(0, dtype=np.int64)
    ordered = np.sort(keys, kind="stable")
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    return ordered[starts], np.diff(np.append(starts, len(ordered)))
