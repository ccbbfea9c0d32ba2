"""report.json: the scan's findings as plain, stable JSON, and reading it back.

The JSON is written with sorted keys and fixed float rounding, so the same input
gives the same bytes. Reading it back is ``json.loads`` checked against the
published JSON Schema (``report.schema.json``): nothing is ever unpickled or
evaluated, and a file that is not a report gets one line saying so.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any, overload

import jsonschema
import orjson

from dedupe import __version__
from dedupe.records import Boilerplate, Cluster, Pair
from dedupe.report.tables import short
from dedupe.scan import ScanResult, Spans

#: The JSON Schema every report.json satisfies (shipped with the package).
SCHEMA: dict[str, Any] = json.loads(
    files("dedupe.report").joinpath("report.schema.json").read_text(encoding="utf-8"))


_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE
_ITEM_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS


def to_json(result: ScanResult, *, lazy: bool = False) -> dict[str, Any]:
    """The report as a JSON-able dict (the documented report.json schema).

    Documents that take part in a pair carry their ``text``, so that the HTML and
    Markdown reports can be drawn from the JSON alone; the others carry ``null``.

    With ``lazy``, the long lists (documents, pairs, boilerplate, clusters) are
    ``Items``: each item is made from ``result`` when it is read, so that writing the
    report (``dump_parts``) holds one item at a time, not a second copy of the scan.
    """
    linked = {p.a for p in result.pairs} | {p.b for p in result.pairs}
    lists: dict[str, Sequence[dict[str, Any]]] = {
        "documents": Items(lambda k: _document(result, k, result.articles[k].id in linked),
                           len(result.articles)),
        "pairs": Items(lambda k: _pair(result.pairs[k]), len(result.pairs)),
        "boilerplate": Items(lambda k: _boilerplate(result.boilerplate[k]),
                             len(result.boilerplate)),
        "clusters": Items(lambda k: _cluster(result.clusters[k]), len(result.clusters)),
    }
    return {
        "version": __version__,
        "params": {**result.config.as_dict(), "fingerprint": result.config.fingerprint,
                   "lsh_bands": list(result.config.lsh_bands)},
        **{key: items if lazy else list(items) for key, items in lists.items()},
        "skipped": [{"where": s.where, "reason": s.reason} for s in result.skipped],
        "warnings": [{"where": s.where, "reason": s.reason} for s in result.warnings],
    }


class Items(Sequence[dict[str, Any]]):
    """A list of report items made when read, by ``make(index)``: nothing is kept."""

    def __init__(self, make: Callable[[int], dict[str, Any]], count: int) -> None:
        self._make = make
        self._count = count

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self._make(k) for k in range(*index.indices(self._count))]
        if not -self._count <= index < self._count:
            raise IndexError("report item index out of range")
        return self._make(index % self._count)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return map(self._make, range(self._count))


def _listed(value: Any) -> list[dict[str, Any]]:
    """orjson's fallback for the types it does not know: ``Items`` become lists."""
    if isinstance(value, Items):
        return list(value)
    raise TypeError(f"cannot write a {type(value).__name__} into report.json")


def _document(result: ScanResult, k: int, with_text: bool) -> dict[str, Any]:
    a = result.articles[k]

    def spans(per_doc: tuple[Spans, ...]) -> list[list[int]]:
        return [list(span) for span in per_doc[k]] if per_doc else []

    return {
        "id": a.id, "date": a.date, "source": a.source, "title": a.title, "url": a.url,
        "words": result.words[k],
        "template_words": result.template_words[k] if result.template_words else 0,
        "template_lines": spans(result.template_lines),
        "heading_lines": spans(result.heading_lines),
        "stock_spans": spans(result.stock_spans),
        "text": a.text if with_text else None,
    }


def _pair(p: Pair) -> dict[str, Any]:
    return {
        "a": p.a, "b": p.b, "relation": p.relation, "jaccard": p.jaccard,
        "containment": list(p.containment), "strength": p.strength, "evidence": p.evidence,
        "headings": list(p.headings),
        "passages": [{"a": list(x.a), "b": list(x.b), "text": x.text,
                      "rare_shingles": x.rare_shingles} for x in p.passages],
    }


def _boilerplate(b: Boilerplate) -> dict[str, Any]:
    return {"text": b.text, "kind": b.kind, "docs": list(b.docs), "sources": list(b.sources),
            "families": b.families}


def _cluster(c: Cluster) -> dict[str, Any]:
    return {"id": c.id, "members": list(c.members), "origin": c.origin,
            "origin_rule": c.origin_rule, "confidence": c.confidence,
            "links": [{"a": k.a, "b": k.b, "evidence": k.evidence, "strength": k.strength}
                      for k in c.links]}


def dumps(report: dict[str, Any]) -> str:
    """report.json's exact text: sorted keys, two-space indent, UTF-8, final newline."""
    return dump_bytes(report).decode("utf-8")


