"""Ingest speed benchmark: check latency and memory of the pre-ingest index as it grows.

The issue's target: with 100,000 articles indexed, ``check_and_add`` of a 3 KB article
takes under 20 ms at the 99th percentile on this 2-core machine, and a SQLite index's
memory stays flat in the index size. This benchmark measures it for the SQLite and the
Redis index and, in the same run, for the baseline users would reach for instead:
datasketch's ``MinHashLSH`` in memory (``threshold=0.5, num_perm=128``; word 5-gram
shingles of the lowercased text, ``query`` then ``insert`` when nothing is found). The
baseline finds whole-document near-duplicates only: no passages, containment,
templates or origins, so it does much less per article.

    python -m benchmarks.ingest                                  # 100,000 articles, all stores
    python -m benchmarks.ingest --size 10000 --checkpoints 1000 5000 10000 --probes 200
    python -m benchmarks.ingest --write docs/ingest.md

Corpus: ``benchmarks.report_scale.Corpora`` (batches of about 2,500 generated articles
from Reuters stories with planted families; batch k has its letters moved by
``report_scale.encipher``, so that batches share no word), generated once by this
process and written to a JSON Lines file that the workers read line by line.

Probes, "a 3 KB article": before streaming, ``--probes`` articles of 2,500 to 3,500
bytes (UTF-8) are drawn with a fixed seed from the whole corpus and held out of the
stream. Their families' other members are in the stream, so the probes are a realistic
mix of new articles, duplicates and near-duplicates (more of the latter as the index
holds more of the corpus).

Each store runs in a worker process of its own (a subprocess speaking JSON lines on its
stdin and stdout). The run alternates two phases:

* **Loading (concurrent, batched; not the measurement).** All workers at once, each on
  its own, load the stream up to the next checkpoint. The dedupe stores load it with
  ``Index.check_and_add_many(articles, hold=HOLD)`` in batches of ``--batch`` articles
  (250), one transaction per batch, the way ``dedupe index add`` loads (each article is
  checked against the index and the ones before it; duplicates, near-duplicates and
  contained copies are held, passage reuse is admitted). The datasketch baseline keeps
  its per-article ``query`` then ``insert`` (it is in memory and has no batches); its
  calls are timed in groups of ``--batch``. Per batch (group) the worker records its
  wall time and articles (and its CPU time in all); the page gives each store's
  loading rate (articles per second of time in the batches, and the amortised ms per
  article) per segment between checkpoints. The workers share the cores (and the Redis
  server) while loading, so these rates are lower than one store alone would reach.
* **Probes (one worker at a time, single calls; the measurement).** At each checkpoint
  (the index has seen N stream articles) the workers take turns, the order rotating
  from checkpoint to checkpoint, while the others wait: the worker times, for every
  probe, one ``check_and_add`` call (``hold=HOLD``) followed at once by ``remove`` when
  the probe was admitted (so each probe meets an index of exactly the N stream
  articles), then, in a second pass, one plain ``check`` call per probe. With
  ``--probe-repeats R`` this is done R times, interleaved by round (every worker does
  round 1, in turn, then round 2 in the next order, ...), and every sample is reported.
  After its first round the worker reports its memory (VmRSS and VmHWM of the worker;
  for SQLite the database file plus its write-ahead log on disk; for Redis the server's
  ``used_memory`` and ``used_memory_rss``). These single-call probe latencies are what
  the issue's target is about.

The Redis server is the benchmark's own (``redis-server`` on a free loopback port, no
persistence), started fresh for the run.

With ``--write FILE`` the page goes to a Markdown file (docs/ingest.md); a "What this
shows" section already in that file is hand-written and kept.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple, Protocol, TextIO

from tabulate import tabulate

from benchmarks.pages import kept_notes, notes_section, publish, utf8
from benchmarks.services import redis_missing, redis_server

if TYPE_CHECKING:  # the workers import dedupe only for its stores: not for the baseline
    from dedupe.records import Article

ROOT = Path(__file__).resolve().parent.parent
STORES = ("sqlite", "redis", "datasketch")
DEFAULT_SIZE = 100_000
DEFAULT_CHECKPOINTS = (1000, 10_000, 30_000, 100_000)
DEFAULT_PROBES = 300
#: Probe sizes in UTF-8 bytes: "a 3 KB article".
PROBE_BYTES = (2500, 3500)
PROBE_SEED = 20240325
#: Stream articles per ``check_and_add_many`` call while loading (``dedupe index add``
#: uses 256); the baseline's per-article calls are timed in groups of as many.
BATCH = 250
#: Seconds between a loading worker's progress lines (on stderr).
PROGRESS_SECONDS = 60.0
#: The targets: p99 of check_and_add in ms; SQLite RSS growth from first to last checkpoint.
TARGET_P99_MS = 20.0
FLAT_FACTOR = 1.25
#: Slowest probes listed per store at the last checkpoint.
SLOWEST = 5
#: Short names of the decisions in the tables.
SHORT = {"new": "new", "duplicate": "dup", "near-duplicate": "near", "contained": "cont",
         "reuses-passages": "reuse", "similar": "similar"}
#: Article fields written to the corpus files.
FIELDS = ("id", "text", "date", "source", "title")
#: datasketch baseline settings.
LSH_THRESHOLD = 0.5
LSH_PERM = 128
LSH_GRAM = 5


# --- pure helpers -------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Latencies in milliseconds: count, median, 99th percentile, maximum, mean."""

    n: int
    p50: float
    p99: float
    max: float
    mean: float


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile: the smallest value with at least ``q``
    percent of the values at or below it (a value that occurred, never interpolated).

    Example:
        >>> percentile([5, 1, 4, 2, 3], 50), percentile(range(1, 201), 99)
        (3, 198)
    """
    if not values:
        raise ValueError("no values")
    if not 0 < q <= 100:
        raise ValueError(f"q must be in (0, 100], not {q}")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def summary(values: Sequence[float]) -> Summary:
    """p50, p99, max and mean of ``values`` (nearest rank, see ``percentile``).

    Example:
        >>> summary([1.0, 2.0, 3.0, 10.0])
        Summary(n=4, p50=2.0, p99=10.0, max=10.0, mean=4.0)
    """
    return Summary(len(values), percentile(values, 50), percentile(values, 99), max(values),
                   statistics.fmean(values))


def load_rate(batches: Sequence[tuple[float, int]]) -> tuple[int, float, float, float]:
    """``(articles, seconds, articles per second, ms per article)`` of loading batches
    given as ``(wall seconds, articles)``: the rate over the time spent in the batches,
    and the batches' time amortised over their articles (not a per-call latency).

    Example:
        >>> load_rate([(0.5, 250), (1.5, 250)])
        (500, 2.0, 250.0, 4.0)
        >>> load_rate([])
        (0, 0.0, nan, nan)
    """
    articles = sum(n for _, n in batches)
    seconds = float(sum(t for t, _ in batches))
    if not articles or not seconds:
        return articles, seconds, math.nan, math.nan
    return articles, seconds, articles / seconds, 1000 * seconds / articles


def rotated(items: Sequence[Any], by: int) -> list[Any]:
    """``items`` starting at position ``by`` (modulo their number), wrapping around.

    Example:
        >>> rotated("abc", 1), rotated("abc", 4), rotated("", 2)
        (['b', 'c', 'a'], ['b', 'c', 'a'], [])
    """
    if not items:
        return []
    k = by % len(items)
    return [*items[k:], *items[:k]]


def select_probes(articles: Sequence[Article], count: int, sizes: tuple[int, int] = PROBE_BYTES,
                  seed: int = PROBE_SEED) -> tuple[list[Article], list[Article]]:
    """``(probes, stream)``: ``count`` articles of ``sizes`` bytes (inclusive, UTF-8)
    drawn with ``seed`` from all of ``articles``, in corpus order, and the others in
    corpus order.

    Raises:
        ValueError: fewer than ``count`` articles have a probe's size.
    """
    low, high = sizes
    eligible = [k for k, a in enumerate(articles) if low <= utf8(a.text) <= high]
    if count > len(eligible):
        raise ValueError(f"{count} probes asked, but only {len(eligible)} of {len(articles)} "
                         f"articles have {low:,} to {high:,} bytes")
    chosen = set(random.Random(seed).sample(eligible, count))
    return ([a for k, a in enumerate(articles) if k in chosen],
            [a for k, a in enumerate(articles) if k not in chosen])


def growth(first: float, last: float) -> float:
    """``last`` over ``first`` (inf when ``first`` is 0).

    Example:
        >>> growth(100, 110)
        1.1
    """
    return last / first if first else math.inf


def is_flat(first: float, last: float, factor: float = FLAT_FACTOR) -> bool:
    """Whether memory went from ``first`` to ``last`` without growing more than ``factor``.

    Example:
        >>> is_flat(100e6, 120e6), is_flat(100e6, 200e6)
        (True, False)
    """
    return growth(first, last) <= factor


def memory_status(status: str) -> tuple[int, int]:
    """``(VmRSS, VmHWM)`` in bytes from the text of ``/proc/<pid>/status``.

    Example:
        >>> memory_status("Name:\\tpython\\nVmHWM:\\t  2048 kB\\nVmRSS:\\t  1024 kB\\n")
        (1048576, 2097152)
    """
    found: dict[str, int] = {}
    for line in status.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            number, unit = value.split()
            if unit != "kB":
                raise ValueError(f"unexpected unit in {line!r}")
            found[key] = int(number) * 1024
    return found["VmRSS"], found["VmHWM"]


def own_memory() -> tuple[int, int]:
    """This process's resident set and its high-water mark, in bytes."""
    return memory_status(Path("/proc/self/status").read_text(encoding="utf-8"))


