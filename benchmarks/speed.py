"""Speed benchmark: the document-level stage against datasketch, and the whole scan.

Issue 6 asks for (a) the document-level stage (read, normalise, shingle, signatures,
LSH, exact verification of the candidates) at 15,000 articles/s or more on 2 cores,
50x idiomatic datasketch and 4x ``MinHash.bulk`` in the same run, with the same recall
and precision; and (b) the whole ``dedupe scan`` (HTML excluded) at 3,000 articles/s
or more at 100,000 articles, peak memory under 1.5 GB beyond the raw text, and time
and memory per article flat from 10,000 to 300,000 articles. This benchmark measures
both and says, from the numbers, whether each target is met.

    python -m benchmarks.speed                                     # 10,000 articles each
    python -m benchmarks.speed --doc-size 3000 --repeats 1 --scan-sizes 2500 --profile-size 0
    python -m benchmarks.speed --scan-sizes 10000 100000 300000 --write docs/benchmarks.md

Part 1, the document-level stage side by side. The corpus (``corpus``) is 3 KB
articles of real text: the sentences of the Reuters story pool, shuffled per batch
and dealt without replacement to originals of at least 3,000 characters (a paragraph
break every 2 to 5 sentences); about 20% of the originals get 1 to 3 copies, each an
exact copy, a trimmed copy (the last 10-15% of its sentences dropped) or a lightly
edited one (one word in 60 replaced by another word of the pool), and every pair in
such a family is a planted pair. A copy is drawn again (up to 20 times, then made
exact) until its word 5-gram Jaccard with each earlier member is at least 0.7, so
every planted pair is a near-duplicate at the threshold. Batch k has its letters
moved by ``report_scale.encipher`` so that batches share no word; the articles are
shuffled. It is written once to a JSON Lines file, and each method runs in a process
of its own (``--run METHOD``) timed from opening that file to the verified pair list,
at Jaccard 0.7 on word 5-gram shingles, 128 permutations, seed 1, LSH for 0.5, every
candidate verified on its exact shingle set:

* ``datasketch``: the idiomatic way: ``re.findall(r"\\w+", text.lower())`` words,
  shingle strings, ``MinHash.update`` per shingle, ``MinHashLSH`` insert and query;
* ``datasketch-bulk``: the same shingles through ``MinHash.bulk`` with xxh32;
* ``rensa`` (when installed): ``RMinHash`` and ``RMinHashLSH`` with 32 bands of 4
  rows (it needs bands dividing 128; its MinHash is not datasketch's);
* ``dedupe-jobs1``, ``dedupe-jobs2``: ``dedupe.documents.near_duplicates``.

The runs are repeated (``--repeats``) interleaved: every method once, then again in a
rotated order. Recall and precision are against the planted pairs.

Part 2, the whole scan: for each of ``--scan-sizes`` a ``report_scale.Corpora`` corpus
(about 1.8 KB articles with site templates, stock phrases and planted families; each
size holds the smaller ones) goes to a JSON Lines file and one ``python -m dedupe scan
FILE --format json -q --jobs J`` process is timed, its peak RSS read from ``wait4``
by a small launcher (``LAUNCHER`` says why).

Part 3, where the time goes: ``dedupe.scan.scan`` of a ``--profile-size`` corpus under
cProfile, in a process of its own (jobs 1: cProfile sees one process).

With ``--write FILE`` the page goes to a Markdown file (docs/benchmarks.md); a "What
this shows" section already in that file is hand-written and kept.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import pstats
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from tabulate import tabulate

from benchmarks.ingest import FIELDS, dedupe_code, own_memory, rotated, write_jsonl
from benchmarks.pages import kept_notes, notes_section, publish, utf8

if TYPE_CHECKING:  # the baselines' processes do not import dedupe
    from benchmarks.report_scale import Corpora
    from benchmarks.textops import Story

ROOT = Path(__file__).resolve().parent.parent
METHODS = ("datasketch", "datasketch-bulk", "rensa", "dedupe-jobs1", "dedupe-jobs2")
BASELINES = ("datasketch", "datasketch-bulk", "rensa")
#: Modules each method imports before its clock starts.
IMPORTS = {"datasketch": ("datasketch",), "datasketch-bulk": ("datasketch", "xxhash"),
           "rensa": ("rensa",), "dedupe-jobs1": ("dedupe.documents",),
           "dedupe-jobs2": ("dedupe.documents",)}
DEFAULT_DOC_SIZE = 10_000
DEFAULT_REPEATS = 3
DEFAULT_SCAN_SIZES = (10_000,)
DEFAULT_JOBS = 2
DEFAULT_PROFILE_SIZE = 10_000
#: Functions per profile table (by cumulative time; by own time).
PROFILE_TOP = (15, 10)

# Settings every method uses (dedupe's defaults, see ``dedupe.config``).
SHINGLE = 5
NUM_PERM = 128
SEED = 1
LSH_THRESHOLD = 0.5
NEAR = 0.7
#: rensa needs bands dividing num_perm: 32 bands of 4 rows.
RENSA_BANDS = 32

# The part 1 corpus.
CORPUS_SEED = 1
ARTICLE_CHARS = 3000
PARAGRAPH = (2, 5)
FAMILY_SHARE = 0.2
MAX_COPIES = 3
COPY_KINDS = ("exact", "trimmed", "edited")
TRIM = (0.10, 0.15)
EDIT_EVERY = 60
REDRAWS = 20
_WORD = re.compile(r"\w+")
_LETTERS = re.compile(r"[A-Za-z]+")

# The targets of issue 6.
TARGET_CORES = 2
TARGET_DOC_RATE = 15_000
TARGET_VS_DATASKETCH = 50
TARGET_VS_BULK = 4
TARGET_SCAN_RATE = 3000
TARGET_SCAN_SIZE = 100_000
TARGET_EXTRA_MB = 1500
FLAT_FACTOR = 1.3


class BenchError(RuntimeError):
    """A child process failed, or the pool cannot make the corpus."""


# --- part 1: the corpus -------------------------------------------------------------------


class Doc(NamedTuple):
    """One article of the part 1 corpus."""

    id: str
    text: str


@dataclass(frozen=True)
class DocCorpus:
    """Articles in corpus order; each article's kind (original, exact, trimmed, edited);
    the planted pairs as sorted id pairs."""

    articles: tuple[Doc, ...]
    kinds: Mapping[str, str]
    planted: frozenset[tuple[str, str]]


def word_shingles(text: str, size: int = SHINGLE) -> set[str]:
    """The baselines' shingles: word ``size``-grams of ``\\w+`` words of the lowercased
    text (one shingle of all its words for a shorter text).

    Example:
        >>> sorted(word_shingles("A b c, d", 3)), word_shingles("Two words", 5)
        (['a b c', 'b c d'], {'two words'})
    """
    words = _WORD.findall(text.lower())
    return {" ".join(words[k:k + size]) for k in range(max(1, len(words) - size + 1))}


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard of two sets (1.0 for two empty ones).

    Example:
        >>> jaccard({"x", "y"}, {"y", "z"})
        0.3333333333333333
    """
    shared = len(a & b)
    union = len(a) + len(b) - shared
    return shared / union if union else 1.0


