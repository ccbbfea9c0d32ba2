"""Report scale benchmark: how report.json, report.html and report.md grow with the corpus.

For each corpus size it builds a labelled corpus (``benchmarks.generate``), scans it
once, and measures in the same run: the bytes of each report format, bytes per
article and the growth from one size to the next (linear growth keeps the ratio of
sizes equal to the ratio of article counts), the time to render the HTML and
Markdown (best of 3), and, in headless Chromium, the page's load time, DOM size, JS
heap and the time to open the largest cluster, open a pair and filter the document
table. Next to the actual HTML size it puts the baseline a naive page would weigh
(every pair view carrying both texts inline), as arithmetic, not as a second renderer.

    python -m benchmarks.report_scale                                 # 2,500 to 20,000 articles
    python -m benchmarks.report_scale --sizes 2500 5000 --no-browser
    python -m benchmarks.report_scale --write docs/report.md

The story pool (3,179 Reuters stories) gives one corpus of at most about 9,000
articles, so a corpus is made of batches of about 2,500 articles (340 families and
1,020 unrelated articles; seeds 1, 2, ...). Batches would reuse pool stories and so
be linked to each other, which would make clusters and pairs grow faster than the
corpus; so batch k (from 0) has every ASCII letter of its texts, titles and sources
rotated by k places (a Caesar shift; from batch 26 on, moved by a letter permutation
drawn from k, so that the batches never wrap round: ``encipher``) and its ids
prefixed ``b<k+1>-``. This keeps lengths, words, sentences and templates, and the
batches share no word. Each size's
corpus contains the smaller ones, so the sizes differ only in how many batches they
hold.

With ``--write FILE`` the tables go to a Markdown file (docs/report.md); a
"What this shows" section already in that file is hand-written and kept.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import random
import string
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from tabulate import tabulate

from benchmarks.browser import chromium, missing
from benchmarks.generate import DEFAULT_POOL, generate, load_pool
from benchmarks.pages import kept_notes, notes_section, publish, utf8
from benchmarks.textops import Story
from dedupe import Article, Config, __version__, scan
from dedupe.report import render_html, render_markdown
from dedupe.report.schema import dumps, to_json

#: One batch: families and unrelated articles (about 2,500 articles).
BATCH_FAMILIES = 340
BATCH_UNRELATED = 1020
BATCH_ARTICLES = 2500
DEFAULT_SIZES = (2500, 5000, 10000, 20000)
REPEATS = 3
#: Rows on the first page of the report's pair table (``data-page`` in the template).
PAIR_PAGE = 50
#: Milliseconds the page gets for one interaction before the benchmark gives up.
STEP_TIMEOUT_MS = 120_000

# --- corpus -------------------------------------------------------------------------------


def encipher(text: str, batch: int) -> str:
    """``text`` as batch ``batch`` (from 0) has it: letters rotated by ``batch`` places for
    the first 26 batches, then moved by a letter permutation drawn from ``batch`` (so
    batch 26 does not repeat batch 0). Case is kept.

    Example:
        >>> encipher("Abz", 1), encipher("Abz", 26) == encipher("Abz", 26) != "Abz"
        ('Bca', True)
    """
    if batch < 26:
        return rotate(text, batch)
    letters = list(string.ascii_lowercase)
    random.Random(batch).shuffle(letters)
    lower = "".join(letters)
    table = str.maketrans(string.ascii_lowercase + string.ascii_uppercase,
                          lower + lower.upper())
    return text.translate(table)


def rotate(text: str, shift: int) -> str:
    """``text`` with every ASCII letter moved ``shift`` places on (case kept).

    Example:
        >>> rotate("Abz, 1987!", 1)
        'Bca, 1987!'
    """
    shift %= 26
    if not shift:
        return text
    lower, upper = string.ascii_lowercase, string.ascii_uppercase
    table = str.maketrans(lower + upper,
                          lower[shift:] + lower[:shift] + upper[shift:] + upper[:shift])
    return text.translate(table)


def batch_plan(size: int, families: int = BATCH_FAMILIES, unrelated: int = BATCH_UNRELATED,
               per_batch: int = BATCH_ARTICLES) -> list[tuple[int, int, int]]:
    """``(seed, families, unrelated)`` per batch for a corpus of about ``size`` articles.

    A batch of ``families`` families and ``unrelated`` unrelated articles makes about
    ``per_batch`` articles. Sizes near a multiple of ``per_batch`` use that many such
    batches (so a larger corpus holds the smaller ones); other sizes scale them to fit.

    Example:
        >>> batch_plan(5000)
        [(1, 340, 1020), (2, 340, 1020)]
        >>> batch_plan(1250)
        [(1, 170, 510)]
    """
    if size < 1:
        raise ValueError(f"a corpus needs at least one article, not {size}")
    batches = max(1, round(size / per_batch))
    scale = size / (batches * per_batch)
    return [(seed, max(1, round(families * scale)), round(unrelated * scale))
            for seed in range(1, batches + 1)]


class Corpora:
    """Corpora of several sizes from one pool; a batch is generated once and reused.

    ``families``, ``unrelated`` and ``per_batch`` describe one batch (see ``batch_plan``).
    """

    def __init__(self, pool: Sequence[Story], families: int = BATCH_FAMILIES,
                 unrelated: int = BATCH_UNRELATED, per_batch: int = BATCH_ARTICLES) -> None:
        self.pool = pool
        self.batch = (families, unrelated, per_batch)
        self._batches: dict[tuple[int, int, int], list[Article]] = {}

    def articles(self, size: int) -> list[Article]:
        """The articles of a corpus of about ``size`` articles: batch k (from 0) has its
        letters moved by ``encipher(text, k)`` and its ids prefixed ``b<k+1>-``."""
        out: list[Article] = []
        for k, plan in enumerate(batch_plan(size, *self.batch)):
            if plan not in self._batches:
                seed, families, unrelated = plan
                bench = generate(self.pool, families=families, unrelated=unrelated, seed=seed)
                self._batches[plan] = [
                    Article(id=f"b{k + 1}-{a['id']}", text=encipher(a["text"], k),
                            date=a["date"],
                            source=encipher(a["source"], k) if a["source"] else a["source"],
                            title=encipher(a["title"], k) if a["title"] else a["title"])
                    for a in bench.articles]
            out += self._batches[plan]
        return out


# --- measures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Browse:
    """What the HTML report costs in headless Chromium (seconds best of the repeats)."""

    load: float
    elements: int
    heap: int | None
    cluster: float
    pair: float
    last_pair: float
    filter: float


@dataclass(frozen=True)
class Measure:
    """One corpus size: its report's shape, sizes (bytes), render times (seconds)."""

    size: int
    articles: int
    with_text: int
    pairs: int
    clusters: int
    largest: int
    boilerplate: int
    scan: float
    text_chars: int
    text_bytes: int
    inline_bytes: int
    json_bytes: int
    html_bytes: int
    md_bytes: int
    html_seconds: float
    md_seconds: float
    browse: Browse | None

    @property
    def naive_bytes(self) -> int:
        """The baseline: the HTML if each pair view carried both texts instead of
        pointing at texts stored once (a lower bound: cluster views would add more)."""
        return self.html_bytes - self.text_bytes + self.inline_bytes

    @property
    def items(self) -> int:
        """Rows the page holds data for: documents, pairs, clusters, boilerplate."""
        return self.articles + self.pairs + self.clusters + self.boilerplate