def decision_mix(decisions: Sequence[str]) -> str:
    """The decisions counted, most common first, in short names (``SHORT``).

    Example:
        >>> decision_mix(["new", "duplicate", "new", "reuses-passages"])
        'new 2, dup 1, reuse 1'
    """
    counts = Counter(decisions)
    return ", ".join(f"{SHORT.get(d, d)} {n}"
                     for d, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])))


# --- what the workers report ----------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """One probe's sample at one checkpoint in one round; times of single calls in
    milliseconds."""

    id: str
    bytes: int
    decision: str
    matches: int
    check_and_add: float
    check: float
    remove: float | None  # None when check_and_add did not admit it
    check_decision: str
    round: int = 0


@dataclass(frozen=True)
class Load:
    """One store loading the stream from ``start`` to ``end`` articles (a segment
    ending at a checkpoint): per batch its wall time in seconds and its articles, in
    order; the articles admitted; the decisions counted; the worker's CPU time."""

    store: str
    start: int
    end: int
    batches: tuple[tuple[float, int], ...]
    admitted: int
    decisions: dict[str, int] = field(default_factory=dict)
    #: CPU seconds the worker process spent in the batches (the Redis server's not
    #: included): well below ``seconds`` when it waited for a core, the disk or Redis.
    cpu: float = math.nan

    @property
    def cpu_share(self) -> float:
        """The worker's CPU time over the wall time of its batches, in percent."""
        return 100 * self.cpu / self.seconds if self.seconds else math.nan

    @property
    def articles(self) -> int:
        return load_rate(self.batches)[0]

    @property
    def seconds(self) -> float:
        return load_rate(self.batches)[1]

    @property
    def rate(self) -> float:
        """Articles per second of time in the batches."""
        return load_rate(self.batches)[2]

    @property
    def ms_per_article(self) -> float:
        """The batches' time amortised over their articles."""
        return load_rate(self.batches)[3]

    def batch_summary(self) -> Summary:
        """Wall times of the batches in milliseconds."""
        if not self.batches:
            return Summary(0, math.nan, math.nan, math.nan, math.nan)
        return summary([1000 * t for t, _ in self.batches])


@dataclass(frozen=True)
class Memory:
    """A worker's memory at a checkpoint (bytes); ``store`` is the database on disk
    (SQLite file and WAL) or the Redis server's ``used_memory``; ``store_rss`` the
    Redis server's ``used_memory_rss``."""

    rss: int
    hwm: int
    store: int | None = None
    store_rss: int | None = None


