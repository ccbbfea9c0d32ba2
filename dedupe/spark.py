"""The scan on Apache Spark: the same stages as ``dedupe.scan``, run on a cluster.

``scan_dataframe(df)`` (a DataFrame of articles: ``id``, ``text`` and optionally
``date``, ``source``, ``url``, ``title``) and ``scan_paths(spark, inputs)`` (JSON
Lines, Parquet, or anything ``dedupe.read`` reads) return a ``SparkScan``: DataFrames
of pairs, passages, boilerplate, clusters and per-document findings, the same
findings the local engine reports for the same articles in the same order.
``dedupe scan --engine spark`` writes them as Parquet, and the usual reports when
the corpus is small enough (``SparkScan.result`` collects it).

How each stage runs (``_scan``):

* reading: records are read and checked on executors with ``dedupe.read``'s own
  record reader (one task per input file or Parquet partition, JSON Lines split by
  lines); later duplicate ids are found by grouping ids; articles are numbered in
  id order (``sortByKey``, ``zipWithIndex``), the order the local engine scans them in
  (``result`` lists them in the input's order again, as the local engine does).
* analysis, shingles, shingle sets, MinHash signatures and band keys: per partition,
  with the local engine's functions (``analyse_many``, ``shingles_flat``,
  ``shingle_sets``, ``signatures_flat``, ``lsh.band_keys``).
* candidates: LSH pairs by grouping band keys; shingle-posting pairs by grouping
  shingles (lists capped at ``max_postings``), then carrier sets, then pairs counted
  with ``reduceByKey``; both yield each group's pairs with ``lsh._pair_pattern``.
* exact overlaps, relations and passages: per pair, the two documents' data joined to
  it, measured in batches with ``overlaps_flat``, ``relations.relations`` and
  ``passages.Sides.spans``.
* families: connected components (``connected_components``): the large-star/small-star
  iteration on DataFrames, or on the driver for a graph of at most
  ``LOCAL_COMPONENTS_MAX`` edges; round 1's loose families, template keys,
  stock phrases (family counts per shingle, then ``kernels.quoted`` per document) and
  the second pass as joins and aggregations.
* headings that are fuzzily equal: trigram MinHash band keys grouped, Jaro-Winkler
  per candidate, components of the similar ones.
* pair assembly: ``scan.pairs_of`` on each batch of pairs with evidence.
* clusters: components of the links, then ``cluster.component_groups`` per component
  on an executor (scikit-learn runs there), origins per cluster, numbering by a
  distributed sort.

Every RDD keyed by document is hash-partitioned alike (``_scan_corpus``): joins
between them are narrow, and a pair join shuffles the pairs, not the documents.

What reaches the driver: counts (documents, families, template keys), graphs of at
most ``LOCAL_COMPONENTS_MAX`` edges (to label their components), the source
record (one number per source, ``cluster.source_record``) and the at most
``boilerplate.MAX_LISTED`` stock phrases listed (``takeOrdered``); never the corpus
or the shingles, and pairs only as the edges of a graph within that bound (document
numbers, 16 bytes an edge). ``SparkScan.result`` collects everything, for reports
and tests of small corpora only.

Tie-breaks that need care, and how they come out the same as the local engine's:
document numbers are id order (pairs are oriented ``i < j``, and only the first
document's shingles weigh as passage evidence); an LSH bucket or a carrier set larger
than ``lsh.FULL_GROUP`` yields the star-and-chain pattern over its members in
ascending order, as the local engine's does; components are labelled by their
smallest member, so "the first document of a family" and "the smallest key of
fuzzily equal headings" are what the local engine picks; the text a listed line or
phrase shows is its first carrier's (by document, then line or position). Where the
local engine groups by a 64-bit hash (LSH buckets of all bands in one sort, carrier
sets of shingles, stock-phrase carrier sets) this engine groups exactly or by the
same kind of hash; both differ only on a 64-bit hash collision.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from operator import add
from typing import Any, TypeVar, cast

import jellyfish
import numpy as np
import xxhash
from py4j.protocol import Py4JJavaError
from pyspark import RDD, SparkContext, StorageLevel
from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components as scipy_components

from dedupe.arrays import index_in, joined, member, prefix_sums, sorted_unique
from dedupe.boilerplate import (
    _HEADING_BANDS,
    KINDS,
    MAX_LISTED,
    _runs,
    _trigrams,
    is_template,
    stock_spans,
    stock_threshold,
)
from dedupe.cluster import (
    Unnumbered,
    cluster_order,
    component_groups,
    numbered,
    origin_of,
    record_from,
    source_vote,
)
from dedupe.config import Config
from dedupe.kernels import quoted
from dedupe.lsh import _pair_pattern, band_keys
from dedupe.normalise import (
    SENTENCE_END,
    Doc,
    analyse_many,
    content_key_of,
    normalise_word,
    text_key_of,
)
from dedupe.passages import Sides, rare_flat, sorted_usable
from dedupe.read import (
    MAX_RECORD_BYTES,
    InputError,
    Repair,
    _too_long,
    iter_input,
    read_jsonl_record,
    read_record,
)
from dedupe.records import Article, Boilerplate, Cluster, Pair, Skip
from dedupe.relations import Overlaps, overlaps_flat, passage_strength
from dedupe.relations import relations as pair_relations
from dedupe.scan import (
    ANALYSE_BATCH,
    MAX_HEADING_CARRIERS,
    STRONG_REUSE,
    Passages,
    ScanResult,
    pairs_of,
)
from dedupe.shingle import shingle_sets, shingles_flat, usable_flat
from dedupe.signatures import signatures_flat

#: Pairs (or documents) handled together in one call of the local engine's array code.
BATCH = 2048
#: Distinct edges (per partition) that ``connected_components`` labels on the driver
#: rather than on the cluster: 2,000,000 pairs of 64-bit ints are 32 MB as an array
#: (the Python list they are collected as takes a few hundred MB for a moment).
LOCAL_COMPONENTS_MAX = 2_000_000

#: In local mode, a partition per this many bytes of input when that makes more
#: partitions than cores: a cached partition is one block in Spark's JVM, and a
#: 100,000-article corpus in two blocks does not fit a default heap.
LOCAL_BYTES_PER_PARTITION = 32 << 20

#: Stock-phrase candidates (shingles carried by enough families) up to this many are
#: sent to every executor (12 bytes each: 48 MB at the bound), which marks its
#: documents in place; more are joined to every document's shingles.
LOCAL_STOCK_MAX = 4_000_000
#: Subtracted from a 64-bit unsigned key to store it in a signed LongType column with
#: its order kept (connected components label by the smallest member).
_SIGN = 1 << 63
_DUPLICATE = "duplicate id {id!r} (first at {first}); ids must be unique across all inputs"
_ARTICLE_COLUMNS = ("id", "text", "date", "source", "url", "title")

_K = TypeVar("_K")
_V = TypeVar("_V")
_T = TypeVar("_T")


# pyspark's stubs type sort keys as a protocol that tuples do not meet, and they change
# between releases; these three calls go through ``Any`` once, here, typed as they behave.
def _sort_by_key(rdd: RDD[tuple[_K, _V]]) -> RDD[tuple[_K, _V]]:
    """``rdd.sortByKey()``."""
    return cast(Any, rdd).sortByKey()


def _sort_by(rdd: RDD[_T], key: Callable[[_T], Any]) -> RDD[_T]:
    """``rdd.sortBy(key)``."""
    return cast(Any, rdd).sortBy(key)


def _take_ordered(rdd: RDD[_T], count: int, key: Callable[[_T], Any]) -> list[_T]:
    """``rdd.takeOrdered(count, key)``."""
    return cast(Any, rdd).takeOrdered(count, key=key)


class SparkInputError(ValueError):
    """Input that the Spark engine cannot read at all (not a record it can skip)."""


#: What Spark raises when a job fails (a path it cannot read, a lost executor).
SparkFailure = (Py4JJavaError, PySparkException)


def failure_line(error: BaseException) -> str:
    """The line of a Spark failure that says what went wrong (a Java failure comes with
    its whole stack trace).

    Example:
        >>> failure_line(RuntimeError("o1.x\\nj.io.FileNotFoundException: File a does not exist"))
        'File a does not exist'
    """
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    for line in lines:
        if "Exception: " in line or "Error: " in line:
            return line.split("Exception: ", 1)[-1] if "Exception: " in line else line
    return lines[0] if lines else type(error).__name__


# --- Reading -------------------------------------------------------------------------


#: One record read: its place in the input order, and its article (with the repairs
#: made to it) or the skip it became.
Record = tuple[tuple[int, int], Article | None, Skip | None, list[Skip]]


def _records_of(items: Iterable[Article | Skip | Repair], source: int) -> Iterator[Record]:
    """``dedupe.read`` items as records (a repair belongs to the article after it)."""
    pending: list[Skip] = []
    for position, item in enumerate(items):
        if isinstance(item, Repair):
            pending.append(Skip(item.where, item.reason))
        elif isinstance(item, Skip):
            pending = []
            yield (source, position), None, item, []
        else:
            yield (source, position), item, None, pending
            pending = []


def _jsonl_records(where: str, source: int, limit: int,
                   rows: Iterable[tuple[str, int]]) -> Iterator[Record]:
    for line, index in rows:
        data = line.encode("utf-8", "surrogatepass")
        if len(data) > limit:  # (as ``dedupe.read`` skips it; Spark has read it whole)
            yield (source, index), None, Skip(f"{where}:{index + 1}", _too_long(
                "the line", len(data), limit)), []
        elif line.strip():
            items = read_jsonl_record(f"{where}:{index + 1}", data)
            for _, article, skip, repairs in _records_of(items, source):
                yield (source, index), article, skip, repairs


def _row_records(where: str, source: int,
                 rows: Iterable[tuple[dict[str, Any], int]]) -> Iterator[Record]:
    for row, index in rows:
        fields = {k: _plain(v) for k, v in row.items() if k in _ARTICLE_COLUMNS and v is not None}
        for _, article, skip, repairs in _records_of(
                read_record(f"{where}:{index + 1}", fields), source):
            yield (source, index), article, skip, repairs


def _plain(value: Any) -> Any:
    """A column value as the record reader takes it (dates and timestamps as ISO text)."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def _input_records(spark: SparkSession, inputs: Sequence[str], limit: int) -> RDD[Record]:
    """The records of every input, in input order: JSON Lines split by lines, Parquet
    by its partitions, anything else (directories of text files, CSV) one task per
    input with ``dedupe.read.iter_input``; a file, line or row over ``limit`` bytes
    is skipped as ``dedupe.read`` skips it (a Parquet row is not measured)."""
    context = spark.sparkContext
    parts: list[RDD[Record]] = []
    for source, where in enumerate(inputs):
        name = str(where)
        if not _is_uri(name) and not os.path.exists(name):
            # (``dedupe.read`` makes the skip that says so, as the local engine's does)
            parts.append(_whole_input(context, name, source, limit))
        elif name.endswith((".jsonl", ".jsonl.gz")):
            lines = context.textFile(name).zipWithIndex()
            parts.append(lines.mapPartitions(partial(_jsonl_records, name, source, limit)))
        elif name.rstrip("/").endswith(".parquet"):
            frame = spark.read.parquet(name)
            parts.append(_frame_records(frame, name, source))
        else:
            parts.append(_whole_input(context, name, source, limit))
    return context.union(parts) if parts else context.emptyRDD()


