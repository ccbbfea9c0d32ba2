"""Tests of winnowing (dedupe/shingle.py::winnow): the passage guarantee and the density."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedupe import shingle
from dedupe.shingle import shingles, shingles_flat, winnow

hash_lists = st.lists(st.integers(0, 2**64 - 1), max_size=40)


@pytest.mark.parametrize(
    ("hashes", "window", "expected"),
    [
        ([], 4, []),
        ([7], 4, [0]),
        ([5, 3, 9], 4, [1]),  # shorter than the window: its smallest hash
        ([5, 3, 9, 3, 7, 1], 3, [1, 3, 5]),  # ties: the rightmost 3 for [3, 9, 3]
        ([1, 2, 3, 4], 1, [0, 1, 2, 3]),  # a window of one keeps every shingle
        ([4, 4, 4, 4, 4], 2, [1, 2, 3, 4]),
    ],
)
def test_winnow(hashes: list[int], window: int, expected: list[int]) -> None:
    assert winnow(np.array(hashes, dtype=np.uint64), window).tolist() == expected


def test_window_must_be_positive() -> None:
    with pytest.raises(ValueError, match="window must be at least 1, not 0"):
        winnow(np.zeros(3, dtype=np.uint64), 0)


@given(hash_lists, hash_lists, st.lists(st.integers(0, 2**64 - 1), min_size=4, max_size=12),
       st.integers(1, 4))
def test_texts_sharing_a_window_share_a_fingerprint(
    before: list[int], after: list[int], shared: list[int], window: int,
) -> None:
    a = np.array([*before, *shared], dtype=np.uint64)
    b = np.array([*shared, *after], dtype=np.uint64)
    prints_a = set(a[winnow(a, window)].tolist())
    prints_b = set(b[winnow(b, window)].tolist())
    assert prints_a & prints_b


@given(hash_lists, st.integers(1, 6))
def test_every_window_holds_a_fingerprint(values: list[int], window: int) -> None:
    hashes = np.array(values, dtype=np.uint64)
    picks = set(winnow(hashes, window).tolist())
    for start in range(max(len(values) - window + 1, 1 if values else 0)):
        assert picks & set(range(start, start + window))


def test_density_is_about_two_over_window_plus_one() -> None:
    hashes = np.random.default_rng(7).integers(0, 2**63, size=200_000, dtype=np.uint64)
    for window in (2, 4, 8):
        density = winnow(hashes, window).size / hashes.size
        assert density == pytest.approx(2 / (window + 1), rel=0.03), window


def test_shingle_doctests() -> None:
    assert doctest.testmod(shingle).failed == 0


@given(st.lists(st.integers(0, 12), max_size=8), st.integers(1, 6))
def test_shingles_flat_are_each_texts_shingles(counts: list[int], n: int) -> None:
    sizes = np.array(counts, dtype=np.int64)
    words = np.random.default_rng(sum(counts)).integers(0, 2**63, sizes.sum(), dtype=np.uint64)
    flat, per_text = shingles_flat(words, sizes, n)
    expected = [shingles(w, n) for w in np.split(words, np.cumsum(sizes)[:-1])] if counts else []
    assert per_text.tolist() == [e.size for e in expected]
    assert flat.tolist() == [h for e in expected for h in e.tolist()]


def _windows_reference(words: np.ndarray, width: int) -> np.ndarray:
    """The shingle hash written with numpy: the polynomial over each run, then fmix."""
    length = words.size - width + 1
    acc = np.zeros(length, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(width):
            acc = acc * shingle.MULTIPLIER + words[k : k + length]
    return shingle.fmix(acc, shingle.FMIX64)


@given(hash_lists.filter(bool), st.integers(1, 8))
def test_compiled_shingle_hashes_are_the_numpy_polynomial(values: list[int], n: int) -> None:
    words = np.array(values, dtype=np.uint64)
    width = min(n, words.size)
    np.testing.assert_array_equal(shingle._windows(words, width),
                                  _windows_reference(words, width))
