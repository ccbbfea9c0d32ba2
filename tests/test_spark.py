"""The Spark engine (dedupe.spark) finds what the local engine finds.

One local Spark session (the ``spark`` fixture) serves every test; each scan runs a few
hundred small Spark jobs, so the corpora are small but made to reach every stage: site
templates, stock phrases, fuzzily equal headings, wire families, a trimmed copy, an
embedded passage, a second template pass, and a group of 51 copies (more than
``lsh.FULL_GROUP`` members in one LSH bucket and one posting list: the star-and-chain
pattern, whose tie-breaks depend on document order).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import SEEDS, as_articles
from planted import load_sample, make_planted_corpus
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components as scipy_components

import dedupe
from dedupe import Article, Config, ScanResult, read_inputs, scan
from dedupe.cli import cli
from dedupe.lsh import FULL_GROUP

COLUMNS = "id string, text string, date string, source string, url string, title string"

# pyspark reads each job's results from a loopback socket that it leaves to the garbage
# collector (its file is closed, the socket is not): a ResourceWarning per collect().
pytestmark = pytest.mark.filterwarnings(
    r"ignore:unclosed <socket\.socket .*raddr=\('127\.0\.0\.1':ResourceWarning")


def mixed_corpus() -> list[Article]:
    """Two planted corpora (their stories overlap: families across them), the seeds,
    40 plain Reuters stories, 50 copies of one seed article, and three sites' stories
    between a shared header and footer with three copies of a page that is nothing
    else (all template: linked by their same text alone)."""
    articles: list[Article] = []
    for seed in (0, 1):
        articles += [Article(f"p{seed}-{a.id}", a.text, a.date, a.source, title=a.title)
                     for a in as_articles(make_planted_corpus(seed))]
    seeds = list(read_inputs([SEEDS]).articles)
    articles += [Article(a.id, a.text, a.date, a.source, a.url, a.title) for a in seeds]
    articles += [Article(f"r-{k}", story.text, source="reuters.example")
                 for k, story in enumerate(load_sample()[:40])]
    copied = seeds[0]
    articles += [Article(f"copy-{k:02d}", copied.text, f"2024-01-{1 + k % 28:02d}",
                         f"site{k % 7}.example") for k in range(50)]
    header = "Home | World | Business | Sport | Culture | Opinion | Video"
    footer = "Subscribe to our newsletter and follow us for the latest stories every day"
    articles += [Article(f"site-{k}", f"{header}\n{story.text}\n{footer}", source=f"s{k % 3}")
                 for k, story in enumerate(load_sample()[40:46])]
    articles += [Article(f"page-{k}", f"{header}\n{footer}\n", source=f"s{k}") for k in range(3)]
    return articles


def frame_of(spark: Any, articles: list[Article]) -> Any:
    rows = [(a.id, a.text, a.date, a.source, a.url, a.title) for a in articles]
    return spark.createDataFrame(rows, COLUMNS)


def same_findings(got: ScanResult, want: ScanResult) -> None:
    """Every finding equal, field by field (so that a failure names the field)."""
    assert [a.id for a in got.articles] == [a.id for a in want.articles]
    for name in ("pairs", "boilerplate", "clusters", "words", "template_words",
                 "template_lines", "heading_lines", "stock_spans", "skipped", "warnings"):
        assert getattr(got, name) == getattr(want, name), name


@pytest.fixture(scope="module")
def mixed(spark: Any) -> tuple[ScanResult, ScanResult, Any]:
    from dedupe.spark import scan_dataframe

    articles = mixed_corpus()
    found = scan_dataframe(frame_of(spark, articles))
    return found.result(), scan(articles), found


def test_spark_engine_finds_what_the_local_engine_finds(
        mixed: tuple[ScanResult, ScanResult, Any]) -> None:
    got, want, _ = mixed
    same_findings(got, want)
    # The corpus reaches the stages that matter (else equality would prove little).
    kinds = {b.kind for b in want.boilerplate}
    assert {"template", "heading", "stock-phrase"} <= kinds
    relations = {p.relation for p in want.pairs}
    assert {"duplicate", "contains", "reuse"} <= relations
    # The 51 copies share one LSH bucket: more than FULL_GROUP members, so they are paired
    # as stars and a chain, not all with all.
    copies = [p for p in want.pairs if p.a.startswith("copy-") and p.b.startswith("copy-")]
    assert FULL_GROUP < len(copies) < 50 * 49 // 2
    pages = [p for p in want.pairs
             if p.evidence.endswith("nothing outside template lines to weigh")]
    assert [(p.a, p.b) for p in pages] == [("page-0", "page-1"), ("page-0", "page-2"),
                                           ("page-1", "page-2")]
    assert any(p.passages for p in want.pairs)


def test_dataframes_hold_the_findings(mixed: tuple[ScanResult, ScanResult, Any]) -> None:
    got, _, found = mixed
    pairs = sorted((r.a, r.b, r.relation, r.strength, r.evidence) for r in found.pairs.collect())
    assert pairs == [(p.a, p.b, p.relation, p.strength, p.evidence) for p in got.pairs]
    passages = found.passages.orderBy("a", "b", "passage").collect()
    assert [(r.a, r.b, (r.a_start, r.a_end), r.text) for r in passages] == [
        (p.a, p.b, x.a, x.text) for p in got.pairs for x in p.passages]
    listed = [(r.text, r.kind, tuple(r.docs)) for r in found.boilerplate.orderBy("rank").collect()]
    assert listed == [(b.text, b.kind, b.docs) for b in got.boilerplate]
    clusters = found.clusters.orderBy("id").collect()
    assert [(r.id, tuple(r.members), r.origin) for r in clusters] == [
        (c.id, c.members, c.origin) for c in got.clusters]
    documents = found.documents.orderBy("doc").collect()  # (numbered in id order)
    assert [(r.id, r.words, r.template_words) for r in documents] == sorted(
        (a.id, w, t) for a, w, t in zip(got.articles, got.words, got.template_words,
                                        strict=True))


def test_seeds_read_on_an_executor_give_the_same_report(spark: Any, tmp_path: Path) -> None:
    """A directory of text files is read by dedupe.read on an executor: the report is
    the local engine's, byte for byte."""
    local, remote = tmp_path / "local", tmp_path / "spark"
    runner = CliRunner()
    done = runner.invoke(cli, ["scan", str(SEEDS), "-o", str(local), "-f", "json", "-q"])
    assert done.exit_code == 0, done.output
    done = runner.invoke(cli, ["scan", str(SEEDS), "-o", str(remote), "-f", "json", "-q",
                               "--engine", "spark"])
    assert done.exit_code == 0, done.output
    assert (remote / "report.json").read_bytes() == (local / "report.json").read_bytes()