@dataclass(frozen=True)
class Checkpoint:
    """One store after ``size`` stream articles: every probe sample (each probe once
    per round), the loading of the segment before it, the memory after the first
    round of probes."""

    store: str
    size: int
    documents: int
    probes: tuple[Probe, ...]
    load: Load
    memory: Memory
    rounds: int = 1

    def probe_summary(self, what: str) -> Summary:
        """Latencies of ``check_and_add``, ``check`` or ``remove`` over all samples."""
        values = [v for p in self.probes if (v := getattr(p, what)) is not None]
        return summary(values) if values else Summary(0, math.nan, math.nan, math.nan, math.nan)

    @property
    def first_round(self) -> list[Probe]:
        """The samples of the first round: each probe once."""
        return [p for p in self.probes if p.round == 0]


@dataclass
class Run:
    """Everything one run measured, and what it ran on."""

    command: str
    date: str
    machine: list[str]
    corpus: list[str]
    batch: int = BATCH
    checkpoints: list[Checkpoint] = field(default_factory=list)
    #: Per store: the worker's RSS once its index is open, before any article.
    start_rss: dict[str, int] = field(default_factory=dict)
    #: Per segment: from N, to N, wall seconds of the concurrent loading (until the
    #: last worker was done) and of the probes (all workers in turn, every round).
    phases: list[tuple[int, int, float, float]] = field(default_factory=list)
    #: Wall seconds of the whole run, corpus generation included.
    seconds: float | None = None
    warnings: list[str] = field(default_factory=list)

    def of(self, store: str) -> list[Checkpoint]:
        return [c for c in self.checkpoints if c.store == store]

    @property
    def stores(self) -> list[str]:
        return list(dict.fromkeys(c.store for c in self.checkpoints))


# --- tables and page ------------------------------------------------------------------------


def _table(rows: list[tuple[Any, ...]], headers: list[str], floatfmt: str = ".1f") -> str:
    return tabulate(rows, headers=headers, tablefmt="github", floatfmt=floatfmt,
                    missingval="-", intfmt=",")


def _mb(n: float | None) -> float | None:
    return None if n is None else n / 1e6


def _samples(c: Checkpoint) -> str:
    probes = len(c.first_round)
    return f"{probes}" if c.rounds == 1 else f"{probes} x {c.rounds}"


def tables(run: Run) -> list[tuple[str, str]]:
    """``(title, table)`` pairs in print order, as GitHub tables."""
    out = []
    rows: list[tuple[Any, ...]] = []
    for c in run.checkpoints:
        check, cadd, rem = (c.probe_summary(w) for w in ("check", "check_and_add", "remove"))
        rows.append((c.store, c.size, c.documents, _samples(c), check.p50, check.p99,
                     cadd.p50, cadd.p99, cadd.max, rem.p50 if rem.n else None,
                     decision_mix([p.decision for p in c.first_round])))
    out.append(("Probes: latency (ms) of single calls against an index of N stream articles, "
                "one worker at a time", _table(
                    rows, ["store", "N", "docs", "probes x rounds", "check p50", "check p99",
                           "check_and_add p50", "check_and_add p99", "check_and_add max",
                           "remove p50", "decisions"], ".2f")))
    by_kind = []
    for store in run.stores:
        last = run.of(store)[-1]
        kinds = Counter(p.decision for p in last.first_round)
        for kind, _ in kinds.most_common():
            these = [p for p in last.probes if p.decision == kind]
            cadd = summary([p.check_and_add for p in these])
            check = summary([p.check for p in these])
            by_kind.append((store, last.size, kind, len({p.id for p in these}), len(these),
                            cadd.p50, cadd.p99, cadd.max, check.p50,
                            statistics.fmean(p.matches for p in these)))
    out.append(("Probes at the last checkpoint by decision (ms)", _table(
        by_kind, ["store", "N", "decision", "probes", "samples", "check_and_add p50",
                  "check_and_add p99", "check_and_add max", "check p50", "matches mean"],
        ".2f")))
    loads = []
    for c in run.checkpoints:
        batch = c.load.batch_summary()
        loads.append((c.store, c.load.start, c.load.end, c.load.articles, c.load.admitted,
                      100 * c.load.admitted / c.load.articles if c.load.articles else None,
                      batch.n, c.load.seconds, c.load.rate, c.load.ms_per_article, batch.p50,
                      batch.max, c.load.cpu_share,
                      decision_mix(list(Counter(c.load.decisions).elements()))))
    out.append((f"Load: articles/s per segment (all workers at once; batches of {run.batch:,})",
                _table(loads, ["store", "from N", "to N", "articles", "admitted", "admitted %",
                               "batches", "seconds", "articles/s", "ms/article (amortised)",
                               "batch p50 ms", "batch max ms", "worker CPU %", "decisions"],
                        ",.1f")))
    totals = []
    for store in run.stores:
        batches = [b for c in run.of(store) for b in c.load.batches]
        articles, seconds, rate, per = load_rate(batches)
        admitted = sum(c.load.admitted for c in run.of(store))
        cpu = sum(c.load.cpu for c in run.of(store))
        how = ("query + insert per article" if store == "datasketch"
               else f"check_and_add_many of {run.batch:,}")
        totals.append((store, how, articles, admitted,
                       100 * admitted / articles if articles else None, seconds, rate, per,
                       100 * cpu / seconds if seconds else None))
    out.append(("Load: all segments", _table(
        totals, ["store", "calls", "articles", "admitted", "admitted %", "seconds in batches",
                 "articles/s", "ms/article (amortised)", "worker CPU %"], ",.1f")))
    if run.phases:
        out.append(("Wall time per segment (s)", _table(
            [(start, end, load, probe) for start, end, load, probe in run.phases],
            ["from N", "to N", "loading (concurrent)", "probes (one worker at a time)"],
            ",.1f")))
    out.append(("Memory (MB = 10^6 bytes; B/doc: store bytes per document in the index)", _table(
        [(c.store, c.size, c.documents, _mb(c.memory.rss), _mb(c.memory.hwm),
          _mb(c.memory.store), _mb(c.memory.store_rss),
          c.memory.store / c.documents if c.memory.store is not None and c.documents else None)
         for c in run.checkpoints],
        ["store", "N", "docs", "worker RSS", "worker HWM", "disk / server used",
         "server RSS", "store B/doc"], ",.1f")))
    grow = []
    for store in run.stores:
        first, last = run.of(store)[0], run.of(store)[-1]
        docs = last.documents - first.documents
        grow.append((store, _mb(run.start_rss.get(store)), first.size, last.size,
                     _mb(first.memory.rss), _mb(last.memory.rss),
                     growth(first.memory.rss, last.memory.rss),
                     (last.memory.rss - first.memory.rss) / docs if docs else None,
                     _mb(last.memory.hwm)))
    out.append(("Worker memory growth from the first checkpoint to the last", _table(
        grow, ["store", "RSS MB empty", "from N", "to N", "RSS MB first", "RSS MB last",
               "last / first",
               "RSS growth B/doc", "HWM MB last"], ",.2f")))
    slow = []
    rounds = max((c.rounds for c in run.checkpoints), default=1)
    for store in run.stores:
        last = run.of(store)[-1]
        for p in sorted(last.probes, key=lambda p: -p.check_and_add)[:SLOWEST]:
            slow.append((store, last.size, p.id, *([p.round + 1] if rounds > 1 else []),
                         p.bytes, p.decision, p.matches, p.check_and_add, p.check))
    out.append((f"Slowest {SLOWEST} probe samples per store at the last checkpoint", _table(
        slow, ["store", "N", "probe", *(["round"] if rounds > 1 else []), "bytes", "decision",
               "matches", "check_and_add ms", "check ms"], ".2f")))
    return out


