"""Tests of the quality metrics (dedupe/evaluate.py) and of ``dedupe eval``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dedupe import Article, scan
from dedupe.cli import cli
from dedupe.evaluate import Prediction, TruthRow, evaluate, read_truth, score, table
from dedupe.read import InputError

STORY = (
    "The harbour authority reported record grain shipments on Monday while farmers in the "
    "north waited for rain and bankers in the capital debated the outlook for interest rates."
)
OTHER = (
    "A regional airline said it would add three summer routes to coastal towns after a year "
    "in which passenger numbers rose faster than the company had planned for in its budget."
)


def truth(*rows: tuple[str, str, str | None, str | None]) -> dict[str, TruthRow]:
    return {i: TruthRow(id=i, group=g, origin=o, kind=k) for i, g, o, k in rows}


# Group g: origin o with a verbatim copy v and a trimmed copy t; u1, u2 unrelated.
TRUTH = truth(
    ("o", "g", "o", "origin"), ("v", "g", "o", "verbatim"), ("t", "g", "o", "trimmed"),
    ("u1", "u1", "u1", "unrelated"), ("u2", "u2", "u2", "unrelated"),
)


def test_perfect_prediction_scores_one_everywhere() -> None:
    scores = score(TRUTH, Prediction(clusters=[["o", "t", "v"]], origins=["o"]))
    assert (scores.ari, scores.precision, scores.recall, scores.f1) == (1.0, 1.0, 1.0, 1.0)
    assert scores.origin_accuracy == 1.0 and scores.origins_scored == 1
    assert scores.unrelated_merged_share == 0.0 and scores.unrelated == 2
    assert scores.recall_by_kind == {"trimmed": (1, 1), "verbatim": (1, 1)}
    assert scores.template_recall is None  # no template truth, no template prediction


def test_a_split_group_loses_recall_not_precision() -> None:
    scores = score(TRUTH, Prediction(clusters=[["o", "v"]], origins=["o"]))
    assert scores.precision == 1.0
    assert scores.recall == pytest.approx(1 / 3)  # 1 of the 3 true pairs
    assert scores.f1 == pytest.approx(0.5)
    assert scores.recall_by_kind == {"trimmed": (0, 1), "verbatim": (1, 1)}
    assert 0.0 < scores.ari < 1.0


def test_merging_an_unrelated_article_loses_precision() -> None:
    scores = score(TRUTH, Prediction(clusters=[["o", "t", "u1", "v"]], origins=["o"]))
    assert scores.recall == 1.0
    assert scores.precision == pytest.approx(3 / 6)
    assert scores.unrelated_merged == 1 and scores.unrelated_merged_share == 0.5


def test_everything_in_one_cluster_has_ari_zero() -> None:
    scores = score(TRUTH, Prediction(clusters=[sorted(TRUTH)], origins=["o"]))
    assert scores.ari == pytest.approx(0.0, abs=1e-9)
    assert scores.unrelated_merged_share == 1.0


@pytest.mark.parametrize(
    ("clusters", "origins", "correct"),
    [
        ([["o", "t", "v"]], ["o"], 1),
        ([["o", "t", "v"]], ["v"], 0),  # a copy named origin
        ([["t", "v"]], ["v"], 0),  # the origin left out: no cluster names it
        ([["o", "t", "v"]], [None], 0),
    ],
)
def test_origin_accuracy(clusters: list[list[str]], origins: list[str | None],
                         correct: int) -> None:
    scores = score(TRUTH, Prediction(clusters=clusters, origins=origins))
    assert (scores.origin_correct, scores.origins_scored) == (correct, 1)


def test_groups_without_an_agreed_origin_are_not_scored_for_origin() -> None:
    rows = truth(("a", "g", "a", None), ("b", "g", "b", None), ("c", "h", None, None),
                 ("d", "h", None, None))
    scores = score(rows, Prediction(clusters=[["a", "b"], ["c", "d"]], origins=["a", "c"]))
    assert scores.origins_scored == 0 and scores.origin_accuracy == 1.0
    assert scores.ari == 1.0


def test_template_recall_counts_each_occurrence() -> None:
    rows = {
        "a": TruthRow("a", "a", template_lines=("AD", "AD", "Share this")),
        "b": TruthRow("b", "b", template_lines=("AD",)),
    }
    masked = {"a": ["AD "], "b": ["AD", "Share this"]}
    scores = score(rows, Prediction(clusters=[], origins=[], template_lines=masked))
    assert (scores.template_found, scores.template_total) == (2, 4)
    assert scores.template_recall == 0.5


def test_an_article_in_two_clusters_is_refused() -> None:
    with pytest.raises(ValueError, match="article 'o' is in clusters 0 and 1"):
        score(TRUTH, Prediction(clusters=[["o", "v"], ["o", "t"]], origins=["o", "o"]))


def test_articles_the_truth_does_not_know_are_ignored_and_counted() -> None:
    scores = score(TRUTH, Prediction(clusters=[["o", "t", "v", "x"]], origins=["o"]))
    assert scores.ari == 1.0 and scores.extra == {"unknown": 1}


def test_table_has_one_column_per_method_and_dashes_for_missing_metrics() -> None:
    good = score(TRUTH, Prediction(clusters=[["o", "t", "v"]], origins=["o"]))
    split = score(TRUTH, Prediction(clusters=[["o", "v"]], origins=["o"]))
    text = table({"dedupe": good, "baseline": split})
    header, _, *rows = text.splitlines()
    assert header.split() == ["metric", "dedupe", "baseline"]
    by_name = {" ".join(r.split()[:-2]): r.split()[-2:] for r in rows}
    assert by_name["pairwise recall"] == ["1.000", "0.333"]
    assert by_name["template-line recall"] == ["-", "-"]
    assert by_name["recall: trimmed"] == ["1.000", "0.000"]


def test_evaluate_reads_a_scan_result() -> None:
    ad = "Sponsored content from our partners"
    texts = {
        "o": STORY, "v": f"{ad}\n{STORY}", "u1": f"{ad}\n{OTHER}",
        "u2": f"{ad}\nThe museum reopened its east wing after a long restoration.",
    }
    result = scan([Article(i, t) for i, t in texts.items()])
    rows = {
        "o": TruthRow("o", "g", "o", "origin"),
        "v": TruthRow("v", "g", "o", "verbatim", template_lines=(ad,)),
        "u1": TruthRow("u1", "u1", "u1", template_lines=(ad,)),
        "u2": TruthRow("u2", "u2", "u2", template_lines=(ad,)),
    }
    scores = evaluate(result, rows)
    assert scores.ari == 1.0 and scores.origin_accuracy == 1.0
    assert scores.template_recall == 1.0  # the ad line is carried by 3 families


# --- reading the truth file --------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "where", "reason"),
    [
        ("{not json\n", "1", "not JSON (Expecting property name enclosed in double quotes); "
         'write one JSON object per line, like {"id": "a1", "group": "g1"}'),
        ("[1, 2]\n", "1", 'expected a JSON object like {"id": "a1", "group": "g1"}'),
        ('{"id": "a"}\n', "1", "missing 'group'; every truth line needs a non-empty string "
         "'id' and 'group'"),
        ('{"id": "a", "group": 3}\n', "1", "missing 'group'; every truth line needs a "
         "non-empty string 'id' and 'group'"),
        ('{"id": "a", "group": "g", "origin": 7}\n', "1", "'origin' must be a string or null"),
        ('{"id": "a", "group": "g", "template_lines": "AD"}\n', "1",
         "'template_lines' must be a list of strings"),
        ('{"id": "a", "group": "g", "orign": "a"}\n', "1", "unknown field 'orign'; truth "
         "fields are group, id, kind, origin, template_lines"),
        ('{"id": "a", "group": "g"}\n\n{"id": "a", "group": "h"}\n', "3",
         "duplicate id 'a'; give each article one truth line"),
        ("\n\n", None, "no truth rows; write one JSON object per article"),
    ],
)
def test_bad_truth_lines_name_the_file_and_line(
    tmp_path: Path, content: str, where: str | None, reason: str
) -> None:
    path = tmp_path / "truth.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_truth(path)
    expected = f"{path}:{where}" if where else str(path)
    assert (error.value.skip.where, error.value.skip.reason) == (expected, reason)


def test_truth_file_that_is_not_utf8_or_missing(tmp_path: Path) -> None:
    path = tmp_path / "truth.jsonl"
    path.write_bytes(b'{"id": "caf\xe9", "group": "g"}\n')
    with pytest.raises(InputError, match=r"truth.jsonl: not UTF-8; save the truth file"):
        read_truth(path)
    with pytest.raises(InputError, match=r"nope.jsonl: cannot read the truth file .*check the"):
        read_truth(tmp_path / "nope.jsonl")


def test_truth_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "truth.jsonl"
    rows = [{"id": "a", "group": "g", "origin": "a", "kind": "origin"},
            {"id": "b", "group": "g", "origin": "a", "kind": "verbatim",
             "template_lines": ["AD"]}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert read_truth(path) == {
        "a": TruthRow("a", "g", "a", "origin"),
        "b": TruthRow("b", "g", "a", "verbatim", ("AD",)),
    }


# --- dedupe eval ---------------------------------------------------------------------------


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="dedupe")


@pytest.fixture
def labelled(tmp_path: Path) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus.jsonl"
    articles = [{"id": "o", "text": STORY, "date": "2024-01-01"},
                {"id": "v", "text": STORY, "date": "2024-01-02"},
                {"id": "u", "text": OTHER}]
    corpus.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    truth_path = tmp_path / "truth.jsonl"
    rows = [{"id": "o", "group": "g", "origin": "o", "kind": "origin"},
            {"id": "v", "group": "g", "origin": "o", "kind": "verbatim"},
            {"id": "u", "group": "u", "origin": "u", "kind": "unrelated"}]
    truth_path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return corpus, truth_path


def test_eval_prints_the_scores_and_writes_json(labelled: tuple[Path, Path],
                                                tmp_path: Path) -> None:
    corpus, truth_path = labelled
    out = tmp_path / "scores.json"
    result = run("eval", corpus, "--truth", truth_path, "--json", out)
    assert result.exit_code == 0, result.output
    lines = {" ".join(line.split()[:-1]): line.split()[-1] for line in result.stdout.splitlines()
             if line.strip()}
    assert lines["ARI"] == "1.000" and lines["origin accuracy"] == "1.000"
    assert lines["articles"] == "3" and lines["groups of 2+"] == "1"
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["ari"] == 1.0 and data["recall_by_kind"] == {"verbatim": 1.0}


def test_eval_fails_under_a_floor(labelled: tuple[Path, Path]) -> None:
    corpus, truth_path = labelled
    result = run("eval", corpus, "--truth", truth_path, "--fail-under", "ari=0.9",
                 "--fail-under", "origin=1.5")
    assert result.exit_code == 1
    assert result.stderr == "Error: below the floor: origin 1.0000 < 1.5\n"


@pytest.mark.parametrize(
    ("floor", "message"),
    [
        ("bogus=1", "unknown metric 'bogus'; use one of ari, precision, recall, f1, origin, "
         "template, unrelated-kept"),
        ("ari", "'ari' is not METRIC=NUMBER, e.g. ari=0.95"),
    ],
)
def test_eval_bad_floor_is_a_usage_error(labelled: tuple[Path, Path], floor: str,
                                         message: str) -> None:
    corpus, truth_path = labelled
    result = run("eval", corpus, "--truth", truth_path, "--fail-under", floor)
    assert result.exit_code == 2
    assert f"Invalid value for --fail-under: {message}" in result.stderr


def test_eval_bad_truth_is_one_line_with_file_and_line(labelled: tuple[Path, Path]) -> None:
    corpus, truth_path = labelled
    truth_path.write_text('{"id": "o", "group": "g"}\n{"id": "v"}\n', encoding="utf-8")
    result = run("eval", corpus, "--truth", truth_path)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {truth_path}:2: missing 'group'; every truth line needs "
                             "a non-empty string 'id' and 'group'\n")


def test_eval_warns_about_articles_and_truth_rows_that_do_not_match(
    labelled: tuple[Path, Path]
) -> None:
    corpus, truth_path = labelled
    with truth_path.open("a", encoding="utf-8") as out:
        out.write('{"id": "ghost", "group": "x"}\n')
    with corpus.open("a", encoding="utf-8") as out:
        out.write(json.dumps({"id": "extra", "text": OTHER + " Extra."}) + "\n")
    result = run("eval", corpus, "--truth", truth_path)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "warning: 1 truth row(s) name no scanned article (first: 'ghost'); left out of the "
        "scores",
        "warning: 1 article(s) have no truth row (first: 'extra'); left out of the scores",
    ]
