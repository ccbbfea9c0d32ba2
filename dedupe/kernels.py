"""Compiled inner loops (numba) for the steps that do the most work per character,
shingle, document or candidate pair: finding and hashing words, MinHash's
permutations, counting what two sorted sets share, the per-document steps of a scan
over all documents laid end to end (usable, distinct, rare and stock shingles), the
passage search over many pairs, hash tables for membership, postings and posting
pairs, shingle hashes, and a counting sort of hashes by their top bits.

numpy runs each operation of a hash over a whole array and keeps every intermediate
array; for a chain of mixing steps per word, or 128 permutations per shingle, that
traffic is most of the cost, and a numpy call per document or pair costs more than
the work in it. These loops do the same arithmetic in machine code, one element at a
time (the permutation loop is vectorised by the compiler), and let go of the GIL, so
``in_threads`` runs them on several cores. Their results are bit for bit those of
the references (``normalise.word_hash``, analysis's words, datasketch's ``MinHash``,
set intersection, and the numpy each scan step was written in first): the tests
compare them. Each loop is
compiled on first use and cached on disk next to this file, or in the user's cache
when that is not writable (``load`` says how long a process takes to get them); where
neither is (a read-only container), each process compiles them again.

Example:
    >>> import numpy as np
    >>> out = np.zeros(1, dtype=np.uint64)
    >>> chain_hashes(np.array([104, 105, 0], dtype=np.uint8), np.array([0]),
    ...              np.array([2]), 0, out)
    >>> int(out[0]) == int(fmix64(np.uint64(104 | 105 << 21)))
    True
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import numpy as np
from numba import njit

_MASK32 = np.uint64(0xFFFFFFFF)
F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def in_threads(work: Callable[[int, int], T], count: int, jobs: int) -> list[T]:
    """``work(start, end)`` over ``jobs`` consecutive parts of ``range(count)``, in
    threads (the loops here let go of the GIL), results in order; one part, in this
    thread, for one job or nothing to do."""
    cuts = np.linspace(0, count, max(1, min(jobs, count)) + 1).astype(np.int64).tolist()
    if len(cuts) == 2:
        return [work(0, count)]
    with ThreadPoolExecutor(max_workers=len(cuts) - 1) as pool:
        return list(pool.map(work, cuts[:-1], cuts[1:]))


def _compiled(function: F) -> F:
    """``function`` compiled without the GIL, cached on disk where numba finds a
    writable place (it refuses ``cache=True`` outright where it finds none)."""
    try:
        return njit(cache=True, nogil=True)(function)  # type: ignore[return-value]
    except RuntimeError:  # "cannot cache function ...: no locator available"
        return njit(nogil=True)(function)  # type: ignore[return-value]


@_compiled
def fmix64(value: np.uint64) -> np.uint64:
    """MurmurHash3's 64-bit finaliser (``shingle.fmix`` with ``FMIX64``), one value."""
    value ^= value >> np.uint64(33)
    value *= np.uint64(0xFF51AFD7ED558CCD)
    value ^= value >> np.uint64(33)
    value *= np.uint64(0xC4CEB9FE1A85EC53)
    value ^= value >> np.uint64(33)
    return value


@_compiled
def window_hashes(word_hashes: np.ndarray, width: int, out: np.ndarray) -> None:
    """``out[i]``: ``fmix64`` of ``(..((w[i] * M + w[i + 1]) * M + ..) + w[i + width - 1]``
    (mod 2**64, ``M`` the golden-ratio multiplier) over the word hashes ``w``: the
    hash of each run of ``width`` words (``shingle._windows``)."""
    multiplier = np.uint64(0x9E3779B97F4A7C15)
    for i in range(out.size):
        acc = np.uint64(0)
        for k in range(width):
            acc = acc * multiplier + np.uint64(word_hashes[i + k])
        out[i] = fmix64(acc)


@_compiled
def text_windows(word_hashes: np.ndarray, word_offsets: np.ndarray, n: int,
                 out: np.ndarray) -> None:
    """``window_hashes`` of each text on its own (text ``d``'s words are
    ``word_hashes[word_offsets[d]:word_offsets[d + 1]]``), runs of ``min(n, words)``
    words, laid end to end in ``out`` (``shingle.shingles_flat``)."""
    at = 0
    for d in range(word_offsets.size - 1):
        first, count = word_offsets[d], word_offsets[d + 1] - word_offsets[d]
        if count:
            width = min(n, count)
            windows = count - width + 1
            window_hashes(word_hashes[first : first + count], width, out[at : at + windows])
            at += windows


