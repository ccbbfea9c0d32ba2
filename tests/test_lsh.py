"""Numpy banding finds exactly the candidates datasketch's MinHashLSH finds."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHashLSH

from dedupe.lsh import (
    _BAND_MIX,
    FULL_GROUP,
    band_keys,
    band_pairs,
    grouped_pairs,
    lsh_pairs,
    run_starts,
)
from dedupe.signatures import signature_matrix, to_minhash


def near_duplicate_sets(seed: int, families: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    sets = []
    for _ in range(families):
        base = rng.integers(0, 2**63, size=300, dtype=np.uint64)
        keep = int(rng.integers(60, 300))
        fresh = rng.integers(0, 2**63, size=300 - keep, dtype=np.uint64)
        sets += [base, np.concatenate([base[:keep], fresh])]
    return sets


@pytest.mark.parametrize("bands,rows", [(25, 5), (32, 4), (16, 8)])
def test_lsh_pairs_equal_datasketch_minhashlsh(bands: int, rows: int) -> None:
    sets = near_duplicate_sets(bands, 40)
    signatures = signature_matrix(sets, 128, 1)
    ours = {tuple(p) for p in lsh_pairs(signatures, bands, rows, np.ones(len(sets), bool)).tolist()}
    index = MinHashLSH(num_perm=128, params=(bands, rows))
    for i, row in enumerate(signatures):
        index.insert(i, to_minhash(row, 1))
    theirs = {
        (min(i, j), max(i, j))
        for i, row in enumerate(signatures)
        for j in index.query(to_minhash(row, 1))
        if j != i
    }
    assert ours == theirs
    assert ours  # the near-duplicate families do collide


@pytest.mark.parametrize("bands,rows", [(25, 5), (32, 4), (3, 7)])
def test_band_keys_are_the_documented_polynomial(bands: int, rows: int) -> None:
    """Keys are stored in persistent indexes: each band's is, mod 2**64, the polynomial
    ``k = k * _BAND_MIX + value + r + 1`` over its rows ``r``."""
    signatures = signature_matrix(near_duplicate_sets(rows, 4), 128, 1)
    mix, expected = int(_BAND_MIX), []
    for row in signatures.tolist():
        keys = []
        for band in range(bands):
            key = 0
            for r in range(rows):
                key = (key * mix + row[band * rows + r] + r + 1) % 2**64
            keys.append(key)
        expected.append(keys)
    assert band_keys(signatures, bands, rows).tolist() == expected


def test_inactive_documents_are_never_candidates() -> None:
    signatures = signature_matrix(near_duplicate_sets(1, 3), 128, 1)
    active = np.array([True, False, True, True, True, True])
    pairs = lsh_pairs(signatures, 25, 5, active)
    assert 1 not in pairs


def test_large_groups_stay_connected_without_all_pairs() -> None:
    size = FULL_GROUP * 3
    pairs = grouped_pairs(np.array([0]), np.arange(size))
    assert len(pairs) < size * (size - 1) // 2 // 10
    linked = {int(x) for x in pairs.ravel()}
    assert linked == set(range(size))
    pairs, counts = grouped_pairs(np.array([0, 2]), np.array([0, 1, 0, 1]), counts=True)
    assert pairs.tolist() == [[0, 1]] and counts.tolist() == [2]


@pytest.mark.parametrize("seed", range(5))
def test_band_pairs_are_the_pairs_sharing_a_band(seed: int) -> None:
    # Few distinct keys, so bands collide often; some documents are inactive, and one
    # document's two bands are made to meet once the band ids are mixed in (it must
    # not pair with itself, nor count its group twice).
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, 4, size=(30, 3)).astype(np.uint64)
    keys[7, 1] = keys[7, 0] ^ _BAND_MIX  # (band 0 mixes in 0, band 1 mixes in _BAND_MIX)
    active = rng.random(30) < 0.8
    active[7] = True
    expected = {(i, j) for i in range(30) for j in range(i + 1, 30)
                if active[i] and active[j]
                and any(keys[i, b] == keys[j, b] for b in range(3))}
    pairs = band_pairs(keys, active)
    assert pairs.tolist() == sorted(map(list, expected))  # (groups here are small: all pairs)


@pytest.mark.parametrize("columns,expected", [
    ([[]], []),
    ([[5]], [0]),
    ([[1, 1, 2, 2, 2, 3]], [0, 2, 5]),
    ([[1, 1, 1], [0, 1, 1]], [0, 1]),
])
def test_run_starts(columns: list[list[int]], expected: list[int]) -> None:
    assert run_starts(*(np.array(c, dtype=np.int64) for c in columns)).tolist() == expected
