"""Set operations on arrays of hashes, for the many small arrays of one scan.

numpy's ``unique`` and ``isin`` are general: ``unique`` of 64-bit values goes through a
hash table, ``unique(axis=0)`` sorts rows as records, and ``isin`` sorts both arrays on
every call. The scan calls them once per document or per pair on a few hundred
values, against sets that are already sorted, so these versions sort once and search.
"""

from __future__ import annotations

import numpy as np


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values of a 1-D array, sorted (``np.unique`` without its options).

    Example:
        >>> sorted_unique(np.array([3, 1, 3, 2])).tolist()
        [1, 2, 3]
    """
    ordered = np.sort(values)
    if ordered.size < 2:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Per value, whether it is in ``sorted_set`` (sorted, distinct): ``np.isin`` by search.

    Example:
        >>> member(np.array([5, 2, 9]), np.array([2, 5, 7])).tolist()
        [True, True, False]
    """
    if sorted_set.size == 0:
        return np.zeros(values.shape, dtype=bool)
    at = np.searchsorted(sorted_set, values)
    return sorted_set[np.minimum(at, sorted_set.size - 1)] == values


def prefix_sums(values: np.ndarray) -> np.ndarray:
    """``[0, v0, v0 + v1, ...]`` as int64 (``np.r_[0, np.cumsum(values)]``, cheaper).

    Example:
        >>> prefix_sums(np.array([True, False, True])).tolist()
        [0, 1, 1, 2]
    """
    out = np.empty(values.size + 1, dtype=np.int64)
    out[0] = 0
    np.cumsum(values, out=out[1:])
    return out


def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(starts, ends)`` of the maximal runs of True in a bool ``mask``.

    Example:
        >>> [r.tolist() for r in runs(np.array([True, True, False, True]))]
        [[0, 3], [2, 4]]
    """
    edges = np.flatnonzero(mask[1:] != mask[:-1]) + 1
    if mask.size and mask[0]:
        edges = np.concatenate((np.zeros(1, dtype=edges.dtype), edges))
    if mask.size and mask[-1]:
        edges = np.append(edges, mask.size)
    return edges[::2], edges[1::2]


def unique_rows(pairs: np.ndarray) -> np.ndarray:
    """The distinct rows of an ``(m, 2)`` array of non-negative indices, sorted.

    Example:
        >>> unique_rows(np.array([[2, 3], [0, 1], [2, 3]])).tolist()
        [[0, 1], [2, 3]]
    """
    pairs = pairs.reshape(-1, 2).astype(np.int64)
    if pairs.size == 0:
        return pairs
    width = int(pairs[:, 1].max()) + 1
    keys = sorted_unique(pairs[:, 0] * width + pairs[:, 1])
    return np.stack([keys // width, keys % width], axis=1)
