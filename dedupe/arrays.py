"""Set operations on arrays of hashes, for the many small arrays of one scan.

numpy's ``unique`` and ``isin`` are general: ``unique(axis=0)`` sorts rows as records,
and ``isin`` sorts both arrays on every call. The scan calls these on millions of
hashes at a time, or once per document on a few hundred, so these versions do less:
membership through a hash table of the keys, rows as single numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from dedupe.kernels import find_keys, has_keys, maybe_common

#: Counters ``common_values`` hashes into, at most (2**24: 64 MB).
MAX_BUCKETS = 1 << 24


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values of a 1-D array, sorted (``np.unique`` without its options).

    Example:
        >>> sorted_unique(np.array([3, 1, 3, 2])).tolist()
        [1, 2, 3]
    """
    ordered = np.sort(values)
    return ordered[_firsts(ordered)]


def _firsts(ordered: np.ndarray) -> np.ndarray:
    """Per value of a sorted array, whether it is the first of its run of equals."""
    first = np.empty(ordered.size, dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return first


def common_values(values: np.ndarray, low: int) -> np.ndarray:
    """Per value, True where it may occur ``low`` times or more in ``values``: True for
    every value that does, and for some that do not (those sharing a hash bucket with
    others). A first cut that needs no sort; count exactly what it keeps.

    Example:
        >>> common_values(np.array([7, 3, 7, 7, 5], dtype=np.uint64), 3).tolist()[:4]
        [True, False, True, True]
    """
    buckets = 2
    while buckets < min(2 * values.size, MAX_BUCKETS):
        buckets *= 2
    out = np.empty(values.size, dtype=bool)
    # Counts stop at ``low``: the narrowest type that holds it (at 100,000 articles,
    # 16 MB of buckets where 32 bits took 64 MB, at the scan's peak).
    width = np.uint8 if low <= 0xFF else np.uint16 if low <= 0xFFFF else np.uint32
    maybe_common(values, low, np.empty(buckets, dtype=width), out)
    return out


def member(values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Per value, whether it is one of the distinct uint64 ``keys`` (``np.isin``).

    Example:
        >>> member(np.array([5, 2, 9]), np.array([2, 5, 7])).tolist()
        [True, True, False]
    """
    out = np.zeros(values.shape, dtype=bool)
    if keys.size:
        has_keys(values.astype(np.uint64, copy=False).reshape(-1),
                 keys.astype(np.uint64, copy=False), out.reshape(-1))
    return out


def index_in(values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Per value, its index in the distinct uint64 ``keys``, or -1 where it is none
    (int32, or int64 for more than 2**31 keys).

    A hash table of the keys answers in a probe or two per value
    (``kernels.find_keys``): the scan looks up millions of shingles at a time, where
    sorting or a binary search per value costs many times more.

    Example:
        >>> index_in(np.array([5, 2, 9]), np.array([2, 5, 7])).tolist()
        [1, 0, -1]
    """
    # int32 where it will do: a scan looks up tens of millions of values at a time.
    out = np.empty(values.shape, dtype=np.int32 if keys.size < 2**31 else np.int64)
    if keys.size == 0:
        out.fill(-1)
        return out
    find_keys(values.astype(np.uint64, copy=False).reshape(-1),
              keys.astype(np.uint64, copy=False), out.reshape(-1))
    return out


def prefix_sums(values: np.ndarray) -> np.ndarray:
    """``[0, v0, v0 + v1, ...]`` as int64 (``np.r_[0, np.cumsum(values)]``, cheaper).

    Example:
        >>> prefix_sums(np.array([True, False, True])).tolist()
        [0, 1, 1, 2]
    """
    out = np.empty(values.size + 1, dtype=np.int64)
    out[0] = 0
    # int64 on every platform (numpy 1 summed small integers in a 32-bit int on Windows).
    np.cumsum(values, dtype=np.int64, out=out[1:])
    return out


def split_at(values: np.ndarray, offsets: np.ndarray) -> list[np.ndarray]:
    """The parts ``values[offsets[d]:offsets[d + 1]]`` (views), one per document.

    Example:
        >>> [p.tolist() for p in split_at(np.arange(5), np.array([0, 2, 2, 5]))]
        [[0, 1], [], [2, 3, 4]]
    """
    bounds = offsets.tolist()  # (np.split makes each part through several calls)
    return [values[a:b] for a, b in pairwise(bounds)]


def joined(parts: Sequence[np.ndarray], dtype: type = np.uint64) -> tuple[np.ndarray,
                                                                       np.ndarray]:
    """``(values, offsets)``: the parts laid end to end, and where each starts
    (``split_at`` undone).

    Example:
        >>> values, offsets = joined([np.array([4, 5]), np.array([], dtype=np.uint64)])
        >>> values.tolist(), offsets.tolist()
        ([4, 5], [0, 2, 2])
    """
    sizes = np.fromiter((p.size for p in parts), dtype=np.int64, count=len(parts))
    values = np.concatenate(parts) if parts else np.empty(0, dtype=dtype)
    return values.astype(dtype, copy=False), prefix_sums(sizes)


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


def ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indices ``start, start + 1, ..., start + length - 1`` of each range, in order.

    Example:
        >>> ranges(np.array([5, 0]), np.array([2, 3])).tolist()
        [5, 6, 0, 1, 2]
    """
    return (np.repeat(starts, lengths) + np.arange(int(lengths.sum()))
            - np.repeat(prefix_sums(lengths)[:-1], lengths))


def unique_rows(pairs: np.ndarray) -> np.ndarray:
    """The distinct rows of an ``(m, 2)`` array of non-negative indices, sorted.

    Example:
        >>> unique_rows(np.array([[2, 3], [0, 1], [2, 3]])).tolist()
        [[0, 1], [2, 3]]
    """
    return counted_rows(pairs)[0]


def counted_rows(pairs: np.ndarray,
                 weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``unique_rows`` and how many times each row occurs (with ``weights``, one per
    row: the sum of its occurrences' weights).

    Example:
        >>> [a.tolist() for a in counted_rows(np.array([[2, 3], [0, 1], [2, 3]]))]
        [[[0, 1], [2, 3]], [1, 2]]
    """
    pairs = pairs.reshape(-1, 2).astype(np.int64)
    if pairs.size == 0:
        return pairs, np.empty(0, dtype=np.int64)
    width = int(pairs[:, 1].max()) + 1  # a row as one number: first * width + second
    keys = pairs[:, 0] * width + pairs[:, 1]
    if weights is None:
        keys = np.sort(keys)
        starts = np.flatnonzero(_firsts(keys))
        counts = np.diff(np.append(starts, keys.size))
    else:
        order = np.argsort(keys)
        keys = keys[order]
        starts = np.flatnonzero(_firsts(keys))
        counts = np.add.reduceat(weights[order].astype(np.int64), starts)
    keys = keys[starts]
    return np.stack([keys // width, keys % width], axis=1), counts
