"""MinHash signatures computed on arrays, identical to datasketch's ``MinHash``.

datasketch (scheme ``affine32``, the 2.x default) maps each 32-bit hash ``h`` to
``fmix32(h) * a + b mod 2**32`` for ``num_perm`` odd multipliers ``a`` drawn from
``RandomState(seed)``, and keeps the minimum per permutation. We take the same
permutations from datasketch and apply them in a compiled loop (``kernels.min_hashes``);
``to_minhash`` wraps a row as a datasketch ``LeanMinHash`` for its LSH and storage.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from datasketch import LeanMinHash, MinHash

from dedupe.arrays import prefix_sums
from dedupe.kernels import in_threads, min_hashes
from dedupe.shingle import FMIX32, fmix

_EMPTY = np.uint32(0xFFFFFFFF)
#: Documents whose signatures are computed together (``signatures_flat``).
_BLOCK = 4096


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine permutation parameters ``(a, b)`` for ``num_perm`` and ``seed``."""
    a, b = MinHash(num_perm=num_perm, seed=seed).permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def hash32(shingle_hashes: np.ndarray) -> np.ndarray:
    """The 32-bit value MinHash sees for each 64-bit shingle hash (its low half)."""
    return (shingle_hashes & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def signature_matrix(sets: Sequence[np.ndarray], num_perm: int, seed: int) -> np.ndarray:
    """MinHash signatures of many shingle sets.

    Args:
        sets: one uint64 shingle-hash array per document (duplicates allowed).
        num_perm: permutations per signature.
        seed: permutation seed.

    Returns:
        ``(len(sets), num_perm)`` uint32 matrix; row ``i`` equals
        ``MinHash(num_perm, seed, hashfunc=int)`` updated with ``hash32(sets[i])``.
        An empty set gives the all-``0xFFFFFFFF`` row, as datasketch does.
    """
    sizes = np.fromiter((s.size for s in sets), dtype=np.int64, count=len(sets))
    values = np.concatenate(sets) if sets else np.empty(0, dtype=np.uint64)
    return signatures_flat(values, sizes, num_perm, seed)


def signatures_flat(values: np.ndarray, sizes: np.ndarray, num_perm: int,
                    seed: int, jobs: int = 1) -> np.ndarray:
    """``signature_matrix`` of sets given one after the other: ``sizes[i]`` values each
    (``jobs`` threads share the blocks of documents)."""
    a, b = permutations(num_perm, seed)
    out = np.full((sizes.size, num_perm), _EMPTY, dtype=np.uint32)
    offsets = prefix_sums(sizes)

    # A block of documents at a time: the 32-bit values are made for one block only.
    def blocks(lo: int, hi: int) -> None:
        for block in range(lo, hi):
            first, last = block * _BLOCK, min((block + 1) * _BLOCK, sizes.size)
            start, end = int(offsets[first]), int(offsets[last])
            if end > start:
                min_hashes(fmix(hash32(values[start:end]), FMIX32),
                           offsets[first : last + 1] - start, a, b, out[first:last])

    in_threads(blocks, -(-sizes.size // _BLOCK), jobs)
    return out


def to_minhash(row: np.ndarray, seed: int) -> LeanMinHash:
    """Wrap one signature row as a datasketch ``LeanMinHash``."""
    minhash = MinHash(num_perm=row.size, seed=seed, hashvalues=row, scheme="affine32")
    return LeanMinHash(minhash)

