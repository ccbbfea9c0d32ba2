"""Tests of the boilerplate rules that depend on length (dedupe/boilerplate.py)."""

from __future__ import annotations

import pytest

from dedupe import Config
from dedupe.boilerplate import boilerplate_bar


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
