"""The Markdown report: tabulate tables that render on GitHub.

Article text in a cell is flattened to one line and escaped, so it shows as the
text it is: no markup, link, image or HTML it contains takes effect.
"""

from __future__ import annotations

import re
from typing import Any

from tabulate import tabulate

from dedupe.report.tables import KIND_TITLES, Report, counts, short, strongest

#: Rows listed per table; the HTML report and report.json have them all.
MAX_ROWS = 500
#: Cluster members named in a cell.
MAX_MEMBERS = 8
# What can start markup inside a GitHub table cell: emphasis, code, links and images,
# strikethrough, math, cell breaks, HTML and entities (``_`` only at a word edge:
# GitHub does not emphasise inside words, so ids like ``a_b`` stay readable).
_SPECIAL = re.compile(r"[\\`*\[\]|~$<>&]|(?<![^\W_])_|_(?![^\W_])")
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def cell(text: str, width: int = 0) -> str:
    """``text`` as a Markdown table cell: one line, optionally cut, every special escaped.

    Example:
        >>> print(cell("<b>*a*|b_c</b>"))
        &lt;b&gt;\\*a\\*\\|b_c&lt;/b&gt;
    """
    flat = short(text, width) if width else " ".join(text.split())
    return _SPECIAL.sub(lambda m: _ENTITIES.get(m.group(), "\\" + m.group()), flat)


def render_markdown(report: Report) -> str:
    """The Markdown report for a report.json value."""
    docs = {d["id"]: d for d in report["documents"]}
    parts = [
        "# dedupe report",
        f"dedupe {cell(report['version'])}, settings {cell(report['params']['fingerprint'])}. "
        "Open `report.html` to read the texts with shared passages highlighted.",
        "## Summary",
        _table(counts(report), ["", "count"]),
    ]
    if report["skipped"]:
        parts += ["### Skipped inputs",
                  _table([(cell(s["where"]), cell(s["reason"])) for s in report["skipped"]],
                         ["where", "reason"])]
    parts += ["## Clusters", _clusters(report, docs) or "No two documents are linked."]
    parts += ["## Pairs", _pairs(report) or "No linked pairs."]
    for kind, title in KIND_TITLES.items():
        items = [b for b in report["boilerplate"] if b["kind"] == kind]
        rows = [(cell(b["text"], 120), len(b["docs"]), b["families"],
                 cell(", ".join(b["sources"]), 60)) for b in items]
        parts += [f"## {title[0].upper()}{title[1:]}",
                  _table(rows, ["text", "docs", "families", "sources"]) if rows
                  else "None found."]
    return "\n\n".join(parts) + "\n"


def _clusters(report: Report, docs: dict[str, dict[str, Any]]) -> str:
    rows = []
    for c in report["clusters"]:
        dates = sorted(d for m in c["members"] if (d := docs[m]["date"]))
        undated = len(c["members"]) - len(dates)
        span = f"{dates[0]} to {dates[-1]}" if dates else ""
        if undated:
            span += f" (+{undated} undated)"
        named = [m + (" (origin)" if m == c["origin"] else "") for m in c["members"]]
        if len(named) > MAX_MEMBERS:
            named = [*named[:MAX_MEMBERS], f"… +{len(named) - MAX_MEMBERS} more"]
        rows.append((c["id"], len(c["members"]), cell(c["origin"]),
                     f"{c['origin_rule']} ({c['confidence']:.2f})", cell(span.strip()),
                     cell(", ".join(named)), cell(strongest(c)["evidence"], 100)))
    return _table(rows, ["cluster", "size", "likely origin", "rule", "dates", "members",
                         "strongest evidence"])


def _pairs(report: Report) -> str:
    rows = []
    for p in sorted(report["pairs"], key=lambda p: (-p["strength"], p["a"], p["b"])):
        passage = max(p["passages"], key=lambda x: x["rare_shingles"], default=None)
        excerpt = f"“{cell(passage['text'], 80)}”" if passage else ""
        rows.append((cell(p["a"]), cell(p["b"]), p["relation"], f"{p['strength']:.2f}",
                     len(p["passages"]), excerpt, cell(p["evidence"], 100)))
    return _table(rows, ["a", "b", "relation", "strength", "passages", "shared passage",
                         "evidence"])


def _table(rows: list[tuple[Any, ...]], headers: list[str]) -> str:
    """A GitHub table of at most MAX_ROWS rows, saying how many were left out."""
    if not rows:
        return ""
    text = tabulate(rows[:MAX_ROWS], headers=headers, tablefmt="github",
                    disable_numparse=[k for k, value in enumerate(rows[0])
                                      if isinstance(value, str)])
    if len(rows) > MAX_ROWS:
        text += f"\n\n… and {len(rows) - MAX_ROWS} more rows: see report.html or report.json."
    return text