def verdicts(run: Run) -> list[str]:
    """The targets, each met or not, from the numbers (one line each)."""
    lines = []
    for store in run.stores:
        last = run.of(store)[-1]
        p99 = last.probe_summary("check_and_add").p99
        met = "met" if p99 < TARGET_P99_MS else "NOT met"
        base = " (baseline)" if store == "datasketch" else ""
        rounds = f" x {last.rounds} rounds" if last.rounds > 1 else ""
        lines.append(f"{store}{base}: p99 check_and_add (single calls, one worker at a time) "
                     f"of {len(last.first_round)} probes{rounds} at {last.size:,} articles is "
                     f"{p99:.1f} ms; target < {TARGET_P99_MS:g} ms {met}.")
    if "sqlite" in run.stores:
        points = run.of("sqlite")
        rss_first, rss_last = points[0].memory.rss, points[-1].memory.rss
        word = "flat" if is_flat(rss_first, rss_last) else "NOT flat"
        lines.append(f"sqlite memory: worker RSS {rss_first / 1e6:.1f} MB at "
                     f"{points[0].size:,} articles, {rss_last / 1e6:.1f} MB at "
                     f"{points[-1].size:,} (x{growth(rss_first, rss_last):.2f}); {word} "
                     f"(target: within x{FLAT_FACTOR:g}).")
    differ = [f"{n} of {c.store}'s at {c.size:,}" for c in run.checkpoints
              if (n := sum(p.decision != p.check_decision for p in c.probes))]
    if differ:
        lines.append("`check` (after the `check_and_add` pass, probes removed) and "
                     "`check_and_add` gave different decisions for probes: "
                     + "; ".join(differ) + ".")
    sizes = {run.of(s)[-1].size for s in run.stores}
    if sizes and max(sizes) < DEFAULT_SIZE:
        lines.append(f"The targets are stated for {DEFAULT_SIZE:,} articles; this run stopped "
                     f"at {max(sizes):,}.")
    return lines


INTRO = """\
# Pre-ingest index: check latency and memory

The issue asks for p99 `check_and_add` under 20 ms for a 3 KB article with 100,000
articles indexed, on this 2-core machine, for SQLite and Redis, and for a SQLite
index's memory to stay flat in the index size. This page is written by
`benchmarks/ingest.py`; all numbers below come from one run on one machine, side by side.

The stream is a generated Reuters corpus (batches of about 2,500 articles with planted
families; batch k has its letters moved by `report_scale.encipher`, so batches share no
word). Each
store runs in a worker process of its own, and the run alternates two phases:

* **Loading: concurrent and batched; not the measurement.** All workers at once, each
  on its own, load the stream up to the next checkpoint N. The SQLite and Redis indexes
  load it with `check_and_add_many(articles, hold=HOLD)` in batches of 250 articles
  (unless the command says `--batch`), one transaction per batch, as `dedupe index add`
  loads: each article is checked against the index and the articles before it;
  duplicates, near-duplicates and contained copies are held, passage reuse is admitted
  (hence "docs" below N). The baseline keeps its per-article `query` then `insert`,
  timed in groups of as many articles. The load tables give articles per second of
  time spent in the batches and that time amortised per article (not a per-call
  latency), and the worker's CPU time as a share of it; the workers share the cores
  and the Redis server while loading, so one store alone would load faster.
* **Probes: one worker at a time, single calls; the measurement.** At each checkpoint
  N the workers take turns (the order rotates from checkpoint to checkpoint; the others
  wait). A worker times one `check_and_add` call of each **probe** (articles of 2,500 to
  3,500 bytes held out of the stream, drawn with a fixed seed from the whole corpus, so
  that their families' other members are in the stream), `remove`s each admitted probe
  at once, so that every probe meets an index of exactly the N stream articles, and
  then times one plain `check` call of each probe. With `--probe-repeats R` this is
  done R times, interleaved by round (all workers in turn, then again in the next
  order), and every sample counts. Decisions are those of the first round of
  `check_and_add` (new, dup = duplicate, near = near-duplicate, cont = contained, reuse
  = reuses-passages); more probes repeat indexed text as N grows, because more of their
  families are in. After its first round the worker reports its memory: its resident
  set (VmRSS) and high-water mark (VmHWM); for SQLite the database file plus its
  write-ahead log on disk, for Redis the server's `used_memory` and `used_memory_rss`
  (the server is the benchmark's own, without persistence). These single-call probe
  latencies are what the target is about.

Percentiles are nearest-rank (a latency that occurred). The **baseline**, "datasketch",
is what users would reach for instead: datasketch's `MinHashLSH(threshold=0.5,
num_perm=128)` in memory, each article's word 5-grams (lowercased) in a
`MinHash(num_perm=128)`, `query`, then `insert` when nothing is found. It finds
whole-document near-duplicates only (its decisions: new, or "similar" for an LSH
candidate, unverified): no passages, containment, templates, stock phrases or origins,
so it does much less per article than the index.
"""


