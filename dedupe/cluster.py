"""Clusters by likely common origin, and which member is the origin.

Links (verified pairs with enough evidence) are grouped per connected component with
scikit-learn's average-linkage agglomerative clustering on ``1 - strength``, a
missing link counting as distance 1. Average linkage is the guard against
chaining: two groups merge only when their members are, on average, linked, so one
weak link between them is not enough. A document left on its own then joins the
cluster of its strongest link: attaching one document is not a merge of groups. Last,
clusters holding documents of the same content (``duplicate`` links) are one cluster:
a document is always in its verbatim copies' cluster, however many copies there are
(with more copies than ``max_postings``, each is linked to a few of the others only,
and average linkage alone would split them, the missing links counting as distance 1).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from dedupe.config import Config
from dedupe.records import Article, Cluster, Link, Pair

#: Components larger than this are not clustered with a dense distance matrix; their
#: strong links (duplicate, near-duplicate, contains) alone form the clusters.
MAX_DENSE = 3000
_STRONG = {"duplicate", "near-duplicate", "contains"}
#: How far the most-covering member must lead the next (in summed containment, i.e.
#: shares of other members' texts) to be named origin when dates cannot decide.
CONTAINMENT_LEAD = 0.05
#: A source's record counts once it is seen in this many clusters whose dates decide...
MIN_RECORD = 3
#: ...and names an undated leader origin when the source was first in this share of them.
MIN_FIRST_SHARE = 0.75


def cluster(articles: Sequence[Article], links: Sequence[Pair], config: Config) -> list[Cluster]:
    """Group linked documents and name each group's likely origin.

    Args:
        articles: all documents, in scan order.
        links: verified pairs whose strength passed ``link_min_strength``.
        config: settings (``cluster_max_distance``).

    Returns:
        Clusters of two or more members, largest first, ids from 1.
    """
    index = {a.id: i for i, a in enumerate(articles)}
    n = len(articles)
    if n == 0 or not links:
        return []
    ia = np.array([index[p.a] for p in links], dtype=np.int64)
    ib = np.array([index[p.b] for p in links], dtype=np.int64)
    strength = np.array([p.strength for p in links])
    strong = np.array([p.relation in _STRONG for p in links], dtype=bool)
    same = np.array([p.relation == "duplicate" for p in links], dtype=bool)
    graph = coo_matrix((np.ones(len(links)), (ia, ib)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    # Each linked component's members (ascending) and links (in order), grouped once.
    linked = np.unique(component[ia])
    members_of = _groups(component, linked)
    links_of = _groups(component[ia], linked)
    labels = np.full(n, -1, dtype=np.int64)
    next_label = 0
    for in_comp, inside in zip(members_of, links_of, strict=True):
        la, lb = np.searchsorted(in_comp, ia[inside]), np.searchsorted(in_comp, ib[inside])
        sub = _split(in_comp.size, la, lb, strength[inside], strong[inside], config)
        sub = _join_copies(sub, la[same[inside]], lb[same[inside]])
        labels[in_comp] = next_label + np.unique(sub, return_inverse=True)[1].reshape(-1)
        next_label = int(labels[in_comp].max()) + 1
    inner_links: dict[int, list[Pair]] = {}
    for p, i, j in zip(links, ia.tolist(), ib.tolist(), strict=True):
        if labels[i] == labels[j]:
            inner_links.setdefault(int(labels[i]), []).append(p)
    groups: list[tuple[list[Article], list[Pair]]] = []
    used = np.unique(labels[labels >= 0])
    for label, in_label in zip(used.tolist(), _groups(labels, used), strict=True):
        if in_label.size < 2:
            continue
        members = sorted(in_label.tolist(), key=lambda i: articles[i].id)
        inner = sorted(inner_links.get(label, []), key=lambda p: (p.a, p.b))
        groups.append(([articles[i] for i in members], inner))
    record = source_record([m for m, _ in groups])
    clusters = []
    for group, inner in groups:
        origin, rule, confidence = choose_origin(group, inner, config, record)
        clusters.append(([m.id for m in group], origin, rule, confidence, inner))
    clusters.sort(key=lambda c: (-len(c[0]), c[0][0]))
    return [
        Cluster(id=k, members=tuple(ids), origin=origin, origin_rule=rule,
                confidence=round(confidence, 3),
                links=tuple(Link(p.a, p.b, p.evidence, round(p.strength, 3)) for p in inner))
        for k, (ids, origin, rule, confidence, inner) in enumerate(clusters, start=1)
    ]


def load_clustering() -> None:
    """Import scikit-learn's clustering now (about 0.7 s): a scan with threads to spare
    starts this beside its comparisons, so that clustering need not wait for it."""
    import sklearn.cluster  # noqa: F401


def _groups(labels: np.ndarray, wanted: np.ndarray) -> list[np.ndarray]:
    """For each of the sorted ``wanted`` labels, the indices carrying it (ascending)."""
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.r_[wanted, wanted + 1].reshape(2, -1))
    return [order[a:b] for a, b in zip(bounds[0].tolist(), bounds[1].tolist(), strict=True)]


def _split(
    size: int, la: np.ndarray, lb: np.ndarray, s: np.ndarray, strong: np.ndarray,
    config: Config,
) -> np.ndarray:
    """Sub-cluster labels for one connected component of ``size`` documents, given its
    links ``(la, lb)`` in local indices, their strengths and whether each is strong."""
    if size <= 2:
        return np.zeros(size, dtype=np.int64)
    if size > MAX_DENSE:
        graph = coo_matrix((np.ones(strong.sum()), (la[strong], lb[strong])), shape=(size, size))
        return connected_components(graph, directed=False)[1].astype(np.int64)
    threshold = config.cluster_max_distance + 1e-9
    if la.size == size * (size - 1) // 2 and np.all(1.0 - s < threshold):
        # Every two members linked, all closer than the threshold: average linkage
        # merges them all (each merge's distance is an average of these).
        return np.zeros(size, dtype=np.int64)
    distance = np.ones((size, size))
    np.fill_diagonal(distance, 0.0)
    distance[la, lb] = distance[lb, la] = 1.0 - s
    # scikit-learn is imported here, not at the top: it takes most of a second, and the
    # command line's other commands (check, filter, index) never cluster.
    from sklearn import config_context
    from sklearn.cluster import AgglomerativeClustering

    model = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average",
        distance_threshold=threshold,
    )
    # The matrix is built above, finite and square: checking it again costs a third of
    # each call, and a large corpus has thousands of components.
    with config_context(assume_finite=True, skip_parameter_validation=True):
        labels = model.fit_predict(distance).astype(np.int64)
    return _attach_singletons(labels, la, lb, s)


def _join_copies(labels: np.ndarray, la: np.ndarray, lb: np.ndarray) -> np.ndarray:
    """Labels with the clusters of the two ends of each ``(la, lb)`` link made one."""
    if la.size == 0:
        return labels
    count = int(labels.max()) + 1
    graph = coo_matrix((np.ones(la.size), (labels[la], labels[lb])), shape=(count, count))
    return connected_components(graph, directed=False)[1].astype(np.int64)[labels]


def _attach_singletons(
    labels: np.ndarray, la: np.ndarray, lb: np.ndarray, strength: np.ndarray
) -> np.ndarray:
    """Move each document left alone into the cluster of its strongest link."""
    labels = labels.copy()
    sizes = np.bincount(labels)
    for k in np.argsort(-strength, kind="stable"):
        a, b = int(la[k]), int(lb[k])
        if sizes[labels[a]] == 1 and labels[a] != labels[b]:
            a, b = b, a  # make ``b`` the lone one, if either is
        if sizes[labels[b]] == 1 and labels[a] != labels[b]:
            sizes[labels[a]] += 1
            sizes[labels[b]] -= 1
            labels[b] = labels[a]
    return labels


def source_record(groups: Sequence[Sequence[Article]]) -> dict[str, float]:
    """How often each source published first, over the clusters whose dates decide.

    Counted over clusters whose members are all dated with one earliest member: a
    source's record is the share of the clusters it appears in where it was first.
    Sources seen in fewer than ``MIN_RECORD`` such clusters get no record.
    """
    appear: dict[str, int] = {}
    first: dict[str, int] = {}
    for members in groups:
        stamps = [m.timestamp for m in members]
        if any(t is None for t in stamps):
            continue
        earliest = min(stamps)  # type: ignore[type-var]
        winners = [m for m, t in zip(members, stamps, strict=True) if t == earliest]
        if len(winners) != 1:
            continue
        for source in {m.source for m in members if m.source}:
            appear[source] = appear.get(source, 0) + 1
        if winners[0].source:
            first[winners[0].source] = first.get(winners[0].source, 0) + 1
    return {s: first.get(s, 0) / n for s, n in sorted(appear.items()) if n >= MIN_RECORD}


def choose_origin(
    members: Sequence[Article], links: Sequence[Pair], config: Config,
    record: dict[str, float] | None = None,
) -> tuple[str, str, float]:
    """The likely origin of a cluster, the rule that chose it, and a confidence in [0, 1].

    Rules, in order:
      1. ``earliest-date``: every member is dated; the earliest wins (ties go to the
         member covering most of the others).
      2. ``containment``: some members are undated; the member whose text covers most
         of the others' (by containment) wins when it clearly leads.
      Otherwise the choice is among the *leaders*: members within ``CONTAINMENT_LEAD``
      of the best coverage (copies with the same text tie here; a trimmed copy or an
      excerpt never leads the text it was cut from).
      3. ``source-record``: a leader is undated, and one leader's source has a clear
         record of publishing first elsewhere in the corpus (``source_record``).
      4. ``earliest-dated``: the earliest dated leader; an undated member never wins
         by date.
      5. ``most-covering``: no leader is dated and no record decides.
    """
    coverage = _coverage(members, links)
    dated = [m for m in members if m.timestamp is not None]

    def by_date(m: Article) -> tuple[object, float, str]:
        return (m.timestamp, -coverage[m.id], m.id)

    if len(dated) == len(members):
        ordered = sorted(members, key=by_date)
        tie = ordered[0].timestamp == ordered[1].timestamp
        return ordered[0].id, "earliest-date", 0.6 if tie else 0.9
    ranked = sorted(members, key=lambda m: (-coverage[m.id], m.id))
    lead = coverage[ranked[0].id] - coverage[ranked[1].id]
    if lead >= CONTAINMENT_LEAD:
        return ranked[0].id, "containment", min(0.9, 0.5 + lead)
    leaders = [m for m in ranked if coverage[m.id] >= coverage[ranked[0].id] - CONTAINMENT_LEAD]
    dated_leaders = [m for m in leaders if m.timestamp is not None]
    if len(dated_leaders) < len(leaders) and record:
        best = _best_record(leaders, record)
        if best is not None:
            return best[0].id, "source-record", round(0.3 + 0.4 * best[1], 3)
    if dated_leaders:
        share = len(dated_leaders) / len(leaders)
        return min(dated_leaders, key=by_date).id, "earliest-dated", round(0.3 + 0.4 * share, 3)
    return ranked[0].id, "most-covering", 0.3


def _best_record(
    leaders: Sequence[Article], record: dict[str, float]
) -> tuple[Article, float] | None:
    """The leader whose source clearly publishes first most often, if one does."""
    rates = sorted(((record.get(m.source or "", 0.0), m.id, m) for m in leaders),
                   key=lambda r: (-r[0], r[1]))
    best_rate, _, best = rates[0]
    runner_up = rates[1][0] if len(rates) > 1 else 0.0
    if best_rate >= MIN_FIRST_SHARE and best_rate > runner_up:
        return best, best_rate
    return None


def _coverage(members: Sequence[Article], links: Sequence[Pair]) -> dict[str, float]:
    """For each member, the summed share of the other members' text it contains."""
    coverage = {m.id: 0.0 for m in members}
    for p in links:
        a_in_b, b_in_a = p.containment
        coverage[p.b] += a_in_b  # b covers this much of a
        coverage[p.a] += b_in_a
    return coverage
