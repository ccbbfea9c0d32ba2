"""Whole-document relations: exact overlap of candidate pairs, and document families.

Candidates come from LSH buckets and shingle postings only (never all pairs); this
module measures each candidate on the real shingle sets, so every reported
Jaccard and containment is exact, not estimated.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from dedupe.arrays import joined, prefix_sums, ranges
from dedupe.config import Config
from dedupe.kernels import (
    by_top_bits,
    carrier_lists,
    in_threads,
    shared_counts,
    top_bit_bounds,
    weighted_pair_counts,
)
from dedupe.lsh import FULL_GROUP, STAR_CENTRES, group_pairs, run_starts
from dedupe.shingle import FMIX64, MULTIPLIER, fmix

#: Shingle values counted at a time (``_carriers``): a hash table of twice as many
#: slots stays in the processor's cache (0.45 s for 10,000 articles, 0.56 s with 2M).
_PART_VALUES = 1 << 16
#: Pairs of posting lists listed (with repeats) per part counted at a time
#: (``kernels.weighted_pair_counts``): a part's table has at most 2**24 slots (200 MB),
#: and each part costs a pass over the groups (at 100,000 articles, 2 parts took
#: 1.2-1.5 s with tables of 100 MB, one part 0.9-1.2 s with a table of 200 MB).
_PART_PAIRS = 1 << 22
#: Posting lists are made in this many windows of hash ranges (each a pass over the
#: values), so their copy is this fraction of the values.
_WINDOWS = 8


@dataclass(frozen=True, eq=False)
class Overlaps:
    """Exact overlap of candidate pairs (arrays aligned with ``pairs``)."""

    pairs: np.ndarray  # (m, 2) int64, i < j
    shared: np.ndarray  # shingles in both
    jaccard: np.ndarray
    a_in_b: np.ndarray  # share of a's shingles found in b
    b_in_a: np.ndarray

    def select(self, mask: np.ndarray) -> Overlaps:
        """The rows where ``mask`` is true."""
        return Overlaps(self.pairs[mask], self.shared[mask], self.jaccard[mask],
                        self.a_in_b[mask], self.b_in_a[mask])


def posting_pairs(sets: tuple[np.ndarray, np.ndarray], max_postings: int,
                  min_shared: int) -> np.ndarray:
    """Pairs sharing at least ``min_shared`` shingles carried by at most ``max_postings`` docs.

    ``sets`` are the documents' distinct shingles laid end to end, ``(values,
    offsets)``: document ``d``'s are ``values[offsets[d]:offsets[d + 1]]``.

    This is the inverted-index route to candidates: it finds partial reuse that is
    far below any whole-document Jaccard threshold.

    Shingles carried by the same documents (a site's template lines, the shingles of
    one shared passage) make the same pairs: each set of carriers makes them once,
    counted as many times as it has shingles. Sets of carriers are told apart by a
    64-bit hash of their members, size and first member.
    """
    if sets[1].size < 3:
        return np.empty((0, 2), dtype=np.int64)
    hashes, times, sizes, members = [], [], [], []
    for carriers, carried in _carriers(sets, max_postings):
        firsts = prefix_sums(carriers)[:-1]
        with np.errstate(over="ignore"):
            mixed = fmix(carried.astype(np.uint64) + np.uint64(1), FMIX64)
            key = np.add.reduceat(mixed, firsts) if firsts.size else np.empty(0, np.uint64)
            key = fmix(key ^ fmix(carriers.astype(np.uint64), FMIX64)
                       ^ (carried[firsts].astype(np.uint64) * MULTIPLIER), FMIX64)
        _, first, count = np.unique(key, return_index=True, return_counts=True)
        hashes.append(key[first])
        times.append(count.astype(np.int32))  # (counts and sizes fit: at 100,000
        sizes.append(carriers[first].astype(np.int32))  # articles each is 12 MB as int32)
        members.append(carried[ranges(firsts[first], carriers[first])])
    # The same carriers in several hash ranges: one group, their counts added up.
    # Each list goes once copied (at 100,000 articles they are 2.9M groups of 12M members).
    key = np.concatenate(hashes)
    del hashes
    size = np.concatenate(sizes)
    del sizes
    listed = np.concatenate(members)
    del members
    if key.size == 0:
        return np.empty((0, 2), dtype=np.int64)
    # (np.unique with index and inverse, as a stable sort: 90 MB less at 100,000 articles.)
    order = np.argsort(key, kind="stable")
    key = key[order]
    runs = run_starts(key)
    del key
    first = order[runs]
    total = np.add.reduceat(np.concatenate(times)[order], runs, dtype=np.int64)
    del order, times, runs
    chosen = listed[ranges(prefix_sums(size)[:-1][first], size[first])]
    del listed
    width = len(sets[1]) - 1  # documents
    starts, size = prefix_sums(size[first])[:-1], size[first]
    # Pairs are counted a part of them at a time, each part in a table of its own.
    listings = np.where(size <= FULL_GROUP, size * (size - 1) // 2, (STAR_CENTRES + 1) * size)
    parts = max(1, -(-int(listings.sum(dtype=np.int64)) // _PART_PAIRS))
    codes = np.concatenate([
        weighted_pair_counts(starts, chosen, total, width, FULL_GROUP, STAR_CENTRES,
                             min_shared, part, parts)[0] for part in range(parts)])
    codes.sort()
    return np.stack([codes // width, codes % width], axis=1)


def _carriers(
    sets: tuple[np.ndarray, np.ndarray], max_postings: int,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """For the values of ``sets`` carried by 2 to ``max_postings`` sets, a range of
    hashes (about ``_PART_VALUES`` values) at a time: per value how many sets carry it,
    and the carriers (set indices, ascending) one value after the other. No sort: the
    values are grouped into ranges by their top bits (``kernels.by_top_bits``), then
    counted and listed in a hash table (``kernels.carrier_lists``)."""
    values, offsets = sets
    bits = max(0, int(np.ceil(np.log2(max(1, values.size / _PART_VALUES)))))
    bounds = np.empty((1 << bits) + 1, dtype=np.int64)
    top_bit_bounds(values, bits, bounds)
    # Ranges are copied out a window at a time, each window one pass over the values.
    budget = max(_PART_VALUES, -(-values.size // _WINDOWS))
    lo, edges = 0, bounds.tolist()
    while lo < len(edges) - 1:
        hi = lo + 1
        while hi < len(edges) - 1 and edges[hi + 1] - edges[lo] <= budget:
            hi += 1
        ranged = np.empty(edges[hi] - edges[lo], dtype=values.dtype)
        owners = np.empty(ranged.size, dtype=np.int32)
        by_top_bits(values, offsets, bits, bounds, lo, hi, ranged, owners)
        for a, b in pairwise(edges[lo : hi + 1]):
            a, b = a - edges[lo], b - edges[lo]
            counts = np.empty((b - a) // 2 + 1, dtype=np.int64)
            carried = np.empty(b - a, dtype=np.int32)
            listed, total = carrier_lists(ranged[a:b], owners[a:b], 2, max_postings,
                                          counts, carried)
            yield counts[:listed], carried[:total]
        lo = hi


def overlaps(pairs: np.ndarray, sets: Sequence[np.ndarray] | Mapping[int, np.ndarray],
             jobs: int = 1) -> Overlaps:
    """Exact shared-shingle counts, Jaccard and containment for ``pairs``.

    The sets of the documents in pairs are laid end to end (``overlaps_flat``).

    Args:
        pairs: ``(m, 2)`` document indices.
        sets: sorted unique uint64 shingle hashes per document (at least of those in
            ``pairs``).
        jobs: threads to merge in (the result does not depend on it).
    """
    pairs = pairs.reshape(-1, 2)
    if not len(pairs):
        return overlaps_flat(pairs, (np.empty(0, np.uint64), np.zeros(1, np.int64)))
    docs, local = np.unique(pairs, return_inverse=True)
    found = overlaps_flat(local.reshape(-1, 2), joined([sets[d] for d in docs.tolist()]),
                          jobs)
    return Overlaps(pairs, found.shared, found.jaccard, found.a_in_b, found.b_in_a)


def overlaps_flat(pairs: np.ndarray, sets: tuple[np.ndarray, np.ndarray],
                  jobs: int = 1) -> Overlaps:
    """``overlaps`` of sets laid end to end, ``(values, offsets)``: each pair's two sets
    are merged in a compiled loop (``kernels.shared_counts``), in ``jobs`` threads."""
    pairs = pairs.reshape(-1, 2)
    return overlaps_of(pairs, shared_flat(pairs, sets, jobs), sets[1])


def shared_flat(pairs: np.ndarray, sets: tuple[np.ndarray, np.ndarray],
                jobs: int = 1) -> np.ndarray:
    """How many values each of ``pairs`` (``(m, 2)``) shares, of sets laid end to end
    (``overlaps_flat``; alone, to keep only some pairs before measuring them)."""
    values, offsets = sets
    shared = np.zeros(len(pairs), dtype=np.int64)

    def part(start: int, end: int) -> None:
        shared_counts(values, offsets, pairs[start:end], shared[start:end])

    if len(pairs):
        in_threads(part, len(pairs), jobs)
    return shared


def overlaps_of(pairs: np.ndarray, shared: np.ndarray, offsets: np.ndarray) -> Overlaps:
    """The ``Overlaps`` of ``pairs`` sharing ``shared`` values (``shared_flat``) of sets
    laid end to end at ``offsets``."""
    sizes = np.diff(offsets)
    size_a, size_b = sizes[pairs[:, 0]], sizes[pairs[:, 1]]
    union = size_a + size_b - shared
    with np.errstate(invalid="ignore", divide="ignore"):
        jaccard = np.where(union > 0, shared / np.maximum(union, 1), 0.0)
        a_in_b = np.where(size_a > 0, shared / np.maximum(size_a, 1), 0.0)
        b_in_a = np.where(size_b > 0, shared / np.maximum(size_b, 1), 0.0)
    return Overlaps(pairs, shared, jaccard, a_in_b, b_in_a)


def families(n_docs: int, pairs: np.ndarray) -> np.ndarray:
    """Connected components of ``pairs``: one family label per document."""
    if n_docs == 0:
        return np.empty(0, dtype=np.int64)
    graph = coo_matrix(
        (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n_docs, n_docs)
    )
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64)


def loose_families(n_docs: int, full: Overlaps, jaccard: float, containment: float) -> np.ndarray:
    """Round-1 families on full text: similar documents, and unambiguous containment.

    Two documents with Jaccard >= ``jaccard`` are one family. A document that lies
    ``containment`` or more inside another joins it too, unless it lies that far
    inside documents of two or more different (Jaccard) families: a short article
    that is mostly its site's template lies inside every article of the site, and
    linking it would make the whole site one family, so that its template would
    count once and never be found. A trimmed copy lies inside the copies of one story.
    """
    similar = full.jaccard >= jaccard
    base = families(n_docs, full.pairs[similar])
    inside = ~similar & (np.maximum(full.a_in_b, full.b_in_a) >= containment)
    pairs = full.pairs[inside]
    a_smaller = full.a_in_b[inside] >= full.b_in_a[inside]
    small = np.where(a_smaller, pairs[:, 0], pairs[:, 1])
    big = np.where(a_smaller, pairs[:, 1], pairs[:, 0])
    # Distinct target families per contained document.
    distinct = np.unique(np.stack([small, base[big]], axis=1), axis=0)
    docs, targets = np.unique(distinct[:, 0], return_counts=True)
    keep = np.isin(small, docs[targets == 1])
    return families(n_docs, np.concatenate([full.pairs[similar], pairs[keep]]))


def family_counts(keys: np.ndarray, docs: np.ndarray, family: np.ndarray) -> dict[int, int]:
    """For each distinct key, how many different families carry it."""
    distinct_keys, counts = family_count_arrays(keys, docs, family)
    return dict(zip(distinct_keys.tolist(), counts.tolist(), strict=True))


def family_count_arrays(keys: np.ndarray, docs: np.ndarray,
                        family: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``family_counts`` as arrays: the distinct keys, sorted, and their counts."""
    fam = family[docs]
    order = np.lexsort((fam, keys))
    keys, fam = keys[order], fam[order]
    first = run_starts(keys, fam)
    distinct_keys, counts = np.unique(keys[first], return_counts=True)
    return distinct_keys, counts


