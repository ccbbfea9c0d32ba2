"""Word n-gram shingles as arrays of 64-bit hashes, one per word position.

Shingle ``i`` covers words ``i .. i + n - 1``; combining word hashes as arrays keeps
Python objects out of the hot path. A text shorter than ``n`` words has one
shingle covering all of it, so short texts still compare.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dedupe.arrays import prefix_sums, runs
from dedupe.kernels import sorted_sets, text_windows, usable_flags, window_hashes

#: Odd (golden-ratio) multiplier of the polynomial hashes of shingles and lines.
MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
#: MurmurHash3 finaliser constants (shift, multiply, shift, multiply, shift).
FMIX64 = (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(33),
          np.uint64(0xC4CEB9FE1A85EC53), np.uint64(33))
FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35),
          np.uint32(16))


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
    if word_hashes.size == 0:
        return np.empty(0, dtype=np.uint64)
    return _windows(word_hashes, min(n, word_hashes.size))


def _windows(word_hashes: np.ndarray, width: int) -> np.ndarray:
    """The hash of every run of ``width`` consecutive words (``width <= len``):
    ``fmix(((w[i] * MULTIPLIER + w[i + 1]) * MULTIPLIER + ...) + w[i + width - 1])``,
    in one compiled pass (``kernels.window_hashes``)."""
    out = np.empty(word_hashes.size - width + 1, dtype=np.uint64)
    window_hashes(word_hashes.astype(np.uint64, copy=False), width, out)
    return out


def shingles_flat(
    word_hashes: np.ndarray, counts: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """``shingles`` of many texts at once, their words one after the other.

    Args:
        word_hashes: the texts' word hashes, concatenated.
        counts: words per text.
        n: words per shingle.

    Returns:
        ``(hashes, counts)``: the texts' shingle hashes, concatenated, and how many
        each text has; equal to ``shingles`` of each text.
    """
    sizes = np.where(counts >= n, counts - n + 1, np.minimum(counts, 1))
    # Each text's own windows, written straight to their place (a text shorter than n
    # words has one shingle of all its words).
    hashes = np.empty(int(sizes.sum()), dtype=np.uint64)
    if hashes.size:
        text_windows(word_hashes.astype(np.uint64, copy=False), prefix_sums(counts), n,
                     hashes)
    return hashes, sizes


def fmix(values: np.ndarray, constants: tuple[np.unsignedinteger[Any], ...]) -> np.ndarray:
    """MurmurHash3's finaliser: spreads every input bit over the output (wrapping)."""
    shift1, mult1, shift2, mult2, shift3 = constants
    with np.errstate(over="ignore"):
        values = values ^ (values >> shift1)
        values = values * mult1
        values = values ^ (values >> shift2)
        values = values * mult2
        return values ^ (values >> shift3)


def winnow(hashes: np.ndarray, window: int) -> np.ndarray:
    """Positions of the winnowed fingerprints of a shingle sequence (robust winnowing).

    In every run of ``window`` consecutive shingles the smallest hash (the rightmost of
    equals) is a fingerprint. Two texts that share ``window`` consecutive shingles,
    i.e. a passage of ``window + n - 1`` words, therefore share a fingerprint, while
    only about ``2 / (window + 1)`` of the shingles are kept (Schleimer, Wilkerson and
    Aiken, 2003). A sequence shorter than the window has its smallest hash.

    Returns:
        Sorted int64 positions into ``hashes``.

    Example:
        >>> winnow(np.array([5, 3, 9, 3, 7, 1], dtype=np.uint64), 3).tolist()
        [1, 3, 5]
    """
    if window < 1:
        raise ValueError(f"window must be at least 1, not {window}")
    if hashes.size == 0:
        return np.empty(0, dtype=np.int64)
    width = min(window, hashes.size)
    windows = np.lib.stride_tricks.sliding_window_view(hashes, width)
    # argmin over each window read right to left finds the rightmost smallest hash.
    picks = np.arange(windows.shape[0]) + (width - 1 - np.argmin(windows[:, ::-1], axis=1))
    return np.unique(picks).astype(np.int64)


def usable_shingles(template: np.ndarray, n: int, count: int) -> np.ndarray:
    """Which of ``count`` shingles (by start position) touch no template word.

    ``template`` marks the template words of the text the shingles were cut from.
    """
    return usable_flat(template, np.array([0, template.size]), np.array([0, count]), n)


def usable_flat(template: np.ndarray, word_offsets: np.ndarray, offsets: np.ndarray,
                n: int) -> np.ndarray:
    """``usable_shingles`` of many documents laid end to end: document ``d``'s words
    are ``template[word_offsets[d]:word_offsets[d + 1]]``, its shingles
    ``offsets[d]:offsets[d + 1]`` of the result."""
    out = np.zeros(int(offsets[-1]), dtype=bool)
    usable_flags(template, word_offsets, offsets, n, out)
    return out


def shingle_sets(hashes: np.ndarray, offsets: np.ndarray,
                 usable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each document's distinct usable shingles, sorted: ``(values, offsets)`` laid end
    to end as ``hashes`` are (``sorted_unique(h[u])`` of each document)."""
    values = np.empty(int(np.count_nonzero(usable)), dtype=np.uint64)
    out_offsets = np.empty(offsets.size, dtype=np.int64)
    count = sorted_sets(hashes, offsets, usable, values, out_offsets)
    return values[:count].copy(), out_offsets


def true_runs(mask: np.ndarray) -> list[slice]:
    """Maximal runs of True in ``mask``."""
    starts, ends = runs(mask.astype(bool, copy=False))
    return [slice(a, b) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
