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
    graph = coo_matrix((np.ones(len(links)), (ia, ib)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    # Each linked component's members (ascending) and links (in order), grouped once.
    linked = np.unique(component[ia])
    groups: list[tuple[list[Article], list[Pair]]] = []
    for in_comp, inside in zip(_groups(component, linked), _groups(component[ia], linked),
                               strict=True):
        groups += component_groups([articles[i] for i in in_comp.tolist()],
                                   [links[k] for k in inside.tolist()], config)
    return clusters_of(groups, config)


def component_groups(
    members: Sequence[Article], links: Sequence[Pair], config: Config,
) -> list[tuple[list[Article], list[Pair]]]:
    """The clusters of one connected component of links, before origins are chosen.

    A component is clustered on its own (``cluster`` does each in turn, the Spark
    engine each on an executor): the result depends on nothing outside it.

    Args:
        members: the component's documents, in scan order.
        links: the links between them, in pair order (by ``a``, then ``b``).
        config: settings (``cluster_max_distance``).

    Returns:
        Per cluster of two or more members: its members sorted by id and its inner
        links sorted by ``(a, b)``, in no particular order of clusters.

    Example:
        >>> from dedupe.records import Article, Pair
        >>> link = Pair("a", "b", "duplicate", 1.0, (1.0, 1.0), strength=1.0)
        >>> [[m.id for m in g] for g, _ in component_groups(
        ...     [Article("a", "x"), Article("b", "x")], [link], Config())]
        [['a', 'b']]
    """
    local = {m.id: k for k, m in enumerate(members)}
    la = np.array([local[p.a] for p in links], dtype=np.int64)
    lb = np.array([local[p.b] for p in links], dtype=np.int64)
    strength = np.array([p.strength for p in links], dtype=np.float64)
    strong = np.array([p.relation in _STRONG for p in links], dtype=bool)
    same = np.array([p.relation == "duplicate" for p in links], dtype=bool)
    sub = _join_copies(_split(len(members), la, lb, strength, strong, config),
                       la[same], lb[same])
    inner_links: dict[int, list[Pair]] = {}
    for p, i, j in zip(links, sub[la].tolist(), sub[lb].tolist(), strict=True):
        if i == j:
            inner_links.setdefault(i, []).append(p)
    groups: list[tuple[list[Article], list[Pair]]] = []
    used = np.unique(sub)
    for label, in_label in zip(used.tolist(), _groups(sub, used), strict=True):
        if in_label.size < 2:
            continue
        group = sorted((members[i] for i in in_label.tolist()), key=lambda m: m.id)
        inner = sorted(inner_links.get(label, []), key=lambda p: (p.a, p.b))
        groups.append((group, inner))
    return groups


def clusters_of(groups: Sequence[tuple[Sequence[Article], Sequence[Pair]]],
                config: Config) -> list[Cluster]:
    """Clusters of ``component_groups``' groups (of all components): each group's origin
    chosen, largest first, ids from 1."""
    record = source_record([m for m, _ in groups])
    return number_clusters([origin_of(group, inner, config, record)
                            for group, inner in groups])


#: A cluster before it is numbered: member ids, origin, rule, confidence, inner links.
Unnumbered = tuple[list[str], str, str, float, list[Pair]]


def origin_of(group: Sequence[Article], inner: Sequence[Pair], config: Config,
              record: dict[str, float]) -> Unnumbered:
    """One group of ``component_groups`` with its origin chosen (``choose_origin``)."""
    origin, rule, confidence = choose_origin(group, inner, config, record)
    return [m.id for m in group], origin, rule, confidence, list(inner)


def cluster_order(item: Unnumbered) -> tuple[int, str]:
    """Where a cluster goes in the list: largest first, then by its first member's id."""
    return -len(item[0]), item[0][0]


def number_clusters(items: Sequence[Unnumbered], first: int = 1) -> list[Cluster]:
    """Clusters of ``origin_of`` items, sorted (``cluster_order``) and numbered from
    ``first``."""
    return [numbered(k, item)
            for k, item in enumerate(sorted(items, key=cluster_order), start=first)]


def numbered(k: int, item: Unnumbered) -> Cluster:
    """The Cluster of one ``origin_of`` item, given its id ``k``."""
    ids, origin, rule, confidence, inner = item
    return Cluster(id=k, members=tuple(ids), origin=origin, origin_rule=rule,
                   confidence=round(confidence, 3),
                   links=tuple(Link(p.a, p.b, p.evidence, round(p.strength, 3))
                               for p in inner))


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
        vote = source_vote(members)
        if vote is None:
            continue
        sources, winner = vote
        for source in sources:
            appear[source] = appear.get(source, 0) + 1
        if winner:
            first[winner] = first.get(winner, 0) + 1
    return record_from(appear, first)


def source_vote(members: Sequence[Article]) -> tuple[list[str], str | None] | None:
    """What one cluster adds to ``source_record``: the sources it shows (sorted) and the
    source of its earliest member, or None when its dates do not decide."""
    stamps = [m.timestamp for m in members]
    if any(t is None for t in stamps):
        return None
    earliest = min(stamps)  # type: ignore[type-var]
    winners = [m for m, t in zip(members, stamps, strict=True) if t == earliest]
    if len(winners) != 1:
        return None
    return sorted({m.source for m in members if m.source}), winners[0].source


def record_from(appear: dict[str, int], first: dict[str, int]) -> dict[str, float]:
    """``source_record`` from its counts: clusters whose dates decide that each source
    appears in, and in how many of them it was first."""
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