def page(run: Run, notes: str) -> str:
    """The Markdown page: intro, command, machine, corpus, tables, targets, notes."""
    parts = [INTRO.rstrip(), f"```sh\n{run.command}\n```", f"Date: {run.date}.",
             "Machine: " + "; ".join(run.machine) + ".",
             "Corpus: " + "; ".join(run.corpus) + "."]
    if run.seconds is not None:
        parts.append(f"Wall time of the run: {run.seconds / 60:,.1f} min.")
    parts += [f"**Warning:** {w}" for w in run.warnings]
    for title, text in tables(run):
        parts += [f"## {title}", text]
    parts += ["## Targets", "\n".join(f"* {line}" for line in verdicts(run))]
    parts.append(notes_section(notes))
    return "\n\n".join(parts) + "\n"


# --- the stores, as the workers drive them --------------------------------------------------


class Target(Protocol):
    """What a worker times: one store behind the index's API. ``make`` turns a corpus
    line's fields into the article the other methods take; ``check_and_add`` says
    ``(decision, matches, admitted)``; ``load`` is the loading of a batch, giving
    ``(decision, admitted)`` per article (None for one whose id is indexed already)."""

    def make(self, fields: dict[str, Any]) -> Any: ...
    def check(self, article: Any) -> tuple[str, int]: ...
    def check_and_add(self, article: Any) -> tuple[str, int, bool]: ...
    def load(self, articles: list[Any]) -> list[tuple[str, bool] | None]: ...
    def remove(self, doc_id: str) -> bool: ...
    def documents(self) -> int: ...
    def memory(self) -> tuple[int | None, int | None]: ...
    def close(self) -> None: ...


class IndexTarget:
    """A ``dedupe.index.Index`` (SQLite file or Redis URL); results are
    ``(decision, matches)``."""

    def __init__(self, location: str) -> None:
        from dedupe.index import HOLD, Index, check_hold

        self.location = location
        self.index = Index(location).open()
        self.hold = HOLD
        self.held = check_hold(HOLD)

    def make(self, fields: dict[str, Any]) -> Article:
        from dedupe.records import Article

        return Article(**fields)

    def check(self, article: Article) -> tuple[str, int]:
        verdict = self.index.check(article)
        return verdict.decision, len(verdict.matches)

    def check_and_add(self, article: Article) -> tuple[str, int, bool]:
        verdict = self.index.check_and_add(article, hold=self.hold)
        return verdict.decision, len(verdict.matches), verdict.decision not in self.held

    def load(self, articles: list[Article]) -> list[tuple[str, bool] | None]:
        return [None if v is None else (v.decision, v.decision not in self.held)
                for v in self.index.check_and_add_many(articles, hold=self.hold)]

    def remove(self, doc_id: str) -> bool:
        return self.index.remove(doc_id)

    def documents(self) -> int:
        return int(self.index.stats()["documents"])  # type: ignore[call-overload]

    def memory(self) -> tuple[int | None, int | None]:
        if self.location.startswith("redis"):
            import redis

            with redis.Redis.from_url(self.location) as client:
                info = client.info("memory")
            return int(info["used_memory"]), int(info["used_memory_rss"])
        files = [Path(self.location), Path(f"{self.location}-wal")]
        return sum(p.stat().st_size for p in files if p.exists()), None

    def close(self) -> None:
        self.index.close()


class Text(NamedTuple):
    """What the baseline needs of an article."""

    id: str
    text: str


class MinHashTarget:
    """The baseline: datasketch's MinHashLSH in memory; results are ``("new", 0)`` or
    ``("similar", candidates)``."""

    def __init__(self) -> None:
        from datasketch import MinHashLSH

        self.lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=LSH_PERM)
        self.count = 0

    @staticmethod
    def minhash(text: str) -> Any:
        from datasketch import MinHash

        words = text.lower().split()
        grams = {" ".join(words[k:k + LSH_GRAM])
                 for k in range(max(1, len(words) - LSH_GRAM + 1))}
        signature = MinHash(num_perm=LSH_PERM)
        for gram in grams:
            signature.update(gram.encode("utf-8"))
        return signature

    def make(self, fields: dict[str, Any]) -> Text:
        return Text(fields["id"], fields["text"])

    def check(self, article: Text) -> tuple[str, int]:
        found = self.lsh.query(self.minhash(article.text))
        return ("similar", len(found)) if found else ("new", 0)

    def check_and_add(self, article: Text) -> tuple[str, int, bool]:
        signature = self.minhash(article.text)
        found = self.lsh.query(signature)
        if found:
            return "similar", len(found), False
        self.lsh.insert(article.id, signature)
        self.count += 1
        return "new", 0, True

    def load(self, articles: list[Text]) -> list[tuple[str, bool] | None]:
        """One ``check_and_add`` per article: the baseline has no batches."""
        out: list[tuple[str, bool] | None] = []
        for article in articles:
            decision, _, admitted = self.check_and_add(article)
            out.append((decision, admitted))
        return out

    def remove(self, doc_id: str) -> bool:
        if doc_id not in self.lsh:
            return False
        self.lsh.remove(doc_id)
        self.count -= 1
        return True

    def documents(self) -> int:
        return self.count

    def memory(self) -> tuple[int | None, int | None]:
        return None, None

    def close(self) -> None:
        pass


