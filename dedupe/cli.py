"""Command line: ``dedupe scan``, ``dedupe report``, ``dedupe eval``, ``dedupe index``,
``dedupe check``.

Each command is its docstring and a few calls into the library. Library errors
become one ``Error: ...`` line and exit 1; usage mistakes exit 2; no traceback.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import click
from tabulate import tabulate
from tqdm import tqdm

from dedupe import __version__
from dedupe.config import Config
from dedupe.evaluate import METRICS, counts_table, evaluate, read_truth, table
from dedupe.index import DECISIONS, HOLD, AlreadyIndexed, Index, IndexMismatch
from dedupe.ingest import judge
from dedupe.read import (
    MAX_RECORD_BYTES,
    Corpus,
    InputError,
    Repair,
    iter_input,
    numbered_lines,
    read_inputs,
    read_jsonl_record,
)
from dedupe.records import Article, Skip, Verdict
from dedupe.report import FORMATS, ReportError, load_report, summary, to_json, write_reports
from dedupe.scan import collection_paused
from dedupe.scan import scan as run_scan
from dedupe.store import REDIS_SCHEMES, StoreError

F = TypeVar("F", bound=Callable[..., Any])
#: Articles ``dedupe index add`` admits per transaction.
ADD_BATCH = 256


def config_options(command: F) -> F:
    """Add one ``--name`` option per Config setting, with its documented default."""
    for name, kind, default, help_text in reversed(Config.settings()):
        command = click.option(
            "--" + name.replace("_", "-"), name, type=kind, default=default,
            show_default=True, help=help_text,
        )(command)
    return command


_UNITS = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9}
# click's ParamType is generic since 8.3; click 8.2 cannot subscript it at run time.
if TYPE_CHECKING:
    _IntParam = click.ParamType[int]
else:
    _IntParam = click.ParamType


class ByteSize(_IntParam):
    """A size in bytes: ``4096``, ``500kB``, ``16MB``, ``1G`` (decimal units)."""

    name = "size"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().lower().removesuffix("b")
        number, unit = (text[:-1], text[-1]) if text and text[-1] in "kmg" else (text, "")
        try:
            size = int(float(number) * _UNITS[unit])
        except (ValueError, OverflowError):  # "lots", "nan"; "inf", "1e400"
            size = 0
        if size < 1:
            self.fail(f"{value!r} is not a size; give bytes like 16MB, 500kB or 4096", param, ctx)
        return size


_RECORD_SIZE_OPTION = click.option(
    "--max-record-size", "max_record", type=ByteSize(),
    default=f"{MAX_RECORD_BYTES // 10**6}MB", show_default=True,
    help="skip (and report) an article file, JSONL line or CSV row longer than this, "
         "without reading it whole")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dedupe")
def cli() -> None:
    """Find duplicates, syndicated copies, reused passages and template boilerplate
    in article corpora, and cluster articles by likely common origin.

    Example:

        dedupe scan seeds/
    """


def format_option(choices: tuple[str, ...]) -> Callable[[F], F]:
    """``-f/--format``, repeatable; all of ``choices`` by default."""
    return click.option(
        "-f", "--format", "formats", type=click.Choice(choices), multiple=True,
        default=choices, show_default=True,
        help="report to write; repeat for several (" + ", ".join(
            f"{c}: {FORMATS[c]}" for c in choices) + ")")


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              default=Path("reports"), show_default=True,
              help="directory for the reports")
@format_option(tuple(FORMATS))
@click.option("--strict", is_flag=True, help="stop with an error at the first skipped input")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="threads to scan with (results do not depend on it)")
@click.option("-q", "--quiet", is_flag=True, help="print nothing but errors")
@_RECORD_SIZE_OPTION
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local",
              show_default=True,
              help="where to scan: this process, or Apache Spark (needs dedupe[spark]; also "
                   "reads .parquet; writes DIR/*.parquet, and the reports up to "
                   "--report-max articles)")
@click.option("--master", metavar="URL", default="local[*]", show_default=True,
              help="with --engine spark: the Spark master, e.g. spark://host:7077 (when "
                   "not given, spark-submit's --master if there is one)")
@click.option("--report-max", type=click.IntRange(min=0), default=50_000, show_default=True,
              help="with --engine spark: write report.json/html/md only for corpora of at "
                   "most this many articles (they are made on the driver)")
@config_options
def scan(inputs: tuple[str, ...], output: Path, formats: tuple[str, ...], strict: bool,
         jobs: int, quiet: bool, max_record: int, engine: str, master: str | None,
         report_max: int, **settings: Any) -> None:
    """Scan INPUTS (directories of .txt/.md, .jsonl, .jsonl.gz, .csv, or - for
    JSONL on stdin) and write DIR/report.json, report.html and report.md.

    Example:

        dedupe scan seeds/

        dedupe scan feed.jsonl archive/ -o out/ --format html --near-duplicate 0.8

        dedupe scan feed.jsonl --engine spark --master spark://host:7077 -o out/
    """
    config = _config(settings)
    if engine == "spark":
        # Under spark-submit the master is spark-submit's, unless --master is given.
        given = click.get_current_context().get_parameter_source("master")
        chosen = master if given is not click.core.ParameterSource.DEFAULT else None
        _spark_scan(inputs, output, formats, (strict, max_record), quiet, chosen, report_max,
                    config)
        return
    show = not quiet and sys.stderr.isatty()
    # The articles and the report are millions of objects: the cycle collector is off
    # while they live, and they are gone before it is back on (its first collection
    # would walk them all: 1.2 s at 100,000 articles).
    with collection_paused():
        corpus = _read(inputs, strict, max_record)
        result = run_scan(corpus.articles, config, skipped=corpus.skipped,
                          warnings=corpus.warnings, progress=_bar if show else None,
                          jobs=jobs)
        del corpus
        # Items are made from the result as they are written, one at a time.
        report = to_json(result, lazy=True)
        del result
        paths = _write(report, output, formats)
        told = summary(report)
        skipped = len(report["skipped"])
        del report
    if not quiet:
        click.echo(_shown(told, keep="\n"))
        click.echo("")
        for path in paths:
            click.echo(f"wrote {path}")
        if skipped:
            click.echo(f"{skipped} input(s) skipped: listed above and in the report")


def _spark_scan(inputs: tuple[str, ...], output: Path, formats: tuple[str, ...],
                reading: tuple[bool, int], quiet: bool, master: str | None, report_max: int,
                config: Config) -> None:
    """``dedupe scan --engine spark``: Parquet tables, and the reports when small enough
    (``reading``: ``--strict`` and ``--max-record-size``)."""
    if "-" in inputs:
        raise click.UsageError("--engine spark reads files only, not - (stdin): save the "
                               "JSON Lines to a file every executor can read")
    try:
        from dedupe import spark as engine
    except ImportError as error:
        raise click.ClickException(
            "--engine spark needs pyspark, which is not installed; install it with "
            "pip install 'dedupe[spark]' (and Java 17)") from error
    try:
        strict, max_record = reading
        # Spark's progress bar on a terminal only (it redraws its line; not in a pipe)
        spark = engine.session(master, progress=not quiet and sys.stderr.isatty(),
                               input_bytes=engine.local_input_bytes(inputs))
        found = engine.scan_paths(spark, inputs, config, strict=strict,
                                  max_record_bytes=max_record)
        skips, skipped = found.first_skips(_SHOWN_SKIPS), found.skip_count()
        for skip in skips:
            click.echo(_shown(f"skipped {skip.where}: {skip.reason}"), err=True)
        if skipped > len(skips):
            click.echo(f"... and {skipped - len(skips)} more skipped (all in "
                       f"{output / 'skipped.parquet'})", err=True)
        paths = [Path(p) for p in found.write(output)]
        told = f"{found.articles} articles scanned on Spark; tables in {output}"
        if found.articles <= report_max:
            with collection_paused():
                report = to_json(found.result())
                paths += _write(report, output, formats)
                told = summary(report)
        else:
            told += (f"; no report.json/html/md: {found.articles} articles is more than "
                     f"--report-max {report_max}")
    except InputError as error:  # (--strict: as the local engine says it)
        raise click.ClickException(
            _shown(f"{error} (remove --strict to skip it and go on)")) from error
    except engine.SparkInputError as error:
        raise click.ClickException(str(error)) from error
    except engine.SparkFailure as error:
        raise click.ClickException(f"Spark failed: {engine.failure_line(error)}") from error
    if not quiet:
        click.echo(told)
        click.echo("")
        for path in paths:
            click.echo(f"wrote {path}")
        if skipped:
            click.echo(f"{skipped} input(s) skipped: listed above and in "
                       f"{output / 'skipped.parquet'}")


#: Skips ``--engine spark`` prints (all are in skipped.parquet).
_SHOWN_SKIPS = 100


@cli.command()
@click.argument("report_path", metavar="REPORT_JSON",
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="directory for the reports  [default: the directory of REPORT_JSON]")
@format_option(("html", "md"))
@click.option("-q", "--quiet", is_flag=True, help="print nothing but errors")
def report(report_path: Path, output: Path | None, formats: tuple[str, ...],
           quiet: bool) -> None:
    """Render report.html and report.md again from a saved REPORT_JSON, without
    scanning.

    Example:

        dedupe report reports/report.json

        dedupe report out/report.json --format md -o /tmp/views
    """
    try:
        value = load_report(report_path)
    except ReportError as error:
        raise click.ClickException(str(error)) from error
    paths = _write(value, output or report_path.parent, formats)
    if not quiet:
        for path in paths:
            click.echo(f"wrote {path}")


@cli.command("eval")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--truth", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="truth JSONL: one {id, group, origin, kind, template_lines} per article")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="also write the scores as JSON to this file")
@click.option("--fail-under", "floors", multiple=True, metavar="METRIC=VALUE",
              help="exit 1 if METRIC (" + ", ".join(METRICS) + ") is below VALUE; repeatable")
@click.option("--strict", is_flag=True, help="stop with an error at the first skipped input")
@_RECORD_SIZE_OPTION
@config_options
def evaluate_command(inputs: tuple[str, ...], truth: Path, json_path: Path | None,
                     floors: tuple[str, ...], strict: bool, max_record: int,
                     **settings: Any) -> None:
    """Scan a labelled corpus and score the clusters, origins and template lines
    against TRUTH (format: docs/quality.md).

    Example:

        dedupe eval corpus.jsonl --truth truth.jsonl

        dedupe eval corpus.jsonl --truth truth.jsonl --fail-under ari=0.95
    """
    gates = [_floor(text) for text in floors]
    config = _config(settings)
    try:
        rows = read_truth(truth)
    except InputError as error:
        raise click.ClickException(str(error)) from error
    corpus = _read(inputs, strict, max_record)
    scanned = {a.id for a in corpus.articles}
    unknown = sorted(set(rows) - scanned)
    if unknown:
        click.echo(f"warning: {len(unknown)} truth row(s) name no scanned article "
                   f"(first: {unknown[0]!r}); left out of the scores", err=True)
    unlabelled = sorted(scanned - set(rows))
    if unlabelled:
        click.echo(f"warning: {len(unlabelled)} article(s) have no truth row "
                   f"(first: {unlabelled[0]!r}); left out of the scores", err=True)
    result = run_scan(corpus.articles, config, skipped=corpus.skipped, warnings=corpus.warnings,
                      progress=_bar if sys.stderr.isatty() else None)
    scores = evaluate(result, {i: r for i, r in rows.items() if i in scanned})
    click.echo(counts_table(scores))
    click.echo()
    click.echo(table({"dedupe": scores}))
    if json_path is not None:
        json_path.write_text(json.dumps(scores.as_dict(), indent=1, sort_keys=True) + "\n",
                             encoding="utf-8")
    failed = [f"{name} {value:.4f} < {floor}" for name, floor in gates
              if (value := METRICS[name](scores)) is not None and value < floor]
    if failed:
        raise click.ClickException("below the floor: " + "; ".join(failed))


_DURABLE_OPTION = click.option(
    "--durable", is_flag=True,
    help="make every commit wait for the disk, so that what was added survives a power "
         "loss as well as a killed process (SQLite indexes; slower)")


@cli.group("index")
def index_group() -> None:
    """Keep a persistent index of admitted articles (one SQLite file) for pre-ingest
    checks with ``dedupe check``.

    Example:

        dedupe index add archive.sqlite archive/
    """


@index_group.command("add")
@click.argument("index_path", metavar="INDEX")
@click.argument("inputs", nargs=-1, required=True)
@click.option("-q", "--quiet", is_flag=True, help="print nothing but errors")
@_DURABLE_OPTION
@_RECORD_SIZE_OPTION
@config_options
@click.pass_context
def index_add(ctx: click.Context, /, index_path: str, inputs: tuple[str, ...], quiet: bool,
              durable: bool, max_record: int, **settings: Any) -> None:
    """Add every article of INPUTS to INDEX (created if needed), whatever it repeats,
    and count what each one repeated. Settings apply when the index is created; an
    existing index keeps its own.

    Example:

        dedupe index add archive.sqlite archive/ feed.jsonl
    """
    given = {name: value for name, value in settings.items()
             if ctx.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE}
    config = _config(settings) if given else None
    decisions: Counter[str] = Counter()
    skipped = 0
    batch: list[Article] = []

    def flush() -> None:  # one transaction per batch: a commit per article is slow
        nonlocal skipped
        for article, verdict in zip(batch, index.check_and_add_many(batch, hold=()),
                                    strict=True):
            if verdict is None:
                skipped += 1
                click.echo(_shown(f"skipped {article.where or article.id}: "
                                  f"{AlreadyIndexed.of(article.id)}"), err=True)
            else:
                decisions[verdict.decision] += 1
        batch.clear()

    with _open_index(index_path, config, durable=durable) as index:
        for item in _stream(inputs, max_record):
            if isinstance(item, Article):
                batch.append(item)
                if len(batch) == ADD_BATCH:
                    flush()
            elif not isinstance(item, Repair):
                skipped += 1
        flush()
        total = index.stats()["documents"]
    if not quiet:
        rows = [(d, decisions[d]) for d in ("new", *DECISIONS.values()) if decisions[d]]
        click.echo(tabulate([*rows, ("skipped", skipped), ("in the index", total)],
                            headers=["added", "articles"]))


@index_group.command("stats")
@click.argument("index_path", metavar="INDEX")
def index_stats(index_path: str) -> None:
    """Print what INDEX holds and the settings it was built with.

    Example:

        dedupe index stats archive.sqlite
    """
    with _open_index(index_path, None, create=False) as index:
        stats = index.stats()
        rows = [*stats.items(), *index.config.as_dict().items()]
    click.echo(tabulate(rows, tablefmt="plain", disable_numparse=True))


@index_group.command("remove")
@click.argument("index_path", metavar="INDEX")
@click.argument("ids", nargs=-1, required=True)
@_DURABLE_OPTION
def index_remove(index_path: str, ids: tuple[str, ...], durable: bool) -> None:
    """Take the articles with these IDS out of INDEX; exit 1 if one was not there.

    Example:

        dedupe index remove archive.sqlite a1 a2
    """
    with _open_index(index_path, None, create=False, durable=durable) as index:
        missing = [doc_id for doc_id in ids if not index.remove(doc_id)]
    for doc_id in ids:
        click.echo(_shown(f"{'not in the index' if doc_id in missing else 'removed'}: {doc_id}"))
    if missing:
        raise click.exceptions.Exit(1)


_HOLD_OPTION = click.option(
    "--hold", "hold", multiple=True, type=click.Choice(list(DECISIONS.values())),
    default=HOLD, show_default=True,
    help="a decision whose articles are held back; repeatable, and any --hold replaces "
         "the default list (to hold passage reuse as well, name all four)")


@cli.command()
@click.argument("index_path", metavar="INDEX")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="print one JSON verdict per line")
@_HOLD_OPTION
@_RECORD_SIZE_OPTION
def check(index_path: str, inputs: tuple[str, ...], as_json: bool,
          hold: tuple[str, ...], max_record: int) -> None:
    """Check the articles of INPUTS against INDEX without adding them, and print each
    verdict. Exit 0 when no article would be held back, 1 when one would (by default
    a duplicate, near-duplicate or contained copy of admitted text, or an id the index
    holds), 2 for a usage or input error.

    Example:

        dedupe check archive.sqlite incoming.jsonl
    """
    repeated = bad = False
    try:
        with _open_index(index_path, None, create=False) as index:
            for item in _stream(inputs, max_record):
                if isinstance(item, Article):
                    verdict = judge(index, item, add=False)
                    if verdict is None:
                        repeated = True
                        click.echo(json.dumps({"id": item.id, "decision": "already-indexed"})
                                   if as_json else _shown(f"{item.id}: already in the index"))
                        continue
                    repeated |= verdict.decision in hold
                    click.echo(_verdict_json(verdict) if as_json else _verdict_line(verdict))
                elif not isinstance(item, Repair):
                    bad = True
    except click.ClickException as error:  # exit 1 means "repeats" here
        raise _UsageOrInputError(error.message) from error
    if bad:
        raise click.exceptions.Exit(2)
    if repeated:
        raise click.exceptions.Exit(1)


@cli.command("filter")
@click.argument("index_path", metavar="INDEX")
@click.option("--add", is_flag=True, help="admit the articles that pass to INDEX as they do")
@click.option("--annotate", is_flag=True,
              help="pass every article, the ones that repeat admitted text with a 'dedupe' "
                   "field holding the verdict (and 'held'), instead of dropping any")
@click.option("--rejects", type=click.File("w", encoding="utf-8"),
              help="write the dropped articles (with their verdicts) and unreadable lines "
                   "here, one JSON object per line")
@_HOLD_OPTION
@_DURABLE_OPTION
@_RECORD_SIZE_OPTION
def filter_command(index_path: str, add: bool, annotate: bool, rejects: TextIO | None,
                   hold: tuple[str, ...], durable: bool, max_record: int) -> None:
    """Read articles as JSON Lines on stdin and write the ones that pass to stdout, in
    order, one line at a time. Articles whose decision is held back (--hold) are
    dropped, or with --annotate passed with their verdict in a 'dedupe' field, as are
    articles that pass but repeat some admitted text. With --rejects every line read
    is on stdout or in the rejects file (a line over --max-record-size as its number
    and the error, without its text, which is never held).

    Example:

        dedupe filter archive.sqlite --add --rejects dropped.jsonl < incoming.jsonl > new.jsonl
    """
    out = click.open_file("-", "wb")
    counts: Counter[str] = Counter()
    with _open_index(index_path, None, create=add, durable=durable) as index:
        for lineno, read in numbered_lines(click.open_file("-", "rb"), "-", max_record):
            line = read if isinstance(read, bytes) else b""  # b"": too long to hold
            if isinstance(read, bytes) and not line.strip():
                out.write(line)
                continue
            where = f"-:{lineno}"
            *repairs, article = (read_jsonl_record(where, line) if isinstance(read, bytes)
                                 else [read])
            for repair in repairs:
                if isinstance(repair, Repair):
                    click.echo(_shown(f"warning {repair.where}: {repair.reason}"), err=True)
            if not isinstance(article, Article):
                counts["unreadable"] += 1
                click.echo(_shown(f"skipped {where}: {article.reason}"), err=True)
                if rejects is not None:
                    raw = line.decode("utf-8", "backslashreplace") if isinstance(
                        read, bytes) else None
                    rejects.write(json.dumps({"line": lineno, "error": article.reason,
                                              "raw": raw}, ensure_ascii=False) + "\n")
                continue
            verdict = _filter_verdict(index, article, add, hold)
            if verdict["decision"] == "new":
                counts["new"] += 1
                out.write(line)
            else:
                record = {**json.loads(line), "dedupe": verdict}
                text = _json_line(record)
                if not verdict["held"]:
                    counts["passed"] += 1  # repeats some text, but not held back
                    out.write(text.encode("utf-8") if annotate else line)
                elif annotate:
                    counts["annotated"] += 1
                    out.write(text.encode("utf-8"))
                else:
                    counts["dropped"] += 1
                    if rejects is not None:
                        rejects.write(text)
            out.flush()
    click.echo(", ".join(f"{n} {label}" for label, n in sorted(counts.items())) or "no input",
               err=True)


def _json_line(record: dict[str, Any]) -> str:
    """One JSON Lines line; a lone surrogate (a JSON escape like \\ud800 in the input,
    which UTF-8 cannot hold) is written back as that escape."""
    text = json.dumps(record, ensure_ascii=False) + "\n"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _filter_verdict(index: Index, article: Article, add: bool,
                    hold: tuple[str, ...]) -> dict[str, Any]:
    """The verdict as the ``dedupe`` field of a filtered record."""
    verdict = judge(index, article, add, hold)
    if verdict is None:
        return {"decision": "already-indexed", "held": True, "matches": [{"id": article.id}]}
    return {"decision": verdict.decision, "held": verdict.decision in hold,
            "origin": verdict.origin,
            "matches": [{"id": m.id, "relation": m.relation, "strength": m.strength}
                        for m in verdict.matches]}


class _UsageOrInputError(click.ClickException):
    """An ``Error:`` line with exit status 2, for commands where 1 is an answer."""

    exit_code = 2


@contextmanager
def _open_index(location: str, config: Config | None, create: bool = True,
                durable: bool = False) -> Iterator[Index]:
    """The index at ``location``, open while the block runs, closed after; library errors,
    in opening it or in the block, become one ``Error:`` line."""
    if (not create and location != ":memory:" and not location.startswith(REDIS_SCHEMES)
            and not Path(location).is_file()):
        raise click.ClickException(f"{location}: no such index; make one with dedupe index add")
    with _index_errors(location):
        index = Index(location, config, durable).open()
    if index.keyed_:
        click.echo(_shown(f"note: {location}: keyed the texts of {index.keyed_} documents "
                          "indexed before dedupe kept text keys (once), so that their "
                          "copies are found"), err=True)
    with _index_errors(location, opened=True), index:
        yield index


@contextmanager
def _index_errors(location: str, opened: bool = False) -> Iterator[None]:
    """Index, store and database errors as one ``Error:`` line naming the index."""
    try:
        yield
    except IndexMismatch as error:
        raise click.ClickException(str(error)) from error
    except sqlite3.Error as error:
        if opened:  # a damaged file, a full disk, tables another program changed
            raise click.ClickException(
                f"{location}: the index failed ({error}); check the disk, or build the index "
                "again with dedupe index add") from error
        raise click.ClickException(f"{location}: not a dedupe index ({error}); give the file "
                                   "dedupe index add made") from error
    except (StoreError, TimeoutError) as error:
        raise click.ClickException(str(error)) from error


def _stream(inputs: tuple[str, ...], max_record: int) -> Iterable[Article | Skip | Repair]:
    """Articles, skips and repairs of INPUTS one at a time; skips and repairs are printed."""
    for path in inputs:
        for item in iter_input(path, max_record_bytes=max_record):
            if not isinstance(item, Article):
                label = "warning" if isinstance(item, Repair) else "skipped"
                click.echo(_shown(f"{label} {item.where}: {item.reason}"), err=True)
            yield item


def _shown(text: str, keep: str = "") -> str:
    """``text`` safe to print: unprintable characters but those in ``keep`` (line ends,
    terminal escape sequences, bidirectional overrides, all from untrusted ids, file
    names and texts) as Python escapes, so that input cannot forge output lines or
    drive the terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in keep else c.encode("unicode_escape").decode()
                   for c in text)


