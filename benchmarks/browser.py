"""Headless Chromium for the report's browser tests, the report benchmark and the
README screenshot.

Uses Debian's ``chromium`` (``apt-get install chromium``) driven by Playwright's
Python package; no browser build is downloaded. Set ``DEDUPE_CHROMIUM`` to use
another binary.

    python -m benchmarks.browser reports/report.html docs/report-seeds.png --open cluster-1
"""

from __future__ import annotations

import argparse
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: Flags for a headless run on a machine with no network and no display (as root).
CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)


def chromium_path() -> str | None:
    """The Chromium binary to drive, or None when there is none."""
    named = os.environ.get("DEDUPE_CHROMIUM")
    if named:
        return named
    return next((p for name in ("chromium", "chromium-browser") if (p := shutil.which(name))),
                None)


def missing() -> str | None:
    """Why browser checks cannot run here (None when they can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    if chromium_path() is None:
        return "no Chromium binary (apt-get install chromium, or set DEDUPE_CHROMIUM)"
    return None


@contextmanager
def chromium() -> Iterator[Any]:
    """A launched headless Chromium (a Playwright ``Browser``), closed on exit."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError(missing() or "no Chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


def screenshot(report: Path, out: Path, open_hash: str = "", width: int = 1280,
               height: int = 900) -> None:
    """Save a PNG of the top ``height`` pixels of ``report``, with ``#open_hash`` opened."""
    with chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(report.resolve().as_uri() + (f"#{open_hash}" if open_hash else ""))
        page.wait_for_load_state("load")
        page.screenshot(path=str(out), full_page=True,
                        clip={"x": 0, "y": 0, "width": width, "height": height})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="report.html to open")
    parser.add_argument("out", type=Path, help="PNG to write")
    parser.add_argument("--open", default="", help="part after # to open, e.g. cluster-1")
    parser.add_argument("--height", type=int, default=900, help="pixels from the top")
    args = parser.parse_args()
    screenshot(args.report, args.out, args.open, height=args.height)


if __name__ == "__main__":
    main()
