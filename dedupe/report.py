"""report.json: the scan's findings as plain, stable JSON, and the summary tables.

The JSON is written with sorted keys and fixed float rounding, so the same input
gives the same bytes. Reading it back is plain ``json.load``: nothing is ever
unpickled or evaluated.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tabulate import tabulate

from dedupe import __version__
from dedupe.records import Pair
from dedupe.scan import ScanResult


def to_json(result: ScanResult) -> dict[str, Any]:
    """The report as a JSON-able dict (the documented report.json schema)."""
    return {
        "version": __version__,
        "params": {**result.config.as_dict(), "fingerprint": result.config.fingerprint,
                   "lsh_bands": list(result.config.lsh_bands)},
        "documents": [
            {"id": a.id, "date": a.date, "source": a.source, "title": a.title, "url": a.url,
             "words": words, "template_words": template,
             "template_lines": [list(span) for span in spans]}
            for a, words, template, spans in zip(
                result.articles, result.words,
                result.template_words or [0] * len(result.words),
                result.template_lines or [()] * len(result.words), strict=True)
        ],
        "pairs": [_pair(p) for p in result.pairs],
        "boilerplate": [
            {"text": b.text, "kind": b.kind, "docs": list(b.docs), "sources": list(b.sources),
             "families": b.families}
            for b in result.boilerplate
        ],
        "clusters": [
            {"id": c.id, "members": list(c.members), "origin": c.origin,
             "origin_rule": c.origin_rule, "confidence": c.confidence,
             "links": [{"a": k.a, "b": k.b, "evidence": k.evidence, "strength": k.strength}
                       for k in c.links]}
            for c in result.clusters
        ],
        "skipped": [{"where": s.where, "reason": s.reason} for s in result.skipped],
        "warnings": [{"where": s.where, "reason": s.reason} for s in result.warnings],
    }


def _pair(p: Pair) -> dict[str, Any]:
    return {
        "a": p.a, "b": p.b, "relation": p.relation, "jaccard": p.jaccard,
        "containment": list(p.containment), "strength": p.strength, "evidence": p.evidence,
        "headings": list(p.headings),
        "passages": [{"a": list(x.a), "b": list(x.b), "text": x.text,
                      "rare_shingles": x.rare_shingles} for x in p.passages],
    }


def write_json(result: ScanResult, out_dir: Path) -> Path:
    """Write ``out_dir/report.json`` (creating the directory) and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.json"
    text = json.dumps(to_json(result), indent=1, sort_keys=True, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def summary(result: ScanResult) -> str:
    """Short plain-text tables: counts, clusters, top template lines and headings."""
    kinds = [b.kind for b in result.boilerplate]
    relations = [p.relation for p in result.pairs]
    counts = [
        ("documents", len(result.articles)),
        ("skipped inputs", len(result.skipped)),
        ("linked pairs", len(result.pairs)),
        *((f"  {r}", relations.count(r))
          for r in ("duplicate", "near-duplicate", "contains", "reuse") if r in relations),
        ("clusters", len(result.clusters)),
        ("template lines", kinds.count("template")),
        ("reused headings", kinds.count("heading")),
        ("stock phrases", kinds.count("stock-phrase")),
    ]
    parts = [tabulate(counts, tablefmt="simple", headers=["", "count"])]
    if result.clusters:
        rows = [(c.id, len(c.members), c.origin, f"{c.origin_rule} ({c.confidence:.2f})",
                 _short(max(c.links, key=lambda k: k.strength).evidence))
                for c in result.clusters[:10]]
        headers = ["cluster", "size", "origin", "rule", "strongest evidence"]
        parts.append(tabulate(rows, headers=headers))
    lines = [(b.kind, len(b.docs), _short(b.text)) for b in result.boilerplate
             if b.kind in ("template", "heading")][:10]
    if lines:
        parts.append(tabulate(lines, headers=["line", "docs", "text"]))
    return "\n\n".join(parts)


def _short(text: str, width: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