def pair_key(a: str, b: str) -> tuple[str, str]:
    """An unordered pair of ids, spelled one way."""
    return (a, b) if a <= b else (b, a)


def corpus(size: int, pool: Sequence[Story], seed: int = CORPUS_SEED) -> DocCorpus:
    """``size`` articles of about 3 KB from ``pool``'s sentences, with planted families
    (see the module docstring). The same arguments give the same corpus.

    Raises:
        BenchError: the pool's sentences make no article of ``ARTICLE_CHARS``.
    """
    from benchmarks.report_scale import encipher
    from benchmarks.textops import story_sentences

    sentences = list(dict.fromkeys(s for story in pool for s in story_sentences(story)))
    vocabulary = sorted({w.lower() for s in sentences for w in _LETTERS.findall(s)})
    docs: list[Doc] = []
    kinds: dict[str, str] = {}
    planted: set[tuple[str, str]] = set()
    batch = 0
    while len(docs) < size:
        batch += 1
        rng = random.Random(f"{seed}-{batch}")
        originals = _deal(sentences, rng)
        if not originals:
            raise BenchError(f"the pool's sentences make no article of {ARTICLE_CHARS:,} "
                             "characters")
        for k, (dealt, layout) in enumerate(originals):
            family = _family(dealt, layout, rng, vocabulary, size - len(docs))
            ids = [f"b{batch}-o{k}"] + [f"b{batch}-o{k}-c{c}" for c in range(1, len(family))]
            for doc_id, (kind, text) in zip(ids, family, strict=True):
                docs.append(Doc(doc_id, encipher(text, batch - 1)))
                kinds[doc_id] = kind
            planted |= {pair_key(a, b) for n, a in enumerate(ids) for b in ids[n + 1:]}
            if len(docs) == size:
                break
    random.Random(seed).shuffle(docs)
    return DocCorpus(tuple(docs), kinds, frozenset(planted))


def _deal(sentences: Sequence[str], rng: random.Random) -> list[tuple[list[str], list[int]]]:
    """One batch's originals: the sentences shuffled and dealt out, each original
    taking sentences until it has ``ARTICLE_CHARS``; with its paragraph layout
    (sentences per paragraph). The last, short deal is dropped."""
    order = list(sentences)
    rng.shuffle(order)
    out: list[tuple[list[str], list[int]]] = []
    taken: list[str] = []
    chars = 0
    for sentence in order:
        chars += len(sentence) + bool(taken)
        taken.append(sentence)
        if chars >= ARTICLE_CHARS:
            out.append((taken, _layout(len(taken), rng)))
            taken, chars = [], 0
    return out


def _layout(count: int, rng: random.Random) -> list[int]:
    """Sentences per paragraph for ``count`` sentences: 2 to 5 each."""
    sizes: list[int] = []
    while sum(sizes) < count:
        sizes.append(rng.randint(*PARAGRAPH))
    return sizes


def _text(sentences: Sequence[str], layout: Sequence[int]) -> str:
    """The sentences joined by spaces, in paragraphs of ``layout`` (blank-line breaks)."""
    paragraphs, at = [], 0
    for count in layout:
        if at >= len(sentences):
            break
        paragraphs.append(" ".join(sentences[at:at + count]))
        at += count
    return "\n\n".join(paragraphs)


def _family(sentences: list[str], layout: list[int], rng: random.Random,
            vocabulary: Sequence[str], room: int) -> list[tuple[str, str]]:
    """``(kind, text)`` of an original and its copies (none for 80% of originals), at
    most ``room`` in all. Each copy is drawn until its Jaccard with every earlier
    member is at least ``NEAR`` (an exact copy after ``REDRAWS`` tries)."""
    original = _text(sentences, layout)
    copies = rng.randint(1, MAX_COPIES) if rng.random() < FAMILY_SHARE else 0
    members = [("original", original)]
    grams = [word_shingles(original)]
    for _ in range(min(copies, room - 1)):
        kind = rng.choice(COPY_KINDS)
        for _ in range(REDRAWS):
            text = _copy(kind, sentences, layout, rng, vocabulary)
            shingles = word_shingles(text)
            if all(jaccard(shingles, other) >= NEAR for other in grams):
                break
        else:
            kind, text, shingles = "exact", original, grams[0]
        members.append((kind, text))
        grams.append(shingles)
    return members


def _copy(kind: str, sentences: list[str], layout: list[int], rng: random.Random,
          vocabulary: Sequence[str]) -> str:
    """One copy of an original: exact, trimmed or edited."""
    if kind == "trimmed":
        drop = max(1, round(len(sentences) * rng.uniform(*TRIM)))
        return _text(sentences[:max(1, len(sentences) - drop)], layout)
    text = _text(sentences, layout)
    return edit_words(text, rng, vocabulary) if kind == "edited" else text


def edit_words(text: str, rng: random.Random, vocabulary: Sequence[str]) -> str:
    """``text`` with about one word in ``EDIT_EVERY`` (at least one) replaced by another
    word of ``vocabulary``.

    Example:
        >>> edit_words("one two three", random.Random(1), ["zebra"])
        'zebra two three'
    """
    words = list(_LETTERS.finditer(text))
    if not words:
        return text
    chosen = sorted(rng.sample(range(len(words)), max(1, round(len(words) / EDIT_EVERY))))
    parts, at = [], 0
    for k in chosen:
        word = words[k]
        replacement = rng.choice(vocabulary)
        while replacement == word.group().lower() and len(vocabulary) > 1:
            replacement = rng.choice(vocabulary)
        parts += [text[at:word.start()], replacement]
        at = word.end()
    return "".join(parts) + text[at:]


def write_docs(path: Path, docs: Iterable[Doc]) -> None:
    """The articles as JSON Lines: ``{"id": ..., "text": ...}``."""
    with path.open("w", encoding="utf-8") as handle:
        for doc in docs:
            handle.write(json.dumps({"id": doc.id, "text": doc.text}, ensure_ascii=False) + "\n")


