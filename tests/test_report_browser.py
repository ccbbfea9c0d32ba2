"""Tests of the HTML report in headless Chromium: what a reader sees and can do.

The seed report is opened and clicked through (clusters, marks, timeline, graph, the
side-by-side pair view, table filter and sort, links by hash); a corpus whose texts,
ids, titles, sources and urls carry markup is opened to show that none of it runs or
becomes markup; and a synthetic report of 20,000 documents is opened to show that the
tables page and the cluster views are drawn only when opened.

Every test gets a fresh page and fails if the page logs an error or a warning (a
script error, or something the page's Content-Security-Policy refused). Without
Playwright or Chromium the module is skipped, unless ``DEDUPE_REQUIRE_BROWSER=1``
(as in CI), which turns the skip into a failure. No test measures time.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from benchmarks.browser import chromium, missing
from dedupe import Article, ScanResult, scan
from dedupe.report import render_html, to_json, write_reports
from dedupe.report.schema import check_report

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Error, Page

REASON = missing()
REQUIRED = os.environ.get("DEDUPE_REQUIRE_BROWSER") == "1"
if REASON is not None and not REQUIRED:
    pytest.skip(REASON, allow_module_level=True)

S000, S001, S002, S003, S004 = (
    "000_32ad8dfe81a1ea15", "001_382b16e59b0dd4e1", "002_b8b2f3d8c3b04cd3",
    "003_fc2a1f6496cdb120", "004_6ce2e043c53978d1",
)
HEADING = "Chronology of Terror: Unpacking the Moscow Attack"
#: Milliseconds Playwright waits for an element or a click (the page is a local file, so
#: this only bounds how long a failing test hangs), and for a page to load.
WAIT_MS, LOAD_MS = 15_000, 120_000

# --- browser, page and helpers ----------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if REASON is not None:
        pytest.fail(f"DEDUPE_REQUIRE_BROWSER=1 but {REASON}", pytrace=False)
    with chromium() as launched:
        yield launched


@pytest.fixture
def problems() -> list[str]:
    """What the test's page logged as an error or warning, and its uncaught exceptions."""
    return []


@pytest.fixture
def page(browser: Browser, problems: list[str]) -> Iterator[Page]:
    """A fresh page; after the test, nothing may have been logged as error or warning."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT_MS)
    context.set_default_navigation_timeout(LOAD_MS)
    fresh = context.new_page()

    def console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"console {message.type}: {message.text}")

    def error(exception: Error) -> None:
        problems.append(f"uncaught {exception.name}: {exception.message}")

    fresh.on("console", console)
    fresh.on("pageerror", error)
    try:
        yield fresh
        fresh.evaluate("0")  # a round trip, so that every event sent so far has arrived
    finally:
        context.close()
    assert problems == [], "the page logged errors or warnings"


def drain(problems: list[str]) -> list[str]:
    """The problems so far, checked in the test itself (the fixture then finds none)."""
    found = list(problems)
    problems.clear()
    return found


def open_report(page: Page, html: Path, fragment: str = "") -> None:
    """Load the report (``fragment`` like ``#cluster-1``) and check its script ran."""
    page.goto(html.as_uri() + fragment)
    assert page.evaluate("document.documentElement.classList.contains('js')"), (
        "the page's script did not run (refused by its own security policy?)")


def shown_keys(page: Page, table: str) -> list[str]:
    """``data-key`` of the rows of table ``#table`` a reader can see, top to bottom."""
    keys: list[str] = page.evaluate(
        """(id) => Array.from(document.getElementById(id).tBodies[0].rows)
                       .filter((row) => row.checkVisibility()).map((row) => row.dataset.key)""",
        table)
    return keys


def selected_key(page: Page, table: str) -> str | None:
    """``data-key`` of the selected row of table ``#table``, if there is one in sight."""
    key: str | None = page.evaluate(
        """(id) => { const rows = document.querySelectorAll(`#${id} tbody tr.selected`);
                     if (rows.length > 1) throw new Error(`${rows.length} rows selected`);
                     return rows.length && rows[0].checkVisibility() ? rows[0].dataset.key
                                                                     : null; }""", table)
    return key


def status(page: Page, table: str) -> str:
    """The "N of M shown" line under table ``#table``."""
    return page.locator(f"#{table} + p.table-status").inner_text()


def pieces(page: Page, selector: str) -> list[dict[str, Any]]:
    """The marked stretches of one ``.text`` element: character offsets into its text,
    tag, classes, title and ``data-pair`` of every element child."""
    found: list[dict[str, Any]] = page.eval_on_selector(selector, """(box) => {
        const out = [];
        let at = 0;
        for (const node of box.childNodes) {
          const n = node.textContent.length;
          if (node.nodeType === Node.ELEMENT_NODE) {
            out.push({start: at, end: at + n, tag: node.tagName.toLowerCase(),
                      classes: Array.from(node.classList), title: node.title,
                      pair: node.dataset.pair ?? null, text: node.textContent});
          }
          at += n;
        }
        return out;
    }""")
    return found


def covered(spans: list[Any]) -> set[int]:
    """The character offsets inside any of ``spans`` (``[start, end, ...]``)."""
    return {i for start, end, *_ in spans for i in range(start, end)}


def open_cluster(page: Page, cluster: int) -> None:
    """Click the cluster's row in the cluster table (not its link) and wait for the view."""
    page.locator(f'#cluster-table tr[data-key="{cluster}"] td').nth(2).click()
    page.wait_for_selector(f'#cluster-view[data-cluster="{cluster}"]', state="visible")


# --- the seed report -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_report(tmp_path_factory: pytest.TempPathFactory,
                seed_result: ScanResult) -> tuple[Path, dict[str, Any]]:
    """The seed corpus's report.html and the report.json value it was drawn from."""
    out = tmp_path_factory.mktemp("seed-report")
    write_reports(to_json(seed_result), out, ["json", "html"])
    report: dict[str, Any] = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return out / "report.html", report


