"""Score a scan against ground truth: clusters, origins and template lines.

The truth is a JSONL file with one object per article::

    {"id": "doc-3fa9c1", "group": "g7", "origin": "doc-91be22", "kind": "trimmed",
     "template_lines": ["Share this article: Facebook | Twitter | Email"]}

* ``id`` (required): the article's id in the corpus.
* ``group`` (required): articles with one common origin share a group; an article
  derived from nothing else has a group of its own.
* ``origin`` (optional): the id of the group's origin article. Groups whose members
  disagree, or that name none, are left out of origin accuracy.
* ``kind`` (optional): a free label (``verbatim``, ``trimmed``, ...) for recall per
  kind of derivation; ``origin`` marks the origin itself.
* ``template_lines`` (optional): lines of this article's text that are site
  template (masthead, ads, share and footer lines), for template-line recall.

Metrics (see ``Scores``) are standard: the adjusted Rand index and pairwise
precision/recall of "same group" come from scikit-learn's clustering metrics.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tabulate import tabulate

from dedupe.read import InputError
from dedupe.records import Skip
from dedupe.scan import ScanResult

#: Label of origin articles in the ``kind`` column.
ORIGIN_KIND = "origin"

_FIELDS = {"id", "group", "origin", "kind", "template_lines"}


@dataclass(frozen=True)
class TruthRow:
    """What one article really is."""

    id: str
    group: str
    origin: str | None = None
    kind: str | None = None
    template_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Prediction:
    """What a method says: clusters of ids, each with an origin, and masked lines.

    ``clusters`` need not cover every article (the rest are singletons);
    ``template_lines`` maps an article id to the lines the method treats as
    template, or is None when the method does not find templates.
    """

    clusters: Sequence[Sequence[str]]
    origins: Sequence[str | None]
    template_lines: Mapping[str, Collection[str]] | None = None


@dataclass(frozen=True)
class Scores:
    """Quality of one prediction against the truth (see ``score``)."""

    articles: int
    groups: int  # truth groups with two or more articles
    ari: float
    precision: float
    recall: float
    f1: float
    recall_by_kind: dict[str, tuple[int, int]]  # kind -> (placed with origin, total)
    origin_correct: int
    origins_scored: int
    unrelated_merged: int
    unrelated: int
    template_found: int | None = None
    template_total: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def origin_accuracy(self) -> float:
        """Share of groups whose origin is the origin of the cluster holding it."""
        return _ratio(self.origin_correct, self.origins_scored)

    @property
    def unrelated_merged_share(self) -> float:
        """Share of articles alone in their truth group that were put in a cluster."""
        return _ratio(self.unrelated_merged, self.unrelated, empty=0.0)

    @property
    def template_recall(self) -> float | None:
        """Share of truth template lines (occurrences) the method masked."""
        if self.template_found is None or not self.template_total:
            return None
        return self.template_found / self.template_total

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able numbers."""
        return {
            "articles": self.articles, "groups": self.groups,
            "ari": round(self.ari, 4), "precision": round(self.precision, 4),
            "recall": round(self.recall, 4), "f1": round(self.f1, 4),
            "origin_accuracy": round(self.origin_accuracy, 4),
            "origins_scored": self.origins_scored,
            "unrelated_merged": round(self.unrelated_merged_share, 4),
            "template_recall": None if self.template_recall is None
            else round(self.template_recall, 4),
            "recall_by_kind": {k: round(_ratio(*v), 4) for k, v in self.recall_by_kind.items()},
        }


#: The metrics by name, each read off Scores, higher is better (for floors and gates).
METRICS: dict[str, Callable[[Scores], float | None]] = {
    "ari": lambda s: s.ari,
    "precision": lambda s: s.precision,
    "recall": lambda s: s.recall,
    "f1": lambda s: s.f1,
    "origin": lambda s: s.origin_accuracy,
    "template": lambda s: s.template_recall,
    "unrelated-kept": lambda s: 1.0 - s.unrelated_merged_share,
}


