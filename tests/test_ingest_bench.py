"""Tests of the ingest speed benchmark's pure parts (benchmarks/ingest.py), and one tiny run.

Nothing here is timed: the benchmark's numbers live in docs/ingest.md.
"""

from __future__ import annotations

import argparse
import doctest
import io
import json
import math
from pathlib import Path
from typing import Any

import pytest

from benchmarks import ingest
from benchmarks.generate import SAMPLE_PATH
from benchmarks.ingest import (
    Checkpoint,
    IndexTarget,
    Load,
    Memory,
    MinHashTarget,
    Probe,
    Run,
    decision_mix,
    is_flat,
    load_rate,
    memory_status,
    page,
    percentile,
    rotated,
    select_probes,
    serve,
    summary,
    tables,
    verdicts,
)
from benchmarks.pages import NOTES_HEADING, kept_notes, utf8
from dedupe import Article


def sized(doc_id: str, size: int) -> Article:
    return Article(doc_id, "x" * size)


@pytest.fixture
def articles() -> list[Article]:
    sizes = [100, 2499, 2500, 3000, 3500, 3501, 2800, 9000, 2600, 2700, 3400, 1800]
    return [sized(f"a{k}", s) for k, s in enumerate(sizes)]


def test_probes_have_a_probe_size_and_leave_the_stream_disjoint(articles: list[Article]) -> None:
    probes, stream = select_probes(articles, 4)
    assert len(probes) == 4 and all(2500 <= utf8(p.text) <= 3500 for p in probes)
    assert {p.id for p in probes}.isdisjoint(a.id for a in stream)
    assert sorted([*probes, *stream], key=articles.index) == articles
    # Both keep the corpus order.
    assert probes == sorted(probes, key=articles.index)
    assert stream == sorted(stream, key=articles.index)


def test_probes_count_bytes_not_characters() -> None:
    wide = Article("w", "é" * 1400)  # 1,400 characters, 2,800 bytes
    narrow = Article("n", "e" * 2800)
    short = Article("s", "e" * 1400)
    probes, stream = select_probes([wide, narrow, short], 2)
    assert [p.id for p in probes] == ["w", "n"] and [a.id for a in stream] == ["s"]


def test_probe_selection_is_deterministic_and_seeded(articles: list[Article]) -> None:
    first = select_probes(articles, 3)
    assert select_probes(list(articles), 3) == first
    picks = {tuple(p.id for p in select_probes(articles, 3, seed=s)[0]) for s in range(20)}
    assert len(picks) > 1  # the seed matters
    with pytest.raises(ValueError, match="only 7"):
        select_probes(articles, 8)


def test_percentile_is_nearest_rank() -> None:
    values = list(range(1, 201))
    assert percentile(values, 99) == 198
    assert percentile(values, 50) == 100
    assert percentile([7.0], 99) == 7.0
    assert percentile([3, 1, 2], 100) == 3
    with pytest.raises(ValueError):
        percentile([], 50)
    s = summary([4.0, 1.0, 3.0, 2.0, 100.0])
    assert (s.n, s.p50, s.p99, s.max, s.mean) == (5, 3.0, 100.0, 100.0, 22.0)


def test_load_rate_amortises_the_batches() -> None:
    articles, seconds, rate, per = load_rate([(1.0, 250), (0.5, 250), (0.25, 100)])
    assert (articles, seconds) == (600, 1.75)
    assert rate == pytest.approx(600 / 1.75) and per == pytest.approx(1750 / 600)
    assert all(math.isnan(v) for v in load_rate([])[2:])
    load = Load("sqlite", 1000, 1600, ((1.0, 250), (0.5, 250), (0.25, 100)), 400)
    assert (load.articles, load.seconds) == (600, 1.75) and load.rate == pytest.approx(rate)
    assert (load.batch_summary().p50, load.batch_summary().max) == (500.0, 1000.0)


def test_memory_status_reads_proc_status() -> None:
    text = "Name:\tpython\nVmPeak:\t 9 kB\nVmHWM:\t  3000 kB\nVmRSS:\t  2000 kB\nThreads: 1\n"
    assert memory_status(text) == (2000 * 1024, 3000 * 1024)
    rss, hwm = ingest.own_memory()
    assert 0 < rss <= hwm


