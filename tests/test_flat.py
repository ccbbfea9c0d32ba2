"""The scan's per-document steps, done on all documents laid end to end by compiled
loops, give what the per-document numpy they replaced gave (kept here as references)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from dedupe import Config
from dedupe.arrays import joined, prefix_sums, sorted_unique, split_at
from dedupe.boilerplate import Lines, stock_shingles, stock_spans, template_words
from dedupe.normalise import analyse_many
from dedupe.passages import rare_flat, rare_shingles, sorted_usable
from dedupe.relations import family_counts
from dedupe.shingle import shingle_sets, shingles_flat, true_runs, usable_flat

# Documents as lists of small shingle hashes (repeats and shared shingles are common),
# each with a template mask over its words and a usable mask over its shingles.
_docs = st.lists(st.lists(st.integers(1, 9), max_size=25), min_size=1, max_size=6)


def _bools(draw: st.DrawFn, size: int, p: float = 0.3) -> np.ndarray:
    return np.array(draw(st.lists(st.floats(0, 1), min_size=size, max_size=size)),
                    dtype=float).reshape(-1) < p


def covered_words(shingle_mask: np.ndarray, n: int, words: int) -> np.ndarray:
    """Which of ``words`` words lie in at least one shingle that ``shingle_mask`` selects."""
    covered = np.zeros(words + 1, dtype=np.int64)
    starts = np.flatnonzero(shingle_mask)
    np.add.at(covered, np.minimum(starts, words), 1)
    np.add.at(covered, np.minimum(starts + n, words), -1)
    return np.cumsum(covered)[:words] > 0


def _usable_reference(template: np.ndarray, n: int, count: int) -> np.ndarray:
    if count == 0:
        return np.zeros(0, dtype=bool)
    width = min(n, template.size)
    cumulative = prefix_sums(template)
    return (cumulative[width : width + count] - cumulative[:count]) == 0


def _rare_reference(usable: np.ndarray, stock: np.ndarray, n: int) -> np.ndarray:
    count = stock.size
    if count == 0:
        return usable.copy()
    free = ~covered_words(stock, n, count + n - 1)
    total = prefix_sums(free)
    return usable & ~stock & ((total[n : n + count] - total[:count]) > 0)


@given(words=st.lists(st.integers(0, 12), min_size=1, max_size=6), n=st.integers(1, 5),
       data=st.data())
def test_usable_shingles_of_many_documents_are_each_ones(words: list[int], n: int,
                                                          data: st.DataObject) -> None:
    counts = np.array(words)
    shingles = np.where(counts >= n, counts - n + 1, np.minimum(counts, 1))
    template = _bools(data.draw, int(counts.sum()))
    found = usable_flat(template, prefix_sums(counts), prefix_sums(shingles), n)
    masks = split_at(template, prefix_sums(counts))
    expected = [_usable_reference(m, n, int(c)) for m, c in zip(masks, shingles, strict=True)]
    assert [f.tolist() for f in split_at(found, prefix_sums(shingles))] == [
        e.tolist() for e in expected]
    assert usable_flat(template[: counts[0]], np.array([0, counts[0]]),
                       np.array([0, shingles[0]]), n).tolist() == expected[0].tolist()


@given(sizes=st.lists(st.integers(0, 20), min_size=1, max_size=6), n=st.integers(1, 5),
       data=st.data())
def test_rare_shingles_of_many_documents_are_each_ones(sizes: list[int], n: int,
                                                       data: st.DataObject) -> None:
    offsets = prefix_sums(np.array(sizes))
    usable = ~_bools(data.draw, int(offsets[-1]), 0.2)
    stock = _bools(data.draw, int(offsets[-1]), 0.4)
    found = split_at(rare_flat(usable, stock, offsets, n), offsets)
    for f, u, s in zip(found, split_at(usable, offsets), split_at(stock, offsets), strict=True):
        assert f.tolist() == _rare_reference(u, s, n).tolist()
        assert rare_shingles(u, s, n).tolist() == f.tolist()


@given(docs=_docs, data=st.data())
def test_shingle_sets_are_each_documents_distinct_usable_shingles(
        docs: list[list[int]], data: st.DataObject) -> None:
    hashes = [np.array(d, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15) for d in docs]
    offsets = prefix_sums(np.array([h.size for h in hashes]))
    flat = np.concatenate(hashes)
    usable = ~_bools(data.draw, flat.size)
    expected = [sorted_unique(h[u]).tolist()
                for h, u in zip(hashes, split_at(usable, offsets), strict=True)]
    assert [f.tolist() for f in split_at(*shingle_sets(flat, offsets, usable))] == expected
    # The same sets from the usable shingles sorted for passage search:
    ordered = sorted_usable(flat, offsets, usable)
    assert [f.tolist() for f in split_at(*ordered.sets(flat, offsets))] == expected
    for p, u, d in zip(split_at(ordered.positions, ordered.offsets),
                       split_at(usable, offsets), hashes, strict=True):
        assert p.tolist() == sorted(np.flatnonzero(u).tolist(), key=lambda q: (d[q], q))


def _stock_reference(sets: list[np.ndarray], family: np.ndarray, bar: int, config: Config,
                     positions: list[tuple[np.ndarray, np.ndarray]]) -> set[int]:
    """Stock shingles as a dict of family counts, quotes dropped run by run."""
    keys = np.concatenate(sets)
    docs = np.repeat(np.arange(len(sets)), [s.size for s in sets])
    stock = {k: c for k, c in family_counts(keys, docs, family).items() if c >= bar}
    keys_ = np.array(sorted(stock), dtype=np.uint64)
    for hashes, usable in positions:
        for run in true_runs(usable & np.isin(hashes, keys_)):
            words = run.stop - run.start + config.shingle_size - 1
            need = max(bar, -(-words // config.boilerplate_words_per_family))
            for h in hashes[run].tolist():
                if stock.get(h, 0) < need:
                    stock.pop(h, None)
    return set(stock)


@given(docs=st.lists(st.lists(st.integers(1, 12), max_size=30), min_size=3, max_size=9),
       per_family=st.integers(1, 4), data=st.data())
def test_stock_phrases_and_quotes_are_what_counting_run_by_run_gives(
        docs: list[list[int]], per_family: int, data: st.DataObject) -> None:
    """Short documents over few shingles: many stock shingles, runs that need more
    families than some of their shingles have, and runs cut by unusable shingles."""
    config = Config(stock_min_families=3, stock_min_fraction=0.0,
                    boilerplate_words_per_family=per_family)
    hashes = [np.array(d, dtype=np.uint64) for d in docs]
    offsets = prefix_sums(np.array([h.size for h in hashes]))
    flat = np.concatenate(hashes)
    usable = ~_bools(data.draw, flat.size, 0.15)
    family = np.array(data.draw(st.lists(st.integers(0, 6), min_size=len(docs),
                                         max_size=len(docs))))
    sets = [sorted_unique(h[u]) for h, u in zip(hashes, split_at(usable, offsets), strict=True)]
    found = stock_shingles(joined(sets), family, config, (flat, offsets, usable))
    expected = _stock_reference(sets, family, 3, config,
                                list(zip(hashes, split_at(usable, offsets), strict=True)))
    assert set(found.tolist()) == expected
    assert found.tolist() == sorted(found.tolist())


@given(lines=st.lists(st.lists(st.integers(0, 4), max_size=5), min_size=1, max_size=5),
       data=st.data())
def test_template_words_mark_exactly_the_words_of_template_lines(
        lines: list[list[int]], data: st.DataObject) -> None:
    """Each document is a list of lines of 0-4 words; each line gets a key from a few."""
    doc = np.repeat(np.arange(len(lines)), [len(d) for d in lines])
    words = np.array([w for d in lines for w in d], dtype=np.int64)
    firsts = np.concatenate([prefix_sums(np.array(d, dtype=np.int64))[:-1] for d in lines])
    keys = np.array(data.draw(st.lists(st.integers(1, 4), min_size=doc.size,
                                       max_size=doc.size)), dtype=np.uint64)
    table = Lines(doc=doc, line=np.zeros(doc.size, dtype=np.int64), key=keys,
                  heading=np.zeros(doc.size, dtype=bool), words=words,
                  spans=np.stack([firsts, firsts + words], axis=1),
                  chars=np.zeros((doc.size, 2), dtype=np.int64))
    template = np.array([2, 3], dtype=np.uint64)
    word_offsets = prefix_sums(np.array([sum(d) for d in lines]))
    found = template_words(word_offsets, table, template)
    expected = np.concatenate([np.repeat(np.isin(keys[doc == d], template), d_words)
                               for d, d_words in enumerate(lines)] or [np.zeros(0, bool)])
    assert found.tolist() == expected.astype(bool).tolist()


@given(texts=st.lists(st.lists(st.sampled_from(["a", "bb", "c", "dd"]), max_size=12),
                      min_size=1, max_size=5),
       n=st.integers(1, 4), data=st.data())
def test_stock_spans_are_the_runs_of_words_stock_shingles_cover(
        texts: list[list[str]], n: int, data: st.DataObject) -> None:
    """Short texts (fewer words than a shingle, or none) included."""
    joined = [" ".join(t) for t in texts]
    docs = analyse_many(joined, Config())
    counts = np.array([d.words for d in docs])
    _, sizes = shingles_flat(np.zeros(int(counts.sum()), dtype=np.uint64), counts, n)
    offsets = prefix_sums(sizes)
    stock = _bools(data.draw, int(offsets[-1]), 0.4)
    found = stock_spans(joined, docs, stock, offsets, n)
    for tokens, mask, spans in zip(texts, split_at(stock, offsets), found, strict=True):
        at = prefix_sums(np.array([len(t) + 1 for t in tokens], dtype=np.int64))  # (+ " ")
        words = covered_words(mask, n, len(tokens))
        assert spans == tuple((int(at[r.start]), int(at[r.stop] - 1)) for r in true_runs(words))
