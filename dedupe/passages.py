"""Reused passages between two documents, with character offsets into both texts.

Equal shingles give matches ``(position in a, position in b)``. Matches on one
diagonal form runs; runs that follow each other in both texts within
``passage_max_gap`` words merge, so a changed, dropped or inserted word does not
break a passage apart. A passage's weight is the number of its shingles that are
*rare*: neither template nor stock phrase.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from dedupe.arrays import prefix_sums, ranges
from dedupe.config import Config
from dedupe.normalise import Doc
from dedupe.records import Passage
from dedupe.shingle import covered_words

#: A shingle repeated inside a text matches at most this many places in the other.
_MAX_REPEATS = 4
_ZERO = np.zeros(1, dtype=np.int64)


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

    @cached_property
    def by_hash(self) -> tuple[np.ndarray, np.ndarray]:
        """``(hashes, positions)`` of the usable shingles, sorted by hash (then position):
        sorted once per document, searched once per pair."""
        positions = np.flatnonzero(self.usable)
        order = np.argsort(self.hashes[positions], kind="stable")
        return self.hashes[positions][order], positions[order]


def rare_shingles(usable: np.ndarray, stock: np.ndarray, n: int) -> np.ndarray:
    """Shingles that weigh as evidence: usable, not stock, and not made of stock words.

    A shingle that spans the seam between two stock phrases ("... the outcome. It
    remains to ...") is rare as a shingle, but every word of it is stock text: two
    articles sharing two cliches in a row share no content. So a rare shingle needs
    at least one word that no stock shingle covers.
    """
    count = stock.size
    if count == 0:
        return usable.copy()
    free = ~covered_words(stock, n, count + n - 1)  # per word: no stock shingle covers it
    total = prefix_sums(free)
    has_free = (total[n : n + count] - total[:count]) > 0
    return usable & ~stock & has_free


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
    n = config.shingle_size
    min_rare = max(1, config.min_passage_words - n + 1)
    pos_a, pos_b = _matches(a, b)
    rare_a = a.rare[pos_a]
    if np.count_nonzero(rare_a) < min_rare:
        return []  # too few rare shingles in common for even one passage
    passages = []
    for span_a, span_b, rare in _chain(pos_a, pos_b, rare_a, config.passage_max_gap):
        if rare < min_rare:
            continue
        last_a = min(span_a[1] + n, a.doc.words) - 1
        last_b = min(span_b[1] + n, b.doc.words) - 1
        char_a = (int(a.doc.starts[span_a[0]]), int(a.doc.ends[last_a]))
        char_b = (int(b.doc.starts[span_b[0]]), int(b.doc.ends[last_b]))
        passages.append(Passage(a=char_a, b=char_b, text=a.text[char_a[0] : char_a[1]],
                                rare_shingles=rare))
    return passages


def _matches(a: Side, b: Side) -> tuple[np.ndarray, np.ndarray]:
    """Positions of equal usable shingles, sorted by position in ``a``."""
    idx_a = np.flatnonzero(a.usable)
    hb, idx_b = b.by_hash
    ha = a.hashes[idx_a]
    left = np.searchsorted(hb, ha, side="left")
    right = np.searchsorted(hb, ha, side="right")
    reps = np.minimum(right - left, _MAX_REPEATS)
    pos_a = np.repeat(idx_a, reps)
    pos_b = idx_b[ranges(left, reps)]
    return pos_a, pos_b


def _chain(
    pos_a: np.ndarray, pos_b: np.ndarray, rare: np.ndarray, max_gap: int
) -> list[tuple[tuple[int, int], tuple[int, int], int]]:
    """Merge matches into passages: ``((first_a, last_a), (first_b, last_b), rare)``.

    Spans are shingle positions (inclusive). Matches first form runs on one diagonal
    (consecutive positions); runs then join the open passage they continue in both
    texts within ``max_gap`` positions.
    """
    diagonal = pos_b - pos_a
    order = np.lexsort((pos_a, diagonal))
    pos_a, pos_b, diagonal, rare = pos_a[order], pos_b[order], diagonal[order], rare[order]
    breaks = np.flatnonzero((diagonal[1:] != diagonal[:-1]) | (np.diff(pos_a) > 1)) + 1
    starts = np.concatenate((_ZERO, breaks))
    ends = np.append(breaks, pos_a.size) - 1
    rare_counts = np.add.reduceat(rare.astype(np.int64), starts)
    runs = sorted(zip(pos_a[starts].tolist(), pos_a[ends].tolist(), pos_b[starts].tolist(),
                      pos_b[ends].tolist(), rare_counts.tolist(), strict=True))
    open_: list[list[int]] = []  # [first_a, last_a, first_b, last_b, rare]
    for first_a, last_a, first_b, last_b, count in runs:
        for p in open_:
            gap_a, gap_b = first_a - p[1], first_b - p[3]
            if 0 < gap_a <= max_gap + 1 and 0 < gap_b <= max_gap + 1:
                p[1], p[3], p[4] = last_a, max(p[3], last_b), p[4] + count
                break
        else:
            open_.append([first_a, last_a, first_b, last_b, count])
    return [((p[0], p[1]), (p[2], p[3]), p[4]) for p in open_]
