"""What the HTML report shows, worked out from a report.json value.

The page's script only draws: which stretch of a text is template, heading, stock
phrase or shared with which other document (``marks``), how two texts line up
(``align``), where members sit on a timeline and in a graph, and which colour each
link gets are all decided here, where they can be tested.

Each document's text appears once in the data, however many pairs it is in, so the
report grows linearly with the corpus.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from dedupe.records import parse_date
from dedupe.report.tables import Report, counts, short, strongest

#: Mark flags: a stretch of text can be several of these at once.
TEMPLATE, HEADING, STOCK = 1, 2, 4
#: Link colours the page has; links that share a document get different ones while
#: they last.
PALETTE = 10
#: Skipped inputs and warnings listed on the page (all are in report.json).
MAX_LISTED = 100
#: Graph drawing area (SVG user units); two documents need only a strip.
GRAPH_SIZE = (360, 260)
PAIR_GRAPH_HEIGHT = 90

Span = tuple[int, int]


def build(report: Report) -> dict[str, Any]:
    """The page model: ``data`` (embedded as JSON for the script) and table rows.

    Example:
        >>> from dedupe.report.schema import to_json  # doctest: +SKIP
        >>> build(to_json(result))["data"]["clusters"][0]["origin"]  # doctest: +SKIP
        3
    """
    docs = report["documents"]
    index = {d["id"]: k for k, d in enumerate(docs)}
    pairs = report["pairs"]
    ends = [(index[p["a"]], index[p["b"]]) for p in pairs]
    colours = link_colours(ends)
    cluster_of = {m: c["id"] for c in report["clusters"] for m in c["members"]}
    shared: dict[int, list[tuple[int, int, int]]] = {}
    for k, (p, (a, b)) in enumerate(zip(pairs, ends, strict=True)):
        for x in p["passages"]:
            shared.setdefault(a, []).append((*x["a"], k))
            shared.setdefault(b, []).append((*x["b"], k))
    data_docs = [_document(d, cluster_of.get(d["id"]), shared.get(k, [])) for k, d in
                 enumerate(docs)]
    data_pairs = [_pair(p, a, b, colours[k], cluster_of, docs)
                  for k, (p, (a, b)) in enumerate(zip(pairs, ends, strict=True))]
    pair_index = {(p["a"], p["b"]): k for k, p in enumerate(pairs)}
    by_doc: dict[int, list[int]] = {}
    for k, (a, b) in enumerate(ends):
        by_doc.setdefault(a, []).append(k)
        by_doc.setdefault(b, []).append(k)
    data_clusters = [_cluster(c, index, pair_index, by_doc, docs) for c in report["clusters"]]
    cluster_rows = [_cluster_row(c, data, docs) for c, data in
                    zip(report["clusters"], data_clusters, strict=True)]
    boilerplate = {kind: [b for b in report["boilerplate"] if b["kind"] == kind]
                   for kind in ("template", "heading", "stock-phrase")}
    tables = {
        "cluster-table": [_cluster_cells(row) for row in cluster_rows],
        "pair-table": [_pair_cells(k, p, data_pairs[k]["cluster"]) for k, p in enumerate(pairs)],
        "document-table": [_document_cells(k, d, cluster_of.get(d["id"]))
                           for k, d in enumerate(docs)],
        **{f"{kind}-table": [[k, None, b["text"], len(b["docs"]), b["families"],
                              ", ".join(b["sources"])] for k, b in enumerate(items)]
           for kind, items in boilerplate.items()},
    }
    return {
        "data": {"docs": data_docs, "pairs": data_pairs, "clusters": data_clusters,
                 "tables": tables},
        "counts": counts(report),
        "clusters": cluster_rows,
        "pairs": len(pairs),
        "boilerplate": boilerplate,
        "documents": len(docs),
        "skipped": report["skipped"][:MAX_LISTED],
        "skipped_total": len(report["skipped"]),
        "warnings": report["warnings"][:MAX_LISTED],
        "warnings_total": len(report["warnings"]),
        "version": report["version"],
        "fingerprint": report["params"]["fingerprint"],
    }


def marks(
    length: int, template: Iterable[Span], headings: Iterable[Span], stock: Iterable[Span],
    passages: Iterable[tuple[int, int, int]],
) -> list[list[Any]]:
    """Marked stretches of one text: ``[start, end, flags, [pair, ...]]``, in order.

    Flags combine ``TEMPLATE``, ``HEADING`` and ``STOCK``; the list names the pairs
    whose shared passages cover the stretch. Unmarked text is left out; spans are
    clipped to the text; neighbours with equal marks are merged.

    Example:
        >>> marks(20, [(0, 5)], [], [(3, 8)], [(6, 12, 0)])
        [[0, 3, 1, []], [3, 5, 5, []], [5, 6, 4, []], [6, 8, 4, [0]], [8, 12, 0, [0]]]
    """
    events: list[tuple[int, int, int]] = []  # (position, +1/-1, layer)
    layers = [(TEMPLATE, template), (HEADING, headings), (STOCK, stock)]
    for flag, spans in layers:
        for start, end in spans:
            events += _clipped(start, end, length, -flag)
    for start, end, pair in passages:
        events += _clipped(start, end, length, pair)
    events.sort()
    out: list[list[Any]] = []
    active: dict[int, int] = {}
    for k, (position, step, layer) in enumerate(events):
        active[layer] = active.get(layer, 0) + step
        following = events[k + 1][0] if k + 1 < len(events) else position
        if following == position:
            continue
        on = sorted(key for key, count in active.items() if count > 0)
        flags = sum(-key for key in on if key < 0)
        pairs = [key for key in on if key >= 0]
        if not flags and not pairs:
            continue
        if out and out[-1][1] == position and out[-1][2] == flags and out[-1][3] == pairs:
            out[-1][1] = following
        else:
            out.append([position, following, flags, pairs])
    return out


def _clipped(start: int, end: int, length: int, layer: int) -> list[tuple[int, int, int]]:
    start, end = max(0, min(start, length)), max(0, min(end, length))
    return [(start, 1, layer), (end, -1, layer)] if start < end else []


def align(passages: Sequence[tuple[int, int, int, int]], length_a: int,
          length_b: int) -> list[list[int]]:
    """Rows for a side-by-side view: ``[a_start, a_end, b_start, b_end, shared]``.

    The passages that keep their order in both texts (the longest such chain, by
    characters) get rows of their own, with the text between them as unshared rows;
    a passage moved out of order stays highlighted inside an unshared row.

    Example:
        >>> align([(10, 20, 30, 40)], 25, 50)
        [[0, 10, 0, 30, 0], [10, 20, 30, 40, 1], [20, 25, 40, 50, 0]]
    """
    chain = _ordered_chain(sorted(passages))
    rows: list[list[int]] = []
    at_a = at_b = 0
    for a0, a1, b0, b1 in chain:
        if a0 > at_a or b0 > at_b:
            rows.append([at_a, max(at_a, a0), at_b, max(at_b, b0), 0])
        rows.append([a0, a1, b0, b1, 1])
        at_a, at_b = max(at_a, a1), max(at_b, b1)
    if at_a < length_a or at_b < length_b:
        rows.append([at_a, max(at_a, length_a), at_b, max(at_b, length_b), 0])
    return rows


def _ordered_chain(
    passages: list[tuple[int, int, int, int]],
) -> list[tuple[int, int, int, int]]:
    """The heaviest chain of passages that follow each other in both texts."""
    best: list[tuple[int, int]] = []  # (weight, previous index)
    for k, (a0, a1, b0, _) in enumerate(passages):
        options = [(best[j][0], j) for j in range(k)
                   if passages[j][1] <= a0 and passages[j][3] <= b0]
        weight, previous = max(options, default=(0, -1))
        best.append((weight + (a1 - a0), previous))
    if not best:
        return []
    k = max(range(len(best)), key=lambda j: (best[j][0], -j))
    chain = []
    while k >= 0:
        chain.append(passages[k])
        k = best[k][1]
    return chain[::-1]


def link_colours(ends: Sequence[tuple[int, int]]) -> list[int]:
    """A colour per link, different from the colours of links sharing a document.

    Greedy edge colouring over ``PALETTE`` colours; a document with more links than
    colours reuses them.
    """
    used: dict[int, set[int]] = {}
    colours: list[int] = []
    for a, b in ends:
        taken = used.setdefault(a, set()) | used.setdefault(b, set())
        colour = next((c for c in range(PALETTE) if c not in taken),
                      len(colours) % PALETTE)
        used[a].add(colour)
        used[b].add(colour)
        colours.append(colour)
    return colours


def safe_url(url: str | None) -> str | None:
    """``url`` if it is a plain http(s) address a link may point to, else None."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