@_compiled
def chain_hashes(forms: np.ndarray, at: np.ndarray, lengths: np.ndarray, seed: int,
                 out: np.ndarray) -> None:
    """``out[w]``: ``fmix64`` chained from ``seed`` over the chunks of three code points
    (21 bits each, the last chunk short) of ``forms[at[w]:at[w] + lengths[w]]``."""
    for w in range(at.size):
        first, length = at[w], lengths[w]
        state = np.uint64(seed)
        for k in range(0, length, 3):
            chunk = np.uint64(forms[first + k])
            if k + 1 < length:
                chunk |= np.uint64(forms[first + k + 1]) << np.uint64(21)
            if k + 2 < length:
                chunk |= np.uint64(forms[first + k + 2]) << np.uint64(42)
            state = fmix64(state ^ chunk)
        out[w] = state


@_compiled
def min_hashes(values: np.ndarray, offsets: np.ndarray, a: np.ndarray, b: np.ndarray,
               out: np.ndarray) -> None:
    """``out[d, p]``: the minimum of ``out[d, p]`` and of ``a[p] * h + b[p] mod 2**32``
    over the 32-bit hashes ``h`` of ``values[offsets[d]:offsets[d + 1]]``."""
    for d in range(offsets.size - 1):
        row = out[d]
        for i in range(offsets[d], offsets[d + 1]):
            h = np.uint64(values[i])
            for p in range(a.size):
                v = np.uint32((np.uint64(a[p]) * h + np.uint64(b[p])) & _MASK32)
                if v < row[p]:
                    row[p] = v


@_compiled
def shared_counts(values: np.ndarray, offsets: np.ndarray, pairs: np.ndarray,
                  out: np.ndarray) -> None:
    """``out[k]``: how many values the sorted, distinct runs
    ``values[offsets[i]:offsets[i + 1]]`` and ``values[offsets[j]:offsets[j + 1]]``
    have in common, for ``(i, j) = pairs[k]`` (one merge of the two runs, without
    branches: which side moves is arithmetic, which the processor need not guess)."""
    for k in range(pairs.shape[0]):
        a, a_end = offsets[pairs[k, 0]], offsets[pairs[k, 0] + 1]
        b, b_end = offsets[pairs[k, 1]], offsets[pairs[k, 1] + 1]
        count = 0
        while a < a_end and b < b_end:
            x, y = values[a], values[b]
            count += x == y
            a += x <= y
            b += y <= x
        out[k] = count


@_compiled
def word_hashes(codes: np.ndarray, is_word: np.ndarray, form: np.ndarray, seed: int,
                limit: int, hashes: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                odd: np.ndarray) -> int:
    """Find the words of ``codes`` (maximal runs of code points ``is_word`` marks) and
    hash each as ``chain_hashes`` does its normalised form, the code points ``form``
    maps them to, in one pass. Fills ``hashes``, ``starts``, ``ends`` and ``odd`` (a
    code point without a form, or more than ``limit`` of them: the caller hashes those
    words itself) and returns the number of words."""
    n, i, size = 0, 0, codes.size
    while i < size:
        if not is_word[codes[i]]:
            i += 1
            continue
        start, state, chunk, k, strange = i, np.uint64(seed), np.uint64(0), 0, False
        while i < size and is_word[codes[i]]:
            value = form[codes[i]]
            strange |= value == 0
            chunk |= np.uint64(value) << np.uint64(21 * k)
            k += 1
            if k == 3:
                state = fmix64(state ^ chunk)
                chunk, k = np.uint64(0), 0
            i += 1
        if k:
            state = fmix64(state ^ chunk)
        hashes[n], starts[n], ends[n] = state, start, i
        odd[n] = strange or i - start > limit
        n += 1
    return n