def read_articles(lines: Iterator[str], count: int, target: Target) -> list[Any]:
    """The next ``count`` articles of a corpus file (fewer at its end), as ``target``
    takes them."""
    out = []
    for line in lines:
        out.append(target.make({k: v for k, v in json.loads(line).items() if k in FIELDS}))
        if len(out) == count:
            break
    return out


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def load(target: Target, stream: Iterator[str], count: int, batch: int,
         progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Load the next ``count`` articles of ``stream`` into ``target`` in batches of
    ``batch``, reading each batch just before it goes in: per batch its wall time
    (seconds), articles and admitted, the decisions counted (None as "indexed
    already"), and the CPU seconds of this process in the batches. ``progress`` hears
    the articles loaded so far after each batch."""
    if batch < 1:
        raise ValueError("a batch needs at least one article")
    batches: list[list[float]] = []
    decisions: Counter[str] = Counter()
    loaded, cpu = 0, 0.0
    while loaded < count and (articles := read_articles(stream, min(batch, count - loaded),
                                                        target)):
        start, used = time.perf_counter(), time.process_time()
        results = target.load(articles)
        seconds = time.perf_counter() - start
        cpu += time.process_time() - used
        if len(results) != len(articles):
            raise RuntimeError(f"{len(results)} results for a batch of {len(articles)}")
        batches.append([seconds, len(articles), sum(r is not None and r[1] for r in results)])
        decisions.update("indexed already" if r is None else r[0] for r in results)
        loaded += len(articles)
        if progress is not None:
            progress(loaded)
    return {"batches": batches, "decisions": dict(decisions), "cpu": cpu}


def probe_round(target: Target, probes: list[Any]) -> dict[str, Any]:
    """One round of probes: per probe one timed ``check_and_add`` (and ``remove`` when
    admitted), then per probe one timed ``check``; the documents and the memory after.

    Raises:
        RuntimeError: the round left the index with other documents than it found.
    """
    before = target.documents()
    rows: list[list[Any]] = []
    for probe in probes:
        start = time.perf_counter()
        decision, matches, admitted = target.check_and_add(probe)
        cadd = _ms(start)
        removed = None
        if admitted:
            start = time.perf_counter()
            if not target.remove(probe.id):
                raise RuntimeError(f"probe {probe.id} was admitted but not removed")
            removed = _ms(start)
        rows.append([probe.id, utf8(probe.text), decision, matches, cadd, removed])
    for row, probe in zip(rows, probes, strict=True):
        start = time.perf_counter()
        decision, _ = target.check(probe)
        row += [_ms(start), decision]
    documents = target.documents()
    if documents != before:
        raise RuntimeError(f"the probes left {documents} documents in the index, not {before}")
    rss, hwm = own_memory()
    store, store_rss = target.memory()
    return {"documents": documents, "probes": rows, "memory": [rss, hwm, store, store_rss]}


def _reporter(name: str, log: TextIO | None, before: int) -> Callable[[int], None] | None:
    """What tells ``log``, every ``PROGRESS_SECONDS``, how far a worker's loading of a
    segment got (the index had seen ``before`` stream articles)."""
    if log is None:
        return None
    began = noted = time.perf_counter()

    def progress(loaded: int) -> None:
        nonlocal noted
        now = time.perf_counter()
        if now - noted >= PROGRESS_SECONDS:
            noted = now
            print(f"  {name}: {before + loaded:,} stream articles loaded "
                  f"({now - began:.0f} s into this segment)", file=log, flush=True)

    return progress


def serve(target: Target, stream: Iterator[str], probes: list[Any], commands: IO[str],
          replies: IO[str], name: str = "", log: TextIO | None = None) -> None:
    """Answer the parent's commands (JSON lines) until ``quit`` or the end of input;
    while loading, say how far it got on ``log`` every ``PROGRESS_SECONDS``."""
    added = 0
    for line in commands:
        command = json.loads(line)
        reply: dict[str, Any]
        if command["op"] == "load":
            reply = load(target, stream, command["count"], command["batch"],
                         _reporter(name, log, added))
            added += sum(int(b[1]) for b in reply["batches"])
            reply["added"] = added
        elif command["op"] == "probe":
            reply = {"added": added, **probe_round(target, probes)}
        elif command["op"] == "quit":
            target.close()
            return
        else:
            raise ValueError(f"unknown command {command['op']!r}")
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


def worker(store: str, location: str, data: Path) -> int:
    """A worker's main: open ``store`` and serve the parent on stdin/stdout."""
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # whatever else prints goes to stderr, not into the replies
    try:
        target: Target = MinHashTarget() if store == "datasketch" else IndexTarget(location)
        with (data / "probes.jsonl").open(encoding="utf-8") as handle:
            probes = read_articles(iter(handle), sys.maxsize, target)
        with (data / "stream.jsonl").open(encoding="utf-8") as stream:
            rss, hwm = own_memory()
            replies.write(json.dumps({"ready": store, "memory": [rss, hwm]}) + "\n")
            replies.flush()
            serve(target, stream, probes, sys.stdin, replies, store, sys.stderr)
    except Exception as error:  # say why in one line; the traceback goes to stderr
        import traceback

        traceback.print_exc()
        replies.write(json.dumps({"error": f"{type(error).__name__}: {error}"}) + "\n")
        replies.flush()
        return 1
    return 0


# --- the parent ---------------------------------------------------------------------------


class WorkerError(RuntimeError):
    """A worker failed or went away."""


class Worker:
    """One store's worker process."""

    def __init__(self, store: str, location: str, data: Path) -> None:
        self.store = store
        env = {**os.environ,
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                           os.environ.get("PYTHONPATH")]))}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.ingest", "--worker", store,
             "--location", location, "--data", str(data)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
            cwd=ROOT, env=env)
        self.ready = self._read()

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise WorkerError(f"the {self.store} worker exited "
                              f"(status {self.process.wait()}); see its stderr above")
        reply: dict[str, Any] = json.loads(line)
        if "error" in reply:
            raise WorkerError(f"the {self.store} worker failed: {reply['error']}")
        return reply

    def send(self, **command: Any) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(command) + "\n")
            self.process.stdin.flush()
        except BrokenPipeError as error:
            raise WorkerError(f"the {self.store} worker went away") from error

    def call(self, **command: Any) -> dict[str, Any]:
        self.send(**command)
        return self._read()

    def start_load(self, count: int, batch: int) -> None:
        """Have the worker load the next ``count`` stream articles; ``loaded`` waits."""
        self.send(op="load", count=count, batch=batch)

    def loaded(self, start: int, end: int) -> Load:
        """The reply to ``start_load``: the loading from ``start`` to ``end`` articles."""
        reply = self._read()
        if reply["added"] != end:
            raise WorkerError(f"the {self.store} worker has loaded {reply['added']} articles, "
                              f"not {end}")
        batches = tuple((float(t), int(n)) for t, n, _ in reply["batches"])
        return Load(self.store, start, end, batches, sum(int(b[2]) for b in reply["batches"]),
                    {str(k): int(v) for k, v in reply["decisions"].items()},
                    float(reply["cpu"]))

    def probe(self, round_: int) -> tuple[list[Probe], int, Memory]:
        """One round of probes: the samples, the documents, the memory after."""
        reply = self.call(op="probe")
        probes = [Probe(id=r[0], bytes=r[1], decision=r[2], matches=r[3], check_and_add=r[4],
                        remove=r[5], check=r[6], check_decision=r[7], round=round_)
                  for r in reply["probes"]]
        return probes, int(reply["documents"]), Memory(*reply["memory"])

    def close(self) -> None:
        process = self.process
        if process.poll() is None:
            try:
                assert process.stdin is not None
                process.stdin.write(json.dumps({"op": "quit"}) + "\n")
                process.stdin.flush()
                process.wait(timeout=30)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                process.kill()
                process.wait()
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()