def _is_uri(path: str) -> bool:
    """Whether ``path`` names a file system by its scheme (``s3a://``, ``hdfs://``)."""
    return "://" in path


def _whole_input(context: SparkContext, name: str, source: int, limit: int) -> RDD[Record]:
    """One input read by one task with ``dedupe.read``."""
    return context.parallelize([name], 1).flatMap(partial(_read_input, source, limit))


def _read_input(source: int, limit: int, path: str) -> Iterator[Record]:
    """The records of one input as ``dedupe.read.iter_input`` reads it."""
    return _records_of(iter_input(path, max_record_bytes=limit), source)


def _frame_records(frame: DataFrame, where: str, source: int) -> RDD[Record]:
    missing = [c for c in ("id", "text") if c not in frame.columns]
    if missing:
        raise SparkInputError(f"{where}: no {missing[0]!r} column; articles need 'id' and "
                              "'text' columns (and may have date, source, url, title)")
    columns = [c for c in _ARTICLE_COLUMNS if c in frame.columns]
    rows = frame.select(*columns).rdd.map(lambda row: row.asDict()).zipWithIndex()
    return rows.mapPartitions(partial(_row_records, where, source))


@dataclass(frozen=True, eq=False)
class _Corpus:
    articles: RDD[tuple[int, Article]]  # numbered from 0 in id order (as ``scan`` does)
    order: RDD[tuple[int, Any]]  # each number's place in the input
    skipped: RDD[tuple[tuple[int, int], Skip]]
    warnings: RDD[tuple[tuple[int, int], Skip]]
    size: int


def _corpus(records: RDD[Record], strict: bool = False) -> _Corpus:
    """Articles with unique ids, numbered in id order (``dedupe.scan`` compares them in
    that order), with their places in the input; skips (a later record that reuses an
    id is skipped, as ``dedupe.read`` does) and warnings by input order. ``strict``:
    raise ``InputError`` on the first skip (in input order), before anything is
    numbered or scanned."""
    records = records.persist(StorageLevel.MEMORY_AND_DISK)
    found = records.filter(lambda r: r[1] is not None).map(lambda r: (_article(r).id, (r[0], r)))
    first = found.reduceByKey(min)
    kept = first.map(lambda kv: kv[1])
    later = found.join(first).filter(lambda kv: kv[1][0][0] != kv[1][1][0]).map(
        lambda kv: (kv[1][0][0], Skip(_article(kv[1][0][1]).where, _DUPLICATE.format(
            id=kv[0], first=_article(kv[1][1][1]).where))))
    plain = records.filter(lambda r: r[2] is not None).map(lambda r: (r[0], cast(Skip, r[2])))
    ordered = _sort_by_key(kept).persist(StorageLevel.MEMORY_AND_DISK)
    warnings = ordered.flatMap(lambda kv: [(kv[0], w) for w in kv[1][3]])
    by_id = ordered.map(lambda kv: (_article(kv[1]).id, (kv[0], _article(kv[1]))))
    numbered = _sort_by_key(by_id).zipWithIndex().map(lambda ad: (ad[1], ad[0][1])).persist(
        StorageLevel.MEMORY_AND_DISK)
    articles = numbered.mapValues(lambda placed: placed[1])
    skipped = _sort_by_key(plain.union(later))
    if strict:
        head = [skip for _, skip in skipped.take(1) if skip is not None]
        if head:
            raise InputError(head[0])
    return _Corpus(articles, numbered.mapValues(lambda placed: placed[0]), skipped, warnings,
                   articles.count())


def _article(record: Record) -> Article:
    assert record[1] is not None
    return record[1]


# --- Connected components (large-star / small-star) ------------------------------------


def connected_components(spark: SparkSession, edges: RDD[tuple[int, int]],
                         local_max: int | None = None) -> RDD[tuple[int, int]]:
    """Each node of ``edges`` with the smallest node of its component.

    The large-star / small-star iteration (Kiveris et al., "Connected Components in
    MapReduce and Beyond", 2014) on DataFrames: large-star links each node's larger
    neighbours to its smallest neighbour, small-star links each node and its smaller
    neighbours to the smallest of them; repeated until the edges stop changing, each
    component is a star around its smallest node. Each round is checkpointed (its
    plan would otherwise grow with every round).

    A graph of at most ``local_max`` distinct edges is labelled on the driver instead
    (``scipy.sparse.csgraph``, the same labels): each round on the cluster is several
    shuffles and jobs, which cost seconds whatever the graph's size, and a scan finds
    six to eight components. The edges are counted first; a larger graph is never
    collected.

    Args:
        spark: the session.
        edges: node pairs (64-bit signed ints), in any order, repeats allowed.
        local_max: the most distinct edges labelled on the driver
            (``LOCAL_COMPONENTS_MAX``; 0: always on the cluster).

    Returns:
        ``(node, smallest node of its component)`` for every node in ``edges``.

    Example:
        >>> sorted(connected_components(spark, sc.parallelize([(3, 1), (5, 3), (7, 8)]))
        ...        .collect())  # doctest: +SKIP
        [(1, 1), (3, 1), (5, 1), (7, 7), (8, 7)]
    """
    limit = LOCAL_COMPONENTS_MAX if local_max is None else local_max
    distinct = edges.mapPartitions(_distinct_edges).persist(StorageLevel.MEMORY_AND_DISK)
    if limit > 0 and distinct.count() <= limit:
        labels = _local_components(np.array(distinct.collect(), dtype=np.int64).reshape(-1, 2))
        distinct.unpersist()
        return spark.sparkContext.parallelize(labels)
    edges = distinct
    schema = T.StructType([T.StructField("src", T.LongType(), False),
                           T.StructField("dst", T.LongType(), False)])
    frame = spark.createDataFrame(edges.map(lambda e: (int(e[0]), int(e[1]))), schema)
    current = _oriented(frame).where(F.col("src") != F.col("dst")).distinct()
    current = current.localCheckpoint(eager=False)
    while True:
        following = _small_star(_large_star(current)).localCheckpoint(eager=False)
        if _same(following, current):  # (one job a round: it checkpoints both)
            break
        current = following
    nodes = frame.select(F.col("src").alias("node")).union(frame.select(F.col("dst"))).distinct()
    roots = current.groupBy(F.col("src").alias("node")).agg(F.min("dst").alias("root"))
    labelled = nodes.join(roots, "node", "left")
    result = labelled.select("node", F.coalesce("root", "node").alias("root"))
    return result.rdd.map(lambda row: (int(row[0]), int(row[1])))