#: What the relation rule gives, by the first of its conditions that holds (``_rule``).
_KINDS = np.array([None, "duplicate", "near-duplicate", "contains"], dtype=object)
_RULE_KINDS = [1, 0, 1, 2, 3]  # per condition of ``_rule``, its index in ``_KINDS``


def _rule(shared: Any, same_content: Any, jaccard: Any, containment: Any,
          config: Config, same_text: Any) -> list[Any]:
    """The conditions of the relation rule, in order (``_RULE_KINDS`` gives what each
    makes), for one pair (bools) or many (arrays).

    The same text (after normalisation) is a duplicate, even when all of it is template
    lines; otherwise sharing no content is no relation; then equal content is a
    duplicate, a Jaccard of ``near_duplicate`` a near-duplicate, and a containment of
    ``contains`` containment.
    """
    return [same_text, shared == 0, same_content, jaccard >= config.near_duplicate,
            containment >= config.contains]


def relations(shared: np.ndarray, same_content: np.ndarray, jaccard: np.ndarray,
              containment: np.ndarray, config: Config,
              same_text: np.ndarray | None = None) -> list[str | None]:
    """The whole-document relation on content of each pair, if any (arrays aligned).

    ``containment`` is the larger of the two shares (a in b, b in a); ``same_content``
    says the pair's content keys are equal, ``same_text`` (none by default) that its
    two texts are the same after normalisation (``copies``).
    """
    text = np.zeros(np.shape(shared), dtype=bool) if same_text is None else same_text
    conditions = _rule(shared, same_content, jaccard, containment, config, text)
    kind = np.select(conditions, _RULE_KINDS, default=0)
    return _KINDS[kind].tolist()


