"""Tests of round-1 families and exact overlaps (dedupe/relations.py)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import dedupe.relations as relations_module
from dedupe.arrays import joined, prefix_sums
from dedupe.config import Config
from dedupe.kernels import weighted_pair_counts
from dedupe.lsh import FULL_GROUP, STAR_CENTRES, grouped_pairs
from dedupe.relations import (
    Overlaps,
    copies,
    loose_families,
    overlaps,
    posting_pairs,
    relation,
    relations,
)


def table(rows: list[tuple[int, int, float, float, float]]) -> Overlaps:
    pairs = np.array([(a, b) for a, b, *_ in rows], dtype=np.int64)
    return Overlaps(pairs=pairs, shared=np.ones(len(rows)),
                    jaccard=np.array([r[2] for r in rows]),
                    a_in_b=np.array([r[3] for r in rows]), b_in_a=np.array([r[4] for r in rows]))


def test_containment_into_one_family_joins_it() -> None:
    # 0 and 1 are copies; 2 (a trimmed copy) lies inside both.
    full = table([(0, 1, 0.9, 0.9, 0.9), (0, 2, 0.3, 0.3, 0.9), (1, 2, 0.3, 0.3, 0.9)])
    family = loose_families(3, full, 0.4, 0.6)
    assert family[0] == family[1] == family[2]


def test_containment_into_several_families_joins_none() -> None:
    # 2 is mostly its site's template: it lies inside unrelated articles 0 and 1.
    full = table([(0, 2, 0.3, 0.2, 0.7), (1, 2, 0.3, 0.2, 0.7)])
    family = loose_families(3, full, 0.4, 0.6)
    assert len(set(family.tolist())) == 3


@given(st.lists(st.lists(st.integers(0, 40), max_size=30), min_size=2, max_size=12),
       st.integers(1, 3))
def test_overlaps_count_exactly_what_two_sets_share(members: list[list[int]], jobs: int) -> None:
    # spread over the whole 64-bit range, as shingle hashes are (unsigned order matters)
    sets = [np.unique(np.array(m, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
            for m in members]
    pairs = np.array(np.triu_indices(len(sets), 1)).T
    found = overlaps(pairs, sets, jobs)  # in ``jobs`` threads
    for k, (i, j) in enumerate(pairs.tolist()):
        a, b = set(members[i]), set(members[j])
        assert found.shared[k] == len(a & b)
        assert found.jaccard[k] == pytest.approx(len(a & b) / len(a | b) if a | b else 0.0)
        assert found.a_in_b[k] == pytest.approx(len(a & b) / len(a) if a else 0.0)


def test_one_pair_gets_the_relation_many_pairs_get() -> None:
    config = Config()
    grid = list(itertools.product([0, 3], [False, True], [0.2, 0.7, 0.9], [0.5, 0.8, 0.95],
                                  [False, True]))
    one = [relation(*row[:4], config, row[4]) for row in grid]
    columns = [np.array(column) for column in zip(*grid, strict=True)]
    many = relations(*columns[:4], config, columns[4])
    assert one == many
    assert set(one) == {None, "duplicate", "near-duplicate", "contains"}
    # The same text is a duplicate even sharing no content; without it, nothing shared
    # is no relation, whatever the content keys say.
    assert {kind for row, kind in zip(grid, one, strict=True) if row[4]} == {"duplicate"}
    assert {kind for row, kind in zip(grid, one, strict=True) if row[0] == 0 and not row[4]
            } == {None}
    assert relations(*columns[:4], config) == [relation(*row[:4], config) for row in grid]


@pytest.mark.parametrize("size", [2, FULL_GROUP, FULL_GROUP + 1, 500])
def test_copies_join_each_text_s_copies_without_a_pair_per_two(size: int) -> None:
    # Documents 0, 2, 4, ... have one text, 1 and 3 another, the last has no words.
    keys = np.array([7 if d % 2 == 0 else 9 for d in range(2 * size)] + [7], dtype=np.uint64)
    words = np.array([3] * (2 * size) + [0])
    keys[3:2 * size:2] = np.arange(11, 11 + size - 1, dtype=np.uint64)  # (only 1 and 3 alike)
    keys[3] = 9
    first, pairs = copies(keys, words)
    evens = np.arange(0, 2 * size, 2)
    assert first[evens].tolist() == [0] * size and first[-1] == -1
    assert first[1] == first[3] == 1
    assert all(first[d] == d for d in range(5, 2 * size, 2))
    graph = set(map(tuple, pairs.tolist()))
    assert (1, 3) in graph and all(a < b and first[a] == first[b] for a, b in graph)
    expected = size * (size - 1) // 2 if size <= FULL_GROUP else None
    if expected is None:  # a star and a chain: every copy reached, pairs linear in size
        assert len(graph) - 1 < (STAR_CENTRES + 1) * size
        reached = {0}
        for a, b in sorted(graph):
            if a in reached:
                reached.add(b)
        assert reached >= set(evens.tolist())
    else:
        assert len(graph) - 1 == expected


@pytest.mark.parametrize("part_values", [10**9, 5])  # one range; several, in windows
@given(st.lists(st.sets(st.integers(0, 40), max_size=25), min_size=2, max_size=30),
       st.integers(2, 40), st.integers(1, 4))
def test_posting_pairs_count_the_shingles_each_pair_shares(
    part_values: int, raw: list[set[int]], max_postings: int, min_shared: int,
) -> None:
    """Against counting every pair of every shingle's carriers. A small universe makes
    many shingles with the same carriers, which posting_pairs makes pairs for once."""
    sets = [np.sort(np.array(sorted(s), dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
            for s in raw]
    shared: dict[tuple[int, int], int] = {}
    for shingle in set().union(*raw):
        carriers = [d for d, s in enumerate(raw) if shingle in s]
        if 2 <= len(carriers) <= max_postings:
            for pair in itertools.combinations(carriers, 2):
                shared[pair] = shared.get(pair, 0) + 1
    expected = sorted(pair for pair, n in shared.items() if n >= min_shared)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(relations_module, "_PART_VALUES", part_values)
        found = posting_pairs(joined(sets), max_postings, min_shared)
    assert [tuple(p) for p in found.tolist()] == expected


@example([(set(range(0, 120, 2)), 3), (set(range(5)), 2), (set(range(1, 60)), 1)], 2, 3)
@given(st.lists(st.tuples(st.sets(st.integers(0, 120), min_size=2, max_size=70),
                          st.integers(1, 5)), max_size=6), st.integers(1, 8),
       st.integers(1, 5))
def test_weighted_pair_counts_are_grouped_pairs_counts(groups: list[tuple[set[int], int]],
                                                       minimum: int, parts: int) -> None:
    """The hash-table count of posting pairs against the sorted rows of
    ``lsh.grouped_pairs``, with groups past FULL_GROUP (stars and a chain, whose
    repeated pairs count each time); only pairs counted ``minimum`` times come back,
    and counted in ``parts`` parts they are the same pairs and counts."""
    members = np.array([m for g, _ in groups for m in sorted(g)], dtype=np.int32)
    starts = prefix_sums(np.array([len(g) for g, _ in groups], dtype=np.int64))[:-1]
    weights = np.array([w for _, w in groups], dtype=np.int64)
    expected, expected_counts = grouped_pairs(starts, members, counts=True, weights=weights)
    kept = expected_counts >= minimum
    counted = [weighted_pair_counts(starts, members, weights, 121, FULL_GROUP, STAR_CENTRES,
                                    minimum, part, parts) for part in range(parts)]
    codes = np.concatenate([c for c, _ in counted])
    counts = np.concatenate([n for _, n in counted])
    order = np.argsort(codes)
    assert (codes[order] // 121).tolist() == expected[kept, 0].tolist()
    assert (codes[order] % 121).tolist() == expected[kept, 1].tolist()
    assert counts[order].tolist() == expected_counts[kept].tolist()


@pytest.mark.parametrize("parts", [1, 3])
def test_weighted_pair_counts_grow_their_table(parts: int) -> None:
    """Enough distinct pairs to double the table several times (it starts at 2**16
    slots and is kept at most half full): every pair still counted, none lost."""
    rng = np.random.default_rng(7)
    groups = [np.sort(rng.choice(5000, size=int(rng.integers(2, FULL_GROUP + 1)), replace=False))
              for _ in range(1500)]
    members = np.concatenate(groups).astype(np.int32)
    starts = prefix_sums(np.array([g.size for g in groups], dtype=np.int64))[:-1]
    weights = rng.integers(1, 4, size=len(groups)).astype(np.int64)
    expected, expected_counts = grouped_pairs(starts, members, counts=True, weights=weights)
    assert len(expected) > 2 * parts * (1 << 16)  # (the table at least doubles per part)
    counted = [weighted_pair_counts(starts, members, weights, 5000, FULL_GROUP, STAR_CENTRES,
                                    1, part, parts) for part in range(parts)]
    codes = np.concatenate([c for c, _ in counted])
    counts = np.concatenate([n for _, n in counted])
    order = np.argsort(codes)
    assert np.array_equal(np.stack([codes[order] // 5000, codes[order] % 5000], axis=1),
                          expected)
    assert np.array_equal(counts[order], expected_counts)
