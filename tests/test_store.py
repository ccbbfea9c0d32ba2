"""The stores' kept counts agree with counting the documents they hold.

Both stores keep per-fingerprint and per-line counts (documents, families, sources)
up to date on every add and remove, so that a check reads one row per key. Here a
random sequence of adds and removes runs against each store and a plain model, and
every lookup is compared with the model after each step.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from dedupe.store import (
    LineCount,
    SqliteStore,
    Store,
    StoreError,
    most_counted,
    open_store,
    signed,
)

PRINTS = np.arange(1, 13, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)  # some > 2**63
LINES = np.arange(1, 9, dtype=np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
SOURCES = [None, "a.example", "b.example"]
TEXT_KEYS = [1, 2**63 + 5, 2**64 - 1]  # uint64 text keys (normalise.text_key_of)


@dataclass
class Held:
    """One document as the model remembers it."""

    key: int
    family: int
    source: str | None
    prints: set[int]
    lines: set[int]
    bands: list[int]
    text_key: int


def model_prints(held: dict[str, Held]) -> dict[int, tuple[int, int]]:
    out: dict[int, tuple[int, int]] = {}
    for h in signed(PRINTS):
        carriers = [d for d in held.values() if h in d.prints]
        if carriers:
            out[h] = (len(carriers), len({d.family for d in carriers}))
    return out


def model_lines(held: dict[str, Held]) -> dict[int, LineCount]:
    out: dict[int, LineCount] = {}
    for k in signed(LINES):
        carriers = [d for d in held.values() if k in d.lines]
        if carriers:
            sources = {d.source for d in carriers}
            one = next(iter(sources)) if len(sources) == 1 else None
            out[k] = LineCount(len({d.family for d in carriers}), one)
    return out


def assert_agrees(store: Store, held: dict[str, Held]) -> None:
    assert store.count() == (len(held), len({d.family for d in held.values()}))
    assert store.print_stats(PRINTS) == model_prints(held)
    assert store.line_counts(LINES) == model_lines(held)
    postings = {h: sorted(d.key for d in held.values() if h in d.prints) for h in signed(PRINTS)}
    assert store.postings(signed(PRINTS)) == {h: docs for h, docs in postings.items() if docs}
    for family in {d.family for d in held.values()}:
        members = [d for d in held.values() if d.family == family]
        want = ({h for d in members for h in d.prints}, {k for d in members for k in d.lines})
        assert store.family_has(family, PRINTS, LINES) == want
    for doc_id, d in held.items():
        assert store.has(doc_id)
        (stored,) = store.docs([d.key])
        assert (stored.id, stored.family, stored.source) == (doc_id, d.family, d.source)
    for text_key in TEXT_KEYS:
        copies = sorted(d.key for d in held.values() if d.text_key == text_key)
        assert store.copies(text_key, 100) == copies and store.copies(text_key, 1) == copies[:1]
    assert store.unkeyed() == []
    # Band lookups rank by shared bands: first comes the document or one with its bands.
    by_key = {d.key: d for d in held.values()}
    for d in held.values():
        found = store.band_candidates(np.array(d.bands, dtype=np.int64).view(np.uint64), 100)
        assert d.key in found and by_key[found[0]].bands == d.bands


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_follow_every_add_and_remove(index_location: str, seed: int) -> None:
    rng = random.Random(seed)
    store = open_store(index_location)
    held: dict[str, Held] = {}
    try:
        for step in range(60):
            if held and rng.random() < 0.35:
                doc_id = rng.choice(sorted(held))
                with store.transaction():
                    assert store.remove(doc_id)
                del held[doc_id]
            else:
                doc_id = f"d{step}"
                families = sorted({d.family for d in held.values()})
                family = rng.choice(families) if families and rng.random() < 0.5 else None
                source = rng.choice(SOURCES)
                prints = PRINTS[rng.sample(range(PRINTS.size), rng.randint(0, 6))]
                lines = LINES[rng.sample(range(LINES.size), rng.randint(0, 4))]
                bands = [rng.randint(0, 3) for _ in range(4)]
                text_key = rng.choice(TEXT_KEYS)
                with store.transaction():
                    key = store.add(doc_id, f"text {step}", None, source, None, None, family,
                                    np.array(bands, dtype=np.int64).view(np.uint64),
                                    prints, lines, text_key)
                held[doc_id] = Held(key, key if family is None else family, source,
                                    set(signed(prints)), set(signed(lines)), bands, text_key)
            assert_agrees(store, held)
        with store.transaction():
            for doc_id in list(held):
                assert store.remove(doc_id)
        assert not store.remove("d0")
        assert store.count() == (0, 0)
        assert store.print_stats(PRINTS) == {} and store.line_counts(LINES) == {}
        assert all(store.copies(k, 100) == [] for k in TEXT_KEYS)
    finally:
        store.close()


def test_most_counted_ranks_by_count_then_key() -> None:
    assert most_counted({5: 1, 3: 2, 4: 2, 1: 1}, 3) == [3, 4, 1]
    assert most_counted({}, 3) == []


def test_a_file_store_checkpoints_in_a_thread_of_its_own(tmp_path: Path) -> None:
    """Committed pages reach the database file while the store is open, though no
    commit took the log anywhere near the size at which a commit checkpoints itself
    (``LOG_LIMIT``, or SQLite's default of 1,000 pages): the checkpointer copied them.
    Closing the store ends its thread."""
    path = tmp_path / "index.sqlite"
    store = SqliteStore(path)
    try:
        before = path.stat().st_size
        for step in range(12):
            with store.transaction():
                store.add(f"d{step}", f"text {step} " * 500, None, None, None, None, None,
                          np.arange(4, dtype=np.uint64), PRINTS, LINES)
        deadline = time.monotonic() + 30
        while path.stat().st_size <= before and time.monotonic() < deadline:
            time.sleep(0.01)
        assert path.stat().st_size > before
        log = Path(f"{path}-wal").stat().st_size  # its high-water mark: frames of a page
        assert log < 1000 * (24 + 4096)  # and a 24-byte header each
        thread = store._checkpointer._thread  # type: ignore[union-attr]
        assert thread.is_alive()
    finally:
        store.close()
    assert not thread.is_alive()


@pytest.mark.parametrize("durable, level", [(False, 1), (True, 2)])
def test_commits_wait_for_the_disk_only_when_durable(tmp_path: Path, durable: bool,
                                                     level: int) -> None:
    """By default a commit is written to the log and synced by the checkpoint after it
    (``synchronous`` NORMAL, 1); a durable store syncs the log in the commit (FULL, 2)."""
    store = SqliteStore(tmp_path / "index.sqlite", durable=durable)
    try:
        assert store._db.execute("PRAGMA synchronous").fetchone() == (level,)
        assert store._db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        store.close()


def test_a_durable_redis_index_is_refused_with_what_to_do() -> None:
    with pytest.raises(StoreError, match=r"^redis://127\.0\.0\.1:1/0: durable applies to "
                       r"SQLite indexes; .*\(appendonly yes, appendfsync always\)$"):
        open_store("redis://127.0.0.1:1/0", durable=True)


def test_documents_stored_without_a_text_key_are_listed_until_keyed(
    index_location: str,
) -> None:
    store = open_store(index_location)
    try:
        with store.transaction():
            old = store.add("old", "text", None, None, None, None, None,
                            np.zeros(4, np.uint64), PRINTS[:2], LINES[:1])
            new = store.add("new", "text", None, None, None, None, None,
                            np.zeros(4, np.uint64), PRINTS[:2], LINES[:1], TEXT_KEYS[1])
        assert (store.unkeyed(), store.copies(TEXT_KEYS[1], 10)) == ([old], [new])
        with store.transaction():
            store.set_text_keys({old: TEXT_KEYS[1]})
        assert (store.unkeyed(), store.copies(TEXT_KEYS[1], 10)) == ([], [old, new])
        with store.transaction():
            assert store.remove("old")
        assert store.copies(TEXT_KEYS[1], 10) == [new]
    finally:
        store.close()