# --- part 1: the methods, each in a process of its own -------------------------------------

#: ``texts -> index pairs (i < j) at Jaccard >= NEAR``.
Finder = Callable[[list[str]], Iterable[Sequence[int]]]


def read_docs(path: Path) -> tuple[list[str], list[str]]:
    """``(ids, texts)`` of a corpus file, one ``json.loads`` per line."""
    ids, texts = [], []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            ids.append(row["id"])
            texts.append(row["text"])
    return ids, texts


def verified(candidates: Iterable[tuple[int, int]], sets: Sequence[set[str]],
             threshold: float = NEAR) -> list[tuple[int, int]]:
    """The candidate pairs whose exact Jaccard is at least ``threshold``."""
    return [(i, j) for i, j in candidates if jaccard(sets[i], sets[j]) >= threshold]


def lsh_candidates(lsh: Any, minhashes: Sequence[Any]) -> set[tuple[int, int]]:
    """Insert every MinHash under its index, query every one: the pairs ``(i, j)``,
    ``i < j``, that share a band (datasketch's and rensa's LSH alike)."""
    for key, minhash in enumerate(minhashes):
        lsh.insert(key, minhash)
    return {(min(key, other), max(key, other)) for key, minhash in enumerate(minhashes)
            for other in lsh.query(minhash) if other != key}


def find_datasketch(texts: list[str]) -> list[tuple[int, int]]:
    """Idiomatic datasketch: one ``MinHash.update`` per shingle."""
    from datasketch import MinHash, MinHashLSH

    sets = [word_shingles(text) for text in texts]
    minhashes = []
    for shingles in sets:
        minhash = MinHash(num_perm=NUM_PERM, seed=SEED)
        for shingle in shingles:
            minhash.update(shingle.encode("utf-8"))
        minhashes.append(minhash)
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    return verified(lsh_candidates(lsh, minhashes), sets)


def find_datasketch_bulk(texts: list[str]) -> list[tuple[int, int]]:
    """datasketch's ``MinHash.bulk`` with xxh32 as the hash function."""
    import xxhash
    from datasketch import MinHash, MinHashLSH

    sets = [word_shingles(text) for text in texts]
    minhashes = MinHash.bulk([[s.encode("utf-8") for s in shingles] for shingles in sets],
                             num_perm=NUM_PERM, seed=SEED, hashfunc=xxhash.xxh32_intdigest)
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    return verified(lsh_candidates(lsh, minhashes), sets)


def find_rensa(texts: list[str]) -> list[tuple[int, int]]:
    """rensa's ``RMinHash`` (not datasketch's MinHash) and ``RMinHashLSH``."""
    from rensa import RMinHash, RMinHashLSH

    sets = [word_shingles(text) for text in texts]
    minhashes = []
    for shingles in sets:
        minhash = RMinHash(num_perm=NUM_PERM, seed=SEED)
        minhash.update(list(shingles))
        minhashes.append(minhash)
    lsh = RMinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM, num_bands=RENSA_BANDS)
    return verified(lsh_candidates(lsh, minhashes), sets)


def find_dedupe(texts: list[str], jobs: int) -> list[list[int]]:
    """``dedupe.documents.near_duplicates`` over ``jobs`` threads."""
    from dedupe.config import Config
    from dedupe.documents import near_duplicates

    pairs: list[list[int]] = near_duplicates(texts, Config(), threshold=NEAR,
                                             jobs=jobs).pairs.tolist()
    return pairs


FINDERS: dict[str, Finder] = {
    "datasketch": find_datasketch, "datasketch-bulk": find_datasketch_bulk,
    "rensa": find_rensa, "dedupe-jobs1": partial(find_dedupe, jobs=1),
    "dedupe-jobs2": partial(find_dedupe, jobs=2),
}


def _cpu_seconds() -> float:
    """User and system CPU time of this process and its waited-for children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_method(method: str, path: Path) -> dict[str, Any]:
    """A child's measurement: ``method`` from opening ``path`` to the verified pairs
    (as ids): wall and CPU seconds, peak RSS in MB of this process (its VmHWM: its own
    address space, not its parent's) and of its largest worker (None without workers;
    a forked worker counts the pages it shares with this process), documents, pairs."""
    for module in IMPORTS[method]:
        importlib.import_module(module)
    # dedupe's compiled loops load on a process's first call: counted apart, as imports.
    load = importlib.import_module("dedupe.kernels").load() if method.startswith("dedupe") \
        else None
    cpu = _cpu_seconds()
    start = time.perf_counter()
    ids, texts = read_docs(path)
    pairs = sorted({pair_key(ids[i], ids[j]) for i, j in FINDERS[method](texts)})
    seconds = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"method": method, "seconds": seconds, "cpu": cpu, "rss_mb": own_memory()[1] / 1e6,
            "workers_rss_mb": workers * 1024 / 1e6 if workers else None,
            "documents": len(ids), "pairs": pairs, "load": load}


# --- part 1: results ----------------------------------------------------------------------


@dataclass(frozen=True)
class Trial:
    """One child's run of one method (seconds of wall and CPU time, MB)."""

    method: str
    seconds: float
    cpu: float
    rss: float
    workers_rss: float | None
    documents: int
    found: frozenset[tuple[str, str]]
    load: float | None = None  # seconds dedupe's compiled loops took to load, untimed

    @staticmethod
    def of(result: Mapping[str, Any]) -> Trial:
        """The trial a child reported (``run_method``)."""
        return Trial(result["method"], result["seconds"], result["cpu"], result["rss_mb"],
                     result["workers_rss_mb"], result["documents"],
                     frozenset(pair_key(*p) for p in result["pairs"]), result.get("load"))


def quality(found: frozenset[tuple[str, str]], planted: frozenset[tuple[str, str]]
            ) -> tuple[float, float]:
    """``(recall, precision)`` of ``found`` against ``planted`` (1.0 when empty).

    Example:
        >>> quality(frozenset({("a", "b"), ("a", "x")}),
        ...         frozenset({("a", "b"), ("c", "d")}))
        (0.5, 0.5)
    """
    hits = len(found & planted)
    return (hits / len(planted) if planted else 1.0, hits / len(found) if found else 1.0)