@_compiled
def sort_by_hash(hashes: np.ndarray, offsets: np.ndarray, usable: np.ndarray,
                 out_positions: np.ndarray, out_offsets: np.ndarray, lo: int, hi: int) -> None:
    """Per document ``d`` from ``lo`` to ``hi - 1`` (positions ``offsets[d]:offsets[d +
    1]``), the positions (counted from its first) of its usable hashes, ordered by hash
    and then position, into ``out_positions[out_offsets[d]:out_offsets[d + 1]]`` (room
    for exactly its usable ones). Only positions are kept: the hashes are read through
    them (``hashes[offsets[d] + position]``), not copied."""
    for d in range(lo, hi):
        first, n = offsets[d], out_offsets[d]
        count = out_offsets[d + 1] - n
        values = np.empty(count, dtype=hashes.dtype)
        places = np.empty(count, dtype=out_positions.dtype)
        c = 0
        for p in range(first, offsets[d + 1]):
            if usable[p]:
                values[c] = hashes[p]
                places[c] = p - first
                c += 1
        out_positions[n : n + count] = places[np.argsort(values, kind="mergesort")]


@_compiled
def distinct_sorted(hashes: np.ndarray, offsets: np.ndarray, positions: np.ndarray,
                    sorted_offsets: np.ndarray, counts: np.ndarray, out: np.ndarray,
                    out_offsets: np.ndarray) -> None:
    """Each document's distinct hashes, in the order of ``sort_by_hash``'s positions:
    ``counts[d]`` how many; with ``out`` (room for ``counts.sum()``; empty to count
    only), the hashes themselves into ``out[out_offsets[d]:out_offsets[d + 1]]``."""
    for d in range(offsets.size - 1):
        base, kept = offsets[d], 0
        n = out_offsets[d] if out.size else 0
        for t in range(sorted_offsets[d], sorted_offsets[d + 1]):
            value = hashes[base + positions[t]]
            if t == sorted_offsets[d] or value != hashes[base + positions[t - 1]]:
                if out.size:
                    out[n + kept] = value
                kept += 1
        counts[d] = kept


