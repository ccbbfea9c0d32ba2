"""Tests of dedupe/report/view.py: what the HTML page marks, aligns, dates and draws."""

from __future__ import annotations

import doctest
import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedupe import ScanResult
from dedupe.report import to_json, view
from dedupe.report.view import (
    HEADING,
    PALETTE,
    STOCK,
    TEMPLATE,
    align,
    build,
    delay,
    link_colours,
    marks,
    safe_url,
)

# --- marks -------------------------------------------------------------------------------

T, H, S = TEMPLATE, HEADING, STOCK


@pytest.mark.parametrize(
    ("length", "template", "headings", "stock", "passages", "expected"),
    [
        (10, [], [], [], [], []),
        (10, [(2, 5)], [], [], [], [[2, 5, T, []]]),
        # overlapping layers split into stretches with combined flags
        (20, [(0, 5)], [], [(3, 8)], [(6, 12, 0)],
         [[0, 3, T, []], [3, 5, T | S, []], [5, 6, S, []], [6, 8, S, [0]], [8, 12, 0, [0]]]),
        # two pairs over the same stretch: both named, in pair order
        (10, [], [], [], [(0, 6, 3), (4, 10, 1)],
         [[0, 4, 0, [3]], [4, 6, 0, [1, 3]], [6, 10, 0, [1]]]),
        # touching spans of one layer merge; spans are clipped to the text
        (8, [], [(0, 3), (3, 6)], [], [(5, 99, 2)],
         [[0, 5, H, []], [5, 6, H, [2]], [6, 8, 0, [2]]]),
        # empty and reversed spans mark nothing
        (8, [(4, 4), (6, 2)], [], [], [(9, 12, 0)], []),
    ],
)
def test_marks(length: int, template: list[tuple[int, int]], headings: list[tuple[int, int]],
               stock: list[tuple[int, int]], passages: list[tuple[int, int, int]],
               expected: list[list[Any]]) -> None:
    assert marks(length, template, headings, stock, passages) == expected


spans = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=6)


@given(st.integers(0, 50), spans, spans, spans,
       st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60), st.integers(0, 3)),
                max_size=6))
def test_marks_cover_exactly_the_marked_characters(
    length: int, template: list[tuple[int, int]], headings: list[tuple[int, int]],
    stock: list[tuple[int, int]], passages: list[tuple[int, int, int]],
) -> None:
    out = marks(length, template, headings, stock, passages)
    # Per character: the flags and pairs the layers give it, computed naively.
    expected = []
    for x in range(length):
        flags = sum(flag for flag, layer in ((T, template), (H, headings), (S, stock))
                    if any(a <= x < b for a, b in layer))
        pairs = sorted({p for a, b, p in passages if a <= x < b})
        expected.append((flags, pairs))
    got = [(0, [])] * length
    for start, end, flags, pairs in out:
        assert 0 <= start < end <= length and (flags or pairs)
        for x in range(start, end):
            got[x] = (flags, pairs)
    assert got == expected
    # Stretches are in order, do not overlap, and neighbours differ.
    for (_, end, f1, p1), (start, _, f2, p2) in itertools.pairwise(out):
        assert end <= start and (end < start or (f1, p1) != (f2, p2))


# --- align -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("passages", "length_a", "length_b", "expected"),
    [
        ([], 5, 7, [[0, 5, 0, 7, 0]]),
        ([(0, 5, 0, 5)], 5, 5, [[0, 5, 0, 5, 1]]),
        ([(10, 20, 30, 40)], 25, 50,
         [[0, 10, 0, 30, 0], [10, 20, 30, 40, 1], [20, 25, 40, 50, 0]]),
        # in order in both texts: each passage its own row, the text between as gaps
        ([(0, 4, 2, 6), (10, 14, 8, 12)], 14, 12,
         [[0, 0, 0, 2, 0], [0, 4, 2, 6, 1], [4, 10, 6, 8, 0], [10, 14, 8, 12, 1]]),
        # crossing passages: the longer keeps its row, the other stays inside a gap
        ([(0, 3, 20, 23), (10, 30, 0, 20)], 30, 23,
         [[0, 10, 0, 0, 0], [10, 30, 0, 20, 1], [30, 30, 20, 23, 0]]),
    ],
)
def test_align(passages: list[tuple[int, int, int, int]], length_a: int, length_b: int,
               expected: list[list[int]]) -> None:
    assert align(passages, length_a, length_b) == expected


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 10), st.integers(0, 40),
                          st.integers(1, 10)), max_size=6))