def test_parquet_input_gives_the_local_findings(spark: Any, tmp_path: Path) -> None:
    """A Parquet file of articles (columns id, text, date, source, url, title), read by
    its partitions: the findings of the local engine on the same articles."""
    from dedupe.spark import scan_paths

    articles = mixed_corpus()[:120]
    path = tmp_path / "articles.parquet"
    frame_of(spark, articles).repartition(3).write.parquet(str(path))
    got = scan_paths(spark, [str(path)]).result()
    by_id = {a.id: a for a in articles}
    # (the Parquet parts come back in some order: scan the local engine in that order)
    same_findings(got, scan([by_id[a.id] for a in got.articles]))
    assert sorted(a.id for a in got.articles) == sorted(by_id)
    assert any(p.relation == "duplicate" for p in got.pairs)


def test_jsonl_with_bad_lines_gives_the_local_report_and_parquet(
        spark: Any, tmp_path: Path) -> None:
    """Malformed lines, a duplicate id and an invalid date are skipped or repaired as the
    local reader does (same messages, same order); the tables are written as Parquet."""
    articles = as_articles(make_planted_corpus(2))
    lines = [json.dumps({"id": a.id, "text": a.text, "date": a.date, "source": a.source,
                         "title": a.title}) for a in articles]
    lines.insert(3, "{not json")
    lines.insert(7, json.dumps({"id": articles[0].id, "text": "a later record, same id"}))
    lines.insert(9, json.dumps({"id": "bad-date", "text": articles[5].text, "date": "soon"}))
    lines.insert(11, "")
    lines.insert(12, json.dumps({"id": "no-text"}))
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    local, remote = tmp_path / "local", tmp_path / "spark"
    runner = CliRunner()
    done = runner.invoke(cli, ["scan", str(feed), "-o", str(local), "-f", "json"])
    assert done.exit_code == 0, done.output
    done = runner.invoke(cli, ["scan", str(feed), "-o", str(remote), "-f", "json",
                               "--engine", "spark", "--master", "local[2]"])
    assert done.exit_code == 0, done.output
    report = json.loads((local / "report.json").read_text(encoding="utf-8"))
    assert len(report["skipped"]) == 3 and len(report["warnings"]) == 1
    assert f"skipped {feed}:4: malformed JSON" in done.output
    assert (remote / "report.json").read_bytes() == (local / "report.json").read_bytes()
    written = spark.read.parquet(str(remote / "pairs.parquet")).collect()
    assert sorted((r.a, r.b, r.relation) for r in written) == [
        (p["a"], p["b"], p["relation"]) for p in report["pairs"]]
    skipped = spark.read.parquet(str(remote / "skipped.parquet")).collect()
    assert sorted((r.where, r.reason) for r in skipped) == sorted(
        (s["where"], s["reason"]) for s in report["skipped"])


