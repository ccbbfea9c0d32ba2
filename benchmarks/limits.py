"""Hostile sizes: what ``dedupe scan`` does with inputs far beyond a normal corpus.

The cases of issue 8, each one ``dedupe scan`` process, timed, its peak RSS read from
``wait4`` (and watched: a process past ``--max-rss`` GB is stopped and reported as such,
so that the run cannot take a shared machine down):

* ``big-text``: one 200 MB article file (random words in 80-character lines), read with
  the default ``--max-record-size`` (16 MB): it must be skipped unread, in little memory.
* ``big-line``: the same 200 MB text as the middle line of a JSONL file between two
  ordinary articles: the line is skipped unread, the two articles are scanned.
* ``big-text-scanned``: the 200 MB article again with ``--max-record-size 250MB``: what
  scanning it costs when a user asks for it.
* ``bad-line``: a 1 GB JSONL of generated articles (about 2 KB each, random words, so
  nothing repeats) with one malformed line in the middle: that line is reported and
  skipped, every other article is scanned.
* ``million``: 1,000,000 one-word documents (words drawn from 100,000), as JSONL: about
  ten copies of each word, each a duplicate of the others.
* ``million-distinct``: 1,000,000 one-word documents, no two alike: the cost per document
  without the pairs.

Inputs are generated once into ``--dir`` (with a fixed seed) and reused.

    python -m benchmarks.limits                       # every case
    python -m benchmarks.limits --cases big-text big-line --dir /tmp/limits

The results are printed as a Markdown table (docs/limits.md holds a run's).
"""

from __future__ import annotations

import argparse
import json
import os
import string
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np

MB = 10**6
SEED = 8


@dataclass(frozen=True)
class Case:
    """One input and the scan run on it."""

    name: str
    what: str
    make: Callable[[Path, float], Path]  # (directory, scale) -> the input
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What one scan did: exit status, wall time, peak RSS, its skip lines, documents."""

    case: str
    status: int
    seconds: float
    peak_mb: float
    skipped: tuple[str, ...]
    documents: int | None
    stopped: bool = False


def vocabulary(count: int, seed: int = SEED) -> np.ndarray:
    """``count`` distinct pseudo-words of 3 to 9 lowercase letters."""
    rng = np.random.default_rng(seed)
    letters = np.array(list(string.ascii_lowercase))
    words: set[str] = set()
    while len(words) < count:
        for length in rng.integers(3, 10, size=count):
            words.add("".join(rng.choice(letters, size=length)))
    return np.array(sorted(words)[:count])


def random_text(size: int, rng: np.random.Generator, words: np.ndarray) -> Iterator[str]:
    """About ``size`` bytes of random words in lines of about 80 characters, in chunks."""
    written = 0
    while written < size:
        chunk = " ".join(words[rng.integers(0, words.size, size=20_000)])
        lines = [chunk[k : k + 80] for k in range(0, len(chunk), 80)]
        text = "\n".join(lines)[: size - written] + "\n"
        written += len(text)
        yield text


def _once(path: Path, write: Callable[[TextIO, np.random.Generator], None]) -> Path:
    """The input at ``path``, generated (with the fixed seed) unless it is there already;
    written beside it first, so that an interrupted run leaves no half input."""
    if not path.exists():
        partial = path.with_name(path.name + ".partial")
        with partial.open("w", encoding="ascii") as file:
            write(file, np.random.default_rng(SEED))
        partial.replace(path)
    return path


def make_big_text(directory: Path, scale: float) -> Path:
    def write(file: TextIO, rng: np.random.Generator) -> None:
        file.writelines(random_text(int(200 * MB * scale), rng, vocabulary(50_000)))

    return _once(directory / f"big-{scale:g}.txt", write)


def make_big_line(directory: Path, scale: float) -> Path:
    def write(file: TextIO, rng: np.random.Generator) -> None:
        words = vocabulary(50_000)
        file.write(json.dumps({"id": "before", "text": _article(rng, words)}) + "\n")
        file.write('{"id": "huge", "text": "')
        for chunk in random_text(int(200 * MB * scale), rng, words):
            file.write(chunk.replace("\n", "\\n"))
        file.write('"}\n')
        file.write(json.dumps({"id": "after", "text": _article(rng, words)}) + "\n")

    return _once(directory / f"big-line-{scale:g}.jsonl", write)


def _article(rng: np.random.Generator, words: np.ndarray, count: int = 300) -> str:
    """A generated article of ``count`` random words in sentences of 15."""
    picked = words[rng.integers(0, words.size, size=count)]
    return " ".join(" ".join(picked[k : k + 15]).capitalize() + "."
                    for k in range(0, count, 15))


def make_bad_line(directory: Path, scale: float) -> Path:
    def write(file: TextIO, rng: np.random.Generator) -> None:
        words = vocabulary(100_000)
        size, target, bad_written, k = 0, int(1000 * MB * scale), False, 0
        while size < target:
            if not bad_written and size >= target // 2:
                bad_written = True
                line = '{"id": "bad", "text": "a quote never closed}\n'
            else:
                line = json.dumps({"id": f"a{k:07d}", "text": _article(rng, words)}) + "\n"
            file.write(line)
            size += len(line)
            k += 1

    return _once(directory / f"bad-line-{scale:g}.jsonl", write)


def make_million(directory: Path, scale: float) -> Path:
    def write(file: TextIO, rng: np.random.Generator) -> None:
        words = vocabulary(100_000)
        picked = words[rng.integers(0, words.size, size=int(1_000_000 * scale))]
        file.writelines(f'{{"id": "d{k:07d}", "text": "{word}"}}\n'
                        for k, word in enumerate(picked))

    return _once(directory / f"million-{scale:g}.jsonl", write)


def make_million_distinct(directory: Path, scale: float) -> Path:
    def write(file: TextIO, _rng: np.random.Generator) -> None:
        file.writelines(f'{{"id": "d{k:07d}", "text": "{_letters(k)}"}}\n'
                        for k in range(int(1_000_000 * scale)))

    return _once(directory / f"million-distinct-{scale:g}.jsonl", write)


def make_million_copies(directory: Path, scale: float) -> Path:
    def write(file: TextIO, rng: np.random.Generator) -> None:
        words = vocabulary(100_000)
        texts = [" ".join(words[rng.integers(0, words.size, size=12)]) for _ in range(10)]
        picked = rng.integers(0, len(texts), size=int(1_000_000 * scale))
        file.writelines(f'{{"id": "d{k:07d}", "text": "{texts[t]}"}}\n'
                        for k, t in enumerate(picked))

    return _once(directory / f"million-copies-{scale:g}.jsonl", write)


def _letters(number: int) -> str:
    """A word of its own for each number, in letters only (digits would be masked)."""
    word = ""
    while True:
        number, digit = divmod(number, 26)
        word += string.ascii_lowercase[digit]
        if not number:
            return word + "q"


CASES = {case.name: case for case in (
    Case("big-text", "one 200 MB article file, default --max-record-size (16 MB)",
         make_big_text),
    Case("big-line", "a 200 MB JSONL line between two articles, default limit", make_big_line),
    Case("big-text-scanned", "the 200 MB article with --max-record-size 250MB", make_big_text,
         ("--max-record-size", "250MB")),
    Case("bad-line", "1 GB JSONL (about 2 KB articles), one malformed line in the middle",
         make_bad_line),
    Case("million", "1,000,000 one-word documents (JSONL), words drawn from 100,000, so "
         "each word's documents are duplicates", make_million),
    Case("million-distinct", "1,000,000 one-word documents, each word its own",
         make_million_distinct),
    Case("million-copies", "1,000,000 documents, copies of 10 twelve-word texts (about "
         "100,000 copies of each)", make_million_copies),
)}


def run(case: Case, directory: Path, scale: float, max_rss_gb: float) -> Outcome:
    """Scan the case's input in a process of its own, watching its memory."""
    source = case.make(directory, scale)
    out = directory / f"out-{case.name}"
    command = [sys.executable, "-m", "dedupe", "scan", str(source), "-o", str(out),
               "--format", "json", *case.options]
    started = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as process:
        stopped = threading.Event()
        threading.Thread(target=_watch, args=(process.pid, max_rss_gb, stopped),
                         daemon=True).start()
        told: list[str] = []  # stdout, read beside stderr so that neither pipe fills up
        reader = threading.Thread(target=lambda: told.extend(process.stdout or ()),
                                  daemon=True)
        reader.start()
        assert process.stderr is not None
        skipped = tuple(line.rstrip("\n") for line in process.stderr)
        reader.join()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait
    seconds = time.perf_counter() - started
    return Outcome(case.name, process.returncode, seconds, usage.ru_maxrss / 1024,
                   skipped, _documents(told), stopped.is_set())


