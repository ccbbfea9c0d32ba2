"""Tables over a report.json value, shared by the terminal summary and the Markdown report.

Every function takes the report as read back from JSON (plain dicts and lists), so
``dedupe report`` draws the same tables from a saved file as ``dedupe scan`` does.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from tabulate import tabulate

Report = dict[str, Any]
#: Pair relations, strongest first.
RELATIONS = ("duplicate", "near-duplicate", "contains", "reuse")
#: Kinds of boilerplate, with the plural a report lists them under.
KIND_TITLES = {"template": "template lines", "heading": "reused headings",
               "stock-phrase": "stock phrases"}


def short(text: str, width: int = 70) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def counts(report: Report) -> list[tuple[str, int]]:
    """(label, count) rows: documents, skips, pairs by relation, clusters, boilerplate."""
    relations = Counter(p["relation"] for p in report["pairs"])
    kinds = Counter(b["kind"] for b in report["boilerplate"])
    return [
        ("documents", len(report["documents"])),
        ("skipped inputs", len(report["skipped"])),
        ("linked pairs", len(report["pairs"])),
        *((f"  {r}", relations[r]) for r in RELATIONS if relations[r]),
        ("clusters", len(report["clusters"])),
        *((title, kinds[kind]) for kind, title in KIND_TITLES.items()),
    ]


def strongest(cluster: dict[str, Any]) -> dict[str, Any]:
    """The cluster's strongest link (the first of equals)."""
    return max(cluster["links"], key=lambda k: k["strength"])


def summary(report: Report, limit: int = 10) -> str:
    """Short plain-text tables: counts, the largest clusters, top template lines and headings."""
    parts = [tabulate(counts(report), headers=["", "count"], tablefmt="simple")]
    if report["clusters"]:
        clusters = [(c["id"], len(c["members"]), c["origin"],
                     f"{c['origin_rule']} ({c['confidence']:.2f})",
                     short(strongest(c)["evidence"]))
                    for c in report["clusters"][:limit]]
        parts.append(tabulate(clusters, disable_numparse=[2, 3, 4],
                              headers=["cluster", "size", "origin", "rule", "strongest evidence"]))
    lines = [(b["kind"], len(b["docs"]), short(b["text"])) for b in report["boilerplate"]
             if b["kind"] in ("template", "heading")][:limit]
    if lines:
        parts.append(tabulate(lines, headers=["line", "docs", "text"], disable_numparse=[2]))
    return "\n\n".join(parts)
