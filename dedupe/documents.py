"""The document-level stage on its own: whole-document near-duplicates of a corpus.

    texts -> word hashes -> shingles -> MinHash signatures        (batches, in threads)
          -> LSH bands grouped -> candidate pairs -> exact Jaccard -> near-duplicate pairs

This is what whole-document deduplication does (datasketch's ``MinHashLSH`` with an
exact check, text-dedup, datatrove), done on arrays for a batch of texts at a time:
words hashed on code points (``normalise.word_hashes_flat``), shingles combined as
arrays (``shingle.shingles_flat``), signatures computed a block of shingles at a time
(identical to datasketch's ``MinHash``, see ``signatures``), bands grouped by sorting
(``lsh``), and every candidate checked on its exact shingle sets
(``relations.overlaps``), made for the candidates' documents only. The scan's first
round runs the same steps; this entry point is for callers who only want
whole-document duplicates (a training-set filter) and for the speed benchmark
(``benchmarks/speed.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np

from dedupe.arrays import prefix_sums, sorted_unique
from dedupe.config import Config
from dedupe.lsh import lsh_pairs
from dedupe.normalise import word_hashes_flat
from dedupe.relations import Overlaps, overlaps
from dedupe.shingle import shingles_flat
from dedupe.signatures import signatures_flat

#: Texts sketched together: large enough to amortise numpy's per-call cost, small
#: enough that a batch's arrays stay a few megabytes.
BATCH = 1000
#: ``(items, label, total) -> items``: wraps a loop, e.g. in a progress bar.
Progress = Callable[[Iterable[Any], str, int], Iterable[Any]]


@dataclass(frozen=True, eq=False)
class Sketches:
    """Shingles and MinHash signatures of many documents, as flat arrays.

    Document ``i``'s shingle hashes, in text order (repeats kept), are
    ``values[offsets[i]:offsets[i + 1]]``; ``signatures`` is ``(documents, num_perm)``
    uint32. Sets (sorted, distinct) are made only for the documents that need them.
    """

    offsets: np.ndarray
    values: np.ndarray
    signatures: np.ndarray

    def __len__(self) -> int:
        return int(self.offsets.size - 1)

    def sizes(self) -> np.ndarray:
        """Shingles per document (repeats counted)."""
        return np.diff(self.offsets)

    def set(self, doc: int) -> np.ndarray:
        """Document ``doc``'s distinct shingle hashes, sorted."""
        return sorted_unique(self.values[self.offsets[doc] : self.offsets[doc + 1]])

    @staticmethod
    def join(parts: Sequence[Sketches], num_perm: int) -> Sketches:
        """The sketches of several batches, in order, as one."""
        if not parts:
            return Sketches(np.zeros(1, dtype=np.int64), np.empty(0, dtype=np.uint64),
                            np.empty((0, num_perm), dtype=np.uint32))
        return Sketches(offsets=prefix_sums(np.concatenate([p.sizes() for p in parts])),
                        values=np.concatenate([p.values for p in parts]),
                        signatures=np.concatenate([p.signatures for p in parts]))


def sketch(texts: Sequence[str], config: Config) -> Sketches:
    """Shingles and signatures of ``texts``, in this process, all texts at once.

    Example:
        >>> s = sketch(["one two three four five six", ""], Config())
        >>> s.sizes().tolist(), s.signatures.shape
        ([2, 0], (2, 128))
    """
    words, counts = word_hashes_flat(texts)
    values, sizes = shingles_flat(words, counts, config.shingle_size)
    return Sketches(offsets=prefix_sums(sizes), values=values,
                    signatures=signatures_flat(values, sizes, config.num_perm, config.seed))


def sketch_all(
    texts: Sequence[str], config: Config, *, jobs: int = 1, progress: Progress | None = None,
) -> Sketches:
    """``sketch`` of all texts, in batches of ``BATCH``, over ``jobs`` threads
    (``in_threads_map``). The result does not depend on ``jobs``: batches are sketched
    independently and joined in input order.
    """
    batches = [texts[k : k + BATCH] for k in range(0, len(texts), BATCH)]
    parts = list(_wrap(progress)(in_threads_map(sketch, batches, config, jobs),
                                 "sketching", len(batches)))
    return Sketches.join(parts, config.num_perm)


def near_duplicates(
    texts: Sequence[str], config: Config | None = None, *, threshold: float | None = None,
    jobs: int = 1, progress: Progress | None = None,
) -> Overlaps:
    """Pairs of texts whose shingle sets have a Jaccard of at least ``threshold``.

    Args:
        texts: the documents.
        config: shingling, MinHash and LSH settings (``lsh_threshold`` sets the bands);
            ``Config()`` by default.
        threshold: the exact Jaccard a pair needs; ``config.near_duplicate`` by default.
        jobs: threads for sketching.
        progress: optional wrapper ``(iterable, label, total) -> iterable``.

    Returns:
        The pairs ``(i, j)``, ``i < j`` indices into ``texts``, sorted, with their exact
        overlap. Like any LSH, candidates are found with a probability that falls below
        ``lsh_threshold``; every pair returned is exact.

    Example:
        >>> text = "the quick brown fox jumps over the lazy dog near the river bank"
        >>> near_duplicates([text, text + " today", "something else entirely"]).pairs.tolist()
        [[0, 1]]
    """
    config = config or Config()
    bar = config.near_duplicate if threshold is None else threshold
    sketches = sketch_all(texts, config, jobs=jobs, progress=progress)
    candidates = lsh_pairs(sketches.signatures, *config.lsh_bands, sketches.sizes() > 0)
    # Exact sets for the documents in a candidate pair only.
    docs, local = np.unique(candidates, return_inverse=True)
    found = overlaps(local.reshape(-1, 2), [sketches.set(d) for d in docs.tolist()])
    found = found.select(found.jaccard >= bar)
    return Overlaps(docs[found.pairs].reshape(-1, 2), found.shared, found.jaccard,
                    found.a_in_b, found.b_in_a)


def in_threads_map(
    work: Callable[[Any, Config], Any], batches: Sequence[Any], config: Config, jobs: int,
) -> Iterator[Any]:
    """``work(batch, config)`` for each batch, in order, over ``jobs`` threads.

    Threads, not processes: most of a batch's time is in compiled loops
    (``dedupe.kernels``) and numpy, which let go of the GIL, and threads share the
    texts and results instead of pickling them to and from workers, which cost more
    than the work (analysing 100,000 articles: 3.9 s in one thread, 3.1 s in two
    threads, 6.8 s in two processes). One job runs in this thread.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    if jobs == 1 or len(batches) < 2:
        yield from map(work, batches, repeat(config))
        return
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(work, batches, repeat(config))


def _wrap(progress: Progress | None) -> Progress:
    return progress or (lambda items, _label, _total: items)
