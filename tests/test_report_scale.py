"""Tests of the report scale benchmark's pure parts (benchmarks/report_scale.py).

Nothing here is timed: the benchmark's numbers live in docs/report.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks.generate import SAMPLE_PATH, load_pool
from benchmarks.pages import NOTES_HEADING, kept_notes
from benchmarks.report_scale import (
    PAIR_PAGE,
    Browse,
    Corpora,
    Measure,
    batch_plan,
    linearity,
    page,
    ratios,
    rotate,
    tables,
    targets,
    text_weights,
    worst_linearity,
)
from dedupe import scan


def test_rotate_moves_letters_only_and_comes_back() -> None:
    text = "Reuters said: IBM's 3.5% rise, ÉTÉ — zebra & Zulu <b>"
    moved = rotate(text, 3)
    assert moved == "Uhxwhuv vdlg: LEP'v 3.5% ulvh, ÉWÉ — cheud & Cxox <e>"
    assert len(moved) == len(text)
    assert rotate(moved, 23) == text
    assert rotate(text, 0) == rotate(text, 26) == text


def test_batch_plan_uses_whole_batches_near_multiples() -> None:
    assert batch_plan(2500) == [(1, 340, 1020)]
    assert batch_plan(20000) == [(seed, 340, 1020) for seed in range(1, 9)]
    # A larger corpus starts with the batches of a smaller one.
    assert batch_plan(10000) == batch_plan(20000)[:4]


def test_batch_plan_scales_odd_sizes() -> None:
    assert batch_plan(3000) == [(1, 408, 1224)]
    assert batch_plan(6000) == [(1, 408, 1224), (2, 408, 1224)]
    assert batch_plan(10) == [(1, 1, 4)]
    assert batch_plan(60, families=4, unrelated=12, per_batch=30) == [(1, 4, 12), (2, 4, 12)]
    with pytest.raises(ValueError):
        batch_plan(0)


@pytest.fixture(scope="module")
def two_batches() -> Corpora:
    return Corpora(load_pool(SAMPLE_PATH), families=4, unrelated=12, per_batch=30)


def test_batches_have_unique_prefixed_ids(two_batches: Corpora) -> None:
    articles = two_batches.articles(60)
    first = two_batches.articles(30)
    assert articles[:len(first)] == first  # the larger corpus holds the smaller one
    ids = [a.id for a in articles]
    assert len(set(ids)) == len(ids)
    assert {i.split("-", 1)[0] for i in ids} == {"b1", "b2"}
    assert all(a.id.startswith("b1-") for a in first)


def test_batches_share_no_text(two_batches: Corpora) -> None:
    """The rotation keeps the second batch from reusing the first one's stories as text:
    the scan links documents within a batch and never across."""
    articles = two_batches.articles(60)
    result = scan(articles)
    assert result.pairs
    batches = {p.a.split("-", 1)[0] for p in result.pairs} | {
        p.b.split("-", 1)[0] for p in result.pairs}
    assert batches == {"b1", "b2"}
    assert all(p.a.split("-", 1)[0] == p.b.split("-", 1)[0] for p in result.pairs)
    words = [{w for a in articles if a.id.startswith(b) for w in re.findall(r"[a-z]{6,}",
                                                                            a.text.lower())}
             for b in ("b1-", "b2-")]
    # Only the odd chance word survives a rotation as another word.
    assert len(words[0] & words[1]) < 0.01 * min(map(len, words))


def test_ratios_and_linearity() -> None:
    assert ratios([2, 4, 10]) == [None, 2.0, 2.5]
    assert ratios([0, 3]) == [None, None]
    assert linearity([100, 200, 400], [10, 20, 40]) == [None, 1.0, 1.0]
    # Quadratic growth shows as the size ratio (2.0 per doubling).
    assert linearity([1, 4, 16], [1, 2, 4]) == [None, 2.0, 2.0]
    steps = linearity([500, 500, 500], [10, 20, 40])
    assert steps == [None, 0.5, 0.5]
    with pytest.raises(ValueError):
        linearity([1, 2], [1])


def test_worst_linearity_is_furthest_on_a_log_scale() -> None:
    # 0.5 (half as fast) is further from linear than 1.8.
    assert worst_linearity([1, 1.8, 1.8], [1, 1, 2]) == 0.5
    assert worst_linearity([1, 2.2, 4.4], [1, 2, 4]) == pytest.approx(1.1)
    assert worst_linearity([5], [5]) is None


def report(texts: dict[str, str | None], pairs: list[tuple[str, str]],
           clusters: list[list[str]]) -> dict[str, object]:
    return {"documents": [{"id": i, "text": t} for i, t in texts.items()],
            "pairs": [{"a": a, "b": b} for a, b in pairs],
            "clusters": [{"id": k + 1, "members": m} for k, m in enumerate(clusters)]}


def test_text_weights_count_each_text_once_and_inline_per_pair() -> None:
    value = report({"a": "abc", "b": "dé", "c": "xyzw", "d": None},
                   [("a", "b"), ("a", "c"), ("b", "c")], [["a", "b", "c"]])
    chars, stored, inline = text_weights(value)
    assert (chars, stored) == (9, 10)  # é is two bytes
    assert inline == (3 + 3) + (3 + 4) + (3 + 4)
    # A triangle of pairs already repeats each text twice.
    assert inline == 2 * stored


def test_targets_pick_the_largest_cluster_and_pairs_to_open() -> None:
    value = report({"a": "a" * 10, "b": "b" * 50, "c": "c" * 45, "d": "d" * 5},
                   [("a", "b"), ("b", "c"), ("c", "d")], [["c", "d"], ["a", "b", "c"]])
    assert targets(value) == (2, 1, 2, "d")
    assert targets(report({"a": None}, [], [])) is None


def test_targets_open_a_pair_from_the_first_page_of_the_table() -> None:
    texts: dict[str, str | None] = {f"d{k}": "x" * k for k in range(PAIR_PAGE + 10)}
    pairs = [(f"d{k}", f"d{k + 1}") for k in range(PAIR_PAGE + 9)]
    # The longest pairs lie beyond the first page; the chosen one is the page's longest.
    assert targets(report(texts, pairs, [list(texts)])) == (
        1, PAIR_PAGE - 1, PAIR_PAGE + 8, f"d{PAIR_PAGE + 9}")


def measure(size: int, articles: int, html: int, browse: Browse | None = None) -> Measure:
    return Measure(size=size, articles=articles, with_text=articles // 2, pairs=articles,
                   clusters=articles // 4, largest=8, boilerplate=10, scan=1.0,
                   text_chars=html // 2, text_bytes=html // 2, inline_bytes=html,
                   json_bytes=2 * html, html_bytes=html, md_bytes=1000, html_seconds=0.1,
                   md_seconds=0.01, browse=browse)


def test_naive_bytes_replace_texts_stored_once_with_texts_per_pair() -> None:
    m = measure(100, 100, 10_000)
    assert m.naive_bytes == 10_000 - 5_000 + 10_000
    assert m.items == 100 + 100 + 25 + 10


def test_tables_show_growth_and_browser_rows() -> None:
    browse = Browse(load=1.0, elements=2000, heap=5_000_000, cluster=0.1, pair=0.2,
                    last_pair=0.5, filter=0.01)
    runs = [measure(100, 100, 10_000, browse), measure(200, 200, 30_000, browse)]
    shown = dict(tables(runs))
    growth = shown["Growth over linear (ratio above / article ratio; 1.000 is linear)"]
    html_row = next(line for line in growth.splitlines() if line.startswith("| html "))
    assert "1.500" in html_row  # 3x the bytes for 2x the articles
    dom_row = next(line for line in growth.splitlines() if line.startswith("| DOM elements"))
    assert "0.500" in dom_row
    assert any(title.startswith("Headless Chromium") for title in shown)
    without = dict(tables([measure(100, 100, 10_000)]))
    assert not any(title.startswith("Headless Chromium") for title in without)


def test_write_keeps_the_hand_written_notes(tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    assert kept_notes(path) == ""
    first = page([measure(100, 100, 10_000)], "cmd", "machine", kept_notes(path))
    assert f"{NOTES_HEADING}\n\n(To be written" in first
    notes = f"{NOTES_HEADING}\n\nHand-written: HTML grows linearly.\n"
    path.write_text(first.split(NOTES_HEADING)[0] + notes, encoding="utf-8")
    second = page([measure(100, 100, 20_000)], "cmd", "machine", kept_notes(path))
    assert second.endswith(notes)
    assert second.count(NOTES_HEADING) == 1