@_compiled
def passage_spans(offsets: np.ndarray, rare: np.ndarray, hashes: np.ndarray,
                  positions: np.ndarray, sorted_offsets: np.ndarray, pairs: np.ndarray,
                  min_rare: int, max_gap: int, max_repeats: int) -> np.ndarray:
    """The passages of each pair ``(i, j) = pairs[k]`` with at least ``min_rare`` of
    ``i``'s ``rare`` shingles, as rows ``(k, first_i, last_i, first_j, last_j, rare)``
    (shingle positions, inclusive), by ``k`` then start in ``i``.

    ``hashes`` are the shingles laid end to end at ``offsets``, read in each
    document's hash order through ``positions`` (``sort_by_hash``). Equal hashes (a
    hash repeated in ``i`` matches its first ``max_repeats`` places in ``j``) give
    matches; matches on one diagonal at consecutive positions form runs; runs, by start
    in ``i``, join the first open passage they continue in both documents within
    ``max_gap`` positions."""
    found = np.empty((64, 6), dtype=np.int64)
    count = 0
    for k in range(pairs.shape[0]):
        i, j = pairs[k, 0], pairs[k, 1]
        a, a_end = sorted_offsets[i], sorted_offsets[i + 1]
        b, b_end = sorted_offsets[j], sorted_offsets[j + 1]
        base, base_j = offsets[i], offsets[j]
        # First pass: count the matches and their rare shingles.
        matches, weight = 0, 0
        x, y = a, b
        while x < a_end and y < b_end:
            value, other = hashes[base + positions[x]], hashes[base_j + positions[y]]
            if value < other:
                x += 1
            elif value > other:
                y += 1
            else:
                y_end = y + 1
                while y_end < b_end and hashes[base_j + positions[y_end]] == value:
                    y_end += 1
                repeats = min(y_end - y, max_repeats)
                while x < a_end and hashes[base + positions[x]] == value:
                    matches += repeats
                    if rare[base + positions[x]]:
                        weight += repeats
                    x += 1
                y = y_end
        if weight < min_rare:
            continue
        # Second pass: the matches, ordered by diagonal, then position in i.
        pos_a = np.empty(matches, dtype=np.int64)
        pos_b = np.empty(matches, dtype=np.int64)
        m, x, y = 0, a, b
        while x < a_end and y < b_end:
            value, other = hashes[base + positions[x]], hashes[base_j + positions[y]]
            if value < other:
                x += 1
            elif value > other:
                y += 1
            else:
                y_end = y + 1
                while y_end < b_end and hashes[base_j + positions[y_end]] == value:
                    y_end += 1
                repeats = min(y_end - y, max_repeats)
                while x < a_end and hashes[base + positions[x]] == value:
                    for r in range(repeats):
                        pos_a[m], pos_b[m] = positions[x], positions[y + r]
                        m += 1
                    x += 1
                y = y_end
        length = offsets[i + 1] - base
        order = np.argsort((pos_b - pos_a + length) * (length + 1) + pos_a)
        # Runs: consecutive positions on one diagonal.
        run_fa = np.empty(matches, dtype=np.int64)
        run_la = np.empty(matches, dtype=np.int64)
        run_fb = np.empty(matches, dtype=np.int64)
        run_lb = np.empty(matches, dtype=np.int64)
        run_rare = np.zeros(matches, dtype=np.int64)
        runs = -1
        for t in range(matches):
            pa, pb = pos_a[order[t]], pos_b[order[t]]
            if runs < 0 or pb - pa != run_lb[runs] - run_la[runs] or pa - run_la[runs] > 1:
                runs += 1
                run_fa[runs], run_fb[runs] = pa, pb
            run_la[runs], run_lb[runs] = pa, pb
            if rare[base + pa]:
                run_rare[runs] += 1
        runs += 1
        # By (first_i, last_i, first_j): stable sorts from the last key to the first.
        by = np.argsort(run_fb[:runs], kind="mergesort")
        by = by[np.argsort(run_la[:runs][by], kind="mergesort")]
        by = by[np.argsort(run_fa[:runs][by], kind="mergesort")]
        open_ = np.empty((runs, 5), dtype=np.int64)
        opened = 0
        for t in range(runs):
            r = by[t]
            joined = False
            for p in range(opened):
                gap_a, gap_b = run_fa[r] - open_[p, 1], run_fb[r] - open_[p, 3]
                if 0 < gap_a <= max_gap + 1 and 0 < gap_b <= max_gap + 1:
                    open_[p, 1] = run_la[r]
                    open_[p, 3] = max(open_[p, 3], run_lb[r])
                    open_[p, 4] += run_rare[r]
                    joined = True
                    break
            if not joined:
                open_[opened, 0], open_[opened, 1] = run_fa[r], run_la[r]
                open_[opened, 2], open_[opened, 3] = run_fb[r], run_lb[r]
                open_[opened, 4] = run_rare[r]
                opened += 1
        for p in range(opened):
            if open_[p, 4] < min_rare:
                continue
            if count == found.shape[0]:
                grown = np.empty((2 * count, 6), dtype=np.int64)
                grown[:count] = found
                found = grown
            found[count, 0] = k
            found[count, 1:] = open_[p]
            count += 1
    return found[:count].copy()


@_compiled
def segment_counts(flags: np.ndarray, offsets: np.ndarray, out: np.ndarray) -> None:
    """``out[d]``: how many of ``flags[offsets[d]:offsets[d + 1]]`` are set."""
    for d in range(offsets.size - 1):
        count = 0
        for i in range(offsets[d], offsets[d + 1]):
            count += np.int64(flags[i])
        out[d] = count


@_compiled
def mark_spans(starts: np.ndarray, ends: np.ndarray, out: np.ndarray) -> None:
    """Set ``out[starts[k]:ends[k]]`` for every ``k``."""
    for k in range(starts.size):
        for i in range(starts[k], ends[k]):
            out[i] = True


@_compiled
def usable_flags(template: np.ndarray, word_offsets: np.ndarray, offsets: np.ndarray,
                 n: int, out: np.ndarray) -> None:
    """``out[p]``, for the shingles ``offsets[d]:offsets[d + 1]`` of each document ``d``
    (its words ``word_offsets[d]:word_offsets[d + 1]``): whether the ``min(n, words)``
    words from the shingle's start hold no ``template`` word."""
    for d in range(offsets.size - 1):
        w0, first = word_offsets[d], offsets[d]
        width, count = min(n, word_offsets[d + 1] - w0), offsets[d + 1] - first
        inside = 0
        for w in range(width):
            inside += np.int64(template[w0 + w])
        for s in range(count):
            out[first + s] = inside == 0
            if s + 1 < count:
                inside += np.int64(template[w0 + s + width]) - np.int64(template[w0 + s])