def test_seed_cluster_table_lists_both_clusters_with_their_origins(
    page: Page, seed_report: tuple[Path, dict[str, Any]],
) -> None:
    html, _ = seed_report
    open_report(page, html)
    assert shown_keys(page, "cluster-table") == ["1", "2"]
    origins = page.locator("#cluster-table tbody tr td:nth-child(3)").all_inner_texts()
    assert origins == [S001, S003]
    assert page.locator("#cluster-view").is_hidden(), "no cluster is open before a click"
    assert page.locator("details.member").count() == 0
    assert status(page, "cluster-table") == "2 of 2 shown"


@pytest.mark.parametrize(
    ("cluster", "members", "origin"),
    [
        (1, [S001, S000], S001),  # by date; the undated 000 last
        (2, [S003, S004], S003),
    ],
)
def test_clicking_a_cluster_row_opens_its_members_texts_with_the_origin_badge(
    page: Page, seed_report: tuple[Path, dict[str, Any]], cluster: int, members: list[str],
    origin: str,
) -> None:
    html, report = seed_report
    index = {d["id"]: k for k, d in enumerate(report["documents"])}
    open_report(page, html)
    open_cluster(page, cluster)
    assert page.evaluate("location.hash") == f"#cluster-{cluster}"
    assert page.locator("#cluster-view h3").inner_text() == f"Cluster {cluster}: 2 documents"
    assert selected_key(page, "cluster-table") == str(cluster)
    boxes = page.locator("#cluster-view details.member")
    assert boxes.locator("summary strong").all_inner_texts() == members
    for member in members:
        box = page.locator(f"#member-{index[member]}")
        text = box.locator(".text")
        assert box.get_attribute("open") is not None, f"{member} is not open"
        assert text.is_visible(), member
        assert text.text_content() == report["documents"][index[member]]["text"], member
    badged = boxes.filter(has=page.locator("summary .badge"))
    assert badged.locator("summary strong").all_inner_texts() == [origin]
    assert badged.locator("summary .badge").inner_text() == "origin"
    assert page.locator("#cluster-view .origin-line a.doc").inner_text() == origin


