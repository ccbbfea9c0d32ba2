"""What each fuzz target does with one input, and the invariants it checks.

Each target takes the fuzzer's bytes, makes them an input file, runs dedupe on it as a
user would, and raises `Broken` if an invariant fails; any other exception is a crash.
The first byte picks the file's format (and for gzip formats whether the rest is
compressed or given raw, as damaged gzip); the rest is the file's content.
"""

from __future__ import annotations

import atexit
import gzip
import io
import shutil
import tempfile
from functools import cache
from pathlib import Path

from click.testing import CliRunner

from dedupe import Article, Index, read_inputs
from dedupe.cli import cli
from dedupe.read import Repair, iter_input
from dedupe.records import Skip
from dedupe.report import render_html, to_json
from dedupe.report.markdown import render_markdown
from dedupe.scan import scan

#: File names an input is given as, picked by its first byte.
NAMES = ("in.jsonl", "in.txt", "in.csv", "in.jsonl.gz", "in.csv.gz", "in.md", "-")
#: Text scanned per input at most (the fuzzer looks for crashes, not for slow inputs).
SCAN_CHARS = 20_000
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


class Broken(AssertionError):
    """An invariant does not hold for this input."""


def check(condition: bool, message: str) -> None:
    """Raise `Broken` with ``message`` unless ``condition``."""
    if not condition:
        raise Broken(message)


@cache
def _workdir() -> Path:
    """One scratch directory per process (the fuzzer runs millions of inputs), removed
    when the process ends."""
    path = tempfile.mkdtemp(prefix="dedupe-fuzz-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return Path(path)


def as_file(data: bytes) -> tuple[str, bytes]:
    """The input's file name and content: byte 0 picks the name (and, from 128 on, that a
    gzip name gets the bytes as they are rather than compressed)."""
    if not data:
        return NAMES[0], b""
    name, body = NAMES[data[0] % len(NAMES)], data[1:]
    if name.endswith(".gz") and data[0] < 128:
        body = gzip.compress(body, mtime=0)
    return name, body


def read_target(data: bytes) -> None:
    """Read the input (and scan what it held): no exception, and every item accounted for.

    Invariants: each item is an Article, Skip or Repair located in this input; a skip's
    reason is one line; an article's text is not blank; `read_inputs` keeps exactly the
    articles `iter_input` streamed; the scan, report.json, HTML and Markdown of what was
    read come out, with every passage slicing inside both texts.
    """
    name, body = as_file(data)
    if name == "-":
        where, items = "-", list(iter_input("-", stdin=io.BytesIO(body)))  # type: ignore[arg-type]
        corpus = read_inputs(["-"], stdin=io.BytesIO(body))  # type: ignore[arg-type]
    else:
        path = _workdir() / name
        path.write_bytes(body)
        where, items = str(path), list(iter_input(path))
        corpus = read_inputs([path])
    for item in items:
        check(isinstance(item, (Article, Skip, Repair)), f"unexpected item {item!r}")
        located = item.where or ""
        check(located == where or located.startswith(where + ":"), f"where {located!r}")
        if isinstance(item, (Skip, Repair)):
            check(bool(item.reason) and "\n" not in item.reason and "\r" not in item.reason,
                  f"reason is not one line: {item.reason!r}")
        else:
            check(bool(item.text.strip()), "an article with blank text")
    streamed = [item for item in items if isinstance(item, Article)]
    unique = {a.id: a for a in reversed(streamed)}  # the first of each id is kept
    check(list(corpus.articles) == [a for a in streamed if unique[a.id] is a],
          "read_inputs kept other articles than iter_input streamed")
    check(len(corpus.articles) + len(corpus.skipped)
          == sum(not isinstance(i, Repair) for i in items), "a record was lost")
    articles = _within(corpus.articles, SCAN_CHARS)
    if articles:
        scan_and_render(articles)


def scan_and_render(articles: list[Article]) -> None:
    """Scan, and render every report format; passages must slice inside their texts."""
    result = scan(articles)
    texts = {a.id: a.text for a in articles}
    for pair in result.pairs:
        for passage in pair.passages:
            for doc, (start, end) in ((pair.a, passage.a), (pair.b, passage.b)):
                check(0 <= start < end <= len(texts[doc]),
                      f"passage {start}:{end} outside {doc!r} ({len(texts[doc])} chars)")
    report = to_json(result)
    check(len(report["documents"]) == len(articles), "a document is missing from the report")
    render_html(report)
    render_markdown(report)


def _within(articles: tuple[Article, ...], limit: int) -> list[Article]:
    """The first articles whose texts add up to at most ``limit`` characters."""
    kept, total = [], 0
    for article in articles:
        total += len(article.text)
        if total > limit:
            break
        kept.append(article)
    return kept


@cache
def _index() -> str:
    """A SQLite index of the seed articles, made once per process."""
    location = str(_workdir() / "seeds.sqlite")
    with Index(location) as index:
        for article in read_inputs([SEEDS]).articles:
            index.add(article)
    return location


def check_target(data: bytes) -> None:
    """``dedupe check INDEX input`` (plain and --json) as a user would run it.

    Invariants: exit status 0, 1 or 2 and no exception; without --json, each output
    line is one verdict; with --json each is a JSON object; every message on stderr is
    one ``skipped``/``warning`` line naming the input.
    """
    name, body = as_file(data)
    index = _index()
    if name == "-":
        args, stdin = ["-"], body
    else:
        path = _workdir() / name
        path.write_bytes(body)
        args, stdin = [str(path)], b""
    runner = CliRunner()
    for extra in ([], ["--json"]):
        result = runner.invoke(cli, ["check", index, *args, *extra], input=stdin)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        check(result.exit_code in (0, 1, 2), f"exit status {result.exit_code}")
        for line in result.stderr.splitlines():
            check(line.startswith(("skipped ", "warning ")), f"stderr line {line!r}")
        for line in result.stdout.splitlines():
            check(line.startswith("{") if extra else ": " in line, f"stdout line {line!r}")


TARGETS = {"read": read_target, "check": check_target}