@dataclass(frozen=True)
class MethodResult:
    """One method over its repeats: wall seconds (median, fastest, slowest), median
    CPU seconds, the highest peak RSS (MB) of the process and of its workers, the
    pairs found, and the lowest recall and precision of any repeat."""

    method: str
    runs: int
    documents: int
    median: float
    low: float
    high: float
    cpu: float
    rss: float
    workers_rss: float | None
    found: int
    recall: float
    precision: float

    @property
    def rate(self) -> float:
        """Articles per second at the median time."""
        return self.documents / self.median


def summarise(trials: Sequence[Trial], planted: frozenset[tuple[str, str]]
              ) -> dict[str, MethodResult]:
    """Per method (in ``METHODS`` order) its trials summed up."""
    out = {}
    for method in METHODS:
        mine = [t for t in trials if t.method == method]
        if not mine:
            continue
        seconds = [t.seconds for t in mine]
        scores = [quality(t.found, planted) for t in mine]
        workers = [t.workers_rss for t in mine if t.workers_rss is not None]
        out[method] = MethodResult(
            method, len(mine), mine[0].documents, statistics.median(seconds), min(seconds),
            max(seconds), statistics.median(t.cpu for t in mine), max(t.rss for t in mine),
            max(workers) if workers else None, max(len(t.found) for t in mine),
            min(r for r, _ in scores), min(p for _, p in scores))
    return out


def speedup(results: Mapping[str, MethodResult], method: str, baseline: str) -> float | None:
    """How many times faster ``method`` is than ``baseline`` (medians), or None when
    either did not run.

    Example:
        >>> r = {m: MethodResult(m, 1, 10, s, s, s, s, 1.0, None, 0, 1.0, 1.0)
        ...      for m, s in (("datasketch", 50.0), ("dedupe-jobs2", 0.5))}
        >>> speedup(r, "dedupe-jobs2", "datasketch"), speedup(r, "dedupe-jobs2", "rensa")
        (100.0, None)
    """
    if method not in results or baseline not in results:
        return None
    return results[baseline].median / results[method].median


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def doc_verdicts(results: Mapping[str, MethodResult]) -> list[str]:
    """Target (a), each part met or not, from the numbers (one line each)."""
    ours = results.get("dedupe-jobs2")
    if ours is None:
        return ["Target (a) is about dedupe-jobs2, which did not run."]
    lines = [f"dedupe-jobs2: {ours.rate:,.0f} articles/s (median of {ours.runs}, "
             f"{ours.documents:,} articles); target >= {TARGET_DOC_RATE:,}: "
             f"{_met(ours.rate >= TARGET_DOC_RATE)}."]
    for baseline, factor in (("datasketch", TARGET_VS_DATASKETCH),
                             ("datasketch-bulk", TARGET_VS_BULK)):
        times = speedup(results, "dedupe-jobs2", baseline)
        if times is None:
            lines.append(f"dedupe-jobs2 vs {baseline}: {baseline} did not run.")
            continue
        lines.append(f"dedupe-jobs2 vs {baseline}: x{times:,.1f} (median "
                     f"{results[baseline].median:,.2f} s vs {ours.median:,.2f} s); target >= "
                     f"x{factor:g}: {_met(times >= factor)}.")
    if "datasketch" in results:
        base = results["datasketch"]
        ok = ours.recall >= base.recall and ours.precision >= base.precision
        lines.append(f"dedupe-jobs2 recall {ours.recall:.4f} and precision "
                     f"{ours.precision:.4f}, datasketch's {base.recall:.4f} and "
                     f"{base.precision:.4f}; target not lower: {_met(ok)}.")
    return lines


def candidate_probability(similarity: float, bands: int, rows: int) -> float:
    """The chance that two documents of Jaccard ``similarity`` share an LSH band.

    Example:
        >>> round(candidate_probability(0.7, 25, 5), 4), round(candidate_probability(0.7, 32, 4), 4)
        (0.9899, 0.9998)
    """
    return float(1 - (1 - similarity ** rows) ** bands)


def signatures_match(texts: Sequence[str]) -> tuple[int, int]:
    """``(documents, documents whose rows are equal)``: the signatures of ``texts`` that
    ``near_duplicates`` uses, and ``signature_matrix`` of their shingle sets, against
    datasketch's ``MinHash(num_perm, seed, hashfunc=int)`` updated with the same
    ``hash32`` shingle values (as ``tests/test_signatures.py`` asserts on random sets)."""
    import numpy as np
    from datasketch import MinHash

    from dedupe.config import Config
    from dedupe.documents import sketch
    from dedupe.signatures import hash32, signature_matrix

    sketches = sketch(texts, Config())
    bounds = sketches.offsets.tolist()
    sets = [np.unique(sketches.values[a:b]) for a, b in pairwise(bounds)]
    matrix = signature_matrix(sets, NUM_PERM, SEED)
    equal = 0
    for shingles, row, again in zip(sets, sketches.signatures, matrix, strict=True):
        reference = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=int)
        reference.update_batch(hash32(shingles).tolist())
        equal += bool((row == reference.hashvalues).all() and (again == row).all())
    return len(texts), equal


# --- part 2: the whole scan -----------------------------------------------------------------


@dataclass(frozen=True)
class ScanPoint:
    """One ``dedupe scan`` process: ``size`` asked, articles, raw text bytes (UTF-8),
    wall seconds, peak RSS bytes, and the pairs and clusters it reported."""

    size: int
    articles: int
    text_bytes: int
    seconds: float
    rss: int
    pairs: int = 0
    clusters: int = 0

    @property
    def rate(self) -> float:
        return self.articles / self.seconds

    @property
    def us_per_article(self) -> float:
        return 1e6 * self.seconds / self.articles

    @property
    def extra(self) -> int:
        """Peak RSS beyond the raw text, in bytes."""
        return self.rss - self.text_bytes

    @property
    def kb_per_article(self) -> float:
        return self.rss / 1e3 / self.articles