@_compiled
def rare_flags(stock: np.ndarray, usable: np.ndarray, offsets: np.ndarray, n: int,
               out: np.ndarray) -> None:
    """``out[p]``, for the shingles of each document: usable, not ``stock``, and with a
    word that no stock shingle of the document covers (a shingle covers its ``n``
    words; ``count`` shingles have ``count + n - 1``)."""
    for d in range(offsets.size - 1):
        first, count = offsets[d], offsets[d + 1] - offsets[d]
        words = count + n - 1
        free = np.empty(max(words, 0), dtype=np.bool_)
        last = -n  # the last stock shingle's start so far
        for w in range(words):
            if w < count and stock[first + w]:
                last = w
            free[w] = w - last >= n
        inside = 0
        for w in range(min(n, words)):
            inside += np.int64(free[w])
        for s in range(count):
            out[first + s] = usable[first + s] and not stock[first + s] and inside > 0
            if s + 1 < count:
                inside += np.int64(free[s + n]) - np.int64(free[s])


@_compiled
def sorted_sets(hashes: np.ndarray, offsets: np.ndarray, usable: np.ndarray,
                out: np.ndarray, out_offsets: np.ndarray) -> int:
    """Each document's distinct usable hashes, sorted, into
    ``out[out_offsets[d]:out_offsets[d + 1]]``; returns how many in all."""
    n = 0
    out_offsets[0] = 0
    for d in range(offsets.size - 1):
        count = 0
        for p in range(offsets[d], offsets[d + 1]):
            if usable[p]:
                out[n + count] = hashes[p]
                count += 1
        ordered = np.sort(out[n : n + count])
        kept = 0
        for t in range(count):
            if t == 0 or ordered[t] != ordered[t - 1]:
                out[n + kept] = ordered[t]
                kept += 1
        n += kept
        out_offsets[d + 1] = n
    return n


