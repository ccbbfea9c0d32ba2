"""Tests of which shingles weigh as passage evidence (dedupe/passages.py)."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from dedupe.arrays import ranges
from dedupe.config import Config
from dedupe.normalise import analyse_many
from dedupe.passages import Side, Sides, find_passages, rare_shingles
from dedupe.shingle import shingles


def test_a_shingle_made_only_of_stock_words_is_not_rare() -> None:
    n = 3
    # 10 words, 8 shingles. Stock shingles at 0-1 cover words 0-3 and at 4-5 words 4-7:
    # shingles 2 and 3 span the seam, all their words stock-covered.
    stock = np.array([1, 1, 0, 0, 1, 1, 0, 0], dtype=bool)
    usable = np.ones(8, dtype=bool)
    rare = rare_shingles(usable, stock, n)
    assert rare.tolist() == [False, False, False, False, False, False, True, True]


def test_unusable_shingles_stay_out_and_no_stock_changes_nothing() -> None:
    usable = np.array([True, False, True, True])
    assert rare_shingles(usable, np.zeros(4, dtype=bool), 5).tolist() == usable.tolist()
    assert rare_shingles(np.zeros(0, dtype=bool), np.zeros(0, dtype=bool), 5).size == 0


def _reference_spans(a: np.ndarray, b: np.ndarray, usable_a: np.ndarray,
                     usable_b: np.ndarray, rare_a: np.ndarray, min_rare: int,
                     max_gap: int) -> list[list[int]]:
    """The passage search as it was written in numpy and Python before it was compiled
    (``Sides.spans``' rows for one pair, without the pair's index)."""
    idx_a, idx_b = np.flatnonzero(usable_a), np.flatnonzero(usable_b)
    order = np.argsort(b[idx_b], kind="stable")
    hb, idx_b = b[idx_b][order], idx_b[order]
    ha = a[idx_a]
    left, right = np.searchsorted(hb, ha, "left"), np.searchsorted(hb, ha, "right")
    reps = np.minimum(right - left, 4)
    pos_a = np.repeat(idx_a, reps)
    pos_b = idx_b[ranges(left, reps)]
    if np.count_nonzero(rare_a[pos_a]) < min_rare:
        return []
    diagonal = pos_b - pos_a
    order = np.lexsort((pos_a, diagonal))
    pos_a, pos_b, diagonal, rare = pos_a[order], pos_b[order], diagonal[order], rare_a[pos_a][order]
    breaks = np.flatnonzero((diagonal[1:] != diagonal[:-1]) | (np.diff(pos_a) > 1)) + 1
    starts = np.concatenate(([0], breaks)).astype(np.int64)
    ends = np.append(breaks, pos_a.size) - 1
    counts = np.add.reduceat(rare.astype(np.int64), starts)
    open_: list[list[int]] = []
    for first_a, last_a, first_b, last_b, count in sorted(zip(
            pos_a[starts].tolist(), pos_a[ends].tolist(), pos_b[starts].tolist(),
            pos_b[ends].tolist(), counts.tolist(), strict=True)):
        for p in open_:
            if 0 < first_a - p[1] <= max_gap + 1 and 0 < first_b - p[3] <= max_gap + 1:
                p[1], p[3], p[4] = last_a, max(p[3], last_b), p[4] + count
                break
        else:
            open_.append([first_a, last_a, first_b, last_b, count])
    return [p for p in open_ if p[4] >= min_rare]


_words = st.lists(st.integers(0, 6), min_size=0, max_size=60)


@given(texts=st.lists(st.tuples(_words, st.randoms(use_true_random=False)), min_size=2,
                      max_size=5),
       min_rare=st.integers(1, 4), gap=st.integers(0, 3), jobs=st.integers(1, 3))
def test_the_compiled_passage_search_finds_what_the_numpy_one_found(
        texts: list[tuple[list[int], random.Random]], min_rare: int, gap: int,
        jobs: int) -> None:
    """Few distinct hashes make repeats, several diagonals per run start and gaps; every
    ordered pair of the documents is searched, in ``jobs`` threads."""
    hashes = [np.array(h, dtype=np.uint64) for h, _ in texts]
    usable = [np.array([r.random() < 0.9 for _ in h], dtype=bool) for h, r in texts]
    rare = [u & np.array([r.random() < 0.8 for _ in u], dtype=bool)
            for u, (_, r) in zip(usable, texts, strict=True)]
    sides = Sides.of(hashes, usable, rare)
    pairs = np.array([(i, j) for i in range(len(texts)) for j in range(len(texts)) if i != j],
                     dtype=np.int64)
    config = Config(shingle_size=3, min_passage_words=min_rare + 2, passage_max_gap=gap)
    found = sides.spans(pairs, config, jobs).tolist()
    expected = [[k, *span] for k, (i, j) in enumerate(pairs.tolist())
                for span in _reference_spans(hashes[i], hashes[j], usable[i], usable[j],
                                             rare[i], min_rare, gap)]
    assert found == expected


def test_a_passage_is_found_between_two_documents_in_characters_of_both() -> None:
    config = Config(shingle_size=3, min_passage_words=5)
    shared = "the rebels blew up the oil pipeline near the border town"
    texts = [f"Morning news. {shared}. Nothing else here.", f"Other words first, {shared}!"]
    docs = analyse_many(texts, config)
    hashes = [shingles(d.hashes, 3) for d in docs]
    sides = [Side(t, d, h, np.ones(h.size, dtype=bool), np.ones(h.size, dtype=bool))
             for t, d, h in zip(texts, docs, hashes, strict=True)]
    [found] = find_passages(sides[0], sides[1], config)
    assert texts[0][found.a[0] : found.a[1]] == shared
    assert texts[1][found.b[0] : found.b[1]] == shared
    assert found.rare_shingles == len(shared.split()) - 2
    assert find_passages(sides[0], sides[0], replace(config, min_passage_words=40)) == []