def timestamp(date: str | None) -> datetime | None:
    """The date as a datetime, or None when missing or unreadable."""
    try:
        return parse_date(date) if date else None
    except ValueError:
        return None


def delay(seconds: float) -> str:
    """A signed, rounded delay: ``+0``, ``+3 h``, ``+2 d``, ``-45 min``.

    Example:
        >>> delay(5400), delay(-3 * 86400)
        ('+1.5 h', '-3 d')
    """
    sign = "-" if seconds < 0 else "+"
    size = abs(seconds)
    for unit, width in (("d", 86400), ("h", 3600), ("min", 60)):
        if size >= width:
            value = size / width
            text = f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"
            return f"{sign}{text} {unit}"
    return "+0" if size < 1 else f"{sign}{size:.0f} s"


def _document(doc: dict[str, Any], cluster: int | None,
              passages: list[tuple[int, int, int]]) -> dict[str, Any]:
    item = {key: doc[key] for key in ("id", "date", "source", "title", "url", "words",
                                     "template_words")}
    item.update(cluster=cluster, href=safe_url(doc["url"]), text=doc["text"])
    if doc["text"] is not None:
        item["marks"] = marks(len(doc["text"]), map(tuple, doc["template_lines"]),
                              map(tuple, doc["heading_lines"]), map(tuple, doc["stock_spans"]),
                              passages)
    return item