@_compiled
def quoted(usable: np.ndarray, at: np.ndarray, offsets: np.ndarray, families: np.ndarray,
           n: int, minimum: int, words_per_family: int, out: np.ndarray) -> None:
    """``out[p]`` for each candidate shingle (``usable[p]`` and ``at[p] >= 0``, its
    index in ``families``) in a run of consecutive candidates (in one document) long
    enough to need more families than its ``families[at[p]]``: the run's
    ``length + n - 1`` words need ``max(minimum, ceil(words / words_per_family))``
    (``boilerplate.boilerplate_bar``)."""
    for d in range(offsets.size - 1):
        p, end = offsets[d], offsets[d + 1]
        while p < end:
            if not (usable[p] and at[p] >= 0):
                p += 1
                continue
            start = p
            while p < end and usable[p] and at[p] >= 0:
                p += 1
            words = p - start + n - 1
            need = max(minimum, -(-words // words_per_family))
            for q in range(start, p):
                out[q] = families[at[q]] < need


@_compiled
def _key_slots(keys: np.ndarray) -> np.ndarray:
    """An open-addressing hash table of the distinct ``keys`` (``fmix64`` of a key,
    linear probing, a power-of-two size at least twice the keys): their indices in
    slots, -1 in empty ones."""
    size = 2
    while size < 2 * keys.size:
        size *= 2
    mask = np.uint64(size - 1)
    slots = np.full(size, -1, dtype=np.int64)
    for k in range(keys.size):
        at = fmix64(np.uint64(keys[k])) & mask
        while slots[at] >= 0:
            at = (at + np.uint64(1)) & mask
        slots[at] = k
    return slots


@_compiled
def _slot_of(slots: np.ndarray, keys: np.ndarray, value: np.uint64) -> np.int64:
    """The index in ``keys`` of ``value`` through their ``_key_slots``, or -1."""
    mask = np.uint64(slots.size - 1)
    at = fmix64(value) & mask
    while slots[at] >= 0:
        if keys[slots[at]] == value:
            return slots[at]
        at = (at + np.uint64(1)) & mask
    return np.int64(-1)


@_compiled
def find_keys(values: np.ndarray, keys: np.ndarray, out: np.ndarray) -> None:
    """``out[i]``: the index in ``keys`` (distinct) of ``values[i]``, or -1, through a
    hash table of the keys (one probe or two per value, where a binary search of a
    large sorted array takes a cache miss per step)."""
    slots = _key_slots(keys)
    for i in range(values.size):
        out[i] = _slot_of(slots, keys, np.uint64(values[i]))


@_compiled
def has_keys(values: np.ndarray, keys: np.ndarray, out: np.ndarray) -> None:
    """``out[i]``: whether ``values[i]`` is one of the distinct ``keys`` (``find_keys``
    without an index per value: a quarter of the memory as bools)."""
    slots = _key_slots(keys)
    for i in range(values.size):
        out[i] = _slot_of(slots, keys, np.uint64(values[i])) >= 0


@_compiled
def covered_runs(selected: np.ndarray, offsets: np.ndarray, words: np.ndarray, n: int,
                 out: np.ndarray) -> int:
    """The runs of words covered by ``selected`` shingles (shingle ``s`` covers words
    ``s`` to ``s + n - 1``, within the document's ``words``), as rows ``(document,
    first word, last word + 1)`` of ``out`` in text order; returns how many."""
    count = 0
    for d in range(offsets.size - 1):
        first, end = -1, -1
        for s in range(offsets[d + 1] - offsets[d]):
            if not selected[offsets[d] + s]:
                continue
            stop = min(s + n, words[d])
            if first >= 0 and s <= end:
                end = max(end, stop)
                continue
            if first >= 0:
                out[count, 0], out[count, 1], out[count, 2] = d, first, end
                count += 1
            first, end = s, stop
        if first >= 0:
            out[count, 0], out[count, 1], out[count, 2] = d, first, end
            count += 1
    return count


@_compiled
def carrier_lists(values: np.ndarray, owners: np.ndarray, low: int, high: int,
                  counts: np.ndarray, carried: np.ndarray) -> tuple[int, int]:
    """The carriers of each distinct value held by ``low`` to ``high`` owners, through a
    hash table: ``counts[v]`` owners for the ``v``-th such value, listed one value
    after the other in ``carried`` in the order they come in ``owners``. Returns how
    many values and carriers were written."""
    size = 2
    while size < 2 * values.size:
        size *= 2
    mask = np.uint64(size - 1)
    keys = np.empty(size, dtype=np.uint64)
    seen = np.zeros(size, dtype=np.int64)
    for i in range(values.size):
        at = fmix64(np.uint64(values[i])) & mask
        while seen[at] and keys[at] != values[i]:
            at = (at + np.uint64(1)) & mask
        keys[at] = values[i]
        seen[at] += 1
    start = np.full(size, -1, dtype=np.int64)
    listed, total = 0, 0
    for at in range(size):
        if low <= seen[at] <= high:
            start[at] = total
            counts[listed] = seen[at]
            listed += 1
            total += seen[at]
    for i in range(values.size):
        at = fmix64(np.uint64(values[i])) & mask
        while keys[at] != values[i]:
            at = (at + np.uint64(1)) & mask
        if start[at] >= 0:
            carried[start[at]] = owners[i]
            start[at] += 1
    return listed, total

@_compiled
def top_bit_bounds(values: np.ndarray, bits: int, bounds: np.ndarray) -> None:
    """``bounds[r]:bounds[r + 1]``: where range ``r`` (the values whose top ``bits`` bits
    are ``r``) lies once the values are grouped by range (``by_top_bits``)."""
    shift = np.uint64(64 - bits) if bits else np.uint64(0)
    bounds[:] = 0
    for i in range(values.size):
        top = np.int64(np.uint64(values[i]) >> shift) if bits else 0
        bounds[top + 1] += 1
    for r in range(1, bounds.size):
        bounds[r] += bounds[r - 1]


@_compiled
def by_top_bits(values: np.ndarray, offsets: np.ndarray, bits: int, bounds: np.ndarray,
                lo: int, hi: int, out_values: np.ndarray, out_owners: np.ndarray) -> None:
    """The values of ranges ``lo`` to ``hi - 1`` (``top_bit_bounds``) of sets laid end
    to end (set ``d`` is ``values[offsets[d]:offsets[d + 1]]``), grouped by range: a
    stable counting sort. Range ``r`` goes to ``bounds[r] - bounds[lo]`` onwards of
    ``out_values``, with each value's set in ``out_owners``, ascending within a range.
    A window of ranges at a time keeps the copy a fraction of the values."""
    shift = np.uint64(64 - bits) if bits else np.uint64(0)
    at = bounds[lo:hi] - bounds[lo]
    for d in range(offsets.size - 1):
        for i in range(offsets[d], offsets[d + 1]):
            top = np.int64(np.uint64(values[i]) >> shift) if bits else 0
            if lo <= top < hi:
                out_values[at[top - lo]] = values[i]
                out_owners[at[top - lo]] = d
                at[top - lo] += 1


@_compiled
def _add_pair(keys: np.ndarray, counts: np.ndarray, code: np.int64, weight: np.int64) -> bool:
    """Add ``weight`` to ``code``'s count in the open-addressing table ``keys`` (-1:
    empty); True if ``code`` is new."""
    mask = np.uint64(keys.size - 1)
    at = fmix64(np.uint64(code)) & mask
    while keys[at] >= 0 and keys[at] != code:
        at = (at + np.uint64(1)) & mask
    new = keys[at] < 0
    keys[at] = code
    counts[at] += weight
    return new


@_compiled
def _grown(keys: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The table ``_add_pair`` fills, rehashed into twice the slots."""
    grown_keys = np.full(2 * keys.size, -1, dtype=np.int64)
    grown_counts = np.zeros(2 * keys.size, dtype=np.int32)
    for at in range(keys.size):
        if keys[at] >= 0:
            _add_pair(grown_keys, grown_counts, keys[at], counts[at])
    return grown_keys, grown_counts


@_compiled
def _in_part(code: np.int64, part: int, parts: int) -> bool:
    """Whether pair ``code`` is in ``part`` of ``parts`` (``weighted_pair_counts``)."""
    return parts == 1 or (fmix64(np.uint64(code)) >> np.uint64(32)) % np.uint64(parts) == part


@_compiled
def weighted_pair_counts(starts: np.ndarray, members: np.ndarray, weights: np.ndarray,
                         width: int, full_group: int, centres: int, minimum: int,
                         part: int = 0, parts: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """``lsh.grouped_pairs`` with counts, in a hash table instead of rows to sort: for
    group ``g``, ``members[starts[g]:starts[g + 1]]`` (distinct, ascending; the last
    runs to the end), each pair of the group's pattern (``lsh._pair_pattern``: all
    pairs up to ``full_group`` members, else ``centres`` stars and a chain, a pair
    that is in both counted each time) adds ``weights[g]``. Returns the pairs counted
    ``minimum`` times or more, coded ``i * width + j`` (``i < j``), in no order, and
    their counts. (Counts are int32: a pair shares fewer than 2**31 shingles.)

    Only the pairs of ``part`` of ``parts`` (by a hash of the code) are counted: the
    parts are disjoint, and each needs a table of about ``1 / parts`` the size."""
    keys = np.full(1 << 16, -1, dtype=np.int64)
    counts = np.zeros(1 << 16, dtype=np.int32)
    used = 0
    for g in range(starts.size):
        first = starts[g]
        size = (starts[g + 1] if g + 1 < starts.size else members.size) - first
        weight = weights[g]
        if size <= full_group:
            for x in range(size):
                for y in range(x + 1, size):
                    code = np.int64(members[first + x]) * width + members[first + y]
                    if _in_part(code, part, parts):
                        if 2 * (used + 1) > keys.size:  # (kept at most half full)
                            keys, counts = _grown(keys, counts)
                        used += _add_pair(keys, counts, code, weight)
        else:
            for c in range(centres):
                for o in range(size):
                    if c != o:
                        low, high = min(c, o), max(c, o)
                        code = np.int64(members[first + low]) * width + members[first + high]
                        if _in_part(code, part, parts):
                            if 2 * (used + 1) > keys.size:
                                keys, counts = _grown(keys, counts)
                            used += _add_pair(keys, counts, code, weight)
            for o in range(size - 1):
                code = np.int64(members[first + o]) * width + members[first + o + 1]
                if _in_part(code, part, parts):
                    if 2 * (used + 1) > keys.size:
                        keys, counts = _grown(keys, counts)
                    used += _add_pair(keys, counts, code, weight)
    found = (keys >= 0) & (counts >= minimum)
    return keys[found], counts[found]


@_compiled
def maybe_common(values: np.ndarray, low: int, buckets: np.ndarray, out: np.ndarray) -> None:
    """Per value, whether its bucket (``fmix64`` of it, modulo the power-of-two size of
    ``buckets``) holds at least ``low`` values: a superset of the values that occur
    ``low`` times or more, in two passes and a small table, without sorting."""
    mask = np.uint64(buckets.size - 1)
    buckets[:] = 0
    for i in range(values.size):  # (counts stop at ``low``: ``buckets`` may be narrow)
        at = fmix64(np.uint64(values[i])) & mask
        if buckets[at] < low:
            buckets[at] += 1
    for i in range(values.size):
        out[i] = buckets[fmix64(np.uint64(values[i])) & mask] >= low


def load() -> float:
    """Compile (or load from the cache) every loop for the types dedupe calls it with,
    and return the seconds it took: a process pays this once, on its first call of
    each loop, as it pays for its imports (the speed benchmark counts it apart)."""
    start = time.perf_counter()
    for codes in (np.zeros(2, dtype=np.uint8), np.zeros(2, dtype=np.uint32)):
        found = np.zeros(2, dtype=np.int64)
        chain_hashes(codes, found, found, 0, np.zeros(2, dtype=np.uint64))
        text = np.frombuffer(codes.tobytes(), dtype=codes.dtype)  # read-only, as analysed
        word_hashes(text, np.zeros(2, dtype=bool), codes, 0, 64, np.zeros(2, dtype=np.uint64),
                    found, found.copy(), np.zeros(2, dtype=bool))
    one = np.zeros(1, dtype=np.uint32)
    min_hashes(one, np.zeros(2, dtype=np.int64), one, one, np.zeros((1, 1), dtype=np.uint32))
    shared_counts(np.zeros(1, dtype=np.uint64), np.zeros(2, dtype=np.int64),
                  np.zeros((1, 2), dtype=np.int64), np.zeros(1, dtype=np.int64))
    offsets, values = np.zeros(2, dtype=np.int64), np.zeros(1, dtype=np.uint64)
    positions = np.zeros(1, dtype=np.int32)  # within one document
    sort_by_hash(values, offsets, np.ones(1, dtype=bool), positions,
                 np.arange(2, dtype=np.int64), 0, 1)
    distinct_sorted(values, offsets, positions, offsets, offsets[:1].copy(), values.copy(),
                    offsets)
    passage_spans(offsets, np.ones(1, dtype=bool), values, positions, offsets,
                  np.zeros((1, 2), dtype=np.int64), 1, 1, 1)
    flags = np.zeros(1, dtype=bool)
    segment_counts(flags, offsets, offsets[:1].copy())
    mark_spans(offsets, offsets, flags.copy())
    usable_flags(flags, offsets, offsets, 1, flags.copy())
    rare_flags(flags, flags, offsets, 1, flags.copy())
    sorted_sets(values, offsets, flags, values.copy(), offsets.copy())
    quoted(flags, offsets.astype(np.int32), offsets, offsets.astype(np.int32), 1, 1, 1,
           flags.copy())
    find_keys(values, values, offsets.astype(np.int32))  # int64 past 2**31 keys only
    covered_runs(flags, offsets, offsets, 1, np.zeros((1, 3), dtype=np.int64))
    carrier_lists(values, offsets[:1].astype(np.int32), 2, 3, offsets.copy(),
                  offsets[:1].astype(np.int32))
    maybe_common(values, 2, np.zeros(2, dtype=np.uint32), flags.copy())
    window_hashes(values, 1, values.copy())
    text_windows(values, offsets, 1, values.copy())
    weighted_pair_counts(offsets[:1], offsets[:1].astype(np.int32), offsets[:1], 1, 2, 1, 1, 0, 2)
    bounds = np.zeros(3, dtype=np.int64)
    top_bit_bounds(values, 1, bounds)
    by_top_bits(values, offsets, 1, bounds, 0, 2, values.copy(), np.zeros(1, dtype=np.int32))
    return time.perf_counter() - start