def _documents(summary: list[str]) -> int | None:
    """The ``documents`` count of the scan's summary table (the report is not loaded:
    at these sizes that would take gigabytes)."""
    for line in summary:
        if line.split()[:1] == ["documents"]:
            return int(line.split()[-1])
    return None


def _watch(pid: int, max_rss_gb: float, stopped: threading.Event) -> None:
    """Stop the process if its resident memory passes ``max_rss_gb``."""
    status = Path(f"/proc/{pid}/status")
    while True:
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines())
        except (OSError, ValueError):
            return
        if int(fields.get("VmRSS", "0 kB").split()[0]) > max_rss_gb * 2**20:
            stopped.set()
            os.kill(pid, 9)
            return
        time.sleep(0.2)


def table(outcomes: list[Outcome]) -> str:
    """The outcomes as a Markdown table."""
    rows = ["| case | input | exit | time (s) | peak RSS (MB) | documents in the report "
            "| what was reported |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for o in outcomes:
        said = "; ".join(o.skipped) or "nothing"
        if o.stopped:
            said = "stopped by the benchmark: over --max-rss"
        rows.append(f"| {o.case} | {CASES[o.case].what} | {o.status} | {o.seconds:.1f} "
                    f"| {o.peak_mb:,.0f} | {o.documents if o.documents is not None else '-'} "
                    f"| {said} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--dir", type=Path, default=Path("/tmp/dedupe-limits"),
                        help="where inputs are generated (and kept) and reports written")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="size of every input relative to the issue's (tests use 0.001)")
    parser.add_argument("--max-rss", type=float, default=16.0,
                        help="GB of resident memory at which a scan is stopped")
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    outcomes = []
    for name in args.cases:
        outcome = run(CASES[name], args.dir, args.scale, args.max_rss)
        print(f"{name}: exit {outcome.status}, {outcome.seconds:.1f} s, "
              f"{outcome.peak_mb:,.0f} MB", file=sys.stderr, flush=True)
        outcomes.append(outcome)
    print(table(outcomes))


if __name__ == "__main__":
    main()
