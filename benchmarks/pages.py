"""What the benchmarks' Markdown pages share: the hand-written notes they keep, sizes.

Imports nothing of ``dedupe``, so that a baseline's worker process can use it without
paying for the package's imports in its memory.
"""

from __future__ import annotations

from pathlib import Path

#: The hand-written part of a benchmark's page, kept when the page is written again.
NOTES_HEADING = "## What this shows"


def notes_section(notes: str) -> str:
    """The kept notes, or the heading with a placeholder for a page written first."""
    return notes.strip() or f"{NOTES_HEADING}\n\n(To be written from the numbers above.)"


def kept_notes(path: Path | None) -> str:
    """The hand-written "What this shows" section of an existing page, if any."""
    if path is None or not path.is_file():
        return ""
    text = path.read_text(encoding="utf-8")
    at = text.find(f"\n{NOTES_HEADING}")
    return text[at + 1:] if at >= 0 else ""


def publish(page: str, path: Path | None) -> None:
    """Print a benchmark's page, and write it to ``path`` when one was asked for."""
    print(page)
    if path:
        path.write_text(page, encoding="utf-8")


def utf8(text: str) -> int:
    """Bytes of ``text`` in UTF-8."""
    return len(text.encode("utf-8"))
