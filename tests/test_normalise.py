"""Words keep offsets into the original text; lines and headings are found; batch
analysis finds what a plain regex-per-word reference finds."""

from __future__ import annotations

import itertools
import re
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedupe.config import Config
from dedupe.normalise import (
    SENTENCE_END,
    Doc,
    analyse,
    analyse_many,
    content_key,
    content_key_of,
    normalise_word,
    text_key_of,
    word_hash,
    word_hashes_many,
)
from dedupe.shingle import FMIX64, MULTIPLIER, fmix, shingles


@given(st.text())
def test_word_offsets_slice_the_original_text(text: str) -> None:
    doc = analyse(text, Config())
    for word in range(doc.words):
        start, end = doc.starts.item(word), doc.end(text, word)
        assert text[start:end].strip() and start < end
    for start, end in doc.line_chars.tolist():
        assert 0 <= start < end <= len(text)


#: Pieces of scraped text that trip segmenters: every line end Python knows, NUL and
#: other controls, a BOM, bidirectional controls, combining marks, emoji with joiners.
HOSTILE_PIECES = ["word", "Word.", "e\u0301", "\u0301", "\u202e", "\u200f", "\ufeff",
                  "\U0001f468\u200d\U0001f469", "\U0001f600", "\x00", "\r\n", "\r", "\n",
                  "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", " ", "\t", "\u00a0",
                  "\u05e9\u05dc\u05d5\u05dd", "\u4e2d\u6587", "12", "-", "\\"]


@given(st.lists(st.sampled_from(HOSTILE_PIECES), max_size=40).map("".join) | st.text())
def test_lines_are_ordered_disjoint_and_hold_every_word(text: str) -> None:
    doc = analyse(text, Config())
    lines = doc.line_chars.tolist()
    assert all(end <= next_start for (_, end), (next_start, _) in itertools.pairwise(lines))
    assert len(doc.line_words) == len(lines) and len(doc.line_keys) == len(lines)
    for word in range(doc.words):
        start, end = doc.starts.item(word), doc.end(text, word)
        assert sum(line_start <= start and end <= line_end
                   for line_start, line_end in lines) == 1, (start, end)
        assert "\n" not in text[start:end] and "\r" not in text[start:end]


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


# --- analyse_many against a plain reference -----------------------------------------

def _reference(text: str, config: Config) -> tuple[list[object], ...]:
    """What analysis must find, computed the slow, obvious way (regex per word and line)."""
    words = list(re.finditer(r"\w+", text))
    hashes = [word_hash(normalise_word(w.group())) for w in words]
    folded = [word_hash(re.sub(r"\d", "0", normalise_word(w.group()))) for w in words]
    starts = [w.start() for w in words]
    lines, keys, headings = [], [], []
    for line in re.finditer(r"[^\r\n]+", text):
        inside = [k for k, s in enumerate(starts) if line.start() <= s < line.end()]
        if not inside:
            continue
        lines.append((line.start(), line.end(), inside[0], inside[-1] + 1))
        key = 0
        for k in inside:
            key = (key * int(MULTIPLIER) + folded[k]) % (1 << 64)
        keys.append(int(fmix(np.uint64(key), FMIX64)))
        headings.append(len(inside) <= config.heading_max_words
                        and not SENTENCE_END.search(line.group()))
    return starts, [w.end() for w in words], hashes, lines, keys, headings


def _found(doc: Doc, text: str) -> tuple[list[object], ...]:
    lines = [(*c, *w) for c, w in zip(doc.line_chars.tolist(), doc.line_words.tolist(),
                                       strict=True)]
    ends = [doc.end(text, word) for word in range(doc.words)]
    return (doc.starts.tolist(), ends, doc.hashes.tolist(), lines,
            doc.line_keys.tolist(), doc.headings.tolist())


TRICKY = ("e\u0301", "\u0301", "ß", "ﬁ", "Σ", "ς", "\u0b47\u0b3e", "\u1100\u1161\u11a8",
          "가\u11a8", "²", "١٢", "\uff34", "İ", "ǅ", "\u00bd", "x" * 70, "é" * 66, "_")


@given(st.lists(st.text(st.characters(codec="utf-8")) | st.sampled_from(TRICKY)
                .map(lambda t: f"{t} {t}{t}\n"), max_size=6))
def test_analyse_many_finds_what_the_reference_finds(texts: list[str]) -> None:
    config = Config()
    docs = analyse_many(texts, config)
    assert [_found(d, t) for d, t in zip(docs, texts, strict=True)] == [
        _reference(t, config) for t in texts]