@pytest.mark.parametrize(("cluster", "member"), [(1, S000), (1, S001), (2, S003), (2, S004)])
def test_member_text_marks_exactly_what_the_report_says(
    page: Page, seed_report: tuple[Path, dict[str, Any]], cluster: int, member: str,
) -> None:
    """Shared passages, template lines, reused headings and stock phrases are marked
    over exactly the characters report.json gives, and each shared passage's title
    names the document it is shared with."""
    html, report = seed_report
    k = next(k for k, d in enumerate(report["documents"]) if d["id"] == member)
    doc = report["documents"][k]
    open_report(page, html, f"#cluster-{cluster}")
    marked = pieces(page, f"#member-{k} .text")
    assert marked, "nothing is marked"

    def where(cls: str) -> set[int]:
        return covered([[p["start"], p["end"]] for p in marked if cls in p["classes"]])

    assert where("tpl") == covered(doc["template_lines"])
    assert where("hd") == covered(doc["heading_lines"])
    assert where("stk") == covered(doc["stock_spans"])
    mine = [x[side] for p in report["pairs"] for x in p["passages"] for side in "ab"
            if p[side] == member]
    assert where("shared") == covered(mine)
    shared = [p for p in marked if "shared" in p["classes"]]
    assert shared, f"{member} has no shared passage"
    for p in shared:
        assert p["tag"] == "mark"
        pair = report["pairs"][int(p["pair"])]
        other = pair["b"] if pair["a"] == member else pair["a"]
        assert p["title"].startswith(f"shared with {other}"), p["title"]
    partners = {report["pairs"][int(p["pair"])][s] for p in shared for s in "ab"} - {member}
    members = next(c["members"] for c in report["clusters"] if c["id"] == cluster)
    assert set(members) - {member} <= partners, "no mark names the other member"


@pytest.mark.parametrize(
    ("cluster", "template", "headings"),
    [
        (1, [], [HEADING, HEADING]),
        (2, ["Advertisment"] * 4, []),  # two lines in each of 003 and 004
    ],
)
def test_template_lines_headings_and_stock_phrases_are_shown(
    page: Page, seed_report: tuple[Path, dict[str, Any]], cluster: int, template: list[str],
    headings: list[str],
) -> None:
    html, _ = seed_report
    open_report(page, html)
    open_cluster(page, cluster)
    texts = page.locator("#cluster-view .member .text")
    assert texts.locator(".tpl").all_inner_texts() == template
    assert texts.locator(".hd").all_inner_texts() == headings
    assert texts.locator(".stk").count() >= 2
    assert all(t.locator(".stk").count() for t in texts.all()), "a member has no stock phrase"


@pytest.mark.parametrize(
    ("cluster", "dated", "origin", "link"),
    [
        (1, [("2024-03-25", S001), ("—", S000)], 1, 0),
        (2, [("2024-03-23", S003), ("2024-03-28", S004)], 3, 2),
    ],
)
def test_timeline_and_graph_draw_each_member_and_link(
    page: Page, seed_report: tuple[Path, dict[str, Any]], cluster: int,
    dated: list[tuple[str, str]], origin: int, link: int,
) -> None:
    html, _ = seed_report
    open_report(page, html, f"#cluster-{cluster}")
    rows = page.locator("#cluster-view .timeline .tl-row")
    assert [(r.locator(".tl-date").inner_text(), r.locator(".tl-doc a").inner_text())
            for r in rows.all()] == dated
    assert page.locator("#cluster-view .tl-row.origin .tl-doc a").inner_text() == dated[0][1]
    graph = page.locator("#cluster-view svg.graph")
    assert graph.is_visible()
    assert graph.locator("circle").count() == 2
    assert graph.locator("g.node.origin").get_attribute("data-member") == str(origin)
    assert graph.locator("line").count() == 1
    assert graph.locator("line.edge").get_attribute("data-pair") == str(link)