def scan_verdicts(points: Sequence[ScanPoint]) -> list[str]:
    """Target (b), each part met or not, from the numbers (one line each)."""
    at = [p for p in points if p.size == TARGET_SCAN_SIZE]
    if at:
        # (Both at the target's size: memory at other sizes is judged by its growth.)
        lines = [f"Scan rate at {at[0].articles:,} articles: {at[0].rate:,.0f} articles/s; "
                 f"target >= {TARGET_SCAN_RATE:,}: {_met(at[0].rate >= TARGET_SCAN_RATE)}.",
                 f"Peak RSS beyond the raw text at {at[0].articles:,} articles: "
                 f"{at[0].extra / 1e6:,.0f} MB; target < {TARGET_EXTRA_MB:,} MB: "
                 f"{_met(at[0].extra / 1e6 < TARGET_EXTRA_MB)}."]
    else:
        lines = [f"Scan rate and memory at {TARGET_SCAN_SIZE:,} articles: not measured in "
                 f"this run (sizes {', '.join(f'{p.size:,}' for p in points)})."]
    if len(points) < 2:
        lines.append("Linear growth needs two sizes or more; this run measured one.")
        return lines
    first, last = points[0], points[-1]
    for what, unit, a, b in (("time", "us", first.us_per_article, last.us_per_article),
                             ("memory", "KB", first.kb_per_article, last.kb_per_article)):
        lines.append(f"Linear growth, {what} per article: {a:,.1f} {unit} at "
                     f"{first.articles:,} articles, {b:,.1f} {unit} at {last.articles:,} "
                     f"(x{b / a:.2f}); target within x{FLAT_FACTOR:g}: "
                     f"{_met(b / a <= FLAT_FACTOR)}.")
    return lines


def _child_env() -> dict[str, str]:
    """The environment of a child process: this repository first on its path."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


#: Runs the command in its arguments; prints ``[wall seconds, ru_maxrss KB]`` and exits
#: with the command's status. Linux carries the peak RSS of the address space
#: that a process replaces at exec into its ru_maxrss, so a process started from this
#: benchmark (which holds corpora) would report at least this one's peak; started from
#: this small launcher it reports its own (or the launcher's, about 15 MB, if higher).
LAUNCHER = """\
import json, os, subprocess, sys, time
start = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(process.pid, 0)
process.returncode = os.waitstatus_to_exitcode(status)
print(json.dumps([time.perf_counter() - start, usage.ru_maxrss]))
sys.exit(process.returncode)
"""


def timed_process(command: Sequence[str]) -> tuple[float, int]:
    """Run ``command`` from ``LAUNCHER``: wall seconds and peak RSS in bytes (``wait4``:
    the largest of the process and its waited-for children).

    Raises:
        BenchError: it exited with a non-zero status (the end of its stderr says why).
    """
    completed = subprocess.run([sys.executable, "-c", LAUNCHER, *command], cwd=ROOT,
                               env=_child_env(), capture_output=True, text=True, check=False)
    if completed.returncode:
        raise BenchError(f"{' '.join(command[1:])} exited with status "
                         f"{completed.returncode}:\n{completed.stderr[-2000:]}")
    seconds, maxrss = json.loads(completed.stdout)
    return float(seconds), int(maxrss) * 1024


def scan_once(path: Path, out: Path, jobs: int) -> tuple[float, int, dict[str, Any]]:
    """One ``dedupe scan`` of ``path`` (JSON report only): seconds, peak RSS, report."""
    seconds, rss = timed_process([sys.executable, "-m", "dedupe", "scan", str(path),
                                  "--format", "json", "-o", str(out), "-q",
                                  "--jobs", str(jobs)])
    report: dict[str, Any] = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return seconds, rss, report


def startup_seconds() -> float:
    """Wall seconds to start Python and import dedupe's command line."""
    return timed_process([sys.executable, "-m", "dedupe", "--version"])[0]


# --- part 3: where the time goes ------------------------------------------------------------


def profile_scan(path: Path, out: Path) -> None:
    """A child's profile: ``dedupe.scan.scan`` of the corpus file under cProfile, the
    stats dumped to ``out`` (reading the file is not profiled)."""
    from dedupe.config import Config
    from dedupe.records import Article
    from dedupe.scan import scan

    with path.open(encoding="utf-8") as lines:
        articles = [Article(**{k: v for k, v in json.loads(line).items() if k in FIELDS})
                    for line in lines]
    profiler = cProfile.Profile()
    profiler.enable()
    scan(articles, Config())
    profiler.disable()
    profiler.dump_stats(out)


def short_path(path: str) -> str:
    """A source path without the part every reader has: relative to the repository,
    to site-packages, or to the standard library.

    Example:
        >>> short_path(str(ROOT / "dedupe" / "scan.py")), short_path("/x/site-packages/a/b.py")
        ('dedupe/scan.py', 'a/b.py')
    """
    parts = Path(path).parts
    for anchor in ("site-packages", "dist-packages"):
        if anchor in parts:
            return "/".join(parts[len(parts) - parts[::-1].index(anchor):])
    for base in (ROOT, Path(sysconfig.get_paths()["stdlib"])):
        if Path(path).is_relative_to(base):
            return Path(path).relative_to(base).as_posix()
    return path


def function_name(key: tuple[str, int, str]) -> str:
    """A profiled function as ``path:line(name)``, or its name for a built-in.

    Example:
        >>> function_name(("~", 0, "<built-in method builtins.len>"))
        '<built-in method builtins.len>'
    """
    path, line, name = key
    return name if path == "~" else f"{short_path(path)}:{line}({name})"


@dataclass(frozen=True)
class Profile:
    """The profile of one scan: articles, total seconds, the top functions by
    cumulative and by own time as ``(function, calls, own s, cumulative s)``."""

    articles: int
    total: float
    cumulative: list[tuple[str, str, float, float]]
    own: list[tuple[str, str, float, float]]


def read_profile(path: Path, articles: int, top: tuple[int, int] = PROFILE_TOP) -> Profile:
    """The top functions of a cProfile dump."""
    data = vars(pstats.Stats(str(path)))
    rows = []
    for key, (primitive, calls, own, cumulative, _) in data["stats"].items():
        count = str(calls) if calls == primitive else f"{calls}/{primitive}"
        rows.append((function_name(key), count, own, cumulative))
    return Profile(articles, data["total_tt"],
                   sorted(rows, key=lambda r: -r[3])[:top[0]],
                   sorted(rows, key=lambda r: -r[2])[:top[1]])


# --- the run --------------------------------------------------------------------------------


@dataclass
class DocStage:
    """Part 1: the corpus, what each method did, what could not run."""

    corpus: list[str]
    results: dict[str, MethodResult]
    missing: list[str]
    compatible: tuple[int, int]
    repeats: int
    loads: tuple[float, ...] = ()  # dedupe's compiled loops' load time per run (untimed)


@dataclass
class Run:
    """Everything one run measured, and what it ran on."""

    command: str
    date: str
    machine: str
    doc: DocStage | None = None
    scans: list[ScanPoint] = field(default_factory=list)
    startup: float | None = None
    jobs: int = DEFAULT_JOBS
    profile: Profile | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: float | None = None


