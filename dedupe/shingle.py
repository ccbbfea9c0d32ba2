"""Word n-gram shingles as arrays of 64-bit hashes, one per word position.

Shingle ``i`` covers words ``i .. i + n - 1``; combining word hashes as arrays keeps
Python objects out of the hot path. A text shorter than ``n`` words has one
shingle covering all of it, so short texts still compare.
"""

from __future__ import annotations

import numpy as np

_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # odd; golden-ratio constant
_MIX1 = np.uint64(0xFF51AFD7ED558CCD)
_MIX2 = np.uint64(0xC4CEB9FE1A85EC53)
_SHIFT = np.uint64(33)


def shingles(word_hashes: np.ndarray, n: int) -> np.ndarray:
    """Hash every run of ``n`` consecutive words.

    Args:
        word_hashes: uint64 hashes of the normalised words, in text order.
        n: words per shingle.

    Returns:
        uint64 array of length ``max(len - n + 1, 1)`` (empty for an empty text).

    Example:
        >>> words = np.arange(1, 8, dtype=np.uint64)
        >>> shingles(words, 5).size
        3
    """
    count = word_hashes.size
    if count == 0:
        return np.empty(0, dtype=np.uint64)
    width = min(n, count)
    length = count - width + 1
    acc = np.zeros(length, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(width):
            acc = acc * _MULTIPLIER + word_hashes[k : k + length]
    return _fmix64(acc)


def _fmix64(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser: spreads every input bit over the output."""
    with np.errstate(over="ignore"):
        values = values ^ (values >> _SHIFT)
        values = values * _MIX1
        values = values ^ (values >> _SHIFT)
        values = values * _MIX2
        return values ^ (values >> _SHIFT)
