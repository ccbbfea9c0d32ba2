"""Normalise and segment: words with character offsets, and lines with headings marked.

Normalisation works per word (Unicode NFKC, case-folded) so that every word keeps
its character offsets into the original text: passages found later slice the text
the user gave, not a normalised copy. Lines are the unit of templates and headings.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import xxhash

from dedupe.arrays import prefix_sums, runs
from dedupe.config import Config
from dedupe.kernels import chain_hashes, word_hashes
from dedupe.shingle import FMIX64, MULTIPLIER, fmix

_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")
#: Normalised words up to this many characters are hashed on arrays (``word_hash``).
CHAIN_MAX = 64
_HASH_SEED = np.uint64(0x243F6A8885A308D3)  # any fixed constant: pi's fraction
_NO_HASHES = np.empty(0, dtype=np.uint64)
_NO_SPANS = np.empty((0, 2), dtype=np.int64)
_NO_FLAGS = np.empty(0, dtype=bool)
_SEPARATOR = "\n"  # joins texts: a line break, so no word or line crosses two texts
_INVERSE = np.uint64(pow(int(MULTIPLIER), -1, 1 << 64))  # MULTIPLIER**-1 mod 2**64
# A line ending like this reads as a sentence, not as a heading.
SENTENCE_END = re.compile(r"[.!?\u2026;,]['\"\u2019\u201d)\]]*\s*$")


@dataclass(frozen=True, eq=False)
class Doc:
    """One article cut into words and lines (all arrays share the article's order).

    Words: ``starts`` are character offsets (a word runs on to the end of the run of
    characters ``\\w`` matches there, ``end``: ends are not kept, at 100,000 articles
    they were 58 MB), ``hashes`` 64-bit hashes of the
    normalised word (``word_hash``). Lines: ``line_chars`` (n, 2) character span,
    ``line_words`` (n, 2) word span ``[first, last + 1)``, ``line_keys`` a hash of the
    line's normalised words with digits folded (so "© 2023" and "© 2024" footers
    match), ``headings`` marks short lines that do not end like a sentence.

    Word offsets are of the smallest type that the longest text analysed with this
    one fits: often uint16, so do arithmetic that may go below zero or past 65,535 on
    Python ints (``.item``, ``.tolist``) or on int64 copies. Line spans are int32
    (int64 past 2**31 characters).
    """

    starts: np.ndarray
    hashes: np.ndarray
    line_chars: np.ndarray
    line_words: np.ndarray
    line_keys: np.ndarray
    headings: np.ndarray

    @property
    def words(self) -> int:
        """Number of words."""
        return int(self.starts.size)

    def end(self, text: str, word: int) -> int:
        """Where word number ``word`` ends in ``text`` (this document's text)."""
        return _word_end(text, self.starts.item(word))

    def word_texts(self, text: str, first: int, last: int) -> list[str]:
        """Words ``first`` to ``last - 1`` as they are in ``text`` (this document's)."""
        return [text[start : _word_end(text, start)]
                for start in self.starts[first:last].tolist()]

    def words_only(self) -> Doc:
        """This document's word offsets alone, without hashes or lines: what a large
        scan keeps once it has made its shingles and collected its lines."""
        return Doc(self.starts, _NO_HASHES, _NO_SPANS, _NO_SPANS, _NO_HASHES,
                   _NO_FLAGS)

    def without_hashes(self) -> Doc:
        """This document without its word hashes: a large scan drops them once its
        shingles are made (``content_key`` then needs the words hashed again)."""
        return replace(self, hashes=_NO_HASHES)


def _word_end(text: str, start: int) -> int:
    """The end of the word starting at ``start`` in ``text``: of the run of characters
    ``_WORD`` matches (as ``analyse_many`` cuts words, one code point at a time)."""
    found = _WORD.match(text, start)
    if found is None:
        raise ValueError(f"no word starts at character {start}")
    return found.end()


def normalise_word(word: str) -> str:
    """NFKC, case-folded form of a word (what is hashed and compared)."""
    if word.isascii():
        return word.lower()
    return unicodedata.normalize("NFKC", word).casefold()


@dataclass(frozen=True, eq=False)
class _Tables:
    """Per code point: whether ``_WORD`` and ``_DIGIT`` match it, and ``form``, its
    normalised form (``normalise_word``) when that is one character and normalising a
    word character by character gives the same as normalising it whole (0 otherwise).

    Character by character is exact when each character's compatibility decomposition
    starts with a starter (combining class 0) that never composes with the character
    before it: then no mark is reordered and nothing composes across two characters.
    Case folding is context-free. Words with any other character are normalised whole.
    """

    word: np.ndarray
    digit: np.ndarray
    form: np.ndarray


@lru_cache(maxsize=2)
def _tables(ascii_only: bool) -> _Tables:
    """The tables for ASCII (128 entries, built at once) or for all of Unicode."""
    size = 128 if ascii_only else sys.maxunicode + 1
    everything = "".join(map(chr, range(size)))
    word, digit = _matched(_WORD, everything), _matched(_DIGIT, everything)
    seconds = set() if ascii_only else _second_in_composition()
    form = np.zeros(size, dtype=np.uint8 if ascii_only else np.uint32)
    for c in np.flatnonzero(word).tolist():
        folded = normalise_word(chr(c))
        first = unicodedata.normalize("NFKD", chr(c))[:1]
        if (len(folded) == 1 and first and not unicodedata.combining(first)
                and ord(first) not in seconds):
            form[c] = ord(folded)
    return _Tables(word=word, digit=digit, form=form)


def _matched(pattern: re.Pattern[str], everything: str) -> np.ndarray:
    table = np.zeros(len(everything), dtype=bool)
    for m in pattern.finditer(everything):
        table[m.start() : m.end()] = True
    return table


def _second_in_composition() -> set[int]:
    """Code points that compose with the character before them (canonical pairs, and the
    Hangul vowel and trailing jamo)."""
    seconds = {*range(0x1161, 0x1176), *range(0x11A8, 0x11C3)}
    for c in range(sys.maxunicode + 1):
        parts = unicodedata.decomposition(chr(c)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            seconds.add(int(parts[1], 16))
    return seconds


def word_hash(form: str) -> int:
    """The 64-bit hash of one normalised word (``normalise_word``), as analysis computes it.

    Up to ``CHAIN_MAX`` characters: ``fmix64`` chained from a fixed seed over chunks of
    three code points (21 bits each, the last chunk short); longer: xxh3 of the UTF-32
    bytes. The reference for the array code.
    """
    if len(form) > CHAIN_MAX:
        return xxhash.xxh3_64_intdigest(form.encode("utf-32-le", "surrogatepass"))
    value = np.uint64(_HASH_SEED)
    for i in range(0, len(form), 3):
        chunk = sum(ord(c) << (21 * j) for j, c in enumerate(form[i : i + 3]))
        value = fmix(value ^ np.uint64(chunk), FMIX64)
    return int(value)


def _word_hashes(
    joined: str, codes: np.ndarray, starts: np.ndarray, ends: np.ndarray, tables: _Tables,
) -> tuple[np.ndarray, np.ndarray]:
    """``(hashes, digit-folded hashes)`` of the words ``joined[starts:ends]``.

    Words whose characters all have a table form are normalised on arrays; the others
    (decomposed accents, ligatures, ß) by ``normalise_word``, their forms appended to
    the array of forms.
    """
    forms = tables.form[codes]
    if tables.form.size == 128:  # every ASCII word character has its form
        whole = np.empty(0, dtype=np.int64)
    else:
        unmapped = prefix_sums(forms == 0)
        whole = np.flatnonzero(unmapped[ends] > unmapped[starts])
    at, lengths = starts.copy(), ends - starts
    if whole.size:
        extra = [normalise_word(joined[s:e])
                 for s, e in zip(starts[whole].tolist(), ends[whole].tolist(), strict=True)]
        sizes = np.fromiter(map(len, extra), dtype=np.int64, count=len(extra))
        at[whole] = forms.size + 1 + prefix_sums(sizes + 1)[:-1]
        lengths[whole] = sizes
        # each form ends with a 0, as words in the text end with a non-word character
        extra_codes = "".join("\0" + f for f in extra).encode("utf-32-le", "surrogatepass")
        forms = np.r_[forms, np.frombuffer(extra_codes, dtype="<u4")]
    hashes = _hash_forms(forms, at, lengths)
    is_digit = tables.digit[forms]  # forms stay in the table's range (ASCII stays ASCII)
    digits = prefix_sums(is_digit)
    has_digit = np.flatnonzero(digits[at + lengths] > digits[at])
    folded = hashes.copy()
    if has_digit.size:
        zeroed = np.where(is_digit, np.uint32(ord("0")), forms)
        folded[has_digit] = _hash_forms(zeroed, at[has_digit], lengths[has_digit])
    return hashes, folded


def _hash_forms(forms: np.ndarray, at: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``word_hash`` of each run ``forms[at:at + length]`` of code points (a compiled
    loop, ``kernels.chain_hashes``; xxh3 for the rare words over ``CHAIN_MAX``)."""
    hashes = np.empty(at.size, dtype=np.uint64)
    chain_hashes(forms, at, lengths, int(_HASH_SEED), hashes)
    for w in np.flatnonzero(lengths > CHAIN_MAX).tolist():
        form = forms[at[w] : at[w] + lengths[w]].astype("<u4")
        hashes[w] = xxhash.xxh3_64_intdigest(form.tobytes())
    return hashes


def analyse(text: str, config: Config) -> Doc:
    """Cut ``text`` into hashed words and lines (``analyse_many`` for one text).

    Example:
        >>> doc = analyse("Breaking News\\nThe cat sat.", Config())
        >>> doc.words, doc.headings.tolist()
        (5, [True, False])
    """
    return analyse_many([text], config)[0]


def word_hashes_many(texts: Sequence[str]) -> list[np.ndarray]:
    """Each text's word hashes (``Doc.hashes``) alone: no offsets, lines or headings.

    Example:
        >>> [h.size for h in word_hashes_many(["one two", "", "three"])]
        [2, 0, 1]
    """
    hashes, counts = word_hashes_flat(texts)
    return np.split(hashes, np.cumsum(counts)[:-1]) if len(texts) else []


def word_hashes_flat(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """``(hashes, counts)``: the word hashes of all texts one after the other, and how
    many words each text has (``word_hashes_many`` without the split)."""
    if not texts:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    joined, offsets, codes, tables = _read(texts)
    room = codes.size // 2 + 1  # words are separated by a code point at least
    hashes, odd = np.empty(room, dtype=np.uint64), np.empty(room, dtype=bool)
    starts, ends = np.empty(room, dtype=np.int64), np.empty(room, dtype=np.int64)
    count = word_hashes(codes, tables.word, tables.form, int(_HASH_SEED), CHAIN_MAX,
                        hashes, starts, ends, odd)
    hashes, starts = hashes[:count], starts[:count]
    for w in np.flatnonzero(odd[:count]).tolist():  # the table cannot normalise them
        hashes[w] = word_hash(normalise_word(joined[starts[w] : ends[w]]))
    cuts = np.searchsorted(starts, offsets[1:])
    return hashes, np.diff(cuts, prepend=0, append=starts.size)


def _read(texts: Sequence[str]) -> tuple[str, np.ndarray, np.ndarray, _Tables]:
    """The texts joined, where each starts, their code points (bytes when all are ASCII)
    and the tables they need."""
    joined = _SEPARATOR.join(texts)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    offsets = prefix_sums(lengths + 1)[:-1]
    if joined.isascii():
        codes = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
    else:
        codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    return joined, offsets, codes, _tables(joined.isascii())


def analyse_many(texts: Sequence[str], config: Config) -> list[Doc]:
    """Cut each text into hashed words and lines, all texts at once.

    The texts are joined by line breaks and read as one array of code points: words
    are the runs of characters ``\\w`` matches, lines the runs without a line break,
    and words are normalised and hashed on arrays (``word_hash``), so no Python object
    is made per word or character (except for the rare words ``_Tables`` cannot
    normalise character by character). Each Doc's offsets are into its own text.
    """
    if not texts:
        return []
    joined, offsets, codes, tables = _read(texts)
    starts, ends = runs(tables.word[codes])
    hashes, folded = _word_hashes(joined, codes, starts, ends, tables)
    line_starts, line_ends = runs((codes != 10) & (codes != 13))
    firsts = np.searchsorted(starts, line_starts)
    lasts = np.searchsorted(starts, line_ends)
    worded = firsts < lasts  # lines of punctuation or whitespace only are dropped
    line_starts, line_ends = line_starts[worded], line_ends[worded]
    firsts, lasts = firsts[worded], lasts[worded]
    keys = _line_keys(folded, firsts, lasts)
    headings = lasts - firsts <= config.heading_max_words
    for row in np.flatnonzero(headings).tolist():
        headings[row] = not SENTENCE_END.search(joined, line_starts[row], line_ends[row])
    # Per text: its words and lines, offsets made local (views into the batch's arrays).
    word_cut = np.r_[0, np.searchsorted(starts, offsets[1:]), starts.size]
    line_cut = np.r_[0, np.searchsorted(line_starts, offsets[1:]), line_starts.size]
    word_base = np.repeat(offsets, np.diff(word_cut))
    line_base = np.repeat(offsets, np.diff(line_cut))[:, None]
    # Word offsets in the smallest type the batch's longest text fits (after the
    # shingles they are a large scan's largest arrays: 16 bits halve 32); line spans,
    # which go into arithmetic, signed.
    longest = max(map(len, texts))
    wide = np.int32 if longest < 2**31 else np.int64
    offset = np.uint16 if longest < 2**16 else wide
    starts = (starts - word_base).astype(offset)
    line_chars = (np.stack([line_starts, line_ends], axis=1) - line_base).astype(wide)
    first_word = np.repeat(word_cut[:-1], np.diff(line_cut))[:, None]
    line_words = (np.stack([firsts, lasts], axis=1) - first_word).astype(wide)
    w, ln = word_cut.tolist(), line_cut.tolist()
    return [Doc(starts=starts[w[k] : w[k + 1]],
                hashes=hashes[w[k] : w[k + 1]], line_chars=line_chars[ln[k] : ln[k + 1]],
                line_words=line_words[ln[k] : ln[k + 1]], line_keys=keys[ln[k] : ln[k + 1]],
                headings=headings[ln[k] : ln[k + 1]])
            for k in range(len(texts))]


def _line_keys(folded: np.ndarray, firsts: np.ndarray, lasts: np.ndarray) -> np.ndarray:
    """Per line ``[first, last)`` of words, ``fmix64`` of the polynomial
    ``((f[first] * M + f[first + 1]) * M + ...) + f[last - 1]`` over the words'
    digit-folded hashes ``f`` (mod 2**64), for all lines at once.

    With ``M**-g`` the inverse of ``M**g`` mod 2**64, the sum over a line is
    ``M**(last - 1) * (C[last] - C[first])`` where ``C`` sums ``f[g] * M**-g``.
    """
    count = folded.size
    with np.errstate(over="ignore"):
        powers = np.cumprod(np.r_[np.uint64(1), np.full(count, MULTIPLIER)])
        inverse = np.cumprod(np.r_[np.uint64(1), np.full(count, _INVERSE)])
        prefix = np.r_[np.uint64(0), np.cumsum(folded * inverse[:count], dtype=np.uint64)]
        sums = powers[lasts - 1] * (prefix[lasts] - prefix[firsts])
    return fmix(sums, FMIX64)


def content_key(doc: Doc, template: np.ndarray) -> int:
    """Hash of the words outside template lines: equal keys mean duplicate content."""
    if doc.hashes.size != doc.words:
        raise ValueError("content_key needs the document's word hashes; it has none "
                         "(Doc.without_hashes): hash its text again (word_hashes_many)")
    return content_key_of(doc.hashes, template)


def content_key_of(hashes: np.ndarray, template: np.ndarray) -> int:
    """``content_key`` of a document's word ``hashes``."""
    return xxhash.xxh3_64_intdigest(hashes[~template].tobytes())


def text_key_of(hashes: np.ndarray) -> int:
    """Hash of all of a document's words (its word ``hashes``): equal keys mean the same
    text after normalisation, template lines and all (``content_key_of`` with nothing
    masked)."""
    return xxhash.xxh3_64_intdigest(hashes.astype(np.uint64, copy=False).tobytes())
