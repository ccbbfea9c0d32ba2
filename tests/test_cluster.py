"""Tests of origin attribution (dedupe/cluster.py): leaders and the source record."""

from __future__ import annotations

from dedupe import Article, Config
from dedupe.cluster import choose_origin, source_record
from dedupe.records import Pair


def art(i: str, date: str | None, source: str) -> Article:
    return Article(i, f"text of {i}", date=date, source=source)


def pair(a: str, b: str, a_in_b: float, b_in_a: float) -> Pair:
    return Pair(a, b, "contains", 0.5, (a_in_b, b_in_a), strength=0.9)


def decided(k: int, first: str, later: str) -> list[Article]:
    return [art(f"{k}a", "2024-01-01", first), art(f"{k}b", "2024-01-02", later)]


def test_source_record_counts_only_clusters_whose_dates_decide() -> None:
    groups = [decided(k, "wire", "site") for k in range(3)]
    groups.append([art("x", None, "site"), art("y", "2024-01-01", "wire")])  # undated: ignored
    groups.append([art("t1", "2024-01-01", "site"), art("t2", "2024-01-01", "wire")])  # tie
    assert source_record(groups) == {"site": 0.0, "wire": 1.0}
    assert source_record(groups[:2]) == {}  # seen in fewer than 3 deciding clusters


def test_an_undated_copy_leader_of_a_usual_first_publisher_is_origin() -> None:
    members = [art("o", None, "wire"), art("v", "2024-05-01", "site"),
               art("t", "2024-04-30", "other")]
    # o and v carry the same text; t is a trimmed copy inside both.
    links = [pair("o", "v", 1.0, 1.0), pair("o", "t", 0.3, 1.0), pair("t", "v", 1.0, 0.3)]
    record = {"wire": 1.0, "site": 0.0}
    assert choose_origin(members, links, Config(), record)[:2] == ("o", "source-record")
    # Without a record, the earliest dated *leader* wins: never the trimmed copy t,
    # although t is dated earlier.
    assert choose_origin(members, links, Config(), {})[:2] == ("v", "earliest-dated")
    # A weak record does not decide.
    assert choose_origin(members, links, Config(), {"wire": 0.6})[:2] == ("v", "earliest-dated")