def dump_bytes(report: dict[str, Any]) -> bytes:
    """``dumps`` encoded as UTF-8, as it is written (orjson: the standard library's
    indented writer is a Python loop, about 20 times slower on a large report; and a
    report's text is not held again as a str)."""
    return orjson.dumps(report, option=_OPTIONS, default=_listed)


def dump_parts(report: dict[str, Any]) -> Iterator[bytes]:
    """``dump_bytes`` in parts, one list item at a time, so that a large report is never
    held as one text (joined, the parts are exactly ``dump_bytes``).

    An item is dumped on its own and indented to its place: orjson writes a line break
    only between tokens (one inside a string is written ``\\n``), so every raw line
    break in an item's text takes the item's indent.
    """
    if not report:
        yield dump_bytes(report)
        return
    yield b"{\n"
    keys = sorted(report)
    for k, key in enumerate(keys):
        value = report[key]
        yield b"  " + orjson.dumps(key) + b": "
        if isinstance(value, list | Items) and value:
            yield b"[\n"
            for i, item in enumerate(value):
                text = orjson.dumps(item, option=_ITEM_OPTIONS).replace(b"\n", b"\n    ")
                yield b"    " + text + (b",\n" if i + 1 < len(value) else b"\n")
            yield b"  ]"
        else:
            yield (orjson.dumps(value, option=_ITEM_OPTIONS, default=_listed)
                   .replace(b"\n", b"\n  "))
        yield b",\n" if k + 1 < len(keys) else b"\n"
    yield b"}\n"


def write_json(result: ScanResult, out_dir: Path) -> Path:
    """Write ``out_dir/report.json`` (creating the directory) and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.json"
    replace_file(path, dump_parts(to_json(result, lazy=True)))
    return path


def replace_file(path: Path, parts: Iterable[bytes]) -> None:
    """Write ``parts`` to a new file in ``path``'s directory, then rename it to ``path``:
    a symbolic link planted at ``path`` is replaced, never followed, and a reader never
    sees half a file.

    Raises:
        OSError: the file cannot be written; ``filename`` is ``path``.
    """
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        # O_EXCL: a new file of our own (never through a link); mode as open() would give.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(descriptor, "wb") as file:
            file.writelines(parts)
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise OSError(error.errno, error.strerror, str(path)) from error


class ReportError(ValueError):
    """A file that cannot be read as a dedupe report.json."""


def load_report(path: Path) -> dict[str, Any]:
    """Read and check a report.json written by ``dedupe scan``.

    Raises:
        ReportError: one line naming the file (and line, for broken JSON), what is
            wrong and what to do.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ReportError(f"{path}: cannot read it ({reason}); check the path, or give the "
                          "report.json that dedupe scan wrote") from None
    try:
        report = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReportError(f"{path}:{error.lineno}: not valid JSON ({error.msg}); "
                          "give the report.json that dedupe scan wrote") from None
    except RecursionError:
        raise ReportError(f"{path}: nested too deeply to be a report; give the report.json "
                          "that dedupe scan wrote") from None
    check_report(report, str(path))
    return report


def check_report(report: Any, where: str) -> None:
    """Raise ReportError unless ``report`` is a consistent report.json value."""
    error = jsonschema.exceptions.best_match(_VALIDATOR.iter_errors(report))
    if error is not None:
        at = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        raise ReportError(f"{where}: not a dedupe report: {at.lstrip('.') or 'top level'}: "
                          f"{short(error.message, 120)}; make one with dedupe scan "
                          f"(this is dedupe {__version__})")
    problem = _inconsistency(report)
    if problem:
        raise ReportError(f"{where}: not a consistent report: {problem}; scan again")


def _inconsistency(report: dict[str, Any]) -> str | None:
    """What in a schema-valid report contradicts the rest of it, if anything."""
    texts = {d["id"]: d["text"] for d in report["documents"]}

    def unknown(where: str, ids: list[str]) -> str | None:
        missing = next((i for i in ids if i not in texts), None)
        if missing is None:
            return None
        return f"{where} names document {short(repr(missing), 60)}, which is not in documents"

    pairs = set()
    for k, p in enumerate(report["pairs"]):
        problem = unknown(f"pairs[{k}]", [p["a"], p["b"]])
        if problem:
            return problem
        if texts[p["a"]] is None or texts[p["b"]] is None:
            return f"pairs[{k}] names a document whose text is missing"
        pairs.add((p["a"], p["b"]))
    for k, c in enumerate(report["clusters"]):
        members = set(c["members"])
        problem = unknown(f"clusters[{k}]", [c["origin"], *c["members"]])
        if problem:
            return problem
        if c["origin"] not in members:
            return f"clusters[{k}]'s origin is not one of its members"
        for link in c["links"]:
            if (link["a"], link["b"]) not in pairs or not {link["a"], link["b"]} <= members:
                return (f"clusters[{k}] links {short(repr(link['a']), 40)} and "
                        f"{short(repr(link['b']), 40)}, which are not a pair of its members")
    return None


_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