@given(st.lists(st.text(st.characters(codec="utf-8")) | st.sampled_from(TRICKY)
                .map(lambda t: f"{t} {t}{t}\n"), max_size=6))
def test_the_document_stage_hashes_words_as_analysis_does(texts: list[str]) -> None:
    """``word_hashes_many`` finds and hashes words in one compiled pass; analysis in
    several array steps: the same words, the same hashes."""
    hashes = word_hashes_many(texts)
    assert [h.tolist() for h in hashes] == [d.hashes.tolist()
                                            for d in analyse_many(texts, Config())]


def test_every_word_character_alone_hashes_as_its_normalised_form() -> None:
    everything = [chr(c) for c in range(sys.maxunicode + 1) if re.fullmatch(r"\w", chr(c))]
    doc = analyse(" ".join(everything), Config())
    assert doc.words == len(everything)
    expected = [word_hash(normalise_word(c)) for c in everything]
    assert doc.hashes.tolist() == expected


def test_tricky_pairs_of_characters_hash_as_their_normalised_form() -> None:
    pieces = [*TRICKY, "a", "A", "1", "\u0308", "\u3099", "\u0dd9\u0dcf", "\u1161", "\u11a8"]
    words = [a + b for a in pieces for b in pieces]
    doc = analyse(" ".join(words), Config())
    found = [word_hash(normalise_word(m.group())) for m in re.finditer(r"\w+", " ".join(words))]
    assert doc.hashes.tolist() == found


def test_a_word_hash_does_not_depend_on_the_other_texts_of_a_batch() -> None:
    config = Config()
    texts = ["Straße 2024\nﬁnance report", "plain ascii text here", "e\u0301te\u0301 ٣ a\ud800b"]
    alone = [_found(analyse(t, config), t) for t in texts]
    assert [_found(d, t) for d, t in zip(analyse_many(texts, config), texts, strict=True)
            ] == alone
    assert [_found(d, t) for d, t in zip(analyse_many(texts[::-1], config), texts[::-1],
                                         strict=True)] == alone[::-1]


def test_without_hashes_keeps_the_words_and_refuses_a_content_key() -> None:
    doc = analyse("Header line\nThe cat sat on the mat.", Config())
    template = np.zeros(doc.words, dtype=bool)
    bare = doc.without_hashes()
    assert bare.words == doc.words == 8
    assert bare.hashes.size == 0
    assert np.array_equal(bare.starts, doc.starts)
    with pytest.raises(ValueError, match="word hashes"):
        content_key(bare, template)
    assert content_key(doc, template) == content_key_of(doc.hashes, template)


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Header line\nThe cat sat.", "HEADER  line The CAT sat", True),  # case, spaces, lines
    ("ﬁnance report", "finance report", True),  # NFKC
    ("The cat sat.", "The cat sat on.", False),
    ("The cat sat.", "cat The sat.", False),  # order counts
    ("2024 report", "2025 report", False),  # digits are not folded, unlike line keys
])
def test_text_keys_are_equal_for_the_same_words_in_the_same_order(a: str, b: str,
                                                                   same: bool) -> None:
    doc_a, doc_b = analyse_many([a, b], Config())
    assert (text_key_of(doc_a.hashes) == text_key_of(doc_b.hashes)) is same
    # It is the content key with nothing masked.
    nothing = np.zeros(doc_a.words, dtype=bool)
    assert text_key_of(doc_a.hashes) == content_key_of(doc_a.hashes, nothing)


def test_word_offsets_are_as_narrow_as_the_longest_text_of_the_batch_allows() -> None:
    short, long = "Short text, two lines.\nSecond line here.", "word " * 14_000 + "end"
    alone = analyse_many([short], Config())[0]
    assert alone.starts.dtype == np.uint16
    assert alone.line_chars.dtype == alone.line_words.dtype == np.int32
    together = analyse_many([short, long], Config())
    assert [d.starts.dtype for d in together] == [np.int32, np.int32]
    assert _found(together[0], short) == _found(alone, short)
    assert together[1].end(long, together[1].words - 1) == len(long)


def test_words_only_keeps_the_word_offsets_alone() -> None:
    doc = analyse("Header line\nThe cat sat on the mat.", Config())
    bare = doc.words_only()
    assert bare.words == doc.words == 8
    assert np.array_equal(bare.starts, doc.starts)
    assert bare.hashes.size == bare.line_keys.size == bare.line_words.shape[0] == 0