def test_max_record_size_skips_what_the_local_engine_skips(spark: Any, tmp_path: Path) -> None:
    """--max-record-size reaches the Spark readers: files of a directory and JSON Lines
    lines over it are skipped with the local engine's messages, and the rest scanned."""
    seeds = sorted(read_inputs([SEEDS]).articles, key=lambda a: a.id)
    feed = tmp_path / "feed.jsonl"
    part = seeds[0].text[:1500]
    records = [{"id": "j1", "text": part}, {"id": "j2", "text": part},
               {"id": "j3", "text": seeds[4].text}]
    feed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    limit = ["--max-record-size", "3100"]  # (seed files are 2,869 to 3,589 bytes)
    local, remote = tmp_path / "local", tmp_path / "spark"
    runner = CliRunner()
    done = runner.invoke(cli, ["scan", str(SEEDS), str(feed), "-o", str(local), "-f", "json",
                               "-q", *limit])
    assert done.exit_code == 0, done.output
    done = runner.invoke(cli, ["scan", str(SEEDS), str(feed), "-o", str(remote), "-f", "json",
                               "-q", "--engine", "spark", *limit])
    assert done.exit_code == 0, done.output
    report = json.loads((local / "report.json").read_text(encoding="utf-8"))
    over = [s["where"] for s in report["skipped"] if "over the 3.1 kB limit" in s["reason"]]
    assert over == [str(SEEDS / name) for name in ("002_b8b2f3d8c3b04cd3.txt",
                                                   "004_6ce2e043c53978d1.txt")] + [f"{feed}:3"]
    assert any(p["a"] == "j1" and p["b"] == "j2" for p in report["pairs"])
    assert (remote / "report.json").read_bytes() == (local / "report.json").read_bytes()