def _pair(pair: dict[str, Any], a: int, b: int, colour: int, cluster_of: dict[str, int],
          docs: list[dict[str, Any]]) -> dict[str, Any]:
    spans = [(*x["a"], *x["b"]) for x in pair["passages"]]
    same = cluster_of.get(pair["a"])
    text_a, text_b = docs[a]["text"] or "", docs[b]["text"] or ""
    return {
        "a": a, "b": b, "relation": pair["relation"], "strength": pair["strength"],
        "jaccard": pair["jaccard"], "containment": pair["containment"],
        "evidence": pair["evidence"], "headings": pair["headings"], "colour": colour,
        "cluster": same if same is not None and same == cluster_of.get(pair["b"]) else None,
        "passages": [[*s, x["rare_shingles"]] for s, x in zip(spans, pair["passages"],
                                                               strict=True)],
        "rows": align(spans, len(text_a), len(text_b)),
    }


def _cluster(cluster: dict[str, Any], index: dict[str, int],
             pair_index: dict[tuple[str, str], int], by_doc: dict[int, list[int]],
             docs: list[dict[str, Any]]) -> dict[str, Any]:
    members = [index[m] for m in cluster["members"]]
    origin = index[cluster["origin"]]
    times = {k: timestamp(docs[k]["date"]) for k in members}
    # By date, undated last, ties by id.
    order = sorted(members, key=lambda k: (times[k] is None, _utc(times[k]), docs[k]["id"]))
    inner = sorted(pair_index[(link["a"], link["b"])] for link in cluster["links"])
    outside = sorted({k for m in members for k in by_doc.get(m, [])} - set(inner))
    return {
        "id": cluster["id"], "members": order, "origin": origin,
        "rule": cluster["origin_rule"], "confidence": cluster["confidence"],
        "pairs": inner, "outside": outside,
        "timeline": _timeline(order, times, origin),
        "layout": _layout(len(order), order.index(origin)),
        "box": [GRAPH_SIZE[0], PAIR_GRAPH_HEIGHT if len(order) == 2 else GRAPH_SIZE[1]],
    }


