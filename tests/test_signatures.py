"""Vectorised MinHash equals datasketch's, and wraps as a LeanMinHash."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash

from dedupe import signatures
from dedupe.signatures import hash32, signature_matrix, to_minhash


def random_sets(seed: int, sizes: list[int]) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 2**63, size=n, dtype=np.uint64) for n in sizes]


@pytest.mark.parametrize("block", [4096, 2])  # all documents in one block; in several
@pytest.mark.parametrize("num_perm,seed", [(128, 1), (64, 7), (256, 42)])
def test_signatures_equal_datasketch_minhash(num_perm: int, seed: int, block: int,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signatures, "_BLOCK", block)
    sets = random_sets(seed, [0, 1, 5, 300, 0, 5000, 9000])
    matrix = signature_matrix(sets, num_perm, seed)
    for shingles, row in zip(sets, matrix, strict=True):
        reference = MinHash(num_perm=num_perm, seed=seed, hashfunc=int)
        reference.update_batch(hash32(shingles).tolist())
        np.testing.assert_array_equal(row, reference.hashvalues)


def test_duplicated_shingles_do_not_change_the_signature() -> None:
    (base,) = random_sets(3, [200])
    a, b = signature_matrix([base, np.concatenate([base, base[:50]])], 128, 1)
    np.testing.assert_array_equal(a, b)


def test_rows_wrap_as_lean_minhash_with_the_same_jaccard() -> None:
    (base,) = random_sets(4, [400])
    other = np.concatenate([base[:300], random_sets(5, [100])[0]])
    a, b = signature_matrix([base, other], 128, 1)
    lean_a, lean_b = to_minhash(a, 1), to_minhash(b, 1)
    assert isinstance(lean_a, LeanMinHash)
    assert lean_a.jaccard(lean_b) == pytest.approx(np.mean(a == b))
    assert 0.45 < lean_a.jaccard(lean_b) < 0.75  # true Jaccard is 300/500