def relation(shared: int, same_content: bool, jaccard: float, containment: float,
             config: Config, same_text: bool = False) -> str | None:
    """``relations`` of one pair, without arrays (the index asks per candidate)."""
    conditions = _rule(shared, same_content, jaccard, containment, config, same_text)
    return next((_KINDS[kind] for kind, holds in zip(_RULE_KINDS, conditions, strict=True)
                 if holds), None)


def copies(text_keys: np.ndarray, words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Documents with the same text after normalisation (equal ``text_keys``, of
    ``normalise.text_key_of``, and at least one word; as every key here, 64-bit).

    Returns:
        Per document, the first document with its text (itself when it is the first;
        -1 when it has no words), and pairs ``i < j`` that join each group of copies:
        all its pairs, or past ``lsh.FULL_GROUP`` copies a star and a chain
        (``lsh.group_pairs``), never a pair per two of thousands of copies.

    Example:
        >>> first, pairs = copies(np.array([7, 9, 7, 0], np.uint64), np.array([3, 3, 3, 0]))
        >>> first.tolist(), pairs.tolist()
        ([0, 1, 0, -1], [[0, 2]])
    """
    docs = np.flatnonzero(words > 0)
    first = np.full(words.size, -1, dtype=np.int64)
    if docs.size:
        _, at, inverse = np.unique(text_keys[docs], return_index=True, return_inverse=True)
        first[docs] = docs[at][inverse.ravel()]
    return first, group_pairs(text_keys[docs], docs)


def passage_strength(rare_shingles: int, config: Config) -> float:
    """Evidence of shared passages with ``rare_shingles`` rare shingles in all:
    ``1 - exp(-rare shingles / passage_scale)``."""
    return 1.0 - math.exp(-rare_shingles / config.passage_scale)


def evidence_strength(
    kind: str | None, jaccard: float, containment: float, passages: float, headings: int,
    heading_strength: float,
) -> float:
    """Combine independent pieces of evidence (noisy-or) into one strength in [0, 1]."""
    whole = {
        "duplicate": 1.0,
        "near-duplicate": 0.9 + 0.1 * jaccard,
        "contains": 0.85 + 0.1 * containment,
    }.get(kind or "", 0.0)
    missing = (1.0 - whole) * (1.0 - passages) * (1.0 - heading_strength) ** headings
    return 1.0 - missing
