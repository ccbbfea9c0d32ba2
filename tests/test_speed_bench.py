"""Tests of the speed benchmark (benchmarks/speed.py): its corpus, its methods' runs on a
tiny corpus, the arithmetic of its targets, and one tiny run that writes the page.

Nothing here is timed: the benchmark's numbers live in docs/benchmarks.md.
"""

from __future__ import annotations

import cProfile
import doctest
import json
import random
import re
import sys
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest

from benchmarks import speed
from benchmarks.generate import SAMPLE_PATH, load_pool
from benchmarks.pages import NOTES_HEADING
from benchmarks.speed import (
    METHODS,
    NEAR,
    BenchError,
    DocCorpus,
    MethodResult,
    ScanPoint,
    Trial,
    corpus,
    doc_verdicts,
    edit_words,
    jaccard,
    quality,
    read_profile,
    scan_tables,
    scan_verdicts,
    speedup,
    summarise,
    timed_process,
    word_shingles,
)
from benchmarks.textops import Story


@pytest.fixture(scope="module")
def pool() -> list[Story]:
    return load_pool(SAMPLE_PATH)


@pytest.fixture(scope="module")
def docs(pool: list[Story]) -> DocCorpus:
    return corpus(250, pool)  # the sample pool deals about 190 articles a batch: two batches


def family(doc_id: str) -> str:
    """``b3-o17`` of ``b3-o17`` and of its copies ``b3-o17-c1``..."""
    return "-".join(doc_id.split("-")[:2])


def test_corpus_has_the_size_asked_and_is_deterministic(pool: list[Story],
                                                        docs: DocCorpus) -> None:
    assert len(docs.articles) == 250
    assert len({d.id for d in docs.articles}) == 250
    assert {family(d.id).split("-")[0] for d in docs.articles} == {"b1", "b2"}
    assert corpus(250, pool) == docs
    other = corpus(250, pool, seed=2)
    assert [d.text for d in other.articles] != [d.text for d in docs.articles]
    for size in (1, 7, 60):
        assert len(corpus(size, pool).articles) == size


def test_copies_are_not_next_to_their_originals(docs: DocCorpus) -> None:
    families = [family(d.id) for d in docs.articles]
    together = sum(a == b for a, b in pairwise(families))
    assert together < 0.1 * len(docs.planted)


def test_originals_are_3kb_of_sentences_that_do_not_repeat_in_a_batch(docs: DocCorpus) -> None:
    originals = [d for d in docs.articles if docs.kinds[d.id] == "original"]
    assert all(len(d.text) >= speed.ARTICLE_CHARS for d in originals)
    assert sum("\n\n" in d.text for d in originals) == len(originals)  # paragraphs
    for batch in ("b1-", "b2-"):
        sentences = [s for d in originals if d.id.startswith(batch)
                     for s in re.split(r"(?<=\.) |\n\n", d.text) if len(s) > 40]
        assert len(sentences) > 500 and len(set(sentences)) == len(sentences)


