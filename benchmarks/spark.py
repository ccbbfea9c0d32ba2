"""Spark engine benchmark: the local engine and Spark in local mode on the same corpus.

    python -m benchmarks.spark --size 100000                     # local[*], 100,000 articles
    python -m benchmarks.spark --size 10000 --write docs/benchmarks-spark.md

The corpus is the whole-scan corpus of ``benchmarks.speed`` (``report_scale.Corpora``:
about 1.8 KB articles from Reuters stories with news-site templates, stock phrases and
planted families), written once to a JSON Lines file. Each engine scans it in a
process of its own, timed from start to exit with ``speed.timed_process``:

* local: ``python -m dedupe scan FILE --format json -q --jobs J``;
* spark: ``python -m dedupe scan FILE --engine spark --master M --format json -q``,
  which also writes the Parquet tables (the report too, up to ``--report-max``).

Both report.json files are compared byte for byte when both are written (they must be
equal: the engines find the same). The Spark process's peak RSS is its Python driver's
and the JVM's it waits for; Python workers started by the JVM are not counted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.ingest import dedupe_code, write_jsonl
from benchmarks.speed import machine, timed_process


def run_engine(engine: str, path: Path, out: Path, jobs: int, master: str,
               report_max: int) -> tuple[float, int]:
    """One scan of ``path`` by ``engine`` in a process of its own: seconds and peak RSS."""
    command = [sys.executable, "-m", "dedupe", "scan", str(path), "--format", "json",
               "-o", str(out), "-q"]
    if engine == "spark":
        command += ["--engine", "spark", "--master", master, "--report-max", str(report_max)]
    else:
        command += ["--jobs", str(jobs)]
    return timed_process(command)


def main(argv: Sequence[str] | None = None) -> int:
    """Generate the corpus, scan it with both engines, print (and write) the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.spark",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="articles (about)")
    parser.add_argument("--jobs", type=int, default=2, help="threads of the local engine")
    parser.add_argument("--master", default="local[*]", help="Spark master")
    parser.add_argument("--report-max", type=int, default=200_000,
                        help="the Spark scan writes report.json up to this many articles")
    parser.add_argument("--write", type=Path, help="write the results to this Markdown file")
    args = parser.parse_args(argv)

    from benchmarks.generate import DEFAULT_POOL, load_pool
    from benchmarks.report_scale import Corpora

    started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    articles = Corpora(load_pool(DEFAULT_POOL)).articles(args.size)
    work = Path(tempfile.mkdtemp(prefix="dedupe-spark-bench-"))
    try:
        path = work / "corpus.jsonl"
        write_jsonl(path, articles)
        results = {}
        for engine in ("local", "spark"):
            began = time.perf_counter()
            seconds, rss = run_engine(engine, path, work / engine, args.jobs, args.master,
                                      args.report_max)
            results[engine] = (seconds, rss)
            print(f"{engine}: {seconds:,.1f} s ({time.perf_counter() - began:,.1f} s with "
                  f"the launcher), peak RSS {rss / 1e6:,.0f} MB", file=sys.stderr)
        reports = [work / engine / "report.json" for engine in ("local", "spark")]
        same = None
        if all(r.exists() for r in reports):
            same = reports[0].read_bytes() == reports[1].read_bytes()
        counts = json.loads(reports[0].read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = page(args, len(articles), results, same, counts, started)
    print("\n".join(lines))
    if args.write:
        args.write.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0 if same is not False else 1


def page(args: argparse.Namespace, size: int, results: dict[str, tuple[float, int]],
         same: bool | None, report: dict[str, object], started: str) -> list[str]:
    """The Markdown table of one run."""
    local, spark = results["local"], results["spark"]
    verdict = {True: "identical", False: "DIFFERENT", None: "not compared (no Spark report)"}
    return [
        f"Run {started}: `python -m benchmarks.spark --size {args.size} --jobs {args.jobs} "
        f"--master '{args.master}'`.",
        "",
        f"Machine: {machine(dedupe_code())}.",
        "",
        "| engine | articles | wall seconds | articles/s | peak RSS (MB) |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| local (`--jobs {args.jobs}`) | {size:,} | {local[0]:,.1f} | "
        f"{size / local[0]:,.0f} | {local[1] / 1e6:,.0f} |",
        f"| spark (`--master {args.master}`) | {size:,} | {spark[0]:,.1f} | "
        f"{size / spark[0]:,.0f} | {spark[1] / 1e6:,.0f} |",
        "",
        f"Spark / local: x{spark[0] / local[0]:.1f} the time. report.json of the two "
        f"engines: {verdict[same]} ({len(report['pairs']):,} pairs, "  # type: ignore[arg-type]
        f"{len(report['clusters']):,} clusters).",  # type: ignore[arg-type]
    ]


if __name__ == "__main__":
    sys.exit(main())