def _verdict_line(verdict: Verdict) -> str:
    """``id: decision`` and the strongest matches, one line (`_shown`)."""
    matches = "; ".join(f"{m.id} {m.relation} {m.strength:.2f}" for m in verdict.matches[:3])
    more = f" (+{len(verdict.matches) - 3} more)" if len(verdict.matches) > 3 else ""
    origin = f", origin {verdict.origin} ({verdict.origin_rule})" if verdict.matches else ""
    return _shown(f"{verdict.id}: {verdict.decision}"
                  + (f": {matches}{more}{origin}" if matches else ""))


def _verdict_json(verdict: Verdict) -> str:
    return json.dumps(dataclasses.asdict(verdict), sort_keys=True, ensure_ascii=False)


def _write(report: dict[str, Any], output: Path, formats: tuple[str, ...]) -> list[Path]:
    try:
        return write_reports(report, output, formats)
    except OSError as error:
        raise click.ClickException(
            f"{error.filename or output}: cannot write the report ({error.strerror}); "
            "choose another directory with -o") from error


def _floor(text: str) -> tuple[str, float]:
    name, _, value = text.partition("=")
    if name not in METRICS:
        raise click.BadParameter(f"unknown metric {name!r}; use one of {', '.join(METRICS)}",
                                 param_hint="--fail-under")
    try:
        return name, float(value)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not METRIC=NUMBER, e.g. ari=0.95",
                                 param_hint="--fail-under") from None


def _config(settings: dict[str, Any]) -> Config:
    try:
        return Config(**settings)
    except ValueError as error:
        raise click.UsageError(str(error)) from error


def _read(inputs: tuple[str, ...], strict: bool, max_record: int) -> Corpus:
    """Read the inputs, printing every skip and warning; strict mode stops at the first."""
    try:
        corpus = read_inputs(inputs, strict=strict, max_record_bytes=max_record)
    except InputError as error:
        raise click.ClickException(
            _shown(f"{error} (remove --strict to skip it and go on)")) from error
    for skip in corpus.skipped:
        click.echo(_shown(f"skipped {skip.where}: {skip.reason}"), err=True)
    for warning in corpus.warnings:
        click.echo(_shown(f"warning {warning.where}: {warning.reason}"), err=True)
    return corpus


def _bar(items: Iterable[Any], label: str, total: int) -> Iterable[Any]:
    return tqdm(items, desc=label, total=total, leave=False, file=sys.stderr)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="dedupe")
