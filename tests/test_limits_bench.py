"""Tests of benchmarks/limits.py on inputs a thousand times smaller than the issue's."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from benchmarks import limits
from dedupe import lsh

SCALE = 0.0005
ONE_OBJECT = 'write one JSON object per line, like {"id": "a1", "text": "..."}'


def test_the_bad_line_is_reported_and_every_other_article_scanned(tmp_path: Path) -> None:
    outcome = limits.run(limits.CASES["bad-line"], tmp_path, SCALE, max_rss_gb=8)
    source = tmp_path / f"bad-line-{SCALE:g}.jsonl"
    lines = source.read_text(encoding="ascii").splitlines()
    bad = [k for k, line in enumerate(lines, 1) if line.startswith('{"id": "bad"')]
    assert len(bad) == 1 and abs(bad[0] - len(lines) / 2) <= 1  # in the middle
    assert (outcome.status, outcome.documents, outcome.stopped) == (0, len(lines) - 1, False)
    assert outcome.skipped == (f"skipped {source}:{bad[0]}: malformed JSON (Unterminated "
                               f"string starting at column 23); {ONE_OBJECT}",)
    assert sum(map(len, lines)) + len(lines) >= 1000 * limits.MB * SCALE


def test_a_line_over_the_record_size_is_skipped_and_the_others_scanned(tmp_path: Path) -> None:
    case = replace(limits.CASES["big-line"], options=("--max-record-size", "50kB"))
    outcome = limits.run(case, tmp_path, SCALE, max_rss_gb=8)
    source = tmp_path / f"big-line-{SCALE:g}.jsonl"
    size = len(source.read_bytes().splitlines()[1])
    assert (outcome.status, outcome.documents) == (0, 2)
    assert outcome.skipped == (
        f"skipped {source}:2: the line is {size / 1000:.1f} kB, over the 50.0 kB limit per "
        "record; split it, or raise the limit with --max-record-size",)


def test_a_scan_past_the_memory_bound_is_stopped_and_said_to_be(tmp_path: Path) -> None:
    outcome = limits.run(limits.CASES["million"], tmp_path, 0.0001, max_rss_gb=0.02)
    assert (outcome.status, outcome.stopped, outcome.documents) == (-9, True, None)
    assert "stopped by the benchmark: over --max-rss" in limits.table([outcome])


def test_the_million_input_has_one_word_per_document(tmp_path: Path) -> None:
    lines = limits.make_million(tmp_path, 0.001).read_text(encoding="ascii").splitlines()
    assert len(lines) == 1000
    assert all(len(line.split('"text": "')[1].split()) == 1 for line in lines)


def test_copies_cost_pairs_in_proportion_to_the_documents(tmp_path: Path) -> None:
    """2,000 documents, copies of 10 texts: ten clusters hold every copy, joined by
    about 5 pairs a document, where all pairs of each text's copies would be 200,000."""
    outcome = limits.run(limits.CASES["million-copies"], tmp_path, 0.002, max_rss_gb=8)
    assert (outcome.status, outcome.documents) == (0, 2000)
    report = json.loads((tmp_path / "out-million-copies" / "report.json").read_text())
    sizes = sorted(len(c["members"]) for c in report["clusters"])
    assert len(sizes) == 10 and sum(sizes) == 2000 and min(sizes) > lsh.FULL_GROUP
    relations = {p["relation"] for p in report["pairs"]}
    assert relations == {"duplicate"}
    assert len(report["pairs"]) <= 5 * 2000
    assert len({d["id"] for d in report["documents"]}) == 2000