def test_strict_stops_at_the_first_skip_before_scanning(
        spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--strict fails with the local engine's message once the inputs are read, before
    the scan starts (here a scan would fail otherwise)."""
    from dedupe import spark as engine

    def no_scan(*args: Any) -> None:
        raise AssertionError("the scan started")

    monkeypatch.setattr(engine, "_scan_corpus", no_scan)
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"id": "a", "text": "one two three"}\n{not json\n{"id": "c"}\n',
                    encoding="utf-8")
    runner = CliRunner()
    local = runner.invoke(cli, ["scan", str(feed), "-o", str(tmp_path / "l"), "--strict"])
    remote = runner.invoke(cli, ["scan", str(feed), "-o", str(tmp_path / "s"), "--strict",
                                 "--engine", "spark"])
    assert local.exit_code == remote.exit_code == 1
    assert remote.output == local.output
    assert remote.output.strip().splitlines() == [
        f"Error: {feed}:2: malformed JSON (Expecting property name enclosed in double quotes "
        "at column 2); write one JSON object per line, like {\"id\": \"a1\", "
        "\"text\": \"...\"} (remove --strict to skip it and go on)"]


def test_large_corpus_writes_tables_but_no_report(
        mixed: tuple[ScanResult, ScanResult, Any], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    """Past --report-max only the Parquet tables are written (the scan is the mixed
    corpus's, already made: a scan of its own would cost minutes of small jobs)."""
    from dedupe import spark as engine

    got, _, found = mixed
    monkeypatch.setattr(engine, "scan_paths", lambda *args, **kwargs: found)
    asked: list[dict[str, Any]] = []
    started = engine.session
    monkeypatch.setattr(engine, "session", lambda master=None, **kwargs: (
        asked.append(kwargs), started(master, **kwargs))[1])
    out = tmp_path / "out"
    done = CliRunner().invoke(cli, ["scan", str(SEEDS), "-o", str(out), "--engine", "spark",
                                    "--report-max", "4"])
    assert done.exit_code == 0, done.output
    # stderr is no terminal: no progress bar; local mode is sized by the inputs' bytes
    seeds_bytes = sum(p.stat().st_size for p in Path(SEEDS).rglob("*") if p.is_file())
    assert asked == [{"progress": False, "input_bytes": seeds_bytes}]
    assert (f"no report.json/html/md: {len(got.articles)} articles is more than "
            "--report-max 4") in done.output
    assert not (out / "report.json").exists()
    documents = engine.session().read.parquet(str(out / "documents.parquet"))
    assert sorted(r.id for r in documents.collect()) == sorted(a.id for a in got.articles)
    clusters = engine.session().read.parquet(str(out / "clusters.parquet"))
    assert clusters.count() == len(got.clusters)


def test_parquet_without_text_is_a_one_line_error(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "articles.parquet"
    spark.createDataFrame([("a1", "x")], "id string, body string").write.parquet(str(path))
    done = CliRunner().invoke(cli, ["scan", str(path), "-o", str(tmp_path / "out"),
                                    "--engine", "spark"])
    assert done.exit_code == 1
    assert done.output.strip().splitlines() == [
        f"Error: {path}: no 'text' column; articles need 'id' and 'text' columns (and may "
        "have date, source, url, title)"]


def test_without_pyspark_the_cli_says_what_to_install(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    # As if pyspark were missing: importing dedupe.spark fails.
    monkeypatch.setitem(sys.modules, "dedupe.spark", None)
    monkeypatch.delattr(dedupe, "spark", raising=False)
    done = CliRunner().invoke(cli, ["scan", str(SEEDS), "-o", str(tmp_path), "--engine", "spark"])
    assert done.exit_code == 1
    assert done.output.strip().splitlines() == [
        "Error: --engine spark needs pyspark, which is not installed; install it with "
        "pip install 'dedupe[spark]' (and Java 17)"]


@pytest.mark.parametrize(("seed", "local_max"), [(3, 0), (4, 0), (3, None), (5, 259)])
def test_connected_components_label_by_smallest_node(spark: Any, seed: int,
                                                     local_max: int | None) -> None:
    """Large-star/small-star on the cluster (``local_max`` 0, or fewer than the 260
    edges) and scipy on the driver (small graphs) give scipy's components, each named
    by its smallest node; nodes may be any 64-bit signed ints."""
    from dedupe.spark import connected_components

    rng = np.random.default_rng(seed)
    nodes = rng.choice(np.arange(-(2**62), 2**62, 2**50), size=300, replace=False)
    picks = rng.integers(0, nodes.size, size=(260, 2))
    edges = [(int(nodes[a]), int(nodes[b])) for a, b in picks.tolist()]
    found = dict(connected_components(spark, spark.sparkContext.parallelize(edges),
                                      local_max).collect())
    graph = coo_matrix((np.ones(len(picks)), (picks[:, 0], picks[:, 1])),
                       shape=(nodes.size, nodes.size))
    _, labels = scipy_components(graph, directed=False)
    used = np.unique(picks)
    smallest = {label: int(nodes[used][labels[used] == label].min())
                for label in np.unique(labels[used]).tolist()}
    assert found == {int(nodes[k]): smallest[int(labels[k])] for k in used.tolist()}


@pytest.mark.parametrize("stock_max", [None, 0])
def test_quoted_stock_phrases_as_the_local_engine(
        spark: Any, monkeypatch: pytest.MonkeyPatch, stock_max: int | None) -> None:
    """With 2 words per family, most stock candidates of the mixed corpus sit in runs
    too long for their families (quoted, so not stock: 50 of 51 in round 2's first
    pass): the same findings whether the candidates are sent to every executor or,
    past ``LOCAL_STOCK_MAX`` (0 here), joined to the documents' shingles."""
    from dedupe import spark as engine

    if stock_max is not None:
        monkeypatch.setattr(engine, "LOCAL_STOCK_MAX", stock_max)
    config = Config(boilerplate_words_per_family=2)
    articles = mixed_corpus()
    want = scan(articles, config)
    same_findings(engine.scan_dataframe(frame_of(spark, articles), config).result(), want)
    assert [b.kind for b in want.boilerplate].count("stock-phrase") == 1


@pytest.mark.parametrize(("seed", "parts"), [(0, 1), (1, 3), (2, 7)])
def test_families_per_shingle_are_counted_on_arrays(seed: int, parts: int) -> None:
    """``_family_counts`` per partition, then ``_frequent`` per bucket: each shingle's
    number of distinct families, kept at the bar, as a count of (shingle, family) pairs
    says."""
    from dedupe.spark import _family_counts, _frequent

    rng = np.random.default_rng(seed)
    partitions: list[list[tuple[int, list[np.ndarray]]]] = [[] for _ in range(3)]
    carried: dict[int, set[int]] = {}
    for f in range(40):  # families spread over partitions, each with 1-3 documents
        sets = [np.unique(rng.integers(0, 60, size=rng.integers(0, 20)).astype(np.uint64))
                for _ in range(rng.integers(1, 4))]
        partitions[f % 3].append((f, sets))
        for values in sets:
            for v in values.tolist():
                carried.setdefault(v, set()).add(f)
    buckets: dict[int, list[Any]] = {}
    for rows in partitions:
        for b, vc in _family_counts(parts, rows):
            assert np.all(vc[0] % np.uint64(parts) == b)
            buckets.setdefault(b, []).append((b, vc))
    bar = int(np.median([len(fs) for fs in carried.values()])) + 1  # keeps some, not all
    found = {v: c for rows in buckets.values() for values, counts in _frequent(bar, rows)
             for v, c in zip(values.tolist(), counts.tolist(), strict=True)}
    assert found == {v: len(fs) for v, fs in carried.items() if len(fs) >= bar}
    assert found and len(found) < len(carried)


MB = 1 << 20


@pytest.mark.parametrize(("master", "partitions", "input_bytes", "environ", "want"), [
    # local mode: a partition per core, more for large inputs (32 MB each), JVM memory
    ("local[*]", None, 0, {}, {"parallelism": "2", "memory": True}),
    ("local[*]", None, 200 * MB, {}, {"parallelism": "7", "memory": True}),
    ("local[4]", None, 64 * MB, {}, {"parallelism": "4", "memory": True}),
    (None, None, 0, {}, {"parallelism": "2", "memory": True}),  # pyspark's default: local
    ("local[*]", 9, 200 * MB, {}, {"parallelism": "9", "memory": True}),  # given: kept
    # memory the user set is theirs
    ("local[*]", None, 0, {"PYSPARK_SUBMIT_ARGS": "--driver-memory 3g pyspark-shell"},
     {"parallelism": "2", "memory": False}),
    ("local[*]", None, 0, {"SPARK_DRIVER_MEMORY": "3g"}, {"parallelism": "2", "memory": False}),
    # a cluster's master, or spark-submit's: its own settings
    ("spark://host:7077", None, 200 * MB, {}, {"parallelism": None, "memory": False}),
    (None, None, 0, {"PYSPARK_GATEWAY_PORT": "4040"}, {"parallelism": None, "memory": False}),
])
def test_local_mode_is_sized_to_the_input_and_the_machine(
        master: str | None, partitions: int | None, input_bytes: int, environ: dict[str, str],
        want: dict[str, Any]) -> None:
    from dedupe.spark import local_settings

    got = local_settings(master, partitions, input_bytes, environ, cores=2)
    assert got.get("spark.default.parallelism") == want["parallelism"]
    assert got.get("spark.sql.shuffle.partitions") == want["parallelism"]
    assert ("spark.driver.memory" in got) == want["memory"]
    if want["memory"]:
        assert re.fullmatch(r"\d+m|1g", got["spark.driver.memory"])


def test_local_input_bytes_counts_local_files_only(tmp_path: Path) -> None:
    from dedupe.spark import local_input_bytes

    (tmp_path / "d" / "e").mkdir(parents=True)
    (tmp_path / "a.jsonl").write_bytes(b"x" * 10)
    (tmp_path / "d" / "b.txt").write_bytes(b"x" * 20)
    (tmp_path / "d" / "e" / "c.txt").write_bytes(b"x" * 30)
    inputs = [str(tmp_path / "a.jsonl"), str(tmp_path / "d"), "s3a://bucket/x.parquet",
              str(tmp_path / "missing")]
    assert local_input_bytes(inputs) == 60
