"""Reused passages between two documents, with character offsets into both texts.

Equal shingles give matches ``(position in a, position in b)``. Matches on one
diagonal form runs; runs that follow each other in both texts within
``passage_max_gap`` words merge, so a changed, dropped or inserted word does not
break a passage apart. A passage's weight is the number of its shingles that are
*rare*: neither template nor stock phrase.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from dedupe.arrays import prefix_sums
from dedupe.config import Config
from dedupe.kernels import (
    distinct_sorted,
    in_threads,
    passage_spans,
    rare_flags,
    segment_counts,
    sort_by_hash,
)
from dedupe.normalise import Doc
from dedupe.records import Passage

#: A shingle repeated inside a text matches at most this many places in the other.
_MAX_REPEATS = 4


@dataclass(frozen=True, eq=False)
class Side:
    """One document as passage matching sees it."""

    text: str
    doc: Doc
    hashes: np.ndarray  # shingle hash per word position
    usable: np.ndarray  # bool: shingle not in a template line
    # bool: usable and not a stock phrase. Only the first side of ``find_passages``
    # weighs its shingles, so the other side may leave it out.
    rare: np.ndarray | None = None


def rare_shingles(usable: np.ndarray, stock: np.ndarray, n: int) -> np.ndarray:
    """Shingles that weigh as evidence: usable, not stock, and not made of stock words.

    A shingle that spans the seam between two stock phrases ("... the outcome. It
    remains to ...") is rare as a shingle, but every word of it is stock text: two
    articles sharing two cliches in a row share no content. So a rare shingle needs
    at least one word that no stock shingle covers.
    """
    return rare_flat(usable, stock, np.array([0, usable.size]), n)


def rare_flat(usable: np.ndarray, stock: np.ndarray, offsets: np.ndarray,
              n: int) -> np.ndarray:
    """``rare_shingles`` of many documents laid end to end (document ``d``'s shingles
    are ``offsets[d]:offsets[d + 1]``)."""
    out = np.zeros(usable.size, dtype=bool)
    rare_flags(stock, usable, offsets, n, out)
    return out


def find_passages(a: Side, b: Side, config: Config) -> list[Passage]:
    """Passages shared by ``a`` and ``b`` that weigh enough to be evidence.

    Returns:
        Passages ordered by their start in ``a``; each has at least
        ``min_passage_words - shingle_size + 1`` rare shingles.

    Example:
        A ten-word passage two otherwise different 600-word articles share comes
        back as one Passage whose ``a`` and ``b`` offsets slice it from each text.
    """
    if a.rare is None:
        raise ValueError("find_passages weighs the first side's shingles: give its rare mask")
    both = Sides.of([a.hashes, b.hashes], [a.usable, b.usable],
                    [a.rare, np.zeros(b.hashes.size, dtype=bool)])
    spans = both.spans(np.array([[0, 1]], dtype=np.int64), config)
    return [passage(row, a.text, a.doc, b.text, b.doc, config.shingle_size)
            for row in spans.tolist()]


class ByHash(NamedTuple):
    """Each document's usable shingles in hash order, then position: document ``d``'s
    are at ``positions[offsets[d]:offsets[d + 1]]`` (counted from its first shingle).
    The hashes are read through the positions, never copied: at 100,000 articles a
    sorted copy was 230 MB."""

    positions: np.ndarray
    offsets: np.ndarray

    def sets(self, hashes: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each document's distinct usable hashes, sorted: ``(values, offsets)``, for the
        shingles ``hashes`` laid end to end at ``offsets`` that these positions order."""
        counts = np.empty(offsets.size - 1, dtype=np.int64)
        none = np.empty(0, dtype=hashes.dtype)
        distinct_sorted(hashes, offsets, self.positions, self.offsets, counts, none, offsets)
        out_offsets = prefix_sums(counts)
        values = np.empty(int(out_offsets[-1]), dtype=hashes.dtype)
        distinct_sorted(hashes, offsets, self.positions, self.offsets, counts, values,
                        out_offsets)
        return values, out_offsets


def sorted_usable(hashes: np.ndarray, offsets: np.ndarray, usable: np.ndarray,
                  jobs: int = 1) -> ByHash:
    """The usable shingles of documents laid end to end, ordered by hash within each
    document: ordered once, merged with each partner's (``Sides.spans``). ``jobs``
    threads share the documents."""
    counts = np.empty(offsets.size - 1, dtype=np.int64)
    segment_counts(usable, offsets, counts)
    out_offsets = prefix_sums(counts)
    positions = np.empty(int(out_offsets[-1]), np.int32)

    def part(lo: int, hi: int) -> None:
        sort_by_hash(hashes, offsets, usable, positions, out_offsets, lo, hi)

    in_threads(part, counts.size, jobs)
    return ByHash(positions, out_offsets)


@dataclass(frozen=True, eq=False)
class Sides:
    """Many documents as passage matching sees them, laid end to end: document
    ``d``'s shingles are at ``offsets[d]:offsets[d + 1]`` of each array."""

    hashes: np.ndarray  # shingle hash per word position
    offsets: np.ndarray
    usable: np.ndarray  # bool: shingle not in a template line
    rare: np.ndarray  # bool: usable and weighs as evidence (``rare_shingles``)
    by_hash: ByHash  # ``sorted_usable(hashes, offsets, usable)``

    @classmethod
    def of(cls, hashes: Sequence[np.ndarray], usable: Sequence[np.ndarray],
           rare: Sequence[np.ndarray]) -> Sides:
        """The documents of aligned per-document arrays."""
        sizes = np.fromiter((h.size for h in hashes), dtype=np.int64, count=len(hashes))
        flat, offsets, ok = _joined(hashes, np.uint64), prefix_sums(sizes), _joined(usable, bool)
        return cls(flat, offsets, ok, _joined(rare, bool), sorted_usable(flat, offsets, ok))

    def spans(self, pairs: np.ndarray, config: Config, jobs: int = 1) -> np.ndarray:
        """Passages of the document pairs ``(i, j)`` that weigh enough to be evidence:
        rows ``(pair, first_i, last_i, first_j, last_j, rare shingles)``, positions
        of shingles (inclusive), by pair and then start in ``i``. Only ``i``'s
        shingles weigh. ``jobs`` threads share the pairs; the rows do not depend on it.
        """
        n = config.shingle_size
        min_rare = max(1, config.min_passage_words - n + 1)
        positions, offsets = self.by_hash

        def part(start: int, end: int) -> np.ndarray:
            rows = passage_spans(self.offsets, self.rare, self.hashes, positions, offsets,
                                 pairs[start:end], min_rare, config.passage_max_gap,
                                 _MAX_REPEATS)
            rows[:, 0] += start
            return rows

        return np.concatenate(in_threads(part, len(pairs), jobs))


def passage(row: Sequence[int], text_a: str, doc_a: Doc, text_b: str, doc_b: Doc,
            n: int, swap: bool = False) -> Passage:
    """The Passage of one row of ``Sides.spans``, in characters of both texts (``a`` the
    first document's, unless ``swap``; its text is the first document's)."""
    _, first_a, last_a, first_b, last_b, rare = row
    starts_a, starts_b = doc_a.starts, doc_b.starts
    end_a, end_b = min(last_a + n, starts_a.size) - 1, min(last_b + n, starts_b.size) - 1
    # (``item``: Python ints without numpy scalars; a large scan makes millions.)
    char_a = (starts_a.item(first_a), doc_a.end(text_a, end_a))
    char_b = (starts_b.item(first_b), doc_b.end(text_b, end_b))
    text = text_a[char_a[0] : char_a[1]]
    if swap:
        return Passage(a=char_b, b=char_a, text=text, rare_shingles=rare)
    return Passage(a=char_a, b=char_b, text=text, rare_shingles=rare)


def _joined(arrays: Sequence[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.empty(0, dtype)