def corpus(pool: Path, needed: int) -> list[Article]:
    """The first ``needed`` articles of the benchmark corpus (``report_scale.Corpora``).

    Corpora of a multiple of the batch size are made of whole, identical batches, so a
    large corpus asks for whole batches (one more until it is big enough); a small one
    asks for about ``needed`` articles, a little more until it is big enough.
    """
    from benchmarks.generate import load_pool
    from benchmarks.report_scale import BATCH_ARTICLES, Corpora

    corpora = Corpora(load_pool(pool))
    if needed >= BATCH_ARTICLES:
        batches = math.ceil(needed / (0.96 * BATCH_ARTICLES))
        while len(articles := corpora.articles(batches * BATCH_ARTICLES)) < needed:
            batches += 1
    else:
        ask = math.ceil(needed * 1.03) + 1
        while len(articles := corpora.articles(ask)) < needed:
            ask = math.ceil(ask * 1.05) + 1
    return articles[:needed]


def write_jsonl(path: Path, articles: Sequence[Article]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for a in articles:
            handle.write(json.dumps({k: getattr(a, k) for k in FIELDS}, ensure_ascii=False)
                         + "\n")


def dedupe_code() -> str:
    """A short hash of the package's Python code (``dedupe/**/*.py``), so that a page of
    numbers says which version of the index it measured."""
    root = ROOT / "dedupe"
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _filesystem(path: Path) -> str:
    """The type of the file system holding ``path`` (from /proc/mounts), or "?"."""
    best, kind = "", "?"
    try:
        for line in Path("/proc/mounts").read_text(encoding="utf-8").splitlines():
            parts = line.split()
            mount = parts[1]
            if (str(path) == mount or str(path).startswith(mount.rstrip("/") + "/")) \
                    and len(mount) > len(best):
                best, kind = mount, parts[2]
    except OSError:
        pass
    return kind


def machine(stores: Sequence[str], workdir: Path, code: str) -> list[str]:
    """Parts of the line naming the machine and software measured."""
    cpu, ram = "", ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip() + ", "
                break
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                ram = f", {int(line.split()[1]) * 1024 / 1e9:.1f} GB RAM"
    except OSError:
        pass
    parts = [f"{platform.system()} {platform.release()} {platform.machine()}, {cpu}"
             f"{os.cpu_count()} cores{ram}",
             f"temp dir on {_filesystem(workdir)}",
             f"Python {platform.python_version()}", f"SQLite {sqlite3.sqlite_version}"]
    if "redis" in stores and (binary := shutil.which("redis-server")):
        version = subprocess.run([binary, "--version"], capture_output=True, text=True,
                                 check=False).stdout.split()
        parts.append("redis-server " + next((v[2:] for v in version if v.startswith("v=")), "?"))
    for name in ("dedupe", "numpy", "datasketch", "redis", "tabulate"):
        with suppress(importlib.metadata.PackageNotFoundError):
            parts.append(f"{name} {importlib.metadata.version(name)}")
    from dedupe.config import Config

    parts += [f"config {Config().fingerprint}", f"dedupe code {code}"]
    return parts


def describe(stream: Sequence[Article], probes: Sequence[Article], batches: int) -> list[str]:
    """Parts of the line describing the corpus."""
    sizes = [utf8(a.text) for a in stream]
    probe_sizes = [utf8(a.text) for a in probes]
    low = PROBE_BYTES[0]
    return [f"{len(stream):,} stream articles from {batches} "
            f"batch{'es' if batches > 1 else ''}",
            f"{statistics.fmean(sizes):,.0f} bytes mean, {statistics.median(sizes):,.0f} "
            f"median, {sum(s >= low for s in sizes) / len(sizes):.0%} of {low:,} bytes or more",
            f"{len(probes)} probes of {min(probe_sizes):,} to {max(probe_sizes):,} bytes "
            f"({statistics.fmean(probe_sizes):,.0f} mean)"]


def bench(args: argparse.Namespace, stores: Sequence[str], command: str,
          log: TextIO = sys.stderr) -> Run:
    """Generate the corpus, drive the workers (loading concurrently, probing in
    turn), collect the checkpoints."""
    code = dedupe_code()
    started = time.perf_counter()
    articles = corpus(args.pool, args.size + args.probes)
    probes, stream = select_probes(articles, args.probes)
    print(f"corpus: {len(articles):,} articles generated in "
          f"{time.perf_counter() - started:.0f} s", file=log, flush=True)
    batches = len({a.id.split("-", 1)[0] for a in stream})
    with tempfile.TemporaryDirectory(prefix="ingest-bench-", dir=args.tmp) as tmp:
        work = Path(tmp)
        write_jsonl(work / "stream.jsonl", stream)
        write_jsonl(work / "probes.jsonl", probes)
        run = Run(command=command, date=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                  machine=machine(stores, work, code),
                  corpus=describe(stream, probes, batches), batch=args.batch)
        with _servers(stores, work) as urls:
            workers: list[Worker] = []
            try:
                for store in stores:
                    location = urls.get(store, str(work / "index.sqlite"))
                    workers.append(Worker(store, location, work))
                    run.start_rss[store] = workers[-1].ready["memory"][0]
                _drive(workers, args, run, log)
            finally:
                for w in workers:
                    w.close()
    if dedupe_code() != code:
        run.warnings.append(f"dedupe's code changed during the run (from {code} to "
                            f"{dedupe_code()}); the workers ran the code they imported at "
                            "the start: rerun")
    run.seconds = time.perf_counter() - started
    return run


@contextmanager
def _servers(stores: Sequence[str], work: Path) -> Iterator[dict[str, str]]:
    if "redis" not in stores:
        yield {}
        return
    binary = shutil.which("redis-server")
    assert binary is not None
    (work / "redis").mkdir()
    with redis_server(binary, work / "redis") as url:
        yield {"redis": f"{url}/0"}


def _drive(workers: list[Worker], args: argparse.Namespace, run: Run, log: TextIO) -> None:
    """Per checkpoint: all workers load the segment at once, then each in turn (the
    order rotating by checkpoint and by round) runs a round of probes."""
    done = 0
    start = time.perf_counter()
    rounds = args.probe_repeats
    for k, end in enumerate(args.checkpoints):
        began = time.perf_counter()
        for w in workers:
            w.start_load(end - done, args.batch)
        loads = {w.store: w.loaded(done, end) for w in workers}
        loading = time.perf_counter() - began
        print(f"{end:,}/{args.size:,} loaded in {loading:.0f} s ("
              + ", ".join(f"{s} {load.rate:,.0f} articles/s" for s, load in loads.items())
              + f"; {time.perf_counter() - start:.0f} s in all)", file=log, flush=True)
        began = time.perf_counter()
        samples: dict[str, list[Probe]] = {w.store: [] for w in workers}
        after: dict[str, tuple[int, Memory]] = {}
        for r in range(rounds):
            for w in rotated(workers, k + r):
                probes, documents, memory = w.probe(r)
                samples[w.store] += probes
                after.setdefault(w.store, (documents, memory))
                if documents != after[w.store][0]:
                    raise WorkerError(f"the {w.store} worker's index holds {documents} "
                                      f"documents in round {r + 1}, not {after[w.store][0]}")
        probing = time.perf_counter() - began
        for w in workers:
            documents, memory = after[w.store]
            run.checkpoints.append(Checkpoint(w.store, end, documents, tuple(samples[w.store]),
                                              loads[w.store], memory, rounds))
        run.phases.append((done, end, loading, probing))
        p99 = ", ".join(f"{c.store} {c.probe_summary('check_and_add').p99:.1f} ms"
                        for c in run.checkpoints[-len(workers):])
        print(f"{end:,}: probes in {probing:.0f} s, p99 check_and_add {p99}", file=log,
              flush=True)
        done = end
    run.checkpoints.sort(key=lambda c: (STORES.index(c.store), c.size))


def command_line(args: argparse.Namespace, stores: Sequence[str]) -> str:
    """The command that reruns this benchmark (every setting that differs spelled out)."""
    from benchmarks.generate import DEFAULT_POOL

    parts = ["python -m benchmarks.ingest", f"--size {args.size}",
             f"--stores {' '.join(stores)}",
             f"--checkpoints {' '.join(map(str, args.checkpoints))}", f"--probes {args.probes}"]
    if args.batch != BATCH:
        parts.append(f"--batch {args.batch}")
    if args.probe_repeats != 1:
        parts.append(f"--probe-repeats {args.probe_repeats}")
    if args.pool != DEFAULT_POOL:
        parts.append(f"--pool {args.pool}")
    if args.write:
        parts.append(f"--write {args.write}")
    return " ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    from benchmarks.generate import DEFAULT_POOL

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE,
                        help="stream articles to index (default %(default)s)")
    parser.add_argument("--stores", nargs="+", choices=STORES,
                        help="stores to measure (default: all; redis is skipped when "
                             "redis-server is missing)")
    parser.add_argument("--checkpoints", type=int, nargs="+",
                        help="index sizes at which the probes run (default 1000 10000 30000 "
                             "100000 up to --size, and --size)")
    parser.add_argument("--probes", type=int, default=DEFAULT_PROBES,
                        help="held-out articles of 2,500-3,500 bytes (default %(default)s)")
    parser.add_argument("--batch", type=int, default=BATCH,
                        help="stream articles per check_and_add_many call while loading "
                             "(default %(default)s)")
    parser.add_argument("--probe-repeats", type=int, default=1, metavar="R",
                        help="rounds of probes at each checkpoint, interleaved across the "
                             "stores; every sample is reported (default %(default)s)")
    parser.add_argument("--pool", type=Path, default=DEFAULT_POOL,
                        help="Reuters-21578 directory or a JSONL story sample")
    parser.add_argument("--tmp", type=Path,
                        help="directory for the temporary files and the SQLite index "
                             "(default: the system's temp dir)")
    parser.add_argument("--write", type=Path, help="also write the page to this Markdown file")
    parser.add_argument("--worker", choices=STORES, help=argparse.SUPPRESS)
    parser.add_argument("--location", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.location, args.data)

    if min(args.size, args.probes, args.batch, args.probe_repeats) < 1:
        parser.error("--size, --probes, --batch and --probe-repeats must be positive")
    if args.checkpoints is None:
        args.checkpoints = [c for c in DEFAULT_CHECKPOINTS if c < args.size] + [args.size]
    args.checkpoints = sorted(set(args.checkpoints))
    if args.checkpoints[0] < 1 or args.checkpoints[-1] > args.size:
        parser.error(f"checkpoints must be between 1 and --size ({args.size})")
    stores = list(dict.fromkeys(args.stores or STORES))
    if "redis" in stores and (why := redis_missing()):
        if args.stores:
            parser.exit(2, f"{parser.prog}: error: the redis store cannot run: {why}\n")
        print(f"redis store skipped: {why}", file=sys.stderr)
        stores.remove("redis")

    command = command_line(args, stores)
    try:
        run = bench(args, stores, command)
    except (ValueError, WorkerError) as error:
        parser.exit(1, f"{parser.prog}: error: {error}\n")
    for warning in run.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    publish(page(run, kept_notes(args.write)), args.write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
