"""The document-level stage: whole-document near-duplicates, the same with any --jobs."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from datasketch import MinHash
from planted import make_planted_corpus

import dedupe.documents
from dedupe import Article, Config, scan
from dedupe.documents import (
    Sketches,
    in_threads_map,
    near_duplicates,
    sketch,
    sketch_all,
)
from dedupe.normalise import word_hashes_many
from dedupe.relations import overlaps
from dedupe.shingle import shingles
from dedupe.signatures import hash32


def _texts() -> list[str]:
    return [a["text"] for a in make_planted_corpus(0).articles]


def test_near_duplicates_are_exactly_the_pairs_over_the_bar_among_lsh_candidates() -> None:
    texts = _texts()
    found = near_duplicates(texts)
    assert found.pairs.size and (found.jaccard >= Config().near_duplicate).all()
    # Checked against every pair of the corpus: nothing well above the bar is missed.
    sets = [np.unique(shingles(h, 5)) for h in word_hashes_many(texts)]
    everything = overlaps(np.array(np.triu_indices(len(texts), 1)).T, sets)
    strong = {tuple(p) for p in everything.pairs[everything.jaccard >= 0.9].tolist()}
    assert strong <= {tuple(p) for p in found.pairs.tolist()}
    over = {tuple(p) for p in everything.pairs[everything.jaccard >= 0.7].tolist()}
    assert {tuple(p) for p in found.pairs.tolist()} <= over


def test_sketches_are_datasketch_minhash_of_the_shingle_sets() -> None:
    texts = [*_texts()[:20], "", "short text"]
    sketches = sketch(texts, Config())
    for doc, (text, row) in enumerate(zip(texts, sketches.signatures, strict=True)):
        values = sketches.set(doc)
        expected = np.unique(shingles(word_hashes_many([text])[0], 5))
        np.testing.assert_array_equal(values, expected)
        reference = MinHash(num_perm=128, seed=1, hashfunc=int)
        reference.update_batch(hash32(values).tolist())
        np.testing.assert_array_equal(row, reference.hashvalues)


def test_batches_and_processes_do_not_change_the_sketches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = _texts()
    alone = sketch(texts, Config())
    monkeypatch.setattr(dedupe.documents, "BATCH", 7)
    for jobs in (1, 2):
        joined = sketch_all(texts, Config(), jobs=jobs)
        np.testing.assert_array_equal(joined.offsets, alone.offsets)
        np.testing.assert_array_equal(joined.values, alone.values)
        np.testing.assert_array_equal(joined.signatures, alone.signatures)
    assert len(Sketches.join([], 128)) == 0


def test_a_scan_gives_the_same_result_with_two_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = make_planted_corpus(1)
    articles = [Article(id=a["id"], text=a["text"], date=a["date"], source=a["source"])
                for a in corpus.articles]
    one = scan(articles)
    # (the package's ``scan`` is the function; the module is reached by name)
    module = importlib.import_module("dedupe.scan")
    monkeypatch.setattr(module, "ANALYSE_BATCH", 9)
    assert scan(articles, jobs=2) == one


def test_jobs_must_be_positive() -> None:
    with pytest.raises(ValueError, match="jobs must be at least 1, not 0"):
        list(in_threads_map(sketch, [["a"]], Config(), 0))