def test_planted_pairs_are_every_pair_of_a_family(docs: DocCorpus) -> None:
    members = Counter(family(d.id) for d in docs.articles)
    expected = sum(n * (n - 1) // 2 for n in members.values())
    assert len(docs.planted) == expected > 20
    assert all(family(a) == family(b) and a < b for a, b in docs.planted)
    kinds = Counter(docs.kinds.values())
    assert set(kinds) == {"original", "exact", "trimmed", "edited"}
    copies = len(docs.articles) - kinds["original"]
    assert 0.1 < (len(members) - list(members.values()).count(1)) / kinds["original"] < 0.3
    assert copies <= 3 * kinds["original"]


def test_planted_pairs_are_near_duplicates_of_each_kind(docs: DocCorpus) -> None:
    texts = {d.id: d.text for d in docs.articles}
    for a, b in docs.planted:
        assert jaccard(word_shingles(texts[a]), word_shingles(texts[b])) >= NEAR, (a, b)
    for doc_id, kind in docs.kinds.items():
        if kind == "original":
            continue
        copy, original = texts[doc_id], texts[family(doc_id)]
        if kind == "exact":
            assert copy == original
        elif kind == "trimmed":
            assert original.startswith(copy) and 0.7 < len(copy) / len(original) < 0.98
        else:
            changed = sum(x != y for x, y in zip(copy.split(), original.split(), strict=True))
            assert 0 < changed <= len(original.split()) / 30


def test_unrelated_articles_share_almost_nothing(docs: DocCorpus) -> None:
    rng = random.Random(0)
    articles = list(docs.articles)
    for _ in range(200):
        a, b = rng.sample(articles, 2)
        if family(a.id) != family(b.id):
            assert jaccard(word_shingles(a.text), word_shingles(b.text)) < 0.02


def test_batches_share_no_words(docs: DocCorpus) -> None:
    words = [{w for d in docs.articles if d.id.startswith(b)
              for w in re.findall(r"[a-z]{6,}", d.text.lower())} for b in ("b1-", "b2-")]
    assert len(words[0] & words[1]) < 0.01 * min(map(len, words))


def test_edit_words_replaces_about_one_word_in_60() -> None:
    text = " ".join(f"{'abcdefg'[k % 7]}word." for k in range(600))
    edited = edit_words(text, random.Random(3), ["alpha", "beta"])
    before, after = text.split(), edited.split()
    assert len(after) == len(before)
    changed = [y for x, y in zip(before, after, strict=True) if x != y]
    assert len(changed) == 10 and set(changed) == {"alpha.", "beta."}
    assert edit_words("", random.Random(1), ["x"]) == ""


@pytest.fixture(scope="module")
def tiny(pool: list[Story], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DocCorpus]:
    docs = corpus(60, pool)
    path = tmp_path_factory.mktemp("speed") / "documents.jsonl"
    speed.write_docs(path, docs.articles)
    return path, docs


@pytest.mark.parametrize("method", METHODS)
def test_each_method_finds_the_planted_pairs(method: str, tiny: tuple[Path, DocCorpus],
                                             tmp_path: Path) -> None:
    if method == "rensa":
        pytest.importorskip("rensa")
    path, docs = tiny
    out = tmp_path / "result.json"
    assert speed.main(["--run", method, "--corpus", str(path), "--out", str(out)]) == 0
    trial = Trial.of(json.loads(out.read_text(encoding="utf-8")))
    assert trial.method == method and trial.documents == 60
    assert trial.seconds > 0 and trial.cpu > 0 and trial.rss > 10
    exact = {p for p in docs.planted if "exact" in (docs.kinds[p[0]], docs.kinds[p[1]])
             and {docs.kinds[p[0]], docs.kinds[p[1]]} <= {"exact", "original"}}
    assert exact and exact <= trial.found
    recall, precision = quality(trial.found, docs.planted)
    assert recall >= 0.9 and precision == 1.0


def test_a_method_runs_in_a_process_of_its_own(tiny: tuple[Path, DocCorpus],
                                               tmp_path: Path) -> None:
    path, docs = tiny
    trial = speed.run_child("dedupe-jobs1", path, tmp_path)
    assert trial.documents == 60 and quality(trial.found, docs.planted)[1] == 1.0
    assert 30 < trial.rss < 1000 and trial.workers_rss is None


def test_timed_process_reports_the_child_peak_not_this_process() -> None:
    hold = bytearray(150_000_000)
    hold[::4096] = b"\1" * len(range(0, len(hold), 4096))  # resident in this process
    script = "x = bytearray(60_000_000); x[::4096] = b'1' * len(range(0, len(x), 4096))"
    seconds, rss = timed_process([sys.executable, "-c", script])
    assert seconds > 0 and 60e6 < rss < 140e6
    del hold
    with pytest.raises(BenchError, match=r"exited with status 3:\n.*no luck"):
        timed_process([sys.executable, "-c",
                       "import sys; print('no luck', file=sys.stderr); sys.exit(3)"])


def trial(method: str, seconds: float, found: set[tuple[str, str]], rss: float = 100.0,
          workers: float | None = None) -> Trial:
    return Trial(method, seconds, seconds * 1.5, rss, workers, 1000, frozenset(found))


def test_summaries_take_medians_and_the_worst_quality() -> None:
    planted = frozenset({("a", "b"), ("c", "d")})
    trials = [trial("datasketch", 30.0, {("a", "b"), ("c", "d")}),
              trial("dedupe-jobs2", 0.5, {("a", "b")}, workers=80.0),
              trial("datasketch", 10.0, {("a", "b"), ("c", "d")}, rss=300.0),
              trial("dedupe-jobs2", 0.4, {("a", "b"), ("c", "d"), ("x", "y")}),
              trial("datasketch", 20.0, {("a", "b"), ("c", "d")}),
              trial("dedupe-jobs2", 0.2, {("a", "b"), ("c", "d")})]
    results = summarise(trials, planted)
    assert list(results) == ["datasketch", "dedupe-jobs2"]
    ours = results["dedupe-jobs2"]
    assert (ours.runs, ours.median, ours.low, ours.high) == (3, 0.4, 0.2, 0.5)
    assert ours.rate == pytest.approx(2500) and ours.workers_rss == 80.0
    assert ours.recall == 0.5 and ours.precision == pytest.approx(2 / 3)
    assert results["datasketch"].rss == 300.0 and results["datasketch"].workers_rss is None
    assert speedup(results, "dedupe-jobs2", "datasketch") == pytest.approx(50.0)
    assert speedup(results, "dedupe-jobs2", "datasketch-bulk") is None


def result(method: str, median: float, recall: float = 1.0) -> MethodResult:
    return MethodResult(method, 3, 10_000, median, median, median, median, 200.0, None,
                        100, recall, 1.0)


def test_doc_verdicts_say_met_or_not_with_the_numbers() -> None:
    fast = {m: result(m, s) for m, s in (("datasketch", 50.0), ("datasketch-bulk", 2.0),
                                         ("dedupe-jobs2", 0.5))}
    lines = doc_verdicts(fast)
    assert lines[0] == ("dedupe-jobs2: 20,000 articles/s (median of 3, 10,000 articles); "
                        "target >= 15,000: met.")
    assert "x100.0" in lines[1] and lines[1].endswith("target >= x50: met.")
    assert "x4.0" in lines[2] and lines[2].endswith("target >= x4: met.")
    assert lines[3].endswith("target not lower: met.")
    slow = {**fast, "dedupe-jobs2": result("dedupe-jobs2", 1.0, recall=0.99)}
    lines = doc_verdicts(slow)
    assert lines[0].startswith("dedupe-jobs2: 10,000 articles/s") and "NOT met" in lines[0]
    assert "x50.0" in lines[1] and lines[1].endswith(": met.")  # 50x is enough
    assert "x2.0" in lines[2] and lines[2].endswith("NOT met.")
    assert "recall 0.9900" in lines[3] and lines[3].endswith("NOT met.")
    assert doc_verdicts({"datasketch": fast["datasketch"]}) == [
        "Target (a) is about dedupe-jobs2, which did not run."]
    assert "datasketch-bulk did not run" in doc_verdicts(
        {m: fast[m] for m in ("datasketch", "dedupe-jobs2")})[2]


def point(size: int, seconds: float, rss_mb: float) -> ScanPoint:
    return ScanPoint(size, size, size * 2000, seconds, int(rss_mb * 1e6))


def test_scan_verdicts_check_rate_memory_and_linear_growth() -> None:
    points = [point(10_000, 5.0, 400), point(100_000, 40.0, 1800), point(300_000, 130.0, 3000)]
    lines = scan_verdicts(points)
    assert lines[0] == ("Scan rate at 100,000 articles: 2,500 articles/s; target >= 3,000: "
                        "NOT met.")
    # Memory is judged at 100,000 articles (1,800 MB peak less 200 MB of text), and
    # elsewhere by its growth: 3,000 MB at 300,000 articles is no failure of its own.
    assert lines[1] == ("Peak RSS beyond the raw text at 100,000 articles: 1,600 MB; "
                        "target < 1,500 MB: NOT met.")
    assert "500.0 us at 10,000 articles, 433.3 us at 300,000 (x0.87)" in lines[2]
    assert lines[2].endswith(": met.")
    assert "40.0 KB at 10,000 articles, 10.0 KB at 300,000 (x0.25)" in lines[3]
    steady = scan_verdicts([point(10_000, 2.0, 300), point(100_000, 30.0, 1000)])
    assert steady[0].endswith("3,333 articles/s; target >= 3,000: met.")
    assert steady[1].endswith("target < 1,500 MB: met.")
    assert "(x1.50)" in steady[2] and steady[2].endswith("NOT met.")
    grown = scan_verdicts([point(100_000, 30.0, 1400), point(300_000, 90.0, 4000)])
    assert grown[1].endswith("1,200 MB; target < 1,500 MB: met.")
    single = scan_verdicts([point(2500, 1.0, 200)])
    assert "not measured in this run (sizes 2,500)" in single[0]
    assert single[1] == "Linear growth needs two sizes or more; this run measured one."


def test_growth_table_compares_each_size_with_the_one_before() -> None:
    tables = dict(scan_tables([point(10_000, 5.0, 400), point(20_000, 12.0, 600)]))
    growth = tables["Growth: each size over the one before (flat: 1.00)"]
    row = [c.strip() for c in growth.splitlines()[2].strip("|").split("|")]
    assert row == ["10,000", "20,000", "2.00", "1.20", "0.75"]


def test_profile_rows_name_the_slowest_functions(tmp_path: Path) -> None:
    def slow() -> int:
        total = 0
        for _ in range(30):
            total += len(word_shingles("one two three four five six " * 200))
        return total

    profiler = cProfile.Profile()
    profiler.enable()
    slow()
    profiler.disable()
    profiler.dump_stats(tmp_path / "p.prof")
    found = read_profile(tmp_path / "p.prof", 7, top=(3, 2))
    assert found.articles == 7 and found.total > 0
    assert len(found.cumulative) == 3 and len(found.own) == 2
    names = [row[0] for row in found.cumulative]
    assert names[0].startswith("tests/test_speed_bench.py:") and names[0].endswith("(slow)")
    assert any(n.startswith("benchmarks/speed.py:") and "(word_shingles)" in n for n in names)
    assert [r[3] for r in found.cumulative] == sorted((r[3] for r in found.cumulative),
                                                      reverse=True)
    assert found.cumulative[1][1] == "30"  # calls of word_shingles


def test_dedupe_signatures_match_datasketch_on_corpus_texts(docs: DocCorpus) -> None:
    assert speed.signatures_match([d.text for d in docs.articles[:4]]) == (4, 4)


def test_tiny_run_writes_the_page_and_keeps_the_notes(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "page.md"
    out.write_text(f"old page\n\n{NOTES_HEADING}\n\nKeep me.\n", encoding="utf-8")
    status = speed.main(["--pool", str(SAMPLE_PATH), "--doc-size", "40", "--repeats", "1",
                         "--methods", "datasketch-bulk", "dedupe-jobs2", "--scan-sizes", "40",
                         "--profile-size", "40", "--write", str(out)])
    assert status == 0
    text = out.read_text(encoding="utf-8")
    assert text == capsys.readouterr().out.rstrip("\n") + "\n"
    assert text.endswith(f"{NOTES_HEADING}\n\nKeep me.\n") and "old page" not in text
    assert ("python -m benchmarks.speed --doc-size 40 --repeats 1 --scan-sizes 40 --jobs 2 "
            "--profile-size 40 --methods datasketch-bulk dedupe-jobs2 --pool") in text
    for heading in ("## 1. Document-level stage", "### Document-level stage: 40 articles",
                    "### Speed-up", "## 2. Whole scan", "### Whole scan",
                    "## 3. Where the time goes", "### Top 10 by own time", "## Targets"):
        assert heading in text
    table = text.split("### Document-level stage", 1)[1].split("\n### ", 1)[0]
    rows = [[c.strip() for c in line.strip("|").split("|")]
            for line in table.splitlines() if line.startswith("| ")]
    assert [r[0] for r in rows[1:]] == ["datasketch-bulk", "dedupe-jobs2"]
    assert all(r[11] == "1.0000" and r[12] == "1.0000" for r in rows[1:])  # recall, precision
    scan = text.split("### Whole scan", 1)[1].split("\n#", 1)[0]
    cells = [c.strip() for c in scan.splitlines()[4].strip("|").split("|")]
    assert cells[0] == "40" and float(cells[3]) > 0 and float(cells[5].replace(",", "")) > 50
    assert "for 5 of 5 corpus documents checked" in text
    assert "(a) dedupe-jobs2 vs datasketch: datasketch did not run." in text
    assert "(b) Scan rate and memory at 100,000 articles: not measured" in text


def test_bad_settings_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--repeats", "0"], ["--scan-sizes", "0"], ["--doc-size", "-1"]):
        with pytest.raises(SystemExit) as stop:
            speed.main(argv)
        assert stop.value.code == 2
    assert "sizes must be positive" in capsys.readouterr().err


def test_benchmark_doctests() -> None:
    assert doctest.testmod(speed).failed == 0
