"""Tests of dedupe/report/markdown.py and tables.py: GitHub tables, escaping, limits."""

from __future__ import annotations

import copy
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedupe import ScanResult
from dedupe.report import markdown, to_json
from dedupe.report.markdown import MAX_ROWS, cell, render_markdown
from dedupe.report.tables import counts, short, summary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain words", "plain words"),
        ("  line one\n\tline two ", "line one line two"),
        ("a|b", "a\\|b"),
        ("<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"),
        ("AT&T", "AT&amp;T"),
        ("[link](javascript:x)", "\\[link\\](javascript:x)"),
        ("![img](x.png)", "!\\[img\\](x.png)"),
        ("*bold* and `code`", "\\*bold\\* and \\`code\\`"),
        ("~~gone~~ $x$", "\\~\\~gone\\~\\~ \\$x\\$"),
        ("back\\slash", "back\\\\slash"),
        # underscores inside words stay (GitHub does not emphasise there)
        ("doc_001_a", "doc_001_a"),
        ("_emph_ and __strong__", "\\_emph\\_ and \\_\\_strong\\_\\_"),
    ],
)
def test_cell_escapes_markup(text: str, expected: str) -> None:
    assert cell(text) == expected


@given(st.text(max_size=80))
def test_cell_is_one_line_with_no_bare_pipe_or_tag(text: str) -> None:
    out = cell(text)
    assert "\n" not in out and "\r" not in out
    assert "<" not in out and ">" not in out
    assert re.search(r"(?<!\\)\|", re.sub(r"\\\\", "", out)) is None


def test_cell_cuts_to_width() -> None:
    assert cell("one two three four", 9) == "one two …"
    assert short("x" * 10, 5) == "xxxx…"


def _table_rows(text: str, heading: str) -> list[list[str]]:
    """The body rows of the table under ``## heading``, split on unescaped pipes."""
    section = text.split(f"## {heading}\n\n", 1)[1].split("\n\n", 1)[0]
    lines = section.splitlines()
    assert lines[1].startswith("|-"), f"{heading}: not a GitHub table:\n{section}"
    return [[c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines[2:]]


def test_seed_markdown_lists_clusters_pairs_and_boilerplate(seed_result: ScanResult) -> None:
    report = to_json(seed_result)
    text = render_markdown(report)
    clusters = _table_rows(text, "Clusters")
    assert [(row[0], row[2]) for row in clusters] == [
        (str(c["id"]), cell(c["origin"])) for c in report["clusters"]]
    for row, c in zip(clusters, report["clusters"], strict=True):
        assert f"{cell(c['origin'])} (origin)" in row[5]
    pairs = _table_rows(text, "Pairs")
    assert len(pairs) == len(report["pairs"])
    strongest = max(report["pairs"], key=lambda p: p["strength"])
    assert pairs[0][:2] == [cell(strongest["a"]), cell(strongest["b"])]
    assert pairs[0][5] == f"“{cell(strongest['passages'][0]['text'], 80)}”"
    assert _table_rows(text, "Template lines")[0][0] == "Advertisment"
    assert _table_rows(text, "Reused headings")[0][0] == (
        "Chronology of Terror: Unpacking the Moscow Attack")
    summary_rows = dict((r[0], r[1]) for r in _table_rows(text, "Summary"))
    assert summary_rows == {label.strip(): str(n) for label, n in counts(report)}
    # Every table row has as many cells as its header.
    for heading in ("Summary", "Clusters", "Pairs", "Template lines", "Reused headings",
                    "Stock phrases"):
        widths = {len(r) for r in _table_rows(text, heading)}
        assert len(widths) == 1, heading


def test_long_tables_stop_at_max_rows_and_say_how_many_more(
    seed_result: ScanResult, monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = copy.deepcopy(to_json(seed_result))
    monkeypatch.setattr(markdown, "MAX_ROWS", 2)
    text = render_markdown(report)
    assert len(_table_rows(text, "Pairs")) == 2
    assert "… and 1 more rows: see report.html or report.json." in text
    assert MAX_ROWS == 500


def test_markdown_escapes_article_text(seed_result: ScanResult) -> None:
    report = copy.deepcopy(to_json(seed_result))
    report["boilerplate"][0]["text"] = "<img src=x onerror=alert(1)> | [x](javascript:y)"
    text = render_markdown(report)
    assert "<img" not in text
    assert re.search(r"(?<!\\)\]\(javascript", text) is None, "a live link"
    assert "&lt;img src=x onerror=alert(1)&gt; \\| \\[x\\](javascript:y)" in text


def test_summary_is_the_terminal_view_of_the_same_counts(seed_result: ScanResult) -> None:
    report = to_json(seed_result)
    lines = summary(report).splitlines()
    assert lines[2].split() == ["documents", str(len(report["documents"]))]
    assert any(line.split()[:3] == ["1", "2", report["clusters"][0]["origin"]]
               for line in lines)
