"""Reports: report.json (the findings), and HTML and Markdown views drawn from it.

``write_reports`` renders the views from the JSON value alone, so ``dedupe report``
on a saved report.json gives the same bytes as the scan that wrote it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

from dedupe.report.markdown import render_markdown
from dedupe.report.page import render_html
from dedupe.report.schema import (
    ReportError,
    dump_bytes,
    dump_parts,
    load_report,
    replace_file,
    to_json,
    write_json,
)
from dedupe.report.tables import Report, summary

#: Report formats and their file names, in the order they are written.
FORMATS = {"json": "report.json", "html": "report.html", "md": "report.md"}


def write_reports(report: Report, out_dir: Path, formats: Collection[str]) -> list[Path]:
    """Write the chosen formats of ``report`` into ``out_dir``; return the paths written.

    The report is rendered from its JSON text read back, so a scan and a later
    ``dedupe report`` of the saved file produce identical files.

    Files go only into ``out_dir`` under the fixed names of `FORMATS` (nothing in the
    report names a path), each written to a new file beside it and then renamed over
    it: a symbolic link planted at ``out_dir/report.html`` is replaced, never followed,
    and a reader never sees half a report.

    Raises:
        OSError: a file cannot be written; ``filename`` is the report's path.
    """
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown report format {unknown[0]!r}; use {', '.join(FORMATS)}")
    # The views are drawn from the JSON value read back; report.json alone is written
    # a part at a time, never held whole.
    value: Report = json.loads(dump_bytes(report)) if set(formats) - {"json"} else {}
    render: dict[str, Callable[[], Iterable[bytes]]] = {
        "json": lambda: dump_parts(report),
        "html": lambda: [render_html(value).encode("utf-8")],
        "md": lambda: [render_markdown(value).encode("utf-8")]}
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, file_name in FORMATS.items():
        if name in formats:
            path = out_dir / file_name
            replace_file(path, render[name]())
            written.append(path)
    return written


__all__ = ["FORMATS", "ReportError", "load_report", "render_html", "render_markdown",
           "summary", "to_json", "write_json", "write_reports"]