def _utc(moment: datetime | None) -> float:
    return moment.timestamp() if moment else 0.0


def _timeline(order: list[int], times: dict[int, datetime | None],
              origin: int) -> list[list[Any]]:
    """Per member (in ``order``): ``[x in 0..1 or None, delay after the origin or '']``."""
    dated = [t for t in times.values() if t is not None]
    first, last = (min(dated), max(dated)) if dated else (None, None)
    width = (last - first).total_seconds() if first and last else 0.0
    start = times[origin]
    rows: list[list[Any]] = []
    for k in order:
        t = times[k]
        if t is None or first is None:
            rows.append([None, ""])
            continue
        x = round((t - first).total_seconds() / width, 4) if width else 0.0
        rows.append([x, delay((t - start).total_seconds()) if start and k != origin else ""])
    return rows


def _layout(n: int, top: int) -> list[list[float]]:
    """Node positions on a circle in member order, member ``top`` (the origin) at the top."""
    width, height = GRAPH_SIZE
    cx, cy, r = width / 2, height / 2 - 8, min(width, height) / 2 - 40
    if n == 2:
        row = PAIR_GRAPH_HEIGHT / 2 - 8
        return [[cx - 1.4 * r, row], [cx + 1.4 * r, row]]
    return [[round(cx + r * math.sin(2 * math.pi * (k - top) / n), 1),
             round(cy - r * math.cos(2 * math.pi * (k - top) / n), 1)] for k in range(n)]


def _cluster_row(cluster: dict[str, Any], data: dict[str, Any],
                 docs: list[dict[str, Any]]) -> dict[str, Any]:
    dates = sorted(d for m in data["members"] if (d := docs[m]["date"]))
    origin = docs[data["origin"]]
    return {
        "id": cluster["id"], "size": len(cluster["members"]), "origin": origin["id"],
        "source": origin["source"] or "", "title": origin["title"] or "",
        "first": dates[0] if dates else "", "last": dates[-1] if dates else "",
        "undated": len(data["members"]) - len(dates),
        "rule": cluster["origin_rule"], "confidence": cluster["confidence"],
        "evidence": short(strongest(cluster)["evidence"], 160),
        "strength": strongest(cluster)["strength"],
    }


# Table rows for the page's script: ``[key, link of the row or None, cell, ...]``; a
# cell is a string, a number, or ``[text, link]``. Links are the page's own
# ``#...`` addresses or ``safe_url`` ones.


def _cluster_cells(row: dict[str, Any]) -> list[Any]:
    href = f"#cluster-{row['id']}"
    last = row["last"] + (f" (+{row['undated']} undated)" if row["undated"] else "")
    return [row["id"], href, [str(row["id"]), href], row["size"], row["origin"], row["source"],
            row["first"], last.strip(), row["rule"], f"{row['confidence']:.2f}",
            f"{row['strength']:.2f}", row["evidence"]]


def _pair_cells(k: int, pair: dict[str, Any], cluster: int | None) -> list[Any]:
    href = f"#pair-{k}"
    return [k, href, [pair["a"], href], pair["b"], pair["relation"], f"{pair['strength']:.2f}",
            f"{pair['jaccard']:.3f}", len(pair["passages"]),
            "" if cluster is None else [str(cluster), f"#cluster-{cluster}"], pair["evidence"]]


def _document_cells(k: int, doc: dict[str, Any], cluster: int | None) -> list[Any]:
    href = safe_url(doc["url"])
    title = [doc["title"] or href, href] if href else doc["title"] or ""
    return [k, None, [doc["id"], f"#doc-{k}"], doc["date"] or "", doc["source"] or "", title,
            doc["words"], doc["template_words"],
            "" if cluster is None else [str(cluster), f"#cluster-{cluster}"]]