def _distinct_edges(edges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """A partition's edges as (smaller, larger), each once, in no particular order
    (components do not depend on it), self-loops kept (their node is in the graph)."""
    return list({(a, b) if a <= b else (b, a) for a, b in
                 ((int(e[0]), int(e[1])) for e in edges)})


def _local_components(edges: np.ndarray) -> list[tuple[int, int]]:
    """``connected_components`` of a small graph on the driver."""
    if edges.size == 0:
        return []
    nodes = np.unique(edges)
    at = np.searchsorted(nodes, edges)
    graph = coo_matrix((np.ones(len(at)), (at[:, 0], at[:, 1])), shape=(nodes.size, nodes.size))
    _, labels = scipy_components(graph, directed=False)
    # Nodes are ascending: each component's first node is its smallest.
    _, first = np.unique(labels, return_index=True)
    return list(zip(nodes.tolist(), nodes[first][labels].tolist(), strict=True))


def _same(a: DataFrame, b: DataFrame) -> bool:
    """Whether two sets of edges are equal (in one job)."""
    sides = a.withColumn("side", F.lit(1)).union(b.withColumn("side", F.lit(2)))
    return sides.groupBy("src", "dst").agg(F.sum("side").alias("in")).where(
        F.col("in") != 3).isEmpty()


def _oriented(edges: DataFrame) -> DataFrame:
    """Edges as (larger, smaller)."""
    return edges.select(F.greatest("src", "dst").alias("src"), F.least("src", "dst").alias("dst"))


def _large_star(edges: DataFrame) -> DataFrame:
    both = edges.union(edges.select(F.col("dst").alias("src"), F.col("src").alias("dst")))
    smallest = both.groupBy("src").agg(F.least(F.min("dst"), F.col("src")).alias("m"))
    linked = both.join(smallest, "src").where(F.col("dst") > F.col("src"))
    return linked.select(F.col("dst").alias("src"), F.col("m").alias("dst")).distinct()


def _small_star(edges: DataFrame) -> DataFrame:
    oriented = _oriented(edges)  # each node with its smaller neighbours
    smallest = oriented.groupBy("src").agg(F.min("dst").alias("m"))
    neighbours = oriented.join(smallest, "src").select(F.col("dst").alias("src"),
                                                        F.col("m").alias("dst"))
    centre = smallest.select(F.col("src"), F.col("m").alias("dst"))
    linked = neighbours.union(centre).where(F.col("src") != F.col("dst"))
    return _oriented(linked).distinct()


def _union(a: RDD[Any], b: RDD[Any]) -> RDD[Any]:
    """``a.union(b)`` in as many partitions as the larger has: a union has the partitions
    of both, and the shuffles after it as many again, so that unions repeated over a
    scan would multiply its tasks (where ``spark.default.parallelism`` is not set)."""
    return a.union(b).coalesce(max(a.getNumPartitions(), b.getNumPartitions()))


def _families(spark: SparkSession, docs: RDD[tuple[int, None]],
              edges: RDD[tuple[int, int]]) -> RDD[tuple[int, int]]:
    """``relations.families`` as ``(document, family)``: every document of ``docs``
    (``(document, None)``), labelled by the smallest document of its component (alone,
    by itself), partitioned as ``docs``."""
    labels = connected_components(spark, edges)
    return docs.leftOuterJoin(labels).map(
        lambda kv: (kv[0], kv[0] if kv[1][1] is None else kv[1][1]), preservesPartitioning=True)


# --- Per document --------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Text:
    """One article as the scan sees it on an executor."""

    article: Article
    doc: Doc  # with its word hashes
    shingles: np.ndarray  # shingle hash per word position
    full: np.ndarray  # distinct shingles, sorted (round 1's set)


def _chunks(items: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _analysed(config: Config, rows: Iterable[tuple[int, Article]]) -> Iterator[tuple[int, _Text]]:
    """Analysis, shingles and full shingle sets of a partition's articles (as ``_scan``
    does them, a batch of ``ANALYSE_BATCH`` at a time)."""
    for batch in _chunks(rows, ANALYSE_BATCH):
        docs = analyse_many([a.text for _, a in batch], config)
        words = np.concatenate([d.hashes for d in docs])
        counts = np.array([d.words for d in docs], dtype=np.int64)
        flat, sizes = shingles_flat(words, counts, config.shingle_size)
        offsets = prefix_sums(sizes)
        values, set_offsets = shingle_sets(flat, offsets, np.ones(flat.size, dtype=bool))
        for k, (d, article) in enumerate(batch):
            yield d, _Text(article, docs[k], flat[offsets[k] : offsets[k + 1]].copy(),
                           values[set_offsets[k] : set_offsets[k + 1]].copy())


def _band_entries(num_perm: int, seed: int, bands: tuple[int, int], skip_empty: bool,
                  rows: Iterable[tuple[int, np.ndarray]]) -> Iterator[tuple[tuple[int, int], int]]:
    """``((band, band key), member)`` of each set's MinHash signature (``lsh_pairs``'s
    groups), computed a batch at a time with ``signatures_flat``."""
    for batch in _chunks(((m, s) for m, s in rows if s.size or not skip_empty), 4096):
        sizes = np.array([s.size for _, s in batch], dtype=np.int64)
        values = np.concatenate([s for _, s in batch]).astype(np.uint64, copy=False)
        keys = band_keys(signatures_flat(values, sizes, num_perm, seed), *bands)
        for (member_id, _), row in zip(batch, keys.tolist(), strict=True):
            for band, key in enumerate(row):
                yield (band, key), member_id


def _pattern(members: Iterable[int]) -> list[tuple[int, int]]:
    """The pairs one group yields (``lsh._pair_pattern`` over its distinct members in
    ascending order), each ``(smaller, larger)``, repeats kept."""
    ordered = sorted(set(members))
    if len(ordered) < 2:
        return []
    left, right = _pair_pattern(len(ordered))
    return [(ordered[a], ordered[b]) if ordered[a] < ordered[b] else (ordered[b], ordered[a])
            for a, b in zip(left.tolist(), right.tolist(), strict=True)]


def _lsh_pairs(sets: RDD[tuple[int, np.ndarray]], config: Config, bands: tuple[int, int],
               skip_empty: bool = True) -> RDD[tuple[int, int]]:
    """``lsh.lsh_pairs`` of the sets: members sharing a band, by grouping band keys."""
    entries = sets.mapPartitions(partial(_band_entries, config.num_perm, config.seed, bands,
                                         skip_empty))
    return entries.groupByKey().flatMap(lambda kv: _pattern(kv[1])).distinct()


def _posting_pairs(sets: RDD[tuple[int, np.ndarray]], config: Config) -> RDD[tuple[int, int]]:
    """``relations.posting_pairs``: pairs sharing ``min_shared`` shingles that 2 to
    ``max_postings`` documents carry; each set of carriers yields its pairs once,
    counted as many times as it has shingles."""
    cap = config.max_postings
    min_shared = max(1, config.min_passage_words - config.shingle_size + 1)

    def create(d: int) -> list[int]:
        return [d]

    def merge(ds: list[int], d: int) -> list[int]:
        if len(ds) <= cap:  # past the cap the shingle proposes nothing: stop listing
            ds.append(d)
        return ds

    def combine(a: list[int], b: list[int]) -> list[int]:
        return (a + b)[: cap + 1]

    carriers = sets.flatMap(lambda ds: ((v, ds[0]) for v in ds[1].tolist())).combineByKey(
        create, merge, combine)
    groups = carriers.filter(lambda kv: 2 <= len(kv[1]) <= cap).map(
        lambda kv: (tuple(sorted(kv[1])), 1)).reduceByKey(add)
    counts = groups.flatMap(lambda gw: ((p, gw[1]) for p in _pattern(gw[0]))).reduceByKey(add)
    return counts.filter(lambda pc: pc[1] >= min_shared).keys()


def _pair_join(pairs: RDD[tuple[tuple[int, int], Any]],
               per_doc: RDD[tuple[int, Any]]) -> RDD[tuple[tuple[int, int], Any, Any, Any]]:
    """Each pair ``((i, j), value)`` with the data of ``i`` and of ``j``."""
    first = pairs.map(lambda kv: (kv[0][0], (kv[0][1], kv[1]))).join(per_doc)
    second = first.map(lambda kv: (kv[1][0][0], (kv[0], kv[1][0][1], kv[1][1]))).join(per_doc)
    return second.map(lambda kv: ((kv[1][0][0], kv[0]), kv[1][0][1], kv[1][0][2], kv[1][1]))


def _overlaps(rows: Sequence[tuple[Any, ...]], sets: Callable[[Any], np.ndarray]) -> Overlaps:
    """``overlaps_flat`` of a batch of joined pairs (``_pair_join`` rows)."""
    values, offsets = joined([s for row in rows for s in (sets(row[2]), sets(row[3]))])
    local = np.arange(2 * len(rows), dtype=np.int64).reshape(-1, 2)
    return overlaps_flat(local, (values, offsets))


def _measured(rows: Iterable[tuple[tuple[int, int], Any, Any, Any]]
              ) -> Iterator[tuple[tuple[int, int], tuple[int, float, float, float]]]:
    """Round 1's exact overlaps of full shingle sets."""
    for batch in _chunks(rows):
        found = _overlaps(batch, lambda s: s)
        yield from zip([row[0] for row in batch], zip(
            found.shared.tolist(), found.jaccard.tolist(), found.a_in_b.tolist(),
            found.b_in_a.tolist(), strict=True), strict=True)


# --- Round 1 -------------------------------------------------------------------------


def _loose_families(spark: SparkSession, docs: RDD[tuple[int, None]], full: RDD[Any],
                    config: Config) -> RDD[tuple[int, int]]:
    """``relations.loose_families``: components of similar pairs, joined by contained
    documents that lie inside one such family only."""
    similar = full.filter(lambda pm: pm[1][1] >= config.family_jaccard).keys()
    base = _families(spark, docs, similar)
    inside = full.filter(lambda pm: pm[1][1] < config.family_jaccard
                         and max(pm[1][2], pm[1][3]) >= config.family_containment)
    # (small, big) as the local engine orients them: a is smaller when a_in_b >= b_in_a.
    oriented = inside.map(lambda pm: (pm[0], (pm[0][0], pm[0][1]) if pm[1][2] >= pm[1][3]
                                      else (pm[0][1], pm[0][0])))
    targets = oriented.map(lambda po: (po[1][1], po[1][0])).join(base).map(
        lambda kv: (kv[1][0], kv[1][1])).distinct().mapValues(lambda _: 1).reduceByKey(add)
    one = targets.filter(lambda kv: kv[1] == 1)
    kept = oriented.map(lambda po: (po[1][0], po[0])).join(one).map(lambda kv: kv[1][0])
    return _families(spark, docs, _union(similar, kept))


def _heading_rows(item: tuple[int, _Text]) -> Iterator[tuple[int, tuple[tuple[int, int], str]]]:
    """``(key, ((document, line), normalised text))`` of each heading line."""
    d, t = item
    text, doc = t.article.text, t.doc
    for line in np.flatnonzero(doc.headings).tolist():
        first, last = doc.line_words[line].tolist()
        yield int(doc.line_keys[line]), ((d, line), " ".join(
            map(normalise_word, doc.word_texts(text, first, last))))


def _heading_remap(spark: SparkSession, texts: RDD[tuple[int, _Text]],
                   config: Config) -> RDD[tuple[int, int]]:
    """``boilerplate._merge_similar_headings``: ``(key, key of its group)`` of each
    heading key whose group (fuzzily equal headings) is named by a smaller key."""
    named = texts.flatMap(_heading_rows).reduceByKey(min).mapValues(lambda v: v[1])
    grams = named.mapValues(_trigrams)
    candidates = _lsh_pairs(grams, config, _HEADING_BANDS, skip_empty=False)
    similar = _pair_join(candidates.map(lambda p: (p, None)), named).filter(
        lambda row: jellyfish.jaro_winkler_similarity(row[2], row[3])
        >= config.heading_similarity).map(lambda row: (row[0][0] - _SIGN, row[0][1] - _SIGN))
    labels = connected_components(spark, similar)
    return labels.map(lambda kv: (kv[0] + _SIGN, kv[1] + _SIGN)).filter(lambda kv: kv[0] != kv[1])


@dataclass(frozen=True)
class _Line:
    d: int
    line: int
    heading: bool
    words: int
    chars: tuple[int, int]
    id: str
    source: str | None


def _line_rows(item: tuple[int, _Text]) -> Iterator[tuple[int, _Line]]:
    d, t = item
    doc = t.doc
    for line, (key, heading, (first, last), (start, end)) in enumerate(zip(
            doc.line_keys.tolist(), doc.headings.tolist(), doc.line_words.tolist(),
            doc.line_chars.tolist(), strict=True)):
        yield key, _Line(d, line, heading, last - first, (start, end), t.article.id,
                         t.article.source)


def _lines(texts: RDD[tuple[int, _Text]], remap: RDD[tuple[int, int]]) -> RDD[tuple[int, _Line]]:
    """Every line keyed by its line key, fuzzily equal headings by their group's key
    (``collect_lines``: only heading lines take the group's key)."""
    rows = texts.flatMap(_line_rows)
    return rows.leftOuterJoin(remap).map(
        lambda kv: (kv[1][1] if kv[1][1] is not None and kv[1][0].heading else kv[0], kv[1][0]))


def _template_keys(lines: RDD[tuple[int, _Line]], family: RDD[tuple[int, int]],
                   config: Config) -> RDD[int]:
    """``boilerplate.template_keys``: keys of lines carried by enough families (more for
    long lines), or by enough families of one source that nothing else carries."""
    families = lines.map(lambda kv: (kv[1].d, kv[0])).join(family).map(
        lambda kv: kv[1]).distinct().mapValues(lambda _: 1).reduceByKey(add)
    # A key's words are its last line's (by document, then line).
    words = lines.mapValues(lambda r: ((r.d, r.line), r.words)).reduceByKey(max).mapValues(
        lambda v: v[1])
    sources = lines.mapValues(lambda r: r.source or None).reduceByKey(
        lambda a, b: a if a is not None and a == b else None)
    measured = families.join(words).join(sources)

    def judged(rows: Iterable[tuple[int, tuple[tuple[int, int], str | None]]]) -> Iterator[int]:
        for batch in _chunks(rows):
            keys = [k for k, _ in batch]
            counts = np.array([v[0][0] for _, v in batch], dtype=np.int64)
            words = np.array([v[0][1] for _, v in batch], dtype=np.int64)
            single = np.array([v[1] is not None for _, v in batch], dtype=bool)
            keep = is_template(counts, words, single, config)
            yield from (k for k, kept in zip(keys, keep.tolist(), strict=True) if kept)

    return measured.mapPartitions(judged)


# --- Round 2: content ----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Side:
    """One document in a pass over content."""

    mask: np.ndarray  # per word: in a template line
    usable: np.ndarray  # per shingle: outside template lines
    content: np.ndarray  # distinct usable shingles, sorted
    key: int  # content key (``content_key_of``)
    words: int  # words outside template lines
    text: int | None  # text key (``text_key_of``), None without words
    in_stock: np.ndarray | None = None  # per shingle: a stock phrase
    rare: np.ndarray | None = None  # per shingle: weighs as evidence


def _side(t: _Text, template_lines: Iterable[int] | None, config: Config) -> _Side:
    """A document's content with its template lines (by index) masked."""
    doc = t.doc
    mask = np.zeros(doc.words, dtype=bool)
    for line in template_lines or ():
        first, last = doc.line_words[line].tolist()
        mask[first:last] = True
    count = t.shingles.size
    usable = usable_flat(mask, np.array([0, doc.words]), np.array([0, count]),
                         config.shingle_size)
    ends = np.array([0, count])
    content = sorted_usable(t.shingles, ends, usable).sets(t.shingles, ends)[0]
    return _Side(mask, usable, content, content_key_of(doc.hashes, mask),
                 doc.words - int(np.count_nonzero(mask)),
                 text_key_of(doc.hashes) if doc.words else None)


def _related(config: Config, rows: Iterable[tuple[tuple[int, int], Any, Any, Any]]
             ) -> Iterator[tuple[tuple[int, int], tuple[int, float, float, float, str | None]]]:
    """Overlaps on content and the relation of each pair that shares content
    (``_compare``: the content key decides duplicates, and the text key copies, which are
    kept even when they share no content)."""
    for batch in _chunks(rows):
        found = _overlaps(batch, lambda side: side[0])
        same = np.array([row[2][1] == row[3][1] and row[2][2] == row[3][2] for row in batch],
                        dtype=bool)
        copy = np.array([row[2][3] is not None and row[2][3] == row[3][3] for row in batch],
                        dtype=bool)
        kinds = pair_relations(found.shared, same, found.jaccard,
                               np.maximum(found.a_in_b, found.b_in_a), config, copy)
        for k, row in enumerate(batch):
            if found.shared[k] > 0 or copy[k]:
                yield row[0], (int(found.shared[k]), float(found.jaccard[k]),
                               float(found.a_in_b[k]), float(found.b_in_a[k]), kinds[k])


def _quoted_shingles(config: Config, bar: int,
                     rows: Iterable[tuple[int, tuple[Any, tuple[_Text, _Side]]]]) -> Iterator[int]:
    """Candidate stock shingles that some document quotes in a run too long for their
    families (``stock_shingles`` with positions, per document)."""
    for _, (found, (t, side)) in rows:
        stock = sorted(found)
        values = np.array([v for v, _ in stock], dtype=np.uint64)
        families = np.array([c for _, c in stock], dtype=np.int32)
        flags = np.zeros(t.shingles.size, dtype=bool)
        quoted(side.usable, index_in(t.shingles, values), np.array([0, t.shingles.size]),
               families, config.shingle_size, bar, config.boilerplate_words_per_family, flags)
        yield from set(t.shingles[flags].tolist())


def _with_stock(config: Config, item: tuple[_Text, tuple[_Side, Any]]) -> _Side:
    t, (side, stock) = item
    values = np.array(sorted(stock or ()), dtype=np.uint64)
    in_stock = member(t.shingles, values)
    rare = rare_flat(side.usable, in_stock, np.array([0, t.shingles.size]), config.shingle_size)
    return replace(side, in_stock=in_stock, rare=rare)


def _passage_rows(config: Config, rows: Iterable[tuple[tuple[int, int], Any, Any, Any]]
                  ) -> Iterator[tuple[tuple[int, int], tuple[list[list[int]], float]]]:
    """``Sides.spans`` of a batch of pairs: evidence passages and their strength."""
    for batch in _chunks(rows):
        parts = [p for row in batch for p in (row[2], row[3])]
        hashes, offsets = joined([p[0] for p in parts])
        usable = np.concatenate([p[1] for p in parts]).astype(bool, copy=False)
        rare = np.concatenate([p[2] for p in parts]).astype(bool, copy=False)
        sides = Sides(hashes, offsets, usable, rare, sorted_usable(hashes, offsets, usable))
        local = np.arange(2 * len(batch), dtype=np.int64).reshape(-1, 2)
        found: dict[int, list[list[int]]] = {}
        for row in sides.spans(local, config).tolist():
            found.setdefault(row[0], []).append(row)
        for k, spans in found.items():
            yield batch[k][0], (spans, passage_strength(sum(r[5] for r in spans), config))


def _family_counts(parts: int, rows: Iterable[tuple[int, Iterable[np.ndarray]]]
                   ) -> Iterator[tuple[int, tuple[np.ndarray, np.ndarray]]]:
    """For the families of a partition (each with its documents' content sets), each
    shingle's number of families, as arrays split by ``shingle % parts``."""
    distinct = []
    for _, sets in rows:
        found = list(sets)
        distinct.append(found[0] if len(found) == 1 else np.unique(np.concatenate(found)))
    if not distinct:
        return
    values, counts = np.unique(np.concatenate(distinct), return_counts=True)
    bucket = values % np.uint64(parts)
    order = np.argsort(bucket, kind="stable")
    bounds = np.searchsorted(bucket[order], np.arange(parts + 1, dtype=np.uint64))
    for b in range(parts):
        chosen = order[bounds[b]:bounds[b + 1]]
        if chosen.size:
            yield b, (values[chosen], counts[chosen].astype(np.int64))


def _frequent(bar: int, rows: Iterable[tuple[int, tuple[np.ndarray, np.ndarray]]]
              ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The shingles of one bucket carried by ``bar`` families or more, with their counts
    (sorted, as arrays), from the partitions' counts."""
    pieces = [vc for _, vc in rows]
    if not pieces:
        return
    values, inverse = np.unique(np.concatenate([v for v, _ in pieces]), return_inverse=True)
    totals = np.zeros(values.size, dtype=np.int64)
    np.add.at(totals, inverse.ravel(), np.concatenate([c for _, c in pieces]))
    keep = totals >= bar
    yield values[keep], totals[keep]


def _batches(rows: Iterable[tuple[int, tuple[_Text, _Side]]]
             ) -> Iterator[tuple[list[tuple[int, tuple[_Text, _Side]]], np.ndarray, np.ndarray,
                                 np.ndarray]]:
    """Documents a batch at a time, with their shingles, usable flags and offsets laid
    end to end."""
    for batch in _chunks(rows):
        shingles, offsets = joined([ts[0].shingles for _, ts in batch])
        usable = np.concatenate([ts[1].usable for _, ts in batch]).astype(bool, copy=False)
        yield batch, shingles, usable, offsets


def _quoted_in(config: Config, bar: int, candidates: Any,
               rows: Iterable[tuple[int, tuple[_Text, _Side]]]) -> Iterator[np.ndarray]:
    """``_quoted_shingles`` against every candidate at once (``candidates``: a
    broadcast of their sorted values and family counts), a batch of documents at a time."""
    values, families = candidates.value
    for _, shingles, usable, offsets in _batches(rows):
        flags = np.zeros(shingles.size, dtype=bool)
        quoted(usable, index_in(shingles, values), offsets, families, config.shingle_size,
               bar, config.boilerplate_words_per_family, flags)
        yield np.unique(shingles[flags])


def _stocked_in(config: Config, stock: Any, rows: Iterable[tuple[int, tuple[_Text, _Side]]]
                ) -> Iterator[tuple[int, _Side]]:
    """``_with_stock`` against every stock phrase at once (``stock``: a broadcast of
    their sorted values), a batch of documents at a time."""
    for batch, shingles, usable, offsets in _batches(rows):
        in_stock = member(shingles, stock.value)
        rare = rare_flat(usable, in_stock, offsets, config.shingle_size)
        for k, (d, (_, side)) in enumerate(batch):
            at = slice(offsets[k], offsets[k + 1])
            yield d, replace(side, in_stock=in_stock[at], rare=rare[at])


def _stock_sides(spark: SparkSession, texts: RDD[tuple[int, _Text]],
                 sides: RDD[tuple[int, _Side]], family: RDD[tuple[int, int]], bar: int,
                 config: Config) -> RDD[tuple[int, _Side]]:
    """The sides with their stock phrases and rare shingles: shingles of the content
    sets in ``bar`` families or more (``stock_shingles``), less those some document
    quotes in a run too long for their families.

    Families are counted per partition on arrays (each family's documents gathered to
    one partition, each shingle's count summed in the partition its value falls in),
    never a record per shingle. At most ``LOCAL_STOCK_MAX`` candidates are sent to
    every executor and the documents marked in place; more are joined to the
    documents' shingles."""
    keep = StorageLevel.MEMORY_AND_DISK
    parts = sides.getNumPartitions()
    by_family = sides.join(family).map(lambda kv: (kv[1][1], kv[1][0].content)).groupByKey()
    frequent = by_family.mapPartitions(partial(_family_counts, parts)).partitionBy(
        parts, lambda b: b).mapPartitions(partial(_frequent, bar)).persist(keep)
    size = frequent.map(lambda vc: int(vc[0].size)).sum()
    both = texts.join(sides)
    if size <= LOCAL_STOCK_MAX:
        found = frequent.collect()
        frequent.unpersist()
        values = np.concatenate([v for v, _ in found] or [np.zeros(0, np.uint64)])
        counts = np.concatenate([c for _, c in found] or [np.zeros(0, np.int64)])
        order = np.argsort(values)
        candidates = spark.sparkContext.broadcast((values[order], counts[order].astype(np.int32)))
        quoted_parts = both.mapPartitions(partial(_quoted_in, config, bar, candidates)).collect()
        quotes = np.unique(np.concatenate(quoted_parts or [np.zeros(0, np.uint64)]))
        stock = spark.sparkContext.broadcast(np.setdiff1d(values, quotes))
        return both.mapPartitions(partial(_stocked_in, config, stock),
                                  preservesPartitioning=True).persist(keep)
    pairs = frequent.flatMap(lambda vc: zip(vc[0].tolist(), vc[1].tolist(), strict=True))
    whole = texts.flatMap(lambda dt: ((v, dt[0]) for v in dt[1].full.tolist()))
    held = whole.join(pairs).map(lambda kv: (kv[1][0], (kv[0], kv[1][1]))).groupByKey()
    held = held.persist(keep)
    quotes_rdd = held.join(both).mapPartitions(partial(_quoted_shingles, config, bar))
    stocked = held.flatMap(lambda kv: ((v, kv[0]) for v, _ in kv[1])).subtractByKey(
        quotes_rdd.map(lambda v: (v, None))).map(lambda vd: (vd[1], vd[0])).groupByKey()
    return texts.join(sides.leftOuterJoin(stocked)).mapValues(
        partial(_with_stock, config)).persist(keep)


@dataclass(frozen=True, eq=False)
class _Pass:
    """One pass over content (``scan._Comparison``), as RDDs."""

    sides: RDD[tuple[int, _Side]]
    compared: RDD[tuple[int, int]]
    content: RDD[tuple[tuple[int, int], tuple[int, float, float, float, str | None]]]
    evidence: RDD[tuple[tuple[int, int], tuple[list[list[int]], float]]]
    family: RDD[tuple[int, int]]  # by whole-document relations

    def family_with_reuse(self, spark: SparkSession,
                          docs: RDD[tuple[int, None]]) -> RDD[tuple[int, int]]:
        """Families by whole-document relations and strong passage reuse."""
        strong = self.content.filter(lambda kv: kv[1][4] is not None).keys()
        reuse = self.evidence.filter(lambda kv: kv[1][1] >= STRONG_REUSE).keys()
        return _families(spark, docs, _union(strong, reuse))


def _template_line_rows(lines: RDD[tuple[int, _Line]], keys: RDD[int]) -> RDD[tuple[int, _Line]]:
    return lines.join(keys.map(lambda k: (k, None))).map(lambda kv: (kv[0], kv[1][0]))


def _compare(spark: SparkSession, texts: RDD[tuple[int, _Text]], lines: RDD[tuple[int, _Line]],
             template: RDD[int], candidates: RDD[tuple[int, int]],
             known: RDD[tuple[int, int]] | None, config: Config) -> _Pass:
    """``scan._compare``: the candidates on content, lines keyed ``template`` masked."""
    n = config.shingle_size
    docs = texts.mapValues(lambda _: None)
    masked = _template_line_rows(lines, template).map(lambda kv: (kv[1].d, kv[1].line))
    sides = texts.leftOuterJoin(masked.groupByKey()).mapValues(
        lambda v: _side(v[0], v[1], config)).persist(StorageLevel.MEMORY_AND_DISK)
    sets = sides.mapValues(lambda s: s.content)
    compared = _union(candidates, _lsh_pairs(sets, config, config.lsh_bands)).distinct()
    compared = compared.persist(StorageLevel.MEMORY_AND_DISK)
    keyed = sides.mapValues(lambda s: (s.content, s.key, s.words, s.text))
    content = _pair_join(compared.map(lambda p: (p, None)), keyed).mapPartitions(
        partial(_related, config)).persist(StorageLevel.MEMORY_AND_DISK)
    edges = content.filter(lambda kv: kv[1][4] is not None).keys()
    if known is not None:
        edges = _union(edges, known.filter(lambda kv: kv[0] != kv[1]))
    family = _families(spark, docs, edges).persist(StorageLevel.MEMORY_AND_DISK)
    bar = stock_threshold(family.filter(lambda kv: kv[0] == kv[1]).count(), config)
    sides = _stock_sides(spark, texts, sides, family, bar, config)
    min_shared = max(1, config.min_passage_words - n + 1)
    todo = content.filter(lambda kv: kv[1][4] is not None or kv[1][0] >= min_shared)
    payload = texts.join(sides).mapValues(lambda ts: (ts[0].shingles, ts[1].usable, ts[1].rare))
    evidence = _pair_join(todo.map(lambda kv: (kv[0], None)), payload).mapPartitions(
        partial(_passage_rows, config)).persist(StorageLevel.MEMORY_AND_DISK)
    return _Pass(sides, compared, content, evidence, family)


# --- What a scan lists -----------------------------------------------------------------


def _described_lines(lines: RDD[tuple[int, _Line]], template: RDD[int],
                     family: RDD[tuple[int, int]], texts: RDD[tuple[int, _Text]]
                     ) -> RDD[tuple[tuple[Any, ...], Boilerplate, tuple[int, ...]]]:
    """``boilerplate.describe_lines``: template lines and repeated headings; each with
    its sort key (kind, carriers, text, line key) and its carriers (documents)."""
    flagged = lines.leftOuterJoin(template.map(lambda k: (k, True))).map(
        lambda kv: (kv[1][0].d, (kv[0], kv[1][0], kv[1][1] is True)))
    rows = flagged.join(family).map(lambda kv: (kv[1][0][0], (kv[1][0][1], kv[1][0][2],
                                                              kv[1][1])))

    def summed(item: tuple[int, Iterable[tuple[_Line, bool, int]]]) -> Iterator[Any]:
        key, found = item
        found = list(found)
        carriers = sorted({(r.d, r.id, r.source) for r, _, _ in found})
        is_template = found[0][1]
        if len(carriers) < 2 or not (is_template or any(r.heading for r, _, _ in found)):
            return
        first = min(found, key=lambda x: (x[0].d, x[0].line))[0]
        sources = tuple(sorted({s for _, _, s in carriers if s}))
        families = len({f for _, _, f in found})
        yield first.d, (key, first.chars, is_template, tuple(i for _, i, _ in carriers),
                        sources, families, tuple(d for d, _, _ in carriers))

    listed = rows.groupByKey().flatMap(summed)

    def described(item: tuple[int, tuple[Any, _Text]]) -> tuple[Any, ...]:
        (key, (start, end), is_template, ids, sources, families, carriers), t = item[1]
        text = t.article.text[start:end].strip()
        kind = "template" if is_template else "heading"
        if is_template and len(sources) > 1 and SENTENCE_END.search(text):
            kind = "stock-phrase"  # a whole sentence that several outlets use
        item_ = Boilerplate(text=text, kind=kind, docs=ids, sources=sources, families=families)
        return (KINDS.index(kind), -len(ids), text, key), item_, carriers

    return listed.join(texts).map(described)


def _heading_pairs(items: RDD[tuple[tuple[Any, ...], Boilerplate, tuple[int, ...]]]
                   ) -> RDD[tuple[tuple[int, int], list[str]]]:
    """``scan._heading_pairs``: the distinctive headings each pair of documents shares,
    in the order the headings are listed."""
    def pairs(item: tuple[tuple[Any, ...], Boilerplate, tuple[int, ...]]) -> Iterator[Any]:
        order, b, carriers = item
        if b.kind != "heading" or len(carriers) > MAX_HEADING_CARRIERS:
            return
        for x, i in enumerate(carriers):
            for j in carriers[x + 1 :]:
                yield (i, j), (order, b.text)

    return items.flatMap(pairs).groupByKey().mapValues(lambda found: [t for _, t in sorted(found)])


def _sets_of(sets: Sequence[np.ndarray], wanted: Iterable[int]) -> dict[int, np.ndarray]:
    return {d: sets[d] for d in wanted}


def _assembled(config: Config, rows: Iterable[tuple[tuple[int, int], Any, Any, Any]]
               ) -> Iterator[tuple[Pair, int, int]]:
    """``scan.pairs_of`` of a batch of pairs: the batch's documents numbered in scan
    order, so that each pair is oriented and measured as the local engine does."""
    for batch in _chunks(rows):
        by_doc: dict[int, Any] = {}
        for (i, j), _, pi, pj in batch:
            by_doc[i], by_doc[j] = pi, pj
        order = sorted(by_doc)
        local = {d: k for k, d in enumerate(order)}
        articles = [by_doc[d][0] for d in order]
        docs = [by_doc[d][1] for d in order]
        sets = [by_doc[d][2] for d in order]
        measured = [(local[i], local[j], found) for (i, j), (found, _), _, _ in batch
                    if found is not None]
        pairs = np.array([[a, b] for a, b, _ in measured], dtype=np.int64).reshape(-1, 2)
        columns = [np.array([m[2][c] for m in measured], dtype=np.float64 if c else np.int64)
                   for c in range(4)]
        content = Overlaps(pairs, *columns)
        relations = [m[2][4] for m in measured]
        evidence = [(k, m[2][5][0]) for k, m in enumerate(measured) if m[2][5] is not None]
        passages = Passages.of(
            np.array([k for k, rows in evidence for _ in rows], dtype=np.int64),
            np.array([row for _, rows in evidence for row in rows], dtype=np.int64),
            config)
        headings = {}
        for (i, j), (_, shared), _, _ in batch:
            if shared:
                a, b = articles[local[i]].id, articles[local[j]].id
                headings[(min(a, b), max(a, b))] = shared
        index = {a.id: d for a, d in zip(articles, order, strict=True)}
        for pair in pairs_of(articles, docs, content, relations, passages, headings,
                             partial(_sets_of, sets), config):
            i, j = index[pair.a], index[pair.b]
            yield pair, min(i, j), max(i, j)


def _stock_items(spark: SparkSession, texts: RDD[tuple[int, _Text]], last: _Pass,
                 config: Config) -> list[Boilerplate]:
    """``boilerplate.describe_stock``: the stock phrases listed, most widespread first
    (only the ``MAX_LISTED`` listed reach the driver)."""
    held = texts.join(last.sides).flatMap(lambda dts: (
        (v, dts[0]) for v in sorted_unique(dts[1][0].shingles[dts[1][1].in_stock]).tolist()))
    carriers = held.groupByKey().mapValues(lambda ds: tuple(sorted(ds))).persist(
        StorageLevel.MEMORY_AND_DISK)
    # A document needs, per stock shingle, its first carrier and which carriers it has.
    marks = carriers.mapValues(lambda ds: (ds[0], _digest(ds)))
    per_doc = held.join(marks).map(lambda kv: (kv[1][0], (kv[0], kv[1][1]))).groupByKey()

    def phrases(item: tuple[int, tuple[Iterable[Any], tuple[_Text, _Side]]]) -> Iterator[Any]:
        d, (found, (t, side)) = item
        marked = dict(found)
        hashes, mask = t.shingles, side.in_stock
        assert mask is not None
        owned = [(p, h) for p, h in zip(np.flatnonzero(mask).tolist(), hashes[mask].tolist(),
                                        strict=True) if marked[h][0] == d]
        same: dict[int, tuple[int, ...]] = {h: (marked[h][1],) for _, h in owned}
        for first, last_ in _runs(owned, same):
            end_word = min(last_ + config.shingle_size, t.doc.words) - 1
            text = t.article.text[t.doc.starts[first] : t.doc.end(t.article.text, end_word)]
            yield int(hashes[first]), " ".join(text.split())

    named = per_doc.join(texts.join(last.sides)).flatMap(phrases)
    members = named.join(carriers).flatMap(lambda kv: ((d, kv[1][0]) for d in kv[1][1]))
    meta = texts.mapValues(lambda t: (t.article.id, t.article.source)).join(last.family)
    grouped = members.distinct().join(meta).map(
        lambda kv: (kv[1][0], (kv[0], kv[1][1][0][0], kv[1][1][0][1], kv[1][1][1]))).groupByKey()

    def item(kv: tuple[str, Iterable[tuple[int, str, str | None, int]]]) -> Boilerplate:
        text, found = kv[0], sorted(kv[1])
        return Boilerplate(text=text, kind="stock-phrase", docs=tuple(i for _, i, _, _ in found),
                           sources=tuple(sorted({s for _, _, s, _ in found if s})),
                           families=len({f for _, _, _, f in found}))

    return _take_ordered(grouped.map(item), MAX_LISTED,
                         key=lambda b: (-b.families, -len(b.docs), b.text))


def _digest(carriers: Sequence[int]) -> int:
    """A 64-bit hash of a set of carriers: runs of stock shingles join when theirs are
    equal (the local engine compares the tuples)."""
    return xxhash.xxh3_64_intdigest(np.array(carriers, dtype=np.int64).tobytes())


# --- The scan --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SparkScan:
    """What a Spark scan found: RDDs of the local engine's records, and DataFrames of
    them (``pairs``, ``passages``, ``boilerplate``, ``clusters``, ``documents``,
    ``skipped``, ``warnings``) to write or query.

    Nothing is computed until a DataFrame is used or ``result`` is called; the RDDs
    are cached as they are computed.
    """

    spark: SparkSession
    config: Config
    articles: int
    _documents: RDD[tuple[int, tuple[Article, int, int, Any, Any, Any]]]
    _order: RDD[tuple[int, Any]]  # each document's place in the input
    _pairs: RDD[Pair]
    _boilerplate: RDD[tuple[int, Boilerplate]]
    _clusters: RDD[Cluster]
    _skipped: RDD[tuple[tuple[int, int], Skip]]
    _warnings: RDD[tuple[tuple[int, int], Skip]]

    def result(self) -> ScanResult:
        """Everything, collected into a ScanResult (as ``dedupe.scan.scan`` returns) for
        the reports: for corpora small enough to report on, never for large ones.

        Example:
            >>> found = scan_dataframe(frame).result()  # doctest: +SKIP
            >>> [p.relation for p in found.pairs]  # doctest: +SKIP
            ['duplicate']
        """
        # Listed in the input's order, as ``dedupe.scan.scan`` lists them.
        placed = self._documents.join(self._order).values().collect()
        documents = [row for row, _ in sorted(placed, key=lambda rp: rp[1])]
        return ScanResult(
            config=self.config,
            articles=tuple(r[0] for r in documents),
            words=tuple(r[1] for r in documents),
            pairs=tuple(sorted(self._pairs.collect(), key=lambda p: (p.a, p.b))),
            boilerplate=tuple(b for _, b in sorted(self._boilerplate.collect(),
                                                   key=lambda r: r[0])),
            clusters=tuple(sorted(self._clusters.collect(), key=lambda c: c.id)),
            skipped=tuple(s for _, s in sorted(self._skipped.collect(), key=lambda r: r[0])),
            warnings=tuple(s for _, s in sorted(self._warnings.collect(), key=lambda r: r[0])),
            template_words=tuple(r[2] for r in documents),
            template_lines=tuple(r[3] for r in documents),
            heading_lines=tuple(r[4] for r in documents),
            stock_spans=tuple(r[5] for r in documents),
        )

    @property
    def pairs(self) -> DataFrame:
        """One row per link: ``a``, ``b`` (ids, ``a < b``), ``relation``, ``jaccard``,
        ``a_in_b``, ``b_in_a``, ``strength``, ``headings``, ``evidence``."""
        rows = self._pairs.map(lambda p: (p.a, p.b, p.relation, p.jaccard, p.containment[0],
                                          p.containment[1], p.strength, list(p.headings),
                                          p.evidence))
        return self.spark.createDataFrame(rows, _PAIRS)

    @property
    def passages(self) -> DataFrame:
        """One row per passage of a link: ``a``, ``b``, ``passage`` (its rank in the
        pair), character spans in both texts, ``text``, ``rare_shingles``."""
        rows = self._pairs.flatMap(lambda p: [
            (p.a, p.b, k, s.a[0], s.a[1], s.b[0], s.b[1], s.text, s.rare_shingles)
            for k, s in enumerate(p.passages)])
        return self.spark.createDataFrame(rows, _PASSAGES)

    @property
    def boilerplate(self) -> DataFrame:
        """Template lines, headings and stock phrases: ``rank`` (the report's order),
        ``text``, ``kind``, ``docs``, ``sources``, ``families``."""
        rows = self._boilerplate.map(lambda kb: (kb[0], kb[1].text, kb[1].kind,
                                                 list(kb[1].docs), list(kb[1].sources),
                                                 kb[1].families))
        return self.spark.createDataFrame(rows, _BOILERPLATE)

    @property
    def clusters(self) -> DataFrame:
        """One row per cluster: ``id``, ``members``, ``origin``, ``origin_rule``,
        ``confidence``, ``links`` (``a``, ``b``, ``evidence``, ``strength``)."""
        rows = self._clusters.map(lambda c: (c.id, list(c.members), c.origin, c.origin_rule,
                                             c.confidence,
                                             [(k.a, k.b, k.evidence, k.strength)
                                              for k in c.links]))
        return self.spark.createDataFrame(rows, _CLUSTERS)

    @property
    def documents(self) -> DataFrame:
        """Per article: ``doc`` (scan order), ``id``, ``words``, ``template_words`` and
        the character spans of its template lines, reused headings and stock phrases."""
        rows = self._documents.map(lambda kv: (kv[0], kv[1][0].id, kv[1][1], kv[1][2],
                                               [list(s) for s in kv[1][3]],
                                               [list(s) for s in kv[1][4]],
                                               [list(s) for s in kv[1][5]]))
        return self.spark.createDataFrame(rows, _DOCUMENTS)

    @property
    def skipped(self) -> DataFrame:
        """Records not scanned: ``where``, ``reason``, in input order."""
        rows = self._skipped.map(lambda kv: (kv[1].where, kv[1].reason))
        return self.spark.createDataFrame(rows, _SKIPS)

    @property
    def warnings(self) -> DataFrame:
        """Records scanned after a repair: ``where``, ``reason``, in input order."""
        rows = self._warnings.map(lambda kv: (kv[1].where, kv[1].reason))
        return self.spark.createDataFrame(rows, _SKIPS)

    def first_skips(self, count: int) -> list[Skip]:
        """The first ``count`` records skipped, in input order.

        Example:
            >>> scan_paths(spark, ["feed.jsonl"]).first_skips(1)[0].where  # doctest: +SKIP
            ['feed.jsonl:4']
        """
        first = _take_ordered(self._skipped, count, key=lambda kv: kv[0])
        return [s for _, s in first]

    def skip_count(self) -> int:
        """How many records were skipped (a Spark job).

        Example:
            >>> scan_paths(spark, ["feed.jsonl"]).skip_count()  # doctest: +SKIP
            3
        """
        return self._skipped.count()

    def write(self, directory: str | os.PathLike[str]) -> list[str]:
        """Write every table to ``DIRECTORY/NAME.parquet`` (replacing what is there).

        Args:
            directory: a local path or any URL Spark writes to (``hdfs://``, ``s3a://``).

        Returns:
            The paths written, in ``tables`` order.

        Example:
            >>> scan_dataframe(frame).write("out")[0]  # doctest: +SKIP
            'out/pairs.parquet'
        """
        written = []
        for name, frame in self.tables().items():
            path = f"{str(directory).rstrip('/')}/{name}.parquet"
            frame.write.mode("overwrite").parquet(path)
            written.append(path)
        return written

    def tables(self) -> dict[str, DataFrame]:
        """The DataFrames by name, as ``write`` writes them.

        Example:
            >>> sorted(scan_dataframe(frame).tables())[:2]  # doctest: +SKIP
            ['boilerplate', 'clusters']
        """
        return {"pairs": self.pairs, "passages": self.passages, "boilerplate": self.boilerplate,
                "clusters": self.clusters, "documents": self.documents,
                "skipped": self.skipped, "warnings": self.warnings}


_PAIRS = ("a string, b string, relation string, jaccard double, a_in_b double, "
                 "b_in_a double, strength double, headings array<string>, evidence string")
_PASSAGES = ("a string, b string, passage int, a_start int, a_end int, b_start int, "
                    "b_end int, text string, rare_shingles int")
_BOILERPLATE = ("rank long, text string, kind string, docs array<string>, "
                       "sources array<string>, families int")
_CLUSTERS = ("id long, members array<string>, origin string, origin_rule string, "
                    "confidence double, links array<struct<a:string,b:string,evidence:string,"
                    "strength:double>>")
_DOCUMENTS = ("doc long, id string, words int, template_words int, "
                     "template_lines array<array<int>>, heading_lines array<array<int>>, "
                     "stock_spans array<array<int>>")
_SKIPS = ("where string, reason string")


def scan_dataframe(articles: DataFrame, config: Config | None = None, *,
                   name: str = "dataframe") -> SparkScan:
    """Scan a DataFrame of articles on its Spark session.

    Args:
        articles: columns ``id`` and ``text`` (strings), optionally ``date``, ``source``,
            ``url``, ``title``; other columns are ignored. Rows are scanned in the
            DataFrame's order; bad rows are skipped as ``dedupe.read`` skips records,
            named ``NAME:ROW``.
        config: settings; ``Config()`` by default.
        name: what messages call the DataFrame.

    Returns:
        A SparkScan (lazy: nothing runs until its tables are used).

    Raises:
        SparkInputError: when the DataFrame has no ``id`` or ``text`` column.

    Example:
        >>> frame = spark.createDataFrame([("a", text), ("b", text)], "id string, text string")
        >>> scan_dataframe(frame).pairs.select("relation").first()[0]  # doctest: +SKIP
        'duplicate'
    """
    spark = articles.sparkSession
    return _scan(spark, _frame_records(articles, name, 0), config or Config())


def scan_paths(spark: SparkSession, inputs: Sequence[str], config: Config | None = None, *,
               strict: bool = False, max_record_bytes: int = MAX_RECORD_BYTES) -> SparkScan:
    """Scan files on Spark: ``.jsonl``/``.jsonl.gz`` (split by lines), ``.parquet``
    files or directories, and whatever else ``dedupe.read`` reads (directories of text
    files, CSV: one task per input).

    Args:
        spark: the session (its master decides where the scan runs).
        inputs: paths every executor can read, in the order to scan them.
        config: settings; ``Config()`` by default.
        strict: raise on the first skipped record (in input order), once the inputs
            are read and before anything is scanned.
        max_record_bytes: an article file, JSON Lines line or CSV row longer than this
            is skipped, as ``dedupe.read`` skips it.

    Returns:
        A SparkScan (lazy but for a few counts).

    Raises:
        InputError: with ``strict``, naming the first record skipped.

    Example:
        >>> found = scan_paths(spark, ["feed.jsonl"])  # doctest: +SKIP
        >>> found.pairs.write.parquet("out/pairs.parquet")  # doctest: +SKIP
    """
    records = _input_records(spark, inputs, max_record_bytes)
    return _scan(spark, records, config or Config(), strict)


def _fit_partitions(spark: SparkSession) -> None:
    """In local mode, as many shuffle partitions as twice the cores, unless set: Spark's
    default of 200 makes each DataFrame shuffle (connected components) 200 tasks, and
    every RDD joined with their result as many, on a machine of a few cores."""
    context = spark.sparkContext
    if (context.master or "").startswith("local") and not context.getConf().contains(
            "spark.sql.shuffle.partitions"):
        spark.conf.set("spark.sql.shuffle.partitions", str(2 * context.defaultParallelism))


def _scan(spark: SparkSession, records: RDD[Record], config: Config,
          strict: bool = False) -> SparkScan:
    _fit_partitions(spark)
    return _scan_corpus(spark, _corpus(records, strict), config)


def _scan_corpus(spark: SparkSession, corpus: _Corpus, config: Config) -> SparkScan:
    keep = StorageLevel.MEMORY_AND_DISK
    # Every RDD keyed by document is partitioned alike (hashed into the default number
    # of partitions, as joins partition): joining two of them shuffles neither, and a
    # pair join (``_pair_join``) shuffles the pairs only, not the documents' data.
    articles = corpus.articles.partitionBy(spark.sparkContext.defaultParallelism)
    texts = articles.mapPartitions(partial(_analysed, config),
                                   preservesPartitioning=True).persist(keep)
    docs = texts.mapValues(lambda _: None)
    remap = _heading_remap(spark, texts, config)
    lines = _lines(texts, remap).persist(keep)

    # Round 1: families on the full text decide which lines are templates.
    full_sets = texts.mapValues(lambda t: t.full)
    candidates = _union(_lsh_pairs(full_sets, config, config.lsh_bands),
                        _posting_pairs(full_sets, config)).distinct().persist(keep)
    full = _pair_join(candidates.map(lambda p: (p, None)), full_sets).mapPartitions(_measured)
    family = _loose_families(spark, docs, full.persist(keep), config)
    masked = _template_keys(lines, family, config).persist(keep)
    masked_count = masked.count()

    # Round 2, and a second pass when fewer lines turn out to be templates. Copies (the
    # same text) are compared whatever is template (``relations.copies``).
    copies = texts.filter(lambda dt: dt[1].doc.words > 0).map(
        lambda dt: (text_key_of(dt[1].doc.hashes), dt[0])).groupByKey().flatMap(
        lambda kv: _pattern(kv[1]))
    compared = _compare(spark, texts, lines, masked, _union(candidates, copies), None, config)
    final_family = compared.family_with_reuse(spark, docs).persist(keep)
    rechecked = _template_keys(lines, final_family, config).intersection(masked).persist(keep)
    if rechecked.count() < masked_count:
        unmasked = masked.subtract(rechecked).map(lambda k: (k, None))
        changed = lines.join(unmasked).map(lambda kv: (kv[1][0].d, None)).distinct()
        touched = _union(compared.compared.map(lambda p: (p[0], p)).join(changed).values().keys(),
                         compared.compared.map(lambda p: (p[1], p)).join(changed).values().keys())
        kept = _union(compared.content.keys(), touched).distinct()
        masked = rechecked
        compared = _compare(spark, texts, lines, masked, kept, final_family, config)
        final_family = compared.family_with_reuse(spark, docs).persist(keep)

    # What is listed: template lines and headings, stock phrases, pairs.
    line_items = _described_lines(lines, masked, final_family, texts).persist(keep)
    stock_items = _stock_items(spark, texts, compared, config)
    headings = _heading_pairs(line_items)
    useful = compared.content.leftOuterJoin(compared.evidence).filter(
        lambda kv: kv[1][0][4] is not None or kv[1][1] is not None).mapValues(
        lambda v: (*v[0], v[1]))
    work = useful.fullOuterJoin(headings)
    per_doc = texts.join(compared.sides).mapValues(lambda ts: (ts[0].article, ts[0].doc,
                                                               ts[1].content))
    pairs = _pair_join(work, per_doc).mapPartitions(partial(_assembled, config))
    links = pairs.filter(lambda pij: pij[0].strength >= config.link_min_strength).persist(keep)

    line_list = _sort_by_key(line_items.map(lambda item: (item[0], item[1]))).map(
        lambda kv: kv[1]).zipWithIndex().map(lambda bk: (bk[1], bk[0])).persist(keep)
    first_stock = line_list.count()
    stock_list = spark.sparkContext.parallelize(
        [(first_stock + k, b) for k, b in enumerate(stock_items)], 1)
    # (the tables are written, then collected for the reports: computed once)
    boilerplate = line_list.union(stock_list).persist(keep)
    documents = _documents(lines, masked, texts, compared, config).persist(keep)
    clusters = _clusters(spark, texts, links, config).persist(keep)
    return SparkScan(spark, config, corpus.size, documents, corpus.order,
                     links.map(lambda pij: pij[0]),
                     boilerplate, clusters, corpus.skipped, corpus.warnings)


def _documents(lines: RDD[tuple[int, _Line]], masked: RDD[int], texts: RDD[tuple[int, _Text]],
               last: _Pass, config: Config
               ) -> RDD[tuple[int, tuple[Article, int, int, Any, Any, Any]]]:
    """Per document: words, words in template lines, and the character spans of its
    template lines, reused headings (``boilerplate.heading_keys``) and stock phrases."""
    flagged = lines.leftOuterJoin(masked.map(lambda k: (k, True))).persist(
        StorageLevel.MEMORY_AND_DISK)
    template = flagged.filter(lambda kv: kv[1][1] is True).map(
        lambda kv: (kv[1][0].d, (kv[1][0].line, kv[1][0].chars)))
    free = flagged.filter(lambda kv: kv[1][1] is None).mapValues(lambda v: v[0])
    reused = free.groupByKey().filter(
        lambda kv: len({r.d for r in kv[1]}) >= 2 and any(r.heading for r in kv[1]))
    heading = reused.flatMap(lambda kv: ((r.d, (r.line, r.chars)) for r in kv[1]))

    def spans(found: Iterable[tuple[int, tuple[int, int]]] | None) -> tuple[tuple[int, int], ...]:
        return tuple(chars for _, chars in sorted(found or ()))

    def row(item: tuple[int, Any]) -> tuple[int, tuple[Article, int, int, Any, Any, Any]]:
        d, (((t, side), template_found), heading_found) = item
        usable_stock = side.usable & side.in_stock
        stock = stock_spans([t.article.text], [t.doc], usable_stock, np.array([0, t.shingles.size]),
                            config.shingle_size)[0]
        return d, (t.article, t.doc.words, int(np.count_nonzero(side.mask)),
                   spans(template_found), spans(heading_found), stock)

    return texts.join(last.sides).leftOuterJoin(template.groupByKey()).leftOuterJoin(
        heading.groupByKey()).map(row)


def _clusters(spark: SparkSession, texts: RDD[tuple[int, _Text]],
              links: RDD[tuple[Pair, int, int]], config: Config) -> RDD[Cluster]:
    """``cluster.cluster``: components of the links, each clustered on an executor
    (``component_groups``), origins chosen with the corpus-wide source record."""
    labels = connected_components(spark, links.map(lambda pij: (pij[1], pij[2])))
    # Members without their text (clustering reads ids, dates and sources).
    members = texts.mapValues(lambda t: replace(t.article, text="")).join(labels).map(
        lambda kv: (kv[1][1], (kv[0], kv[1][0])))
    inner = links.map(lambda pij: (pij[1], pij[0])).join(labels).map(
        lambda kv: (kv[1][1], kv[1][0]))

    def grouped(item: tuple[int, tuple[Iterable[Any], Iterable[Pair]]]) -> list[Any]:
        found, between = item[1]
        ordered = [a for _, a in sorted(found, key=lambda da: da[0])]
        return component_groups(ordered, sorted(between, key=lambda p: (p.a, p.b)), config)

    groups = members.cogroup(inner).flatMap(grouped).persist(StorageLevel.MEMORY_AND_DISK)

    def votes(group: tuple[list[Article], list[Pair]]) -> Iterator[tuple[str, tuple[int, int]]]:
        vote = source_vote(group[0])
        if vote is not None:
            sources, winner = vote
            yield from ((s, (1, 0)) for s in sources)
            if winner:
                yield winner, (0, 1)

    counted = groups.flatMap(votes).reduceByKey(lambda a, b: (a[0] + b[0], a[1] + b[1]))
    tally = counted.collectAsMap()  # one entry per source
    record = record_from({s: c[0] for s, c in tally.items()},
                         {s: c[1] for s, c in tally.items() if c[1]})
    items: RDD[Unnumbered] = groups.map(lambda g: origin_of(g[0], g[1], config, record))
    ordered = _sort_by(items, cluster_order)
    return ordered.zipWithIndex().map(lambda ik: numbered(ik[1] + 1, ik[0]))


def local_input_bytes(paths: Iterable[str]) -> int:
    """The bytes of the local files among ``paths`` (directories walked; URIs such as
    ``s3a://`` and missing paths count 0): how ``session`` sizes local mode."""
    total = 0
    for path in paths:
        if _is_uri(path):
            continue
        if os.path.isfile(path):
            total += os.path.getsize(path)
        for root, _, files in os.walk(path):
            for name in files:
                with contextlib.suppress(OSError):
                    total += os.path.getsize(os.path.join(root, name))
    return total


def _local_memory() -> str:
    """Half of this machine's memory (at least 1 GB) for the JVM of local mode."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):  # no sysconf (Windows)
        return "1g"
    return f"{max(1024, total // 2 // 2**20)}m"


def local_settings(master: str | None, partitions: int | None, input_bytes: int,
                   environ: Mapping[str, str], cores: int) -> dict[str, str]:
    """The Spark settings ``session`` gives: in local mode (asked for, or pyspark's
    default when not started by spark-submit, which sets the gateway port) as many
    partitions as cores, or one per ``LOCAL_BYTES_PER_PARTITION`` of ``input_bytes``
    when that is more (a stage of a small local scan is small, and each task costs a
    round trip to a Python worker), and half the machine's memory for the JVM unless
    ``PYSPARK_SUBMIT_ARGS`` has ``--driver-memory`` or ``SPARK_DRIVER_MEMORY`` is set;
    ``partitions`` when given, in any mode.

    Example:
        >>> local_settings("local[3]", None, 100 << 20, {}, cores=2)["spark.default.parallelism"]
        '4'
    """
    settings: dict[str, str] = {}
    local = master.startswith("local") if master else "PYSPARK_GATEWAY_PORT" not in environ
    if partitions is None and local:
        found = re.match(r"local\[(\d+)", master or "")
        partitions = max(int(found.group(1)) if found else cores,
                         -(-input_bytes // LOCAL_BYTES_PER_PARTITION))
    if partitions:
        settings["spark.sql.shuffle.partitions"] = str(partitions)
        settings["spark.default.parallelism"] = str(partitions)
    if local and not ("--driver-memory" in environ.get("PYSPARK_SUBMIT_ARGS", "")
                      or "SPARK_DRIVER_MEMORY" in environ):
        settings["spark.driver.memory"] = _local_memory()
    return settings


def session(master: str | None = None, *, partitions: int | None = None,
            progress: bool = False, input_bytes: int = 0) -> SparkSession:
    """A Spark session for dedupe: ``master`` (e.g. ``local[*]``, ``spark://host:7077``;
    by default whatever ``spark-submit`` or ``spark-defaults.conf`` says, else
    ``local[*]``), with ``partitions`` shuffle partitions when given, and Spark's
    console progress bar (on stderr) when ``progress`` (for a terminal only: it
    redraws one line).

    Local mode gets its partitions and memory from ``local_settings``.

    Example:
        >>> spark = session("local[2]", partitions=4)  # doctest: +SKIP
    """
    builder = SparkSession.builder.appName("dedupe")
    if master:
        builder = builder.master(master)
    for key, value in local_settings(master, partitions, input_bytes, os.environ,
                                     os.cpu_count() or 1).items():
        builder = builder.config(key, value)
    builder = builder.config("spark.ui.showConsoleProgress", "true" if progress else "false")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


__all__ = ["SparkFailure", "SparkInputError", "SparkScan", "connected_components",
           "failure_line", "local_input_bytes", "local_settings", "scan_dataframe",
           "scan_paths", "session"]