def best(run: Callable[[], object], repeats: int = REPEATS) -> float:
    """The shortest of ``repeats`` wall-clock times of ``run()``, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def text_weights(report: dict[str, Any]) -> tuple[int, int, int]:
    """``(characters, bytes)`` of the texts embedded once per document, and the bytes
    the pair views would hold if each carried both of its texts inline.

    Example:
        >>> docs = [{"id": "a", "text": "abc"}, {"id": "b", "text": "de"},
        ...         {"id": "c", "text": None}]
        >>> text_weights({"documents": docs, "pairs": [{"a": "a", "b": "b"}]})
        (5, 5, 5)
    """
    sizes = {d["id"]: utf8(d["text"]) for d in report["documents"] if d["text"] is not None}
    chars = sum(len(d["text"]) for d in report["documents"] if d["text"] is not None)
    inline = sum(sizes.get(p["a"], 0) + sizes.get(p["b"], 0) for p in report["pairs"])
    return chars, sum(sizes.values()), inline


def targets(report: dict[str, Any]) -> tuple[int, int, int, str] | None:
    """What the browser opens (None without pairs): the largest cluster's id; the pair
    with the most text among the pair table's first page (opening it reveals no rows);
    the last pair (opening it shows the table up to its row); and the id of the last
    document (for the filter).

    Example:
        >>> docs = [{"id": "a", "text": "abc"}, {"id": "b", "text": "de"},
        ...         {"id": "c", "text": "fghij"}]
        >>> report = {"documents": docs,
        ...           "pairs": [{"a": "a", "b": "b"}, {"a": "a", "b": "c"}, {"a": "b", "b": "c"}],
        ...           "clusters": [{"id": 1, "members": ["a", "b"]},
        ...                        {"id": 2, "members": ["a", "b", "c"]}]}
        >>> targets(report)
        (2, 1, 2, 'c')
    """
    if not report["clusters"] or not report["pairs"]:
        return None
    length = {d["id"]: len(d["text"] or "") for d in report["documents"]}
    pairs = report["pairs"]
    cluster = max(report["clusters"], key=lambda c: (len(c["members"]), -c["id"]))["id"]
    pair = max(range(min(len(pairs), PAIR_PAGE)),
               key=lambda k: (length[pairs[k]["a"]] + length[pairs[k]["b"]], -k))
    return cluster, pair, len(pairs) - 1, report["documents"][-1]["id"]


def measure(size: int, articles: Sequence[Article], browser: Any | None,
            repeats: int = REPEATS) -> Measure:
    """Scan ``articles`` once, then size, render and (with ``browser``) open the reports."""
    start = time.perf_counter()
    result = scan(articles)
    scanned = time.perf_counter() - start
    text = dumps(to_json(result))
    report = json.loads(text)  # as write_reports renders: from the JSON read back
    html, md = render_html(report), render_markdown(report)
    chars, text_bytes, inline = text_weights(report)
    browse = None
    opened = targets(report)
    if browser is not None and opened is not None:
        with tempfile.TemporaryDirectory(prefix="report-scale-") as tmp:
            path = Path(tmp) / "report.html"
            path.write_text(html, encoding="utf-8")
            browse = open_page(browser, path, *opened, repeats=repeats)
    return Measure(
        size=size, articles=len(report["documents"]),
        with_text=sum(d["text"] is not None for d in report["documents"]),
        pairs=len(report["pairs"]), clusters=len(report["clusters"]),
        largest=max((len(c["members"]) for c in report["clusters"]), default=0),
        boilerplate=len(report["boilerplate"]), scan=scanned,
        text_chars=chars, text_bytes=text_bytes, inline_bytes=inline,
        json_bytes=utf8(text), html_bytes=utf8(html), md_bytes=utf8(md),
        html_seconds=best(lambda: render_html(report), repeats),
        md_seconds=best(lambda: render_markdown(report), repeats),
        browse=browse,
    )


# In-page steps return milliseconds from the change to the view being there and laid
# out (a geometry read forces style and layout), polling with zero-delay timeouts.
_WAIT_JS = """
async function waitFor(ready, limit) {
  const start = performance.now();
  while (!ready()) {
    if (performance.now() - start > limit) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return document.body.offsetHeight;
}
"""
_OPEN_JS = "async ([hash, selector, limit]) => {" + _WAIT_JS + """
  const start = performance.now();
  location.hash = hash;
  await waitFor(() => document.querySelector(selector), limit);
  return performance.now() - start;
}"""
#: The pair view once it shows pair {0}.
_PAIR_SHOWN = '#pair-view[data-pair="{0}"] table.side-by-side'
_FILTER_JS = "async ([query, limit]) => {" + _WAIT_JS + """
  const table = document.getElementById("document-table");
  const input = document.querySelector('input[data-filter="document-table"]');
  const status = table.nextElementSibling;
  const before = status.textContent;
  const start = performance.now();
  input.value = query;
  input.dispatchEvent(new Event("input", {bubbles: true}));
  await waitFor(() => status.textContent !== before, limit);
  return performance.now() - start;
}"""


def open_page(browser: Any, path: Path, cluster: int, pair: int, last_pair: int, doc_id: str,
              repeats: int = REPEATS) -> Browse:
    """Load ``path`` ``repeats`` times in fresh pages; time the load and four interactions
    (open ``cluster``, open ``pair``, open ``last_pair``, filter the documents by ``doc_id``).

    DOM size and heap are taken after the first load; the heap is V8's used size after
    a garbage collection (``performance.memory`` is rounded to 10 MB in a default
    Chromium, so the DevTools protocol is asked instead).
    """
    loads: list[float] = []
    steps: dict[str, list[float]] = {"cluster": [], "pair": [], "last_pair": [], "filter": []}
    elements, heap = 0, None
    for k in range(repeats):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            start = time.perf_counter()
            page.goto(path.resolve().as_uri(), wait_until="load", timeout=STEP_TIMEOUT_MS)
            loads.append(time.perf_counter() - start)
            if k == 0:
                elements = page.evaluate("document.getElementsByTagName('*').length")
                heap = _heap(page)
            steps["cluster"].append(page.evaluate(
                _OPEN_JS, [f"#cluster-{cluster}", "#cluster-view .member", STEP_TIMEOUT_MS]))
            steps["pair"].append(page.evaluate(
                _OPEN_JS, [f"#pair-{pair}", _PAIR_SHOWN.format(pair), STEP_TIMEOUT_MS]))
            steps["last_pair"].append(page.evaluate(
                _OPEN_JS, [f"#pair-{last_pair}", _PAIR_SHOWN.format(last_pair),
                           STEP_TIMEOUT_MS]))
            steps["filter"].append(page.evaluate(_FILTER_JS, [doc_id, STEP_TIMEOUT_MS]))
            shown = page.evaluate(
                "document.getElementById('document-table').nextElementSibling.textContent")
            if not shown.startswith("1 of 1 "):
                raise RuntimeError(f"filtering the documents by {doc_id!r} showed {shown!r}")
        finally:
            page.close()
    return Browse(load=min(loads), elements=elements, heap=heap,
                  cluster=min(steps["cluster"]) / 1000, pair=min(steps["pair"]) / 1000,
                  last_pair=min(steps["last_pair"]) / 1000, filter=min(steps["filter"]) / 1000)


def _heap(page: Any) -> int | None:
    """V8 heap in use after a garbage collection, or None when it cannot be read."""
    try:
        session = page.context.new_cdp_session(page)
        session.send("HeapProfiler.collectGarbage")
        return int(session.send("Runtime.getHeapUsage")["usedSize"])
    except Exception:  # not Chromium, or no DevTools protocol: fall back
        used = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : null")
        return int(used) if used is not None else None


# --- growth and tables ----------------------------------------------------------------------


def ratios(values: Sequence[float]) -> list[float | None]:
    """Each value over the one before it (None first, and after a zero).

    Example:
        >>> ratios([2, 4, 10])
        [None, 2.0, 2.5]
    """
    return [None] + [b / a if a else None for a, b in pairwise(values)]


def linearity(values: Sequence[float], counts: Sequence[float]) -> list[float | None]:
    """Growth of ``values`` relative to growth of ``counts``, step by step.

    1.0 is linear growth; above 1 grows faster than the corpus, below 1 slower.

    Example:
        >>> linearity([100, 210, 420], [10, 20, 40])
        [None, 1.05, 1.0]
    """
    if len(values) != len(counts):
        raise ValueError("one value per count")
    return [None if v is None or c is None else v / c
            for v, c in zip(ratios(values), ratios(counts), strict=True)]


def worst_linearity(values: Sequence[float], counts: Sequence[float]) -> float | None:
    """The step furthest from linear (as in ``linearity``), or None with one size.

    Example:
        >>> worst_linearity([100, 210, 420], [10, 20, 40])
        1.05
    """
    steps = [r for r in linearity(values, counts) if r is not None]
    return max(steps, key=lambda r: abs(math.log(r))) if steps else None


def _mb(n: float) -> float:
    return n / 1e6


def tables(runs: Sequence[Measure]) -> list[tuple[str, str]]:
    """``(title, table)`` pairs in print order, as GitHub tables."""
    def table(rows: list[tuple[Any, ...]], headers: list[str], floatfmt: str = ".2f") -> str:
        return tabulate(rows, headers=headers, tablefmt="github", floatfmt=floatfmt,
                        missingval="-", intfmt=",")

    out = [("Corpus and findings", table(
        [(m.size, m.articles, m.with_text, m.pairs, m.clusters, m.largest, m.boilerplate,
          m.scan) for m in runs],
        ["size", "articles", "with text", "pairs", "clusters", "largest cluster",
         "boilerplate", "scan s"], ".1f"))]
    out.append(("Report sizes (MB = 10^6 bytes)", table(
        [(m.size, _mb(m.json_bytes), _mb(m.html_bytes), m.md_bytes / 1e3,
          m.json_bytes / m.articles, m.html_bytes / m.articles, _mb(m.text_bytes),
          (m.html_bytes - m.text_bytes) / m.articles, (m.html_bytes - m.text_bytes) / m.items,
          _mb(m.naive_bytes), m.naive_bytes / m.html_bytes) for m in runs],
        ["size", "json MB", "html MB", "md kB", "json B/article", "html B/article",
         "texts MB", "html-texts B/article", "html-texts B/item", "naive html MB",
         "naive / html"], ".2f")))
    counts = [m.articles for m in runs]
    series: list[tuple[str, list[float]]] = [
        ("articles", [m.articles for m in runs]),
        ("pairs", [m.pairs for m in runs]),
        ("texts", [m.text_bytes for m in runs]),
        ("json", [m.json_bytes for m in runs]),
        ("html", [m.html_bytes for m in runs]),
        ("md", [m.md_bytes for m in runs]),
        ("naive html", [m.naive_bytes for m in runs]),
    ]
    browsed = [m.browse for m in runs]
    if all(b is not None for b in browsed):
        series.append(("DOM elements", [b.elements for b in browsed if b]))
    grown = {name: ratios(values) for name, values in series}
    out.append(("Growth: each size over the previous (linear: equal to the articles column)",
                table([(m.size, *(grown[name][k] for name, _ in series))
                       for k, m in enumerate(runs) if k],
                      ["size", *(name for name, _ in series)], ".3f")))
    out.append(("Growth over linear (ratio above / article ratio; 1.000 is linear)", table(
        [(name, *(r for r in linearity(values, counts)[1:]),
          worst_linearity(values, counts)) for name, values in series[1:]],
        ["", *(f"to {m.size}" for m in runs[1:]), "worst"], ".3f")))
    out.append(("Render time (seconds, best of 3)", table(
        [(m.size, m.html_seconds, m.md_seconds, 1000 * m.html_seconds / m.articles * 1000,
          1000 * m.md_seconds / m.articles * 1000) for m in runs],
        ["size", "html s", "md s", "html ms/1000 articles", "md ms/1000 articles"], ".3f")))
    if any(b is not None for b in browsed):
        out.append(("Headless Chromium (seconds best of 3; DOM and heap after the first load)",
                    table([(m.size, b.load, b.elements, b.elements / m.articles,
                            _mb(b.heap) if b.heap is not None else None, m.largest,
                            b.cluster, b.pair, m.pairs, b.last_pair, b.filter)
                           for m in runs if (b := m.browse)],
                          ["size", "load s", "DOM elements", "elements/article", "JS heap MB",
                           "largest cluster", "open it s", "open pair s", "pairs",
                           "open last pair s", "filter docs s"],
                          ".3f")))
    return out


def report_code() -> str:
    """A short hash of the report's code (``dedupe/report``: Python, template, script,
    style), so a page of numbers says which version of the report it measured."""
    root = Path(__file__).resolve().parent.parent / "dedupe" / "report"
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".pyc"):
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def machine(browser_version: str | None, code: str) -> str:
    """One line naming the machine and the report ``code`` measured, without dates (so
    reruns diff in numbers only)."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip() + ", "
                break
    except OSError:
        pass
    parts = [f"{platform.system()} {platform.machine()}, {cpu}{os.cpu_count()} cores",
             f"Python {platform.python_version()}", f"dedupe {__version__}",
             f"config {Config().fingerprint}", f"report code {code}"]
    if browser_version:
        parts.append(f"Chromium {browser_version}")
    return "; ".join(parts)


