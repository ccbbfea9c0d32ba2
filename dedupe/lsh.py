"""Candidate pairs: MinHash LSH banding and shingle postings, both with numpy sorts.

Banding follows datasketch's ``MinHashLSH``: the signature is cut into ``bands``
runs of ``rows`` values and two documents are candidates when any band is equal
(the same (bands, rows) that datasketch's ``_optimal_param`` picks). Instead of a
dict per band we sort band keys, which costs a few bytes per document.

Candidates are approximate by design: LSH misses pairs below the threshold with
the probability given in ``docs``; every candidate is verified on exact sets later.
"""

from __future__ import annotations

from typing import Literal, overload

import numpy as np

from dedupe.arrays import counted_rows, unique_rows

_BAND_MIX = np.uint64(0x9E3779B97F4A7C15)

#: A group (bucket or posting list) up to this size yields all its pairs; a larger
#: one yields a star around its first members plus a chain, which keeps every member
#: connected without a quadratic number of pairs.
FULL_GROUP = 48
STAR_CENTRES = 4


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """``(n_docs, bands)`` uint64 keys; equal keys mean an equal band."""
    n_docs = signatures.shape[0]
    keys = np.zeros((n_docs, bands), dtype=np.uint64)
    # A view (no 64-bit copy of the signatures), and the keys updated in place: at
    # 100,000 documents the copy and the temporaries were 130 MB.
    cut = signatures[:, : bands * rows].reshape(n_docs, bands, rows)
    with np.errstate(over="ignore"):
        for r in range(rows):
            keys *= _BAND_MIX
            keys += cut[:, :, r]
            keys += np.uint64(r + 1)
    return keys


def lsh_pairs(signatures: np.ndarray, bands: int, rows: int, active: np.ndarray) -> np.ndarray:
    """Document pairs that share at least one LSH band.

    Args:
        signatures: ``(n_docs, num_perm)`` uint32 MinHash matrix.
        bands, rows: banding parameters.
        active: bool mask of documents to index (empty documents are left out).

    Returns:
        ``(m, 2)`` int64 array of unique pairs ``i < j`` in sorted order.
    """
    return band_pairs(band_keys(signatures, bands, rows), active)


def band_pairs(keys: np.ndarray, active: np.ndarray) -> np.ndarray:
    """``lsh_pairs`` of the documents' band keys, ``(n_docs, bands)`` (``band_keys``):
    all pairs of the active documents that share a key in a band (capped per group, see
    ``FULL_GROUP``), ``(m, 2)`` int64 rows ``i < j``, unique and sorted."""
    docs = np.flatnonzero(active)
    if docs.size < 2:
        return np.empty((0, 2), dtype=np.int64)
    bands = keys.shape[1]
    # Group by (band, key): mixing the band id in makes one sort do for all bands. A
    # stable sort of the keys laid out document by document keeps each group's
    # documents ascending, so the members need no array of their own to sort by. These
    # arrays are documents x bands, 20 MB each at 100,000 documents, at the scan's peak:
    # the keys are sorted again in place rather than gathered, and the members are
    # written over the order.
    mixed = keys[docs]
    with np.errstate(over="ignore"):
        mixed ^= np.arange(bands, dtype=np.uint64) * _BAND_MIX
    grouped = mixed.ravel()  # (a view: ``mixed`` is a new array)
    members = np.argsort(grouped, kind="stable")
    grouped.sort()
    members //= bands
    np.take(docs, members, out=members, mode="clip")  # (an element at a time: in place)
    keep = run_starts(grouped, members)  # (a document twice in a group: mixed bands met)
    if keep.size < grouped.size:
        grouped, members = grouped[keep], members[keep]
    del keep
    return grouped_pairs(run_starts(grouped), members)


def group_pairs(keys: np.ndarray, members: np.ndarray) -> np.ndarray:
    """All pairs of distinct members that share a key (capped per group, see
    ``FULL_GROUP``): ``(m, 2)`` int64 rows ``i < j``, unique and sorted."""
    order = np.lexsort((members, keys))
    keys, members = keys[order], members[order]
    keep = run_starts(keys, members)
    keys, members = keys[keep], members[keep]
    return grouped_pairs(run_starts(keys), members)


@overload
def grouped_pairs(starts: np.ndarray, members: np.ndarray) -> np.ndarray: ...
@overload
def grouped_pairs(
    starts: np.ndarray, members: np.ndarray, *, counts: Literal[True],
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]: ...
def grouped_pairs(
    starts: np.ndarray, members: np.ndarray, *, counts: bool = False,
    weights: np.ndarray | None = None,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """``group_pairs`` of members already grouped: group ``g`` is
    ``members[starts[g]:starts[g + 1]]`` (the last runs to the end), distinct members,
    and ``weights`` (with ``counts``) one per group."""
    sizes = np.diff(np.r_[starts, members.size])
    chunks, chunk_weights = [np.empty((0, 2), dtype=np.int64)], [np.empty(0, np.int64)]
    for size in np.unique(sizes[sizes >= 2]):
        group_starts = starts[sizes == size]
        left, right = _pair_pattern(int(size))
        chunks.append(
            np.stack(
                [members[group_starts[:, None] + left].ravel(),
                 members[group_starts[:, None] + right].ravel()],
                axis=1,
            ).astype(np.int64, copy=False)
        )
        if weights is not None:
            chunk_weights.append(np.repeat(weights[sizes == size], left.size))
    pairs = np.concatenate(chunks)
    pairs.sort(axis=1)
    if not counts:
        return unique_rows(pairs)
    return counted_rows(pairs, None if weights is None else np.concatenate(chunk_weights))


def run_starts(*columns: np.ndarray) -> np.ndarray:
    """Indices where a run of equal rows starts in sorted ``columns`` (empty-safe)."""
    size = columns[0].size
    changed = np.zeros(size, dtype=bool)
    changed[:1] = True
    for column in columns:
        changed[1:] |= column[1:] != column[:-1]
    return np.flatnonzero(changed)


def _pair_pattern(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs within one group of ``size`` members."""
    if size <= FULL_GROUP:
        left, right = np.triu_indices(size, 1)
        return left, right
    centres = np.repeat(np.arange(STAR_CENTRES), size)
    others = np.tile(np.arange(size), STAR_CENTRES)
    chain = np.arange(size - 1)
    left = np.r_[centres, chain]
    right = np.r_[others, chain + 1]
    keep = left != right
    return left[keep], right[keep]