def run_child(method: str, corpus_path: Path, work: Path) -> Trial:
    """One method in a process of its own (``--run``): what it reported."""
    out = work / f"{method}.json"
    timed_process([sys.executable, "-m", "benchmarks.speed", "--run", method,
                   "--corpus", str(corpus_path), "--out", str(out)])
    return Trial.of(json.loads(out.read_text(encoding="utf-8")))


def available(methods: Sequence[str]) -> tuple[list[str], list[str]]:
    """``(methods that can run, methods whose package is not installed)``."""
    missing = [m for m in methods
               if any(importlib.util.find_spec(x.split(".")[0]) is None for x in IMPORTS[m])]
    return [m for m in methods if m not in missing], missing


def describe(docs: DocCorpus) -> list[str]:
    """Parts of the line describing the part 1 corpus."""
    sizes = [utf8(d.text) for d in docs.articles]
    counts = {k: sum(v == k for v in docs.kinds.values()) for k in ("original", *COPY_KINDS)}
    texts = {d.id: d.text for d in docs.articles}
    grams = {i: word_shingles(texts[i]) for pair in docs.planted for i in pair}
    similarity = [jaccard(grams[a], grams[b]) for a, b in docs.planted]
    batches = len({d.id.split("-", 1)[0] for d in docs.articles})
    parts = [f"{len(docs.articles):,} articles from {batches} batch"
             f"{'es' if batches > 1 else ''} ({sum(sizes) / 1e6:,.1f} MB, "
             f"{statistics.fmean(sizes):,.0f} bytes mean)",
             ", ".join(f"{n:,} {k}" for k, n in counts.items()),
             f"{len(docs.planted):,} planted pairs"]
    if similarity:
        parts.append(f"their exact Jaccard {min(similarity):.3f} lowest, "
                     f"{statistics.median(similarity):.3f} median")
    return parts


def doc_stage(pool: Sequence[Story], args: argparse.Namespace, work: Path,
              log: Callable[[str], None]) -> DocStage:
    """Part 1: the corpus once, then every method ``args.repeats`` times, interleaved."""
    docs = corpus(args.doc_size, pool)
    path = work / "documents.jsonl"
    write_docs(path, docs.articles)
    methods, missing = available(args.methods)
    trials = []
    for r in range(args.repeats):
        for method in rotated(methods, r):
            trials.append(run_child(method, path, work))
            log(f"{method} repeat {r + 1}: {trials[-1].seconds:,.2f} s, "
                f"{len(trials[-1].found):,} pairs")
    sample = [d.text for d in docs.articles[:5]]
    return DocStage(describe(docs), summarise(trials, docs.planted), missing,
                    signatures_match(sample), args.repeats,
                    tuple(t.load for t in trials if t.load is not None))


def whole_scan(corpora: Corpora, sizes: Sequence[int], jobs: int, work: Path,
               log: Callable[[str], None]) -> list[ScanPoint]:
    """Part 2: one ``dedupe scan`` process per size, smallest first."""
    points = []
    for size in sorted(sizes):
        articles = corpora.articles(size)
        path = work / f"scan-{size}.jsonl"
        write_jsonl(path, articles)
        seconds, rss, report = scan_once(path, work / f"report-{size}", jobs)
        if len(report["documents"]) != len(articles):
            raise BenchError(f"the scan of {len(articles):,} articles reported "
                             f"{len(report['documents']):,} documents")
        points.append(ScanPoint(size, len(articles), sum(utf8(a.text) for a in articles),
                                seconds, rss, len(report["pairs"]), len(report["clusters"])))
        path.unlink()
        shutil.rmtree(work / f"report-{size}")
        log(f"scan of {len(articles):,} articles: {seconds:,.1f} s, {rss / 1e6:,.0f} MB")
    return points


def profiled_scan(corpora: Corpora, size: int, work: Path) -> Profile:
    """Part 3: the scan of a ``size`` corpus profiled in a process of its own."""
    articles = corpora.articles(size)
    path, out = work / "profile.jsonl", work / "scan.prof"
    write_jsonl(path, articles)
    timed_process([sys.executable, "-m", "benchmarks.speed", "--run", "profile",
                   "--corpus", str(path), "--out", str(out)])
    return read_profile(out, len(articles))


def bench(args: argparse.Namespace, command: str, log: Callable[[str], None]) -> Run:
    """Run the three parts that ``args`` asks for."""
    from benchmarks.generate import load_pool
    from benchmarks.report_scale import Corpora

    code = dedupe_code()
    started = time.perf_counter()
    pool = load_pool(args.pool)
    corpora = Corpora(pool)
    run = Run(command, datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
              machine(code), jobs=args.jobs)
    with tempfile.TemporaryDirectory(prefix="speed-bench-", dir=args.tmp) as tmp:
        work = Path(tmp)
        if args.doc_size:
            run.doc = doc_stage(pool, args, work, log)
        if args.scan_sizes:
            run.startup = startup_seconds()
            run.scans = whole_scan(corpora, args.scan_sizes, args.jobs, work, log)
        if args.profile_size:
            run.profile = profiled_scan(corpora, args.profile_size, work)
    if dedupe_code() != code:
        run.warnings.append(f"dedupe's code changed during the run (from {code} to "
                            f"{dedupe_code()}): rerun")
    run.seconds = time.perf_counter() - started
    return run


# --- the page -------------------------------------------------------------------------------


def machine(code: str) -> str:
    """One line naming the machine and the software measured."""
    from dedupe.config import Config

    cpu, ram = "", ""
    try:
        cpu = next((line.split(":", 1)[1].strip() + ", " for line in
                    Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
                    if line.startswith("model name")), "")
        ram = next((f", {int(line.split()[1]) * 1024 / 1e9:.1f} GB RAM" for line in
                    Path("/proc/meminfo").read_text(encoding="utf-8").splitlines()
                    if line.startswith("MemTotal:")), "")
    except OSError:
        pass
    parts = [f"{platform.system()} {platform.release()} {platform.machine()}, {cpu}"
             f"{os.cpu_count()} cores{ram}", f"Python {platform.python_version()}"]
    for name in ("dedupe", "numpy", "datasketch", "xxhash", "rensa"):
        try:
            parts.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{name} not installed")
    return "; ".join([*parts, f"config {Config().fingerprint}", f"dedupe code {code}"])


def _table(rows: Sequence[Sequence[Any]], headers: Sequence[str],
           floatfmt: str | Sequence[str] = ",.2f") -> str:
    return tabulate(rows, headers=headers, tablefmt="github", floatfmt=floatfmt,
                    missingval="-", intfmt=",")