@pytest.mark.parametrize(("pair", "cluster"), [(0, 1), (1, 1), (2, 2)])
def test_clicking_a_shared_passage_opens_the_pair_side_by_side(
    page: Page, seed_report: tuple[Path, dict[str, Any]], pair: int, cluster: int,
) -> None:
    html, report = seed_report
    docs = report["documents"]
    index = {d["id"]: k for k, d in enumerate(docs)}
    p = report["pairs"][pair]
    a, b = docs[index[p["a"]]]["text"], docs[index[p["b"]]]["text"]
    open_report(page, html, f"#cluster-{cluster}")
    page.locator(f'#member-{index[p["a"]]} .text mark.shared[data-pair="{pair}"]').first.click()
    view = page.wait_for_selector(f'#pair-view[data-pair="{pair}"]', state="visible")
    assert view is not None
    assert page.evaluate("location.hash") == f"#pair-{pair}"
    assert shown_keys(page, "pair-table") == ["0", "1", "2"]
    assert selected_key(page, "pair-table") == str(pair)
    shared = page.locator("#pair-view tr.shared-row")
    assert shared.count() == len(p["passages"])
    for row, x in zip(shared.all(), p["passages"], strict=True):
        cells = row.locator("td").all_inner_texts()
        assert cells == [x["text"], x["text"]]
        assert a[slice(*x["a"])] == b[slice(*x["b"])] == x["text"]
    # Unshared text is folded; "show N more" says how much is hidden, and unfolding
    # gives back each text whole, in order.
    columns = page.locator("#pair-view table.side-by-side tbody td")
    assert page.locator("#pair-view tr.gap-row").count() >= 1
    buttons = page.locator("#pair-view button.unfold")
    hidden = {0: 0, 1: 0}
    for button in buttons.all():
        side = button.evaluate("(b) => b.closest('td').cellIndex")
        label = button.inner_text()
        assert label.startswith("… show ") and label.endswith(" more characters …"), label
        hidden[side] += int(label.split()[2].replace(",", ""))
    folded = columns.evaluate_all(
        "(tds) => tds.map((td) => { const c = td.cloneNode(true);"
        " c.querySelectorAll('button').forEach((b) => b.remove()); return c.textContent; })")
    assert len("".join(folded[0::2])) + hidden[0] == len(a)
    assert len("".join(folded[1::2])) + hidden[1] == len(b)
    while buttons.count():
        buttons.first.click()
    whole = columns.all_text_contents()
    assert "".join(whole[0::2]) == a
    assert "".join(whole[1::2]) == b


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        (S004, ["2"]),
        (S000, ["0", "1"]),
        ("003_FC2A", ["1", "2"]),  # case does not matter
        ("  reuse ", ["0", "1", "2"]),  # nor spaces around
        ("no such text", []),
    ],
)
def test_pair_table_filter_shows_only_rows_containing_the_text(
    page: Page, seed_report: tuple[Path, dict[str, Any]], query: str, keys: list[str],
) -> None:
    html, _ = seed_report
    open_report(page, html)
    page.fill('input[data-filter="pair-table"]', query)
    assert shown_keys(page, "pair-table") == keys
    assert status(page, "pair-table") == f"{len(keys)} of {len(keys)} shown (3 in all)"
    for row in page.locator("#pair-table tbody tr:visible").all_inner_texts():
        assert query.strip().lower() in row.lower(), row
    page.fill('input[data-filter="pair-table"]', "")
    assert shown_keys(page, "pair-table") == ["0", "1", "2"]


def test_pair_table_filter_hides_an_open_pair_that_does_not_match(
    page: Page, seed_report: tuple[Path, dict[str, Any]],
) -> None:
    html, _ = seed_report
    open_report(page, html, "#pair-0")
    assert selected_key(page, "pair-table") == "0"
    page.fill('input[data-filter="pair-table"]', S004)
    assert status(page, "pair-table") == "1 of 1 shown (3 in all)"
    assert shown_keys(page, "pair-table") == ["2"]


@pytest.mark.parametrize(
    ("header", "descending", "ascending"),
    [
        ("Jaccard", ["1", "0", "2"], ["2", "0", "1"]),  # 0.011, 0.014, 0.010
        ("strength", ["0", "1", "2"], ["2", "1", "0"]),
        ("cluster", ["2", "0", "1"], ["1", "0", "2"]),  # 1, none, 2
        ("passages", ["0", "1", "2"], ["0", "1", "2"]),  # all 1: ties keep their order
    ],
)
def test_clicking_a_numeric_header_sorts_the_pair_table(
    page: Page, seed_report: tuple[Path, dict[str, Any]], header: str,
    descending: list[str], ascending: list[str],
) -> None:
    html, _ = seed_report
    open_report(page, html)
    th = page.locator("#pair-table thead th", has_text=header)
    assert th.get_attribute("data-type") == "number"
    th.locator("button.sort").click()
    assert th.get_attribute("aria-sort") == "descending"
    assert shown_keys(page, "pair-table") == descending
    th.locator("button.sort").click()
    assert th.get_attribute("aria-sort") == "ascending"
    assert shown_keys(page, "pair-table") == ascending