INTRO = """\
# Report size and speed at scale

The issue asks that a report over 20,000 articles stay usable and that its size grow
linearly. This page is written by `benchmarks/report_scale.py`; all numbers below come
from one run on one machine, side by side.

For each corpus size the benchmark generates a labelled Reuters corpus (batches of
about 2,500 articles: 340 families and 1,020 unrelated stories each; batch k has its
letters rotated by k places so that batches share no text and clusters keep their
shape as the corpus grows; each size holds the smaller ones), scans it once, and measures:

* the bytes of report.json, report.html and report.md, per article, and the growth
  from each size to the next: linear growth means each ratio equals the ratio of
  article counts ("growth over linear" 1.000);
* the texts embedded (only documents in a linked pair carry their text; each text is
  stored once however many pairs it is in), and the HTML's other bytes per article
  and per item (documents + pairs + clusters + boilerplate rows);
* the **baseline**, "every text inline": what the HTML would weigh if each pair view
  carried both of its texts instead of pointing at the texts stored once
  (HTML - texts + sum over pairs of both texts' bytes). Arithmetic, not a second
  renderer, and a lower bound: cluster views would repeat the texts again;
* the time to render the HTML (`render_html`, including the view model) and the
  Markdown (`render_markdown`), best of 3;
* in headless Chromium: `page.goto` to the `load` event, the elements in the DOM
  after load, the V8 heap in use after a garbage collection, and, measured inside the
  page up to the view being laid out, the time to open the largest cluster (set
  `location.hash` to `#cluster-<id>` until a `.member` is there), to open a pair (the
  one with the most text among the pair table's first 50 rows), to open the last pair
  (what following a link to a pair far down the table costs), and to filter the
  document table to one id (until the status line changes). Best of 3 fresh pages.

The scan time is shown for scale only; it is not what this page measures. "report
code" below is a hash of `dedupe/report` (Python, template, script and style), naming
the version of the report these numbers belong to.
"""


