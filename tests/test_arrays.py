"""The sorted-array set operations agree with numpy's general ones; the docstring
examples of the array modules hold."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedupe import arrays, documents, kernels, normalise
from dedupe.arrays import (
    common_values,
    counted_rows,
    index_in,
    joined,
    member,
    prefix_sums,
    sorted_unique,
    split_at,
    unique_rows,
)

hashes = st.lists(st.integers(0, 2**64 - 1), max_size=60).map(
    lambda v: np.array(v, dtype=np.uint64))
small = st.lists(st.integers(0, 20), max_size=60).map(lambda v: np.array(v, dtype=np.uint64))


@given(hashes | small)
def test_sorted_unique_is_np_unique(values: np.ndarray) -> None:
    found = sorted_unique(values)
    assert found.dtype == values.dtype
    np.testing.assert_array_equal(found, np.unique(values))


@given(hashes | small, hashes | small)
def test_member_is_np_isin(values: np.ndarray, other: np.ndarray) -> None:
    np.testing.assert_array_equal(member(values, np.unique(other)), np.isin(values, other))


@given(hashes | small, hashes | small)
def test_index_in_finds_each_value_where_the_keys_hold_it(values: np.ndarray,
                                                          other: np.ndarray) -> None:
    keys = np.unique(other)[::-1].copy()  # any order: the keys need only be distinct
    found = index_in(values, keys)
    assert found.dtype == np.int32 and found.shape == values.shape
    for value, at in zip(values.tolist(), found.tolist(), strict=True):
        assert (keys[at] == value) if at >= 0 else value not in set(keys.tolist())


@given(hashes | small, st.integers(1, 6), st.sampled_from([2, 8, 1 << 20]))
def test_common_values_keep_every_value_that_occurs_often_enough(
    values: np.ndarray, low: int, buckets: int,
) -> None:
    arrays.MAX_BUCKETS = buckets  # few buckets: many values share one
    try:
        found = common_values(values, low)
    finally:
        arrays.MAX_BUCKETS = 1 << 24
    distinct, counts = np.unique(values, return_counts=True)
    often = set(distinct[counts >= low].tolist())
    assert found.dtype == bool and found.shape == values.shape
    assert often <= set(values[found].tolist())
    # Every copy of a value is judged alike (they share a bucket).
    for value in set(values[found].tolist()):
        assert found[values == value].all()


@pytest.mark.parametrize("low", [255, 256, 300, 65_536])
def test_common_values_count_past_what_a_narrow_bucket_holds(low: int) -> None:
    # Buckets are as narrow as ``low`` allows and stop counting there: a value seen
    # ``low`` times is found, one seen ``low - 1`` times is not (in a table of its own).
    values = np.repeat(np.array([7, 9], dtype=np.uint64), [low, low - 1])
    found = common_values(values, low)
    assert found[:low].all() and not found[low:].any()


def test_common_values_drop_nearly_all_rare_values() -> None:
    values = np.arange(1, 100_001, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    values = np.concatenate([values, *[values[:50]] * 3])  # 50 values 4 times, the rest once
    found = common_values(values, 4)
    assert found[:50].all() and found[-150:].all()
    assert np.count_nonzero(found) < 200 + 100_000 // 100  # few share a bucket


@given(st.lists(hashes | small, max_size=6))
def test_joined_undoes_split_at(parts: list[np.ndarray]) -> None:
    values, offsets = joined(parts)
    assert values.dtype == np.uint64 and offsets.tolist()[0] == 0
    assert [p.tolist() for p in split_at(values, offsets)] == [p.tolist() for p in parts]


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), max_size=80))
def test_unique_rows_is_np_unique_over_rows(rows: list[tuple[int, int]]) -> None:
    pairs = np.array(rows, dtype=np.int64).reshape(-1, 2)
    np.testing.assert_array_equal(unique_rows(pairs), np.unique(pairs, axis=0).reshape(-1, 2))
    rows, counts = counted_rows(pairs)
    expected, expected_counts = np.unique(pairs, axis=0, return_counts=True)
    np.testing.assert_array_equal(rows, expected.reshape(-1, 2))
    np.testing.assert_array_equal(counts, expected_counts)
    weights = np.arange(1, len(pairs) + 1)
    _, weighted = counted_rows(pairs, weights)
    np.testing.assert_array_equal(weighted, [weights[(pairs == row).all(axis=1)].sum()
                                             for row in expected.reshape(-1, 2)])


@given(st.lists(st.integers(0, 3), max_size=40))
def test_prefix_sums_start_at_zero(values: list[int]) -> None:
    array = np.array(values, dtype=np.int64)
    np.testing.assert_array_equal(prefix_sums(array), np.r_[0, np.cumsum(array)])
    np.testing.assert_array_equal(prefix_sums(array > 1), np.r_[0, np.cumsum(array > 1)])


def test_examples_in_the_docstrings_hold() -> None:
    for module in (arrays, normalise, documents, kernels):
        assert doctest.testmod(module).failed == 0, module.__name__