@pytest.mark.parametrize(("doc", "cluster"), [(0, 1), (1, 1), (3, 2), (4, 2), (2, None)])
def test_a_document_link_opens_its_cluster_at_that_member(
    page: Page, seed_report: tuple[Path, dict[str, Any]], doc: int, cluster: int | None,
) -> None:
    html, report = seed_report
    open_report(page, html, f"#doc-{doc}")
    if cluster is None:  # 002 is in no cluster: its row in the document table is selected
        assert page.locator("#cluster-view").is_hidden()
        assert selected_key(page, "document-table") == str(doc)
        return
    page.wait_for_selector(f'#cluster-view[data-cluster="{cluster}"]', state="visible")
    assert selected_key(page, "document-table") is None
    box = page.locator(f"#member-{doc}")
    assert box.get_attribute("open") is not None
    assert box.locator(".text").text_content() == report["documents"][doc]["text"]
    assert selected_key(page, "cluster-table") == str(cluster)


@pytest.mark.parametrize(
    "fragment",
    [
        "#cluster-99", "#pair-3", "#doc-5", "#cluster-", "#overview",
        "#doc-%3Cimg%20src=x%20onerror=window.__pwned=6%3E",
        "#doc-%E0%A4%A",
    ],
)
def test_a_hash_that_names_nothing_opens_nothing(
    page: Page, problems: list[str], seed_report: tuple[Path, dict[str, Any]], fragment: str,
) -> None:
    html, _ = seed_report
    open_report(page, html, fragment)
    assert page.locator("#cluster-view").is_hidden()
    assert page.locator("#pair-view").is_hidden()
    assert page.locator("tr.selected").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert drain(problems) == []


# --- hostile text --------------------------------------------------------------------------

SHARED = (
    "The harbour authority reported record grain shipments on Monday while farmers in the "
    "north waited for rain and bankers in the capital debated the outlook for interest rates. "
    "Officials said the new terminal would double capacity by the end of next year, and dock "
    "workers welcomed the extra shifts after a long and difficult winter season. "
)
SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=2">'
CLOSE = "</script><script>window.__pwned=3</script>"
SVG = "<svg onload=window.__pwned=4>"
JS_URL = "javascript:window.__pwned=5"
BOLD = '"><b>bold</b>'
ENTITY = "&amp; &lt;b&gt;"
HOSTILE = [
    Article(id=f"a{SCRIPT}", text=f"{SCRIPT} Weather in the valley.\n{SHARED}{IMG} more "
            f"{SHARED}{BOLD} and {ENTITY} end.", date="2024-03-01", source=CLOSE,
            url=JS_URL, title=SVG),
    Article(id=f"b{BOLD}", text=f"{CLOSE} Markets today.\n{SHARED}{IMG} more {SHARED}{SVG} "
            f"closing {SCRIPT}.", date="2024-03-02", source=BOLD,
            url=f"https://example.com/?q={BOLD}", title=IMG),
    Article(id=f"c{IMG}", text=f"{SVG}\n{SHARED}{IMG} more {SHARED}{ENTITY} {JS_URL}",
            date="2024-03-03", source=SCRIPT, url=f" {JS_URL.upper()}", title=BOLD),
]
PAYLOADS = (SCRIPT, IMG, CLOSE, SVG, BOLD)


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    report = to_json(scan(HOSTILE))
    out = tmp_path_factory.mktemp("hostile-report")
    write_reports(report, out, ["html"])
    return out / "report.html", report