def page(runs: Sequence[Measure], command: str, machine_line: str, notes: str) -> str:
    """The Markdown page: intro, machine and command, tables, the hand-written notes."""
    parts = [INTRO.rstrip(), f"Machine: {machine_line}.", f"```sh\n{command}\n```"]
    for title, text in tables(runs):
        parts += [f"## {title}", text]
    parts.append(notes_section(notes))
    return "\n\n".join(parts) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES),
                        help="corpus sizes in articles (about; see the module docstring)")
    parser.add_argument("--pool", type=Path, default=DEFAULT_POOL,
                        help="Reuters-21578 directory or a JSONL story sample")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium part")
    parser.add_argument("--write", type=Path, help="also write the page to this Markdown file")
    args = parser.parse_args(argv)
    code = report_code()
    corpora = Corpora(load_pool(args.pool))
    why = "--no-browser" if args.no_browser else missing()
    runs: list[Measure] = []
    version = None

    def measure_all(browser: Any | None) -> None:
        for size in sorted(args.sizes):
            articles = corpora.articles(size)
            runs.append(measure(size, articles, browser))
            print(f"{size}: {len(articles)} articles done", flush=True)

    if why is None:
        with chromium() as browser:
            version = browser.version
            measure_all(browser)
    else:
        print(f"Browser part skipped: {why}")
        measure_all(None)
    command = f"python -m benchmarks.report_scale --sizes {' '.join(map(str, sorted(args.sizes)))}"
    if args.pool != DEFAULT_POOL:
        command += f" --pool {args.pool}"
    if args.no_browser:
        command += " --no-browser"
    if args.write:
        command += f" --write {args.write}"
    if report_code() != code:  # the template and script are read at each render
        code = f"{code}, CHANGED during the run to {report_code()}: rerun"
        print(f"warning: dedupe/report changed during the run ({code})")
    publish(page(runs, command, machine(version, code), kept_notes(args.write)), args.write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