def test_rotation_wraps_around() -> None:
    assert rotated(["a", "b", "c"], 0) == ["a", "b", "c"]
    assert rotated(["a", "b", "c"], 2) == ["c", "a", "b"]
    assert rotated(["a", "b", "c"], 5) == ["c", "a", "b"]


def test_decision_mix_is_counted_most_common_first() -> None:
    assert decision_mix(["near-duplicate", "new", "new", "contained"]) == "new 2, cont 1, near 1"


def checkpoint(store: str, size: int, rss: float, p99: float) -> Checkpoint:
    # p99 - 1 fast probes and a slow one: the nearest-rank p99 of up to 100 is the slowest.
    fast = [Probe(f"p{k}", 3000, "new", 0, float(k + 1), 1.0, 0.5, "new")
            for k in range(int(p99) - 1)]
    probes = (*fast, Probe("slow", 3000, "duplicate", 1, p99, 1.0, None, "duplicate"))
    load = Load(store, 0, size, ((1.0, size),), size // 2, {"new": size // 2,
                                                            "duplicate": size - size // 2})
    return Checkpoint(store, size, size, probes, load, Memory(int(rss), int(rss), 1000 * size,
                                                              None))


def run_of(*points: Checkpoint) -> Run:
    run = Run("python -m benchmarks.ingest", "2024-01-01", ["machine"], ["corpus"])
    run.checkpoints += points
    return run


def test_verdict_says_not_flat_for_growing_memory() -> None:
    assert is_flat(100e6, 124e6) and not is_flat(100e6, 126e6)
    growing = run_of(checkpoint("sqlite", 1000, 100e6, 5), checkpoint("sqlite", 100_000, 180e6, 30))
    lines = verdicts(growing)
    assert any("sqlite memory" in line and "NOT flat" in line and "x1.80" in line
               for line in lines)
    assert any(line.startswith("sqlite:") and "30.0 ms" in line and "NOT met" in line
               for line in lines)
    steady = run_of(checkpoint("sqlite", 1000, 100e6, 5), checkpoint("sqlite", 100_000, 110e6, 9))
    lines = verdicts(steady)
    assert any("sqlite memory" in line and "; flat" in line for line in lines)
    assert any(line.startswith("sqlite:") and "9.0 ms" in line and " met." in line
               and "NOT" not in line for line in lines)
    assert not any("stopped at" in line for line in lines)  # it reached 100,000


def test_verdict_notes_a_short_run_and_disagreeing_checks() -> None:
    odd = checkpoint("datasketch", 500, 50e6, 3)
    odd = Checkpoint(odd.store, odd.size, odd.documents,
                     (*odd.probes, Probe("x", 3000, "new", 0, 1.0, 1.0, 0.1, "similar")),
                     odd.load, odd.memory)
    lines = verdicts(run_of(odd))
    assert any("datasketch (baseline)" in line for line in lines)
    assert any("1 of datasketch's at 500" in line for line in lines)
    assert any("stopped at 500" in line for line in lines)
    assert not any("memory" in line for line in lines)  # only SQLite's memory has a target


def test_page_keeps_the_written_notes(tmp_path: Path) -> None:
    run = run_of(checkpoint("sqlite", 1000, 100e6, 5), checkpoint("sqlite", 2000, 101e6, 6))
    fresh = page(run, kept_notes(tmp_path / "missing.md"))
    assert fresh.endswith(f"{NOTES_HEADING}\n\n(To be written from the numbers above.)\n")
    assert "## Probes: latency" in fresh and "## Memory" in fresh and "## Targets" in fresh
    target = tmp_path / "ingest.md"
    target.write_text(fresh.replace("(To be written from the numbers above.)", "Hand notes."),
                      encoding="utf-8")
    again = page(run, kept_notes(target))
    assert again.endswith(f"{NOTES_HEADING}\n\nHand notes.\n")


def test_minhash_baseline_finds_copies_and_removes() -> None:
    target = MinHashTarget()
    story = " ".join(f"word{k}" for k in range(200))
    first = target.make({"id": "a", "text": story})
    assert target.check_and_add(first) == ("new", 0, True)
    copy = target.make({"id": "b", "text": story.upper()})
    assert target.check_and_add(copy) == ("similar", 1, False)
    assert target.check(target.make({"id": "c", "text": "quite another text " * 20}))[0] == "new"
    assert target.documents() == 1
    assert target.remove("a") and not target.remove("a") and target.documents() == 0
    assert target.load([first, copy]) == [("new", True), ("similar", False)]


def test_index_target_loads_in_one_call_and_holds_copies_only(tmp_path: Path) -> None:
    target = IndexTarget(str(tmp_path / "index.sqlite"))
    try:
        story = "The harbour board met on Tuesday to discuss the new quay. " * 12
        other = "Grain prices rose sharply in the northern provinces this week. " * 12
        loaded = target.load([target.make({"id": "a", "text": story}),
                              target.make({"id": "b", "text": story}),  # against "a"
                              target.make({"id": "c", "text": other})])
        assert loaded == [("new", True), ("duplicate", False), ("new", True)]
        assert target.load([target.make({"id": "a", "text": story})]) == [None]  # indexed
        assert target.documents() == 2
        assert target.check_and_add(target.make({"id": "d", "text": story})) == (
            "duplicate", 1, False)
        assert target.memory()[0] > 0  # the database on disk
    finally:
        target.close()


def test_worker_loop_answers_loads_and_probes() -> None:
    story = " ".join(f"word{k}" for k in range(300))
    stream = [json.dumps({"id": f"s{k}", "text": f"{story} tail{k}"}) + "\n" for k in range(3)]
    target = MinHashTarget()
    probes = [target.make({"id": "p", "text": story}), target.make({"id": "q", "text": "z " * 9})]
    commands = io.StringIO("".join(json.dumps(c) + "\n" for c in (
        {"op": "load", "count": 2, "batch": 1}, {"op": "probe"},
        {"op": "load", "count": 5, "batch": 250}, {"op": "quit"})))
    replies = io.StringIO()
    serve(target, iter(stream), probes, commands, replies)
    first, probed, last = (json.loads(line) for line in replies.getvalue().splitlines())
    assert first["added"] == 2 and [b[1:] for b in first["batches"]] == [[1, 1], [1, 0]]
    assert first["decisions"] == {"new": 1, "similar": 1}
    assert all(b[0] > 0 for b in first["batches"]) and first["cpu"] > 0
    assert probed["documents"] == 1  # the admitted probe "q" was removed again
    assert [row[2] for row in probed["probes"]] == ["similar", "new"]
    assert probed["probes"][1][5] is not None and probed["probes"][0][5] is None
    assert probed["memory"][0] > 0
    assert last["added"] == 3 and len(last["batches"]) == 1  # the stream had one more line


class FakeWorker:
    """Stands in for a worker process: records the order of what the parent asks."""

    def __init__(self, store: str, calls: list[tuple[str, ...]]) -> None:
        self.store, self.calls = store, calls

    def start_load(self, count: int, batch: int) -> None:
        self.calls.append(("load", self.store, str(count)))

    def loaded(self, start: int, end: int) -> Load:
        self.calls.append(("loaded", self.store))
        return Load(self.store, start, end, ((0.1, end - start),), end - start)

    def probe(self, round_: int) -> tuple[list[Probe], int, Memory]:
        self.calls.append(("probe", self.store, str(round_)))
        return ([Probe("p", 3000, "new", 0, 5.0 + round_, 1.0, 0.1, "new", round_)], 7,
                Memory(100 + round_, 200))


def test_loading_is_concurrent_and_probes_take_turns_by_round() -> None:
    calls: list[tuple[str, ...]] = []
    workers: list[Any] = [FakeWorker(s, calls) for s in ("sqlite", "redis", "datasketch")]
    run = run_of()
    args = argparse.Namespace(checkpoints=[100, 300], size=300, batch=50, probe_repeats=2)
    ingest._drive(workers, args, run, io.StringIO())
    # Every worker is told to load before the parent waits for any of them.
    assert calls[:6] == [("load", "sqlite", "100"), ("load", "redis", "100"),
                         ("load", "datasketch", "100"), ("loaded", "sqlite"),
                         ("loaded", "redis"), ("loaded", "datasketch")]
    # Then one at a time, round by round, the order rotating by checkpoint and round.
    assert [c[1:] for c in calls[6:12]] == [
        ("sqlite", "0"), ("redis", "0"), ("datasketch", "0"),
        ("redis", "1"), ("datasketch", "1"), ("sqlite", "1")]
    assert calls[12][:3] == ("load", "sqlite", "200")
    assert [c[1:] for c in calls[18:21]] == [("redis", "0"), ("datasketch", "0"), ("sqlite", "0")]
    assert [(c.store, c.size) for c in run.checkpoints] == [
        ("sqlite", 100), ("sqlite", 300), ("redis", 100), ("redis", 300),
        ("datasketch", 100), ("datasketch", 300)]
    first = run.checkpoints[0]
    assert first.rounds == 2 and [p.round for p in first.probes] == [0, 1]
    assert first.memory.rss == 100  # read after the first round
    assert first.probe_summary("check_and_add").n == 2 and len(first.first_round) == 1
    assert [p[:2] for p in run.phases] == [(0, 100), (100, 300)]
    probe_table = dict(tables(run))
    assert any("1 x 2" in line for title, text in probe_table.items()
               if title.startswith("Probes: latency") for line in text.splitlines())
    assert any("x 2 rounds" in line for line in verdicts(run))


def test_tiny_run_writes_the_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ingest.md"
    out.write_text(f"old page\n\n{NOTES_HEADING}\n\nKeep me.\n", encoding="utf-8")
    status = ingest.main(["--size", "300", "--checkpoints", "100", "300", "--probes", "10",
                          "--stores", "sqlite", "datasketch", "--pool", str(SAMPLE_PATH),
                          "--batch", "64", "--write", str(out)])
    assert status == 0
    text = out.read_text(encoding="utf-8")
    assert text == capsys.readouterr().out.rstrip("\n") + "\n"
    for heading in ("## Probes: latency", "## Probes at the last checkpoint by decision",
                    "## Load: articles/s per segment", "## Load: all segments",
                    "## Wall time per segment", "## Memory",
                    "## Worker memory growth", "## Slowest", "## Targets"):
        assert heading in text
    assert text.endswith(f"{NOTES_HEADING}\n\nKeep me.\n") and "old page" not in text
    assert ("--size 300 --stores sqlite datasketch --checkpoints 100 300 --probes 10 "
            "--batch 64 --pool") in text
    assert "Wall time of the run:" in text
    probe_table = text.split("## Probes: latency", 1)[1].split("\n## ", 1)[0]
    cells = [[c.strip() for c in line.strip("|").split("|")]
             for line in probe_table.splitlines() if line.startswith("| ")]
    assert cells[0][:4] == ["store", "N", "docs", "probes x rounds"]
    assert cells[0][7] == "check_and_add p99"
    assert [row[:2] for row in cells[1:]] == [
        ["sqlite", "100"], ["sqlite", "300"], ["datasketch", "100"], ["datasketch", "300"]]
    assert all(0 < float(row[7]) < math.inf for row in cells[1:])
    load_table = text.split("## Load: articles/s per segment", 1)[1].split("\n## ", 1)[0]
    rows = [[c.strip() for c in line.strip("|").split("|")]
            for line in load_table.splitlines() if line.startswith("| ")]
    assert rows[0][:4] == ["store", "from N", "to N", "articles"]
    assert [row[:4] for row in rows[1:]] == [
        ["sqlite", "0", "100", "100"], ["sqlite", "100", "300", "200"],
        ["datasketch", "0", "100", "100"], ["datasketch", "100", "300", "200"]]
    # Batches of 64: two for the first 100 articles, four for the next 200.
    assert [row[6] for row in rows[1:]] == ["2", "4", "2", "4"]
    assert "300 stream articles" in text and "10 probes of" in text
    assert "sqlite memory: worker RSS" in text


def test_asking_for_redis_without_a_server_is_an_error(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(ingest, "redis_missing", lambda: "no redis-server on PATH")
    with pytest.raises(SystemExit) as stop:
        ingest.main(["--size", "10", "--stores", "redis"])
    assert stop.value.code == 2
    assert "redis store cannot run: no redis-server on PATH" in capsys.readouterr().err


def test_benchmark_doctests() -> None:
    assert doctest.testmod(ingest).failed == 0
