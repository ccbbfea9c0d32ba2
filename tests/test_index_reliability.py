"""Reliability of the SQLite index: many writers at once, and a writer killed mid-add.

These start real processes on one index file (no timing is asserted)."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from dedupe import Article, Index

SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "de", "po", "li", "ma", "go",
             "ber", "tan", "rel", "dor", "fin", "ost", "ul")
#: The issue's load: four processes adding 10,000 articles at once.
WRITERS, ARTICLES, COPIES = 4, 10_000, 2_500


def text(seed: int, words: int = 40) -> str:
    """Made-up sentences; two seeds share no five words in a row."""
    rng = random.Random(seed)
    return " ".join(" ".join("".join(rng.choice(SYLLABLES) for _ in range(3))
                             for _ in range(10)).capitalize() + "." for _ in range(words // 10))


def workload() -> list[tuple[str, int]]:
    """(id, text seed) for ARTICLES articles: distinct texts plus exact copies, shuffled."""
    distinct = ARTICLES - COPIES
    items = [(f"a{k}", k) for k in range(distinct)]
    rng = random.Random(5)
    items += [(f"copy{k}", rng.randrange(distinct)) for k in range(COPIES)]
    rng.shuffle(items)
    return items


def _writer(path: str, items: list[tuple[str, int]], start: multiprocessing.synchronize.Event
            ) -> list[tuple[str, int, bool]]:
    start.wait()
    with Index(path) as index:
        return [(doc_id, seed, index.check_and_add(Article(doc_id, text(seed))).is_new)
                for doc_id, seed in items]


def test_four_writers_lose_nothing_and_admit_each_text_once(index_location: str) -> None:
    path = index_location
    Index(path).open().close()
    items = workload()
    context = multiprocessing.get_context("spawn")
    start = context.Manager().Event()
    with context.Pool(WRITERS) as pool:
        jobs = [pool.apply_async(_writer, (path, items[k::WRITERS], start))
                for k in range(WRITERS)]
        start.set()
        results = [row for job in jobs for row in job.get(timeout=1800)]
    assert len(results) == ARTICLES
    admitted: dict[int, list[str]] = {}
    for doc_id, seed, new in results:
        if new:
            admitted.setdefault(seed, []).append(doc_id)
    distinct = {seed for _, seed in items}
    assert set(admitted) == distinct, "a text was never admitted"
    twice = {seed: ids for seed, ids in admitted.items() if len(ids) > 1}
    assert not twice, f"texts admitted more than once: {list(twice.items())[:3]}"
    with Index(path) as index:
        assert index.stats()["documents"] == len(distinct)


WRITER_SCRIPT = """
import sys
from dedupe import Article, Index
from test_index_reliability import text
with Index(sys.argv[1]) as index:
    for k in range(100_000):
        index.add(Article(f"k{k}", text(k)))
        print(f"k{k}", flush=True)  # printed only after add returned
"""


def test_a_writer_killed_mid_add_leaves_every_returned_add(index_location: str) -> None:
    path = index_location
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])}
    with subprocess.Popen([sys.executable, "-c", WRITER_SCRIPT, str(path)],
                          stdout=subprocess.PIPE, text=True, env=env) as writer:
        assert writer.stdout is not None
        returned = []
        for line in writer.stdout:  # wait until adds are under way, then kill mid-stream
            returned.append(line.strip())
            if len(returned) == 200:
                break
        time.sleep(0.05)
        writer.send_signal(signal.SIGKILL)
        returned += [line.strip() for line in writer.stdout]
    assert writer.returncode == -signal.SIGKILL
    if not path.startswith("redis://"):
        with closing(sqlite3.connect(path)) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with Index(path) as index:
        held = index.stats()["documents"]
        assert isinstance(held, int) and held >= len(returned)
        for doc_id in returned:
            assert index.check(Article("probe-" + doc_id, text(int(doc_id[1:])))).decision \
                == "duplicate", f"{doc_id} was added but is gone"