def read_truth(path: str | Path) -> dict[str, TruthRow]:
    """Read a truth JSONL file (format in the module docstring).

    Raises:
        InputError: on the first bad line, naming the file and line.
    """
    where = str(path)
    try:
        with Path(path).open(encoding="utf-8") as handle:
            rows = _truth_rows(handle, where)
    except OSError as error:
        raise InputError(Skip(where, f"cannot read the truth file ({error.strerror}); "
                                     "check the path")) from error
    except UnicodeDecodeError as error:
        raise InputError(Skip(where, "not UTF-8; save the truth file as UTF-8")) from error
    if not rows:
        raise InputError(Skip(where, "no truth rows; write one JSON object per article"))
    return rows


def _truth_rows(lines: Iterable[str], where: str) -> dict[str, TruthRow]:
    rows: dict[str, TruthRow] = {}
    for number, line in enumerate(lines, start=1):
        if line.strip():
            row = _truth_row(line, f"{where}:{number}")
            if row.id in rows:
                raise InputError(Skip(f"{where}:{number}",
                                      f"duplicate id {row.id!r}; give each article one "
                                      "truth line"))
            rows[row.id] = row
    return rows


def _truth_row(line: str, where: str) -> TruthRow:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(Skip(where, f"not JSON ({error.msg}); write one JSON object per "
                                     'line, like {"id": "a1", "group": "g1"}')) from error
    if not isinstance(data, dict):
        raise InputError(Skip(where, 'expected a JSON object like {"id": "a1", "group": "g1"}'))
    for name in ("id", "group"):
        if not isinstance(data.get(name), str) or not data[name]:
            raise InputError(Skip(where, f"missing {name!r}; every truth line needs a "
                                         "non-empty string 'id' and 'group'"))
    for name in ("origin", "kind"):
        if data.get(name) is not None and not isinstance(data[name], str):
            raise InputError(Skip(where, f"{name!r} must be a string or null"))
    lines = data.get("template_lines") or []
    if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
        raise InputError(Skip(where, "'template_lines' must be a list of strings"))
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise InputError(Skip(where, f"unknown field {unknown[0]!r}; truth fields are "
                                     + ", ".join(sorted(_FIELDS))))
    return TruthRow(id=data["id"], group=data["group"], origin=data.get("origin"),
                    kind=data.get("kind"), template_lines=tuple(lines))


def score(truth: Mapping[str, TruthRow], prediction: Prediction) -> Scores:
    """Score ``prediction`` on the articles that are in ``truth``.

    Articles the prediction clusters but the truth does not know are ignored
    (``Scores.extra["unknown"]`` counts them).

    * ARI and pairwise precision/recall/F1 of "same group" over all truth articles;
    * recall per kind: the share of derived articles put in their origin's cluster;
    * origin accuracy: over groups of two or more with an agreed origin, the share
      whose origin sits in a predicted cluster of two or more that names it origin;
    * unrelated merged: articles alone in their truth group that were clustered;
    * template recall: truth template lines (per occurrence) the method masked.
    """
    # Imported here: scikit-learn takes most of a second, and only evaluation needs it.
    from sklearn.metrics import adjusted_rand_score
    from sklearn.metrics.cluster import pair_confusion_matrix

    ids = sorted(truth)
    cluster_of = _cluster_index(prediction.clusters)
    unknown = sum(1 for i in cluster_of if i not in truth)
    # Unclustered articles are singletons: give each a label of its own.
    singleton = len(prediction.clusters)
    predicted = []
    for i in ids:
        if i in cluster_of:
            predicted.append(cluster_of[i])
        else:
            predicted.append(singleton)
            singleton += 1
    group_label = {g: k for k, g in enumerate(sorted({truth[i].group for i in ids}))}
    actual = [group_label[truth[i].group] for i in ids]
    (_, fp), (fn, tp) = pair_confusion_matrix(actual, predicted)
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    f1 = _ratio(2 * precision * recall, precision + recall, empty=0.0)

    members: dict[str, list[str]] = defaultdict(list)
    for i in ids:
        members[truth[i].group].append(i)
    sizes = Counter(len(m) for m in members.values())
    size_of = {k: len(c) for k, c in enumerate(prediction.clusters)}
    label = dict(zip(ids, predicted, strict=True))

    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    correct = scored = 0
    for group in members.values():
        origin = _agreed_origin(truth, group)
        if len(group) < 2 or origin is None or origin not in truth:
            continue
        scored += 1
        k = cluster_of.get(origin)
        if k is not None and size_of[k] >= 2 and prediction.origins[k] == origin:
            correct += 1
        for i in group:
            if i != origin:
                tally = by_kind[truth[i].kind or "derived"]
                tally[0] += label[i] == label[origin]
                tally[1] += 1

    alone = [members[g][0] for g in members if len(members[g]) == 1]
    merged = sum(1 for i in alone if i in cluster_of and size_of[cluster_of[i]] >= 2)
    found, total = _template_recall(truth, prediction.template_lines)
    return Scores(
        articles=len(ids), groups=sum(n for size, n in sizes.items() if size >= 2),
        ari=float(adjusted_rand_score(actual, predicted)),
        precision=precision, recall=recall, f1=f1,
        recall_by_kind={k: (v[0], v[1]) for k, v in sorted(by_kind.items())},
        origin_correct=correct, origins_scored=scored,
        unrelated_merged=merged, unrelated=len(alone),
        template_found=found, template_total=total,
        extra={"unknown": unknown} if unknown else {},
    )


