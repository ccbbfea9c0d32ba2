"""Tests of the boilerplate rules that depend on length (dedupe/boilerplate.py)."""

from __future__ import annotations

import numpy as np
import pytest

from dedupe import Config
from dedupe.arrays import joined, prefix_sums
from dedupe.boilerplate import boilerplate_bar, stock_shingles


@pytest.mark.parametrize(
    ("words", "per_family", "expected"),
    [(1, 10, 3), (12, 10, 3), (30, 10, 3), (31, 10, 4), (40, 10, 4), (80, 10, 8), (40, 5, 8)],
)
def test_long_text_needs_more_families(words: int, per_family: int, expected: int) -> None:
    config = Config(boilerplate_words_per_family=per_family)
    assert boilerplate_bar(words, 3, config) == expected


def test_bad_words_per_family_is_refused() -> None:
    with pytest.raises(ValueError, match="boilerplate_words_per_family must be a positive"):
        Config(boilerplate_words_per_family=0)


def _stock(docs: list[list[int]]) -> set[int]:
    """Stock shingles of documents given as shingle lists, each its own family."""
    hashes = [np.array(d, dtype=np.uint64) for d in docs]
    family = np.arange(len(docs), dtype=np.int64)
    flat = np.concatenate(hashes)
    positions = (flat, prefix_sums(np.array([h.size for h in hashes])),
                 np.ones(flat.size, dtype=bool))
    sets = [np.unique(h) for h in hashes]
    return set(stock_shingles(joined(sets), family, Config(), positions).tolist())


def test_a_long_passage_in_three_families_is_a_quote_not_stock() -> None:
    quote = list(range(1, 37))  # 36 shingles: 40 words, which need 4 families
    short = list(range(100, 111))  # 15 words: 3 families will do
    docs = [[*quote, 500 + k] for k in range(3)] + [[*short, 600 + k] for k in range(3)]
    assert _stock(docs) == set(short)


def test_a_widespread_cliche_stays_stock_next_to_a_rarer_one() -> None:
    cliche = list(range(1, 21))  # in 12 families
    seam = [300, 301, 302, 303]
    other = list(range(200, 215))  # in the 3 families that also carry the cliche
    docs = [[*cliche, 900 + k] for k in range(9)]
    docs += [[*cliche, *seam, *other, 950 + k] for k in range(3)]
    # The 3 documents' 43-word run needs 5 families: the cliche has 12 and stays
    # stock; what only the 3 carry is a passage they quote.
    assert _stock(docs) == set(cliche)


def test_a_long_quote_next_to_a_cliche_is_dropped_but_not_the_cliche() -> None:
    cliche = list(range(1, 21))
    quote = list(range(200, 240))  # 44 words in 3 families: needs 5
    docs = [[*cliche, 900 + k] for k in range(9)]
    docs += [[*cliche, *quote, 950 + k] for k in range(3)]
    assert _stock(docs) == set(cliche)