def test_markup_in_the_corpus_is_shown_as_text_and_never_runs(
    page: Page, hostile_report: tuple[Path, dict[str, Any]],
) -> None:
    html, report = hostile_report
    assert len(report["clusters"]) == 1 and len(report["pairs"]) == 3, (
        "the hostile articles must pair up so that their texts are in the report")
    (cluster,) = report["clusters"]
    assert sorted(cluster["members"]) == sorted(a.id for a in HOSTILE)
    open_report(page, html)
    # Tables: ids, sources and titles as text.
    documents = page.locator("#document-table tbody").inner_text()
    for article in HOSTILE:
        for value in (article.id, article.source, article.title):
            assert value is not None and value in documents, value
    # The cluster: every member open, its whole text shown as text.
    open_cluster(page, 1)
    for k, article in enumerate(HOSTILE):
        box = page.locator(f"#member-{k}")
        assert box.locator("summary strong").inner_text() == article.id
        assert box.locator("summary .title").inner_text() == article.title
        text = box.locator(".text").inner_text()
        assert text == article.text, article.id
    for payload in (SCRIPT, IMG, BOLD, ENTITY):
        assert payload in page.locator("#member-0 .text").inner_text(), payload
    marks = page.locator("#cluster-view .text mark.shared")
    assert marks.count() >= 3
    for mark in marks.all()[:6]:
        mark.hover()
        assert (mark.get_attribute("title") or "").startswith("shared with "), "no title"
    titles = " ".join(m.get_attribute("title") or "" for m in marks.all())
    assert f"shared with b{BOLD}" in titles and f"shared with a{SCRIPT}" in titles
    for node in page.locator("#cluster-view svg.graph g.node").all():
        node.hover()
        node.click()
    page.locator("#cluster-view svg.graph line.edge").first.hover()
    assert page.locator("#cluster-view svg.graph text").count() == 3
    # The pair view, opened from the keyboard.
    marks.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#pair-view", state="visible")
    pair = report["pairs"][int(page.get_attribute("#pair-view", "data-pair") or -1)]
    unfold = page.locator("#pair-view button.unfold")
    while unfold.count():
        unfold.first.click()
    columns = page.locator("#pair-view table.side-by-side tbody td").all_text_contents()
    by_id = {a.id: a for a in HOSTILE}
    assert "".join(columns[0::2]) == by_id[pair["a"]].text
    assert "".join(columns[1::2]) == by_id[pair["b"]].text
    pair_text = page.locator("#pair-view").inner_text()
    for payload in PAYLOADS:
        assert payload in pair_text, payload
    page.locator("#pair-view h3 a.doc").first.click()
    page.wait_for_selector("#cluster-view", state="visible")

    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img, b, iframe, object, embed").count() == 0
    assert page.locator("svg").count() == page.locator("svg.graph").count() == 1
    tags = page.locator(".text *, #pair-view td *").evaluate_all(
        "(nodes) => nodes.map((n) => n.tagName.toLowerCase())")
    assert "mark" in tags and set(tags) <= {"mark", "span"}, (
        f"article text made elements of its own: {sorted(set(tags))}")
    handlers = page.evaluate("""() => Array.from(document.querySelectorAll('*'))
        .flatMap((n) => Array.from(n.attributes).filter((a) => /^on/i.test(a.name))
        .map((a) => n.tagName + ' ' + a.name))""")
    assert handlers == []
    assert page.locator('[href^="javascript" i], [href*="javascript:" i]').count() == 0
    hrefs = page.locator("a[href]").evaluate_all("(a) => a.map((x) => x.getAttribute('href'))")
    assert {h for h in hrefs if not h.startswith("#")} == {f"https://example.com/?q={BOLD}"}
    assert page.locator("#member-0 .url").count() == 0, "a javascript: url must not be a link"
    assert page.locator("#member-1 .url a").inner_text() == HOSTILE[1].url


def test_the_security_policy_stops_markup_that_got_into_the_page_from_running(
    page: Page, problems: list[str], hostile_report: tuple[Path, dict[str, Any]],
) -> None:
    # The second line of defence: were an article's markup ever put into the page as
    # HTML (an escaping bug), the page's own Content-Security-Policy must stop it. (Not
    # eval: code Playwright runs in the page is exempt from the policy, as DevTools' is.)
    html, _ = hostile_report
    open_report(page, html)
    policy = page.get_attribute('meta[http-equiv="Content-Security-Policy"]', "content")
    assert policy is not None and policy.startswith("default-src 'none'; ")
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    violated = page.evaluate("""() => new Promise((resolve) => {
        const seen = [];
        document.addEventListener("securitypolicyviolation",
                                  (e) => seen.push(e.effectiveDirective));
        document.body.insertAdjacentHTML("beforeend",
            '<img src="data:," onload="window.__pwned=6">' +
            '<img src="x" onerror="window.__pwned=7">' +
            '<div id="bait" onclick="window.__pwned=8">bait</div>' +
            '<a id="jsurl" href="javascript:window.__pwned=9">link</a>');
        const script = document.createElement("script");
        script.textContent = "window.__pwned = 10";
        document.body.append(script);
        document.getElementById("bait").click();
        document.getElementById("jsurl").click();
        setTimeout(() => resolve(seen), 300);
    })""")
    assert page.evaluate("window.__pwned") is None, violated
    assert sorted(set(violated)) == ["img-src", "script-src-attr", "script-src-elem"], violated
    assert violated.count("script-src-attr") >= 3  # onload, onclick and the javascript: link
    logged = drain(problems)
    assert logged and all("Content Security Policy" in line for line in logged), logged


