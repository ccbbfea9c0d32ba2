"""Tests of which shingles weigh as passage evidence (dedupe/passages.py)."""

from __future__ import annotations

import numpy as np

from dedupe.passages import rare_shingles


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
