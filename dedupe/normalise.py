"""Normalise and segment: words with character offsets, and lines with headings marked.

Normalisation works per word (Unicode NFKC, case-folded) so that every word keeps
its character offsets into the original text: passages found later slice the text
the user gave, not a normalised copy. Lines are the unit of templates and headings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import xxhash

from dedupe.config import Config

_WORD = re.compile(r"\w+")
_LINE = re.compile(r"[^\r\n]+")
_DIGIT = re.compile(r"\d")
# A line ending like this reads as a sentence, not as a heading.
SENTENCE_END = re.compile(r"[.!?\u2026;,]['\"\u2019\u201d)\]]*\s*$")


@dataclass(frozen=True, eq=False)
class Doc:
    """One article cut into words and lines (all arrays share the article's order).

    Words: ``starts``/``ends`` are character offsets, ``hashes`` 64-bit hashes of the
    normalised word. Lines: ``line_chars`` (n, 2) character span, ``line_words`` (n, 2)
    word span ``[first, last + 1)``, ``line_keys`` a hash of the line's normalised
    words with digits folded (so "© 2023" and "© 2024" footers match), ``headings``
    marks short lines that do not end like a sentence.
    """

    starts: np.ndarray
    ends: np.ndarray
    hashes: np.ndarray
    line_chars: np.ndarray
    line_words: np.ndarray
    line_keys: np.ndarray
    headings: np.ndarray

    @property
    def words(self) -> int:
        """Number of words."""
        return int(self.hashes.size)


def normalise_word(word: str) -> str:
    """NFKC, case-folded form of a word (what is hashed and compared)."""
    if word.isascii():
        return word.lower()
    return unicodedata.normalize("NFKC", word).casefold()


def normalised_words(text: str) -> tuple[list[re.Match[str]], list[str]]:
    """The words of ``text`` and their normalised forms (``normalise_word``).

    ASCII text is lower-cased once as a whole: lower-casing ASCII keeps every
    character where it is, so the same pattern finds the same words in it.
    """
    matches = list(_WORD.finditer(text))
    if text.isascii():
        return matches, _WORD.findall(text.lower())
    return matches, [normalise_word(m.group()) for m in matches]


def hash_words(words: list[str]) -> np.ndarray:
    """64-bit hashes of words already normalised."""
    digest = xxhash.xxh3_64_intdigest
    return np.fromiter((digest(w.encode("utf-8", "surrogatepass")) for w in words),
                       dtype=np.uint64, count=len(words))


def analyse(text: str, config: Config) -> Doc:
    """Cut ``text`` into hashed words and lines.

    Example:
        >>> doc = analyse("Breaking News\\nThe cat sat.", Config())
        >>> doc.words, doc.headings.tolist()
        (5, [True, False])
    """
    matches, words = normalised_words(text)
    starts = np.fromiter((m.start() for m in matches), dtype=np.int64, count=len(matches))
    ends = np.fromiter((m.end() for m in matches), dtype=np.int64, count=len(matches))
    lines = list(_LINE.finditer(text))
    firsts = np.searchsorted(starts, [line.start() for line in lines], side="left").tolist()
    lasts = np.searchsorted(starts, [line.end() for line in lines], side="left").tolist()
    spans, bounds, keys, headings = [], [], [], []
    for line, first, last in zip(lines, firsts, lasts, strict=True):
        if first == last:
            continue  # punctuation or whitespace only
        spans.append((line.start(), line.end()))
        bounds.append((first, last))
        keys.append(_line_key(words[first:last]))
        headings.append(
            last - first <= config.heading_max_words and not SENTENCE_END.search(line.group())
        )
    return Doc(
        starts=starts,
        ends=ends,
        hashes=hash_words(words),
        line_chars=np.array(spans, dtype=np.int64).reshape(-1, 2),
        line_words=np.array(bounds, dtype=np.int64).reshape(-1, 2),
        line_keys=np.array(keys, dtype=np.uint64),
        headings=np.array(headings, dtype=bool),
    )


def _line_key(words: list[str]) -> int:
    """Hash of a line's normalised words, digits folded to 0."""
    folded = _DIGIT.sub("0", " ".join(words))
    return xxhash.xxh3_64_intdigest(folded.encode("utf-8", "surrogatepass"))


def content_key(doc: Doc, template: np.ndarray) -> int:
    """Hash of the words outside template lines: equal keys mean duplicate content."""
    return xxhash.xxh3_64_intdigest(doc.hashes[~template].tobytes())