def doc_tables(stage: DocStage) -> list[tuple[str, str]]:
    """Part 1's ``(title, table)`` pairs."""
    results = stage.results
    rows: list[tuple[Any, ...]] = [
        (m, "yes" if m != "rensa" else "no", r.runs, r.median, r.rate, r.low, r.high, r.cpu,
         r.rss, r.workers_rss, r.found, r.recall, r.precision)
        for m, r in results.items()]
    rows += [(m, "-", "not installed") for m in stage.missing]
    n = next(iter(results.values())).documents if results else 0
    out = [(f"Document-level stage: {n:,} articles, median of {stage.repeats} interleaved "
            "runs", _table(rows, ["method", "datasketch MinHash", "runs", "median s",
                                  "articles/s", "min s", "max s", "CPU s", "peak RSS MB",
                                  "workers' peak RSS MB", "pairs", "recall", "precision"],
                           ["", "", "", ".3f", ",.0f", ".3f", ".3f", ".2f", ",.0f", ",.0f", "",
                            ".4f", ".4f"]))]
    ours = [m for m in ("dedupe-jobs1", "dedupe-jobs2") if m in results]
    bases = [b for b in BASELINES if b in results]
    if ours and bases:
        out.append(("Speed-up: baseline's median time over dedupe's", _table(
            [(m, *(speedup(results, m, b) for b in bases)) for m in ours],
            ["", *(f"x {b}" for b in bases)], ",.1f")))
    return out


def scan_tables(points: Sequence[ScanPoint]) -> list[tuple[str, str]]:
    """Part 2's ``(title, table)`` pairs."""
    from benchmarks.report_scale import ratios

    out = [("Whole scan (`dedupe scan --format json`), one process per size", _table(
        [(p.size, p.articles, p.text_bytes / 1e6, p.seconds, p.rate, p.rss / 1e6,
          p.extra / 1e6, p.us_per_article, p.kb_per_article, p.pairs, p.clusters)
         for p in points],
        ["size", "articles", "raw text MB", "seconds", "articles/s", "peak RSS MB",
         "RSS - text MB", "us/article", "KB RSS/article", "pairs", "clusters"],
        ["", "", ".1f", ".1f", ",.0f", ",.0f", ",.0f", ",.0f", ",.1f"]))]
    if len(points) > 1:
        time_steps = ratios([p.us_per_article for p in points])
        memory_steps = ratios([p.kb_per_article for p in points])
        out.append(("Growth: each size over the one before (flat: 1.00)", _table(
            [(a.articles, b.articles, b.articles / a.articles, t, m)
             for (a, b), t, m in zip(pairwise(points), time_steps[1:], memory_steps[1:],
                                     strict=True)],
            ["from", "to", "articles x", "time/article x", "memory/article x"])))
    return out


def profile_tables(found: Profile) -> list[tuple[str, str]]:
    """Part 3's ``(title, table)`` pairs."""
    headers = ["function", "calls", "own s", "cumulative s"]
    return [(f"Where the time goes: `scan` of {found.articles:,} articles under cProfile, "
             f"{found.total:,.1f} s in all (top {len(found.cumulative)} by cumulative time)",
             _table(found.cumulative, headers, ",.3f")),
            (f"Top {len(found.own)} by own time", _table(found.own, headers, ",.3f"))]


def lsh_note() -> str:
    """How each method bands its signatures, and what that means at Jaccard ``NEAR``."""
    from dedupe.config import Config

    bands, rows = Config().lsh_bands
    rensa_rows = NUM_PERM // RENSA_BANDS
    return (f"LSH: datasketch's `MinHashLSH(threshold={LSH_THRESHOLD})` and dedupe both use "
            f"{bands} bands of {rows} rows (a pair of Jaccard {NEAR} becomes a candidate "
            f"with probability {candidate_probability(NEAR, bands, rows):.4f}); rensa needs "
            f"bands dividing {NUM_PERM}, and {RENSA_BANDS} x {rensa_rows} is the nearest "
            f"that keeps at least that recall "
            f"({candidate_probability(NEAR, RENSA_BANDS, rensa_rows):.4f}). rensa's "
            f"`RMinHash` is not datasketch-compatible: its signatures cannot go into "
            f"datasketch's LSH or storage.")


INTRO = """\
# Speed: the document-level stage and the whole scan

Issue 6 asks for (a) the document-level stage (read, normalise, shingle, signatures,
LSH, exact verification of the candidates) at 15,000 articles/s or more on 2 cores,
at least 50x idiomatic datasketch and 4x datasketch's `MinHash.bulk` in the same run,
with the same recall and precision; and (b) the whole `dedupe scan` (HTML excluded)
at 3,000 articles/s or more at 100,000 articles, peak memory under 1.5 GB beyond the
raw text, and linear growth (time and memory per article flat from 10,000 to 300,000
articles). This page is written by `benchmarks/speed.py`; all numbers below come from
one run on one machine.

**Document-level stage.** The corpus is 3 KB articles of real text: the sentences of
the Reuters story pool, shuffled per batch and dealt out without replacement to
articles of at least 3,000 characters (no sentence repeats within a batch; each batch
has its letters moved by `report_scale.encipher`, so that batches share no word).
About 20% of the originals get 1 to 3 copies: exact, trimmed (the last 10-15% of the
sentences dropped) or lightly edited (one word in 60 replaced by another word); every
pair in such a family is a planted pair, and each copy is drawn again (up to 20
times, then made exact) until its word 5-gram Jaccard with every earlier member is at
least 0.7. The corpus is written once to a JSON Lines file; each method runs in a
process of its own, timed from opening that file to the verified list of pairs: word
5-gram shingles, 128 permutations, seed 1, LSH for Jaccard 0.5, every candidate
checked on its exact shingle set and kept at Jaccard 0.7. The baselines are what
users would write instead: **datasketch**, one `MinHash.update` per shingle string
(the idiomatic way); **datasketch-bulk**, `MinHash.bulk` with
`xxhash.xxh32_intdigest`; **rensa**, the Rust MinHash, `RMinHash.update` with the
list of shingles. **dedupe-jobs1** and **dedupe-jobs2** call
`dedupe.documents.near_duplicates` with 1 and 2 threads. The methods run
interleaved (each once, then again in a rotated order); the table gives the median,
the fastest and slowest run, CPU time (with the workers'), the peak RSS of the process
(its VmHWM) and of its largest worker (which counts the pages it shares with the
process), and the lowest recall and precision against the planted pairs of any run.
Import time is not counted; reading the file is.

**Whole scan.** For each size a corpus of `benchmarks.report_scale.Corpora` (about
1.8 KB articles from Reuters stories with news-site templates, stock phrases and
planted families; batches of about 2,500 articles, each size holding the smaller
ones) is written to a JSON Lines file and scanned by one `python -m dedupe scan FILE
--format json -q --jobs J` process, timed from start to exit (Python's start and
dedupe's imports included, see the startup line). Its peak RSS is `wait4`'s
`ru_maxrss` (the scan's `--jobs` are threads of that one process). The process is
started by a small launcher, because Linux counts the peak of the address space a
process replaces at exec in its `ru_maxrss`: started from the benchmark, which holds
the corpora, it would report the benchmark's peak.

**Where the time goes.** `dedupe.scan.scan` of one corpus under cProfile, in a
process of its own and in one process (cProfile sees only its own); the profiler's
overhead makes it slower than the scan above.
"""


