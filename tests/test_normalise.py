"""Words keep offsets into the original text; lines and headings are found."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedupe.config import Config
from dedupe.normalise import analyse, normalise_word
from dedupe.shingle import shingles


@given(st.text())
def test_word_offsets_slice_the_original_text(text: str) -> None:
    doc = analyse(text, Config())
    for start, end in zip(doc.starts.tolist(), doc.ends.tolist(), strict=True):
        assert text[start:end].strip() and start < end
    for start, end in doc.line_chars.tolist():
        assert 0 <= start < end <= len(text)


@pytest.mark.parametrize("a,b", [
    ("Moscow", "MOSCOW"), ("ﬁnance", "finance"), ("Straße", "STRASSE"),
    ("\uff34\uff45\uff53\uff54", "test"),  # fullwidth letters
])
def test_words_compare_after_normalisation(a: str, b: str) -> None:
    assert normalise_word(a) == normalise_word(b)


@pytest.mark.parametrize("line,heading", [
    ("Chronology of Terror: Unpacking the Moscow Attack", True),
    ("Advertisment", True),
    ("The attack killed 137 people.", False),
    ("Is this the end?", False),
    (" ".join(["word"] * 13), False),
])
def test_headings(line: str, heading: bool) -> None:
    doc = analyse("First paragraph of the story, long enough to be prose.\n" + line, Config())
    assert doc.headings.tolist() == [False, heading]


def test_footer_lines_differing_only_in_digits_share_a_key() -> None:
    a = analyse("© 2023 Daily Wire. All rights reserved.", Config())
    b = analyse("© 2024 daily wire - all rights reserved", Config())
    assert a.line_keys.tolist() == b.line_keys.tolist()


def test_shingles_cover_short_texts_and_shift_with_edits() -> None:
    doc = analyse("one two three", Config())
    assert shingles(doc.hashes, 5).size == 1
    words = analyse("a b c d e f g", Config()).hashes
    edited = words.copy()
    edited[3] = analyse("zzz", Config()).hashes[0]
    same = set(shingles(words, 5).tolist()) & set(shingles(edited, 5).tolist())
    assert not same  # every 5-gram of 7 words covers position 3
