"""Tests of clustering (dedupe/cluster.py): splitting components, leaders and the source
record."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from sklearn.cluster import AgglomerativeClustering

from dedupe import Article, Config
from dedupe.cluster import _attach_singletons, _split, choose_origin, cluster, source_record
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


def _partition(labels: list[int]) -> list[int]:
    """Labels renamed in order of first appearance (equal partitions compare equal)."""
    names: dict[int, int] = {}
    return [names.setdefault(x, len(names)) for x in labels]


@given(size=st.integers(3, 7), data=st.data())
def test_splitting_a_component_agrees_with_scikit_learns_average_linkage(
        size: int, data: st.DataObject) -> None:
    """Including the components ``_split`` settles without calling scikit-learn (every
    two members linked closer than the bar); strengths from a short list make ties."""
    everything = [(i, j) for i in range(size) for j in range(i + 1, size)]
    edges = data.draw(st.one_of(st.just(everything), st.lists(
        st.sampled_from(everything), min_size=size - 1, unique=True)))
    strength = np.array(data.draw(st.lists(st.sampled_from([1.0, 0.95, 0.8, 0.6, 0.3]),
                                           min_size=len(edges), max_size=len(edges))))
    la = np.array([i for i, _ in edges], dtype=np.int64)
    lb = np.array([j for _, j in edges], dtype=np.int64)
    config = Config()
    found = _split(size, la, lb, strength, np.zeros(len(edges), dtype=bool), config)
    distance = np.ones((size, size))
    np.fill_diagonal(distance, 0.0)
    distance[la, lb] = distance[lb, la] = 1.0 - strength
    model = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                    distance_threshold=config.cluster_max_distance + 1e-9)
    expected = _attach_singletons(model.fit_predict(distance), la, lb, strength)
    assert _partition(found.tolist()) == _partition(expected.tolist())


def test_two_close_pairs_weakly_linked_to_each_other_stay_two_clusters() -> None:
    """Every two members are linked, but not all closer than the bar: no shortcut."""
    la, lb = np.array([0, 0, 0, 1, 1, 2]), np.array([1, 2, 3, 2, 3, 3])
    strength = np.array([1.0, 0.3, 0.3, 0.3, 0.3, 1.0])
    found = _split(4, la, lb, strength, np.zeros(6, dtype=bool), Config())
    assert _partition(found.tolist()) == [0, 0, 1, 1]
    assert _split(4, la, lb, np.ones(6), np.zeros(6, dtype=bool), Config()).tolist() == [0] * 4


def test_sparsely_linked_copies_are_one_cluster_and_weaker_links_still_split() -> None:
    # 70 copies of one text, each linked as a duplicate to the next five only (as a scan
    # links copies past max_postings): average linkage alone split them into many
    # clusters, the missing links counting as distance 1.
    copies = [Article(f"c{k:02d}", "same text") for k in range(70)]
    links = [Pair(f"c{k:02d}", f"c{j:02d}", "duplicate", 1.0, (1.0, 1.0), strength=1.0)
             for k in range(70) for j in range(k + 1, min(k + 6, 70))]
    (whole,) = cluster(copies, links, Config())
    assert whole.members == tuple(a.id for a in copies)
    # Two near-duplicate groups joined by one weak reuse link stay two clusters.
    others = [Article(f"n{k}", "other text") for k in range(6)]
    near = [Pair(f"n{k}", f"n{j}", "near-duplicate", 0.8, (0.9, 0.9), strength=0.9)
            for k in range(3) for j in range(k + 1, 3)]
    near += [Pair(f"n{k}", f"n{j}", "near-duplicate", 0.8, (0.9, 0.9), strength=0.9)
             for k in range(3, 6) for j in range(k + 1, 6)]
    weak = [Pair("n2", "n3", "reuse", 0.1, (0.2, 0.2), strength=0.4)]
    assert sorted(c.members for c in cluster(others, near + weak, Config())) == [
        ("n0", "n1", "n2"), ("n3", "n4", "n5")]
    # A duplicate link across them: the two copies are in one cluster, whatever the rest.
    same = [Pair("n2", "n3", "duplicate", 1.0, (1.0, 1.0), strength=1.0)]
    assert any({"n2", "n3"} <= set(c.members) for c in cluster(others, near + same, Config()))