def evaluate(result: ScanResult, truth: Mapping[str, TruthRow]) -> Scores:
    """Score a scan: its clusters, their origins and its masked template lines."""
    return score(truth, prediction_of(result))


def prediction_of(result: ScanResult) -> Prediction:
    """A scan's clusters, origins and masked lines as a Prediction."""
    masked = {
        a.id: [a.text[s:e] for s, e in spans]
        for a, spans in zip(result.articles, result.template_lines, strict=True)
    }
    return Prediction(
        clusters=[c.members for c in result.clusters],
        origins=[c.origin for c in result.clusters],
        template_lines=masked,
    )


def table(results: Mapping[str, Scores]) -> str:
    """One column per method, one row per metric (a missing metric shows as -)."""
    names = list(results)
    kinds = sorted({k for s in results.values() for k in s.recall_by_kind})
    rows: list[list[Any]] = [
        ["ARI", *(s.ari for s in results.values())],
        ["pairwise precision", *(s.precision for s in results.values())],
        ["pairwise recall", *(s.recall for s in results.values())],
        ["pairwise F1", *(s.f1 for s in results.values())],
        ["origin accuracy", *(s.origin_accuracy for s in results.values())],
        ["unrelated merged", *(s.unrelated_merged_share for s in results.values())],
        ["template-line recall", *(s.template_recall for s in results.values())],
    ]
    for kind in kinds:
        rows.append([f"recall: {kind}",
                     *(_ratio(*s.recall_by_kind[kind]) if kind in s.recall_by_kind else None
                       for s in results.values())])
    return tabulate(rows, headers=["metric", *names], floatfmt=".3f", missingval="-")


def counts_table(scores: Scores) -> str:
    """What was scored: articles, groups, kinds and template lines."""
    rows: list[tuple[str, Any]] = [
        ("articles", scores.articles),
        ("groups of 2+", scores.groups),
        ("origins scored", scores.origins_scored),
        ("articles alone in their group", scores.unrelated),
        *((f"derived: {k}", total) for k, (_, total) in scores.recall_by_kind.items()),
        ("template lines (occurrences)", scores.template_total),
    ]
    return tabulate(rows, headers=["scored", "count"])


def _cluster_index(clusters: Iterable[Sequence[str]]) -> dict[str, int]:
    index: dict[str, int] = {}
    for k, members in enumerate(clusters):
        for i in members:
            if i in index:
                raise ValueError(f"article {i!r} is in clusters {index[i]} and {k}; "
                                 "a prediction must put each article in one cluster")
            index[i] = k
    return index


def _agreed_origin(truth: Mapping[str, TruthRow], group: list[str]) -> str | None:
    named = {truth[i].origin for i in group}
    if len(named) != 1:
        return None
    (origin,) = named
    return origin


def _template_recall(
    truth: Mapping[str, TruthRow], masked: Mapping[str, Collection[str]] | None
) -> tuple[int | None, int]:
    total = sum(len(row.template_lines) for row in truth.values())
    if masked is None:
        return None, total
    found = 0
    for i, row in truth.items():
        available = Counter(line.strip() for line in masked.get(i, ()))
        for line in row.template_lines:
            key = line.strip()
            if available[key] > 0:
                available[key] -= 1
                found += 1
    return found, total


def _ratio(part: float, whole: float, empty: float = 1.0) -> float:
    return float(part) / float(whole) if whole else empty