def page(run: Run, notes: str) -> str:
    """The Markdown page: intro, command, machine, tables, targets, notes."""
    parts = [INTRO.rstrip(), f"```sh\n{run.command}\n```", f"Date: {run.date}.",
             f"Machine: {run.machine}."]
    if run.seconds is not None:
        parts.append(f"Wall time of the run: {run.seconds / 60:,.1f} min.")
    parts += [f"**Warning:** {w}" for w in run.warnings]
    targets = []
    if run.doc is not None:
        parts.append("## 1. Document-level stage")
        parts.append("Corpus: " + "; ".join(run.doc.corpus) + ".")
        for title, text in doc_tables(run.doc):
            parts += [f"### {title}", text]
        documents, equal = run.doc.compatible
        loads = run.doc.loads
        if loads:
            parts.append(f"dedupe's compiled loops (`dedupe.kernels`, numba) load on a "
                         f"process's first call: {min(loads):.2f}-{max(loads):.2f} s per run "
                         "from the on-disk cache, done before the clock starts and not "
                         "counted, like imports.")
        parts += [lsh_note(), f"Signatures: dedupe's rows equal datasketch's `MinHash("
                  f"num_perm={NUM_PERM}, seed={SEED}, hashfunc=int)` of the same 32-bit "
                  f"shingle hashes for {equal} of {documents} corpus documents checked."]
        targets += ["(a) " + line for line in doc_verdicts(run.doc.results)]
    if run.scans:
        parts.append(f"## 2. Whole scan, `--jobs {run.jobs}`")
        if run.startup is not None:
            parts.append(f"Startup: `python -m dedupe --version` takes {run.startup:,.2f} s "
                         "(Python and dedupe's imports), included in every scan's time.")
        for title, text in scan_tables(run.scans):
            parts += [f"### {title}", text]
        targets += ["(b) " + line for line in scan_verdicts(run.scans)]
    if run.profile is not None:
        parts.append("## 3. Where the time goes")
        for title, text in profile_tables(run.profile):
            parts += [f"### {title}", text]
    if targets and os.cpu_count() != TARGET_CORES:
        targets.append(f"This machine has {os.cpu_count()} cores; the targets are stated for "
                       f"{TARGET_CORES}.")
    if targets:
        parts += ["## Targets", "\n".join(f"* {line}" for line in targets)]
    parts.append(notes_section(notes))
    return "\n\n".join(parts) + "\n"


def command_line(args: argparse.Namespace) -> str:
    """The command that reruns this benchmark (every setting spelled out)."""
    from benchmarks.generate import DEFAULT_POOL

    parts = ["python -m benchmarks.speed", f"--doc-size {args.doc_size}",
             f"--repeats {args.repeats}",
             f"--scan-sizes {' '.join(map(str, sorted(args.scan_sizes)))}".rstrip(),
             f"--jobs {args.jobs}", f"--profile-size {args.profile_size}"]
    if list(args.methods) != list(METHODS):
        parts.append(f"--methods {' '.join(args.methods)}")
    if args.pool != DEFAULT_POOL:
        parts.append(f"--pool {args.pool}")
    if args.write:
        parts.append(f"--write {args.write}")
    return " ".join(parts)


def child(args: argparse.Namespace) -> int:
    """A child's main: one method (``--run METHOD``) or the profile (``--run profile``)."""
    if args.run == "profile":
        profile_scan(args.corpus, args.out)
    else:
        result = run_method(args.run, args.corpus)
        args.out.write_text(json.dumps(result), encoding="utf-8")
    return 0


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    from benchmarks.generate import DEFAULT_POOL

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--doc-size", type=int, default=DEFAULT_DOC_SIZE,
                        help="articles of the document-level stage, 0 to skip it "
                             "(default %(default)s; idiomatic datasketch does about 150/s)")
    parser.add_argument("--repeats", type=int, default=DEFAULT_REPEATS,
                        help="interleaved runs of each method (default %(default)s)")
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS),
                        help="methods of the document-level stage (default: all)")
    parser.add_argument("--scan-sizes", type=int, nargs="*", default=list(DEFAULT_SCAN_SIZES),
                        help="corpus sizes of the whole scan, none to skip it (default "
                             "%(default)s; the full run: 10000 100000 300000)")
    parser.add_argument("--jobs", type=int, default=DEFAULT_JOBS,
                        help="`dedupe scan --jobs` (default %(default)s)")
    parser.add_argument("--profile-size", type=int, default=DEFAULT_PROFILE_SIZE,
                        help="articles of the profiled scan, 0 to skip it (default "
                             "%(default)s)")
    parser.add_argument("--pool", type=Path, default=DEFAULT_POOL,
                        help="Reuters-21578 directory or a JSONL story sample")
    parser.add_argument("--tmp", type=Path,
                        help="directory for the temporary files (default: the system's)")
    parser.add_argument("--write", type=Path, help="also write the page to this Markdown file")
    parser.add_argument("--run", choices=(*METHODS, "profile"), help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run:
        return child(args)
    if min(args.doc_size, args.profile_size, *args.scan_sizes) < 0 or args.repeats < 1 \
            or args.jobs < 1 or 0 in args.scan_sizes:
        parser.error("sizes must be positive (0 skips --doc-size or --profile-size); "
                     "--repeats and --jobs at least 1")
    try:
        run = bench(args, command_line(args), _log)
    except (ValueError, BenchError) as error:
        parser.exit(1, f"{parser.prog}: error: {error}\n")
    for warning in run.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    publish(page(run, kept_notes(args.write)), args.write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