def test_align_rows_tile_both_texts_in_order(raw: list[tuple[int, int, int, int]]) -> None:
    passages = [(a, a + n, b, b + m) for a, n, b, m in raw]
    length_a = max([p[1] for p in passages], default=0) + 3
    length_b = max([p[3] for p in passages], default=0) + 3
    rows = align(passages, length_a, length_b)
    # Each side's rows run from 0 to the end of the text without gaps or overlaps.
    for lo, hi, length in ((0, 1, length_a), (2, 3, length_b)):
        at = 0
        for row in rows:
            assert row[lo] == at and row[hi] >= row[lo]
            at = row[hi]
        assert at == length
    assert all(tuple(r[:4]) in passages for r in rows if r[4])


# --- colours, urls, delays ----------------------------------------------------------------


@given(st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8)).filter(lambda e: e[0] != e[1]),
                max_size=30))
def test_links_sharing_a_document_differ_in_colour(ends: list[tuple[int, int]]) -> None:
    colours = link_colours(ends)
    assert all(0 <= c < PALETTE for c in colours)
    degree: dict[int, int] = {}
    for a, b in ends:
        degree[a], degree[b] = degree.get(a, 0) + 1, degree.get(b, 0) + 1
    for (e, c), (f, d) in itertools.combinations(zip(ends, colours, strict=True), 2):
        shared = set(e) & set(f)
        # Greedy edge colouring needs at most 2 * degree - 1 colours.
        if shared and all(2 * degree[x] - 1 <= PALETTE for x in set(e) | set(f)):
            assert c != d, f"links {e} and {f} share a document and colour {c}"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a", "https://example.com/a"),
        (" HTTP://example.com ", "HTTP://example.com"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("data:text/html,<script>", None),
        ("//evil.example", None),
        ("example.com", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_url(url: str | None, expected: str | None) -> None:
    assert safe_url(url) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(0, "+0"), (0.4, "+0"), (30, "+30 s"), (-90, "-1.5 min"), (3600, "+1 h"),
     (5400, "+1.5 h"), (86400 * 2, "+2 d"), (86400 * 12.4, "+12 d"), (-86400 * 3, "-3 d")],
)
def test_delay(seconds: float, expected: str) -> None:
    assert delay(seconds) == expected


# --- the whole page model ------------------------------------------------------------------


def test_seed_page_model_follows_the_report(seed_result: ScanResult) -> None:
    report = to_json(seed_result)
    model = build(report)
    data = model["data"]
    ids = [d["id"] for d in data["docs"]]
    for cluster, shown in zip(report["clusters"], data["clusters"], strict=True):
        assert ids[shown["origin"]] == cluster["origin"]
        assert sorted(ids[k] for k in shown["members"]) == sorted(cluster["members"])
        assert len(shown["timeline"]) == len(shown["layout"]) == len(cluster["members"])
        assert sorted(shown["pairs"]) == shown["pairs"]
        for k in shown["pairs"]:
            pair = data["pairs"][k]
            assert {ids[pair["a"]], ids[pair["b"]]} <= set(cluster["members"])
    # Every shared passage is marked in both texts with its pair, on exactly its span.
    for k, (pair, shown) in enumerate(zip(report["pairs"], data["pairs"], strict=True)):
        for passage in pair["passages"]:
            for side, end in (("a", shown["a"]), ("b", shown["b"])):
                start, stop = passage[side]
                doc = data["docs"][end]
                covered = [m for m in doc["marks"] if k in m[3]]
                assert covered[0][0] == start and covered[-1][1] == stop
    # Documents in no pair carry no text.
    paired = {p["a"] for p in report["pairs"]} | {p["b"] for p in report["pairs"]}
    for doc in data["docs"]:
        assert (doc["text"] is not None) == (doc["id"] in paired)


def test_seed_timeline_puts_the_undated_member_last_and_the_origin_on_top(
    seed_result: ScanResult,
) -> None:
    data = build(to_json(seed_result))["data"]
    for cluster in data["clusters"]:
        dates = [data["docs"][k]["date"] for k in cluster["members"]]
        dated = [d for d in dates if d]
        assert dates[: len(dated)] == sorted(dated), "dated members come first, by date"
        origin_at = cluster["members"].index(cluster["origin"])
        _, y = cluster["layout"][origin_at]
        assert y == min(point[1] for point in cluster["layout"])
        for (position, lag), date in zip(cluster["timeline"], dates, strict=True):
            assert (position is None) == (date is None)
            assert lag == "" or lag.startswith(("+", "-"))


def test_view_doctests() -> None:
    assert doctest.testmod(view).failed == 0