# --- many documents --------------------------------------------------------------------------

CLUSTERS = 6000
LAST_SIZE = 8  # more members than the view opens at once (6)
SIZE = 2  # members of the other clusters
LONE = 20_000 - (CLUSTERS - 1) * SIZE - LAST_SIZE  # documents in no pair


def many(clusters: int = CLUSTERS, size: int = SIZE, last_size: int = LAST_SIZE,
         lone: int = LONE) -> dict[str, Any]:
    """A report.json value: ``clusters`` clusters of ``size`` documents (the last of
    ``last_size``) linked in a chain by one shared passage, and ``lone`` documents in
    no pair. Document ``doc-NNNNN`` is the N-th; its text ends "Signed doc-NNNNN."."""
    documents: list[dict[str, Any]] = []
    pairs: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []

    def document(text: str | None, date: str | None, source: str | None) -> str:
        doc_id = f"doc-{len(documents):05d}"
        documents.append({
            "id": doc_id, "date": date, "source": source, "title": None, "url": None,
            "words": len(text.split()) if text else 40, "template_words": 0,
            "template_lines": [], "heading_lines": [], "stock_spans": [],
            "text": text and f"{text} Signed {doc_id}."})
        return doc_id

    for c in range(1, clusters + 1):
        shared = f"Story {c} as filed: rain, grain and rates all rose on the day."
        members = last_size if c == clusters else size
        ids = [document(f"Copy {m}.\n{shared}\n", f"2024-{c % 12 + 1:02d}-{m + 1:02d}",
                        f"site{m}") for m in range(members)]
        start = {m: len(f"Copy {m}.\n") for m in range(members)}
        links = []
        for m, (a, b) in enumerate(itertools.pairwise(ids)):
            span_a = [start[m], start[m] + len(shared)]
            span_b = [start[m + 1], start[m + 1] + len(shared)]
            pairs.append({"a": a, "b": b, "relation": "reuse", "jaccard": 0.5,
                          "containment": [0.7, 0.7], "strength": 0.8, "evidence": "1 passage",
                          "headings": [], "passages": [
                              {"a": span_a, "b": span_b, "text": shared, "rare_shingles": 9}]})
            links.append({"a": a, "b": b, "evidence": "1 passage", "strength": 0.8})
        groups.append({"id": c, "members": ids, "origin": ids[0],
                       "origin_rule": "earliest-date", "confidence": 0.9, "links": links})
    for _ in range(lone):
        document(None, None, None)
    return {"version": "0", "params": {"fingerprint": "synthetic"}, "documents": documents,
            "pairs": pairs, "boilerplate": [], "clusters": groups, "skipped": [],
            "warnings": []}


def test_many_follows_the_report_schema() -> None:
    small = many(clusters=3, size=3, last_size=7, lone=2)
    check_report(small, "many()")
    texts = {d["id"]: d["text"] for d in small["documents"]}
    assert len(texts) == 3 + 3 + 7 + 2
    for pair in small["pairs"]:
        (x,) = pair["passages"]
        assert texts[pair["a"]][slice(*x["a"])] == texts[pair["b"]][slice(*x["b"])] == x["text"]


def test_twenty_thousand_documents_page_their_tables_and_draw_clusters_when_opened(
    page: Page, tmp_path: Path,
) -> None:
    report = many()
    assert (len(report["documents"]), len(report["clusters"])) == (20_000, CLUSTERS)
    html = tmp_path / "report.html"
    html.write_text(render_html(report), encoding="utf-8")
    open_report(page, html)
    tables = {"cluster-table": CLUSTERS, "pair-table": len(report["pairs"]),
              "document-table": 20_000}
    for table, rows in tables.items():
        size = int(page.get_attribute(f"#{table}", "data-page") or 0)
        assert size == 50, table
        assert len(shown_keys(page, table)) == size, table
        assert status(page, table) == f"{size} of {rows} shown"
    # Nothing of a cluster is drawn before it is opened.
    signed = """() => { let n = 0; const walk = document.createTreeWalker(document.body, 4);
        while (walk.nextNode()) if (!walk.currentNode.parentElement.closest('script')
            && walk.currentNode.data.includes('Signed doc-')) n++;
        return n; }"""
    assert page.evaluate(signed) == 0
    assert page.evaluate("document.querySelectorAll("
                         "'.member, mark, #cluster-view *, #pair-view *').length") == 0
    # More rows on demand.
    more = page.locator("#document-table ~ button.more")
    assert more.inner_text() == "Show 50 more"
    more.click()
    assert shown_keys(page, "document-table") == [str(k) for k in range(100)]
    assert status(page, "document-table") == "100 of 20000 shown"
    # The filter finds documents deep in the list.
    page.fill('input[data-filter="document-table"]', "doc-19999")
    assert shown_keys(page, "document-table") == ["19999"]
    assert status(page, "document-table") == "1 of 1 shown (20000 in all)"
    last_origin = report["clusters"][-1]["origin"]
    page.fill('input[data-filter="cluster-table"]', last_origin)
    assert shown_keys(page, "cluster-table") == [str(CLUSTERS)]
    page.fill('input[data-filter="cluster-table"]', "")
    assert shown_keys(page, "cluster-table") == [str(c) for c in range(1, 51)]
    # The last cluster, opened by hash (as by a link), draws its members only; the two
    # past the sixth stay closed, their text drawn when opened.
    page.evaluate(f"location.hash = '#cluster-{CLUSTERS}'")
    page.wait_for_selector(f'#cluster-view[data-cluster="{CLUSTERS}"]', state="visible")
    assert page.locator("#cluster-view h3").inner_text() == (
        f"Cluster {CLUSTERS}: {LAST_SIZE} documents")
    assert selected_key(page, "cluster-table") == str(CLUSTERS), "its row is out of sight"
    assert len(shown_keys(page, "cluster-table")) <= 51, "the table no longer pages"
    assert page.locator("#cluster-view details.member").count() == LAST_SIZE
    assert page.locator("#cluster-view svg.graph circle").count() == LAST_SIZE
    assert page.locator("#cluster-view svg.graph line").count() == LAST_SIZE - 1
    assert page.evaluate(signed) == 6
    first = len(report["documents"]) - LONE - LAST_SIZE
    closed = page.locator(f"#member-{first + 7}")
    assert closed.get_attribute("open") is None
    assert closed.locator(".text").evaluate("(t) => t.childNodes.length") == 0
    closed.locator("summary").click()
    # The text is drawn on the toggle event, which fires after the click returns. (A
    # locator waits in Playwright's own script; wait_for_function would eval in the
    # page, which the report's Content-Security-Policy forbids.)
    closed.locator(".text", has_text=f"Signed doc-{first + 7:05d}.").wait_for()
    assert closed.locator(".text").inner_text().endswith(f"Signed doc-{first + 7:05d}.")
    assert page.evaluate(signed) == 7
    # A shared passage opens its pair; the pair table keeps paging with that pair in sight.
    page.locator(f"#member-{first} .text mark.shared").click()
    pair = len(report["pairs"]) - (LAST_SIZE - 1)  # the last cluster's first link
    page.wait_for_selector(f'#pair-view[data-pair="{pair}"]', state="visible")
    (passage,) = report["pairs"][pair]["passages"]
    assert page.locator("#pair-view tr.shared-row td").all_inner_texts() == [passage["text"]] * 2
    assert selected_key(page, "pair-table") == str(pair), "its row is out of sight"
    assert len(shown_keys(page, "pair-table")) <= 51, "the table no longer pages"
    # Numbers sort as numbers (as text, "999" would come first).
    page.locator("#cluster-table thead button.sort", has_text="cluster").click()
    assert shown_keys(page, "cluster-table") == [str(c) for c in range(CLUSTERS, CLUSTERS - 50, -1)]
