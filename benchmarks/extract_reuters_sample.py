"""Extract a small, deterministic sample of Reuters-21578 stories as JSONL.

One-off script that produced ``tests/data/reuters_sample.jsonl``::

    python benchmarks/extract_reuters_sample.py \\
        /work/shared/corpora/reuters21578 tests/data/reuters_sample.jsonl

It reads the SGML files ``reut2-000.sgm`` ... ``reut2-021.sgm`` (latin-1) with the
standard library only, keeps normal prose stories of 150-450 words with at least
three paragraphs, drops re-sends, near-identical bodies, recurring templated reports
and number-heavy tables, and then picks ``--count`` stories spread evenly over the
collection by NEWID. The picked stories share no word 8-gram with each other, so
they are safe to use as mutually *unrelated* documents in tests.

Each output line is ``{"id": "reuters-<NEWID>", "title", "date", "text"}`` with
``date`` an ISO 8601 date and ``text`` one paragraph per line.

The text is from "Reuters-21578, Distribution 1.0" (research use only; see the
collection's README.txt and tests/data/README.md).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MIN_WORDS = 150
MAX_WORDS = 450
MIN_PARAGRAPHS = 3
MAX_DIGIT_TOKEN_SHARE = 0.15
LEAD_WORDS = 12
SHINGLE_WORDS = 8
DEFAULT_COUNT = 60

_DOC_RE = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.DOTALL)
_ATTR_RE = re.compile(r'(\w+)="([^"]*)"')
_DATE_RE = re.compile(r"<DATE>\s*(\d{1,2})-([A-Za-z]{3})-(\d{4})")
_TITLE_RE = re.compile(r"<TITLE>(.*?)</TITLE>", re.DOTALL)
_BODY_RE = re.compile(r"<BODY>(.*?)</BODY>", re.DOTALL)
_TEXT_TYPE_RE = re.compile(r'<TEXT\s+TYPE="(\w+)"')
# The wire signature that ends nearly every body: "\n Reuter\n&#3;".
_SIGNATURE_RE = re.compile(r"\s*\bREUTER\b\s*(?:&#3;)?\s*$", re.IGNORECASE)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
        start=1,
    )
}


@dataclass(frozen=True)
class Story:
    """One Reuters story after cleaning."""

    newid: int
    title: str
    date: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    @property
    def words(self) -> list[str]:
        return self.text.split()

    def to_json(self) -> dict[str, str]:
        return {
            "id": f"reuters-{self.newid}",
            "title": self.title,
            "date": self.date,
            "text": self.text,
        }


def _clean(raw: str) -> str:
    """Unescape SGML entities and drop control characters (keeping newlines)."""
    return _CONTROL_RE.sub("", html.unescape(raw))


def split_paragraphs(body: str) -> tuple[str, ...]:
    """Turn a Reuters body into paragraphs, joining hard-wrapped lines.

    A paragraph starts at an indented line or after a blank line; the first
    paragraph follows the dateline and is not indented.
    """
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in body.split("\n"):
        stripped = line.strip()
        if not stripped:
            if current:
                paragraphs.append(current)
                current = []
            continue
        if line[:1].isspace() and current:
            paragraphs.append(current)
            current = []
        current.append(stripped)
    if current:
        paragraphs.append(current)
    return tuple(" ".join(" ".join(p).split()) for p in paragraphs)


def parse_date(raw: str) -> str | None:
    """``26-FEB-1987 15:01:01.79`` -> ``1987-02-26`` (None if unparseable)."""
    match = _DATE_RE.search(raw)
    if not match:
        return None
    day, month, year = match.groups()
    month_no = _MONTHS.get(month.upper())
    if month_no is None:
        return None
    return f"{int(year):04d}-{month_no:02d}-{int(day):02d}"


def iter_stories(corpus_dir: Path) -> Iterator[Story]:
    """Every normal (TYPE NORM) story that has a title, a date and a body."""
    for path in sorted(corpus_dir.glob("reut2-*.sgm")):
        sgml = path.read_text(encoding="latin-1")
        for match in _DOC_RE.finditer(sgml):
            attrs = dict(_ATTR_RE.findall(match.group(1)))
            doc = match.group(2)
            if _TEXT_TYPE_RE.search(doc):  # BRIEF or UNPROC
                continue
            title_m = _TITLE_RE.search(doc)
            body_m = _BODY_RE.search(doc)
            date = parse_date(doc)
            if not (title_m and body_m and date and "NEWID" in attrs):
                continue
            body = _clean(_SIGNATURE_RE.sub("", body_m.group(1)))
            title = " ".join(_clean(title_m.group(1)).split())
            yield Story(int(attrs["NEWID"]), title, date, split_paragraphs(body))


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def digit_token_share(words: list[str]) -> float:
    return sum(any(c.isdigit() for c in w) for w in words) / max(len(words), 1)


def candidates(stories: Iterator[Story]) -> list[Story]:
    """Stories of usable size and shape, without re-sends or templated reports.

    Duplicates are recognised by normalised body, by the first ``LEAD_WORDS``
    words and by the title with its numbers removed (recurring reports such as
    weekly balances keep their headline); the lowest NEWID is kept.
    """
    seen: set[tuple[str, str]] = set()
    kept: list[Story] = []
    for story in sorted(stories, key=lambda s: s.newid):
        words = story.words
        if not MIN_WORDS <= len(words) <= MAX_WORDS:
            continue
        if len(story.paragraphs) < MIN_PARAGRAPHS:
            continue
        if digit_token_share(words) > MAX_DIGIT_TOKEN_SHARE:
            continue
        norm = _normalise(story.text)
        keys = {
            ("body", norm),
            ("lead", " ".join(norm.split()[:LEAD_WORDS])),
            ("title", _normalise(re.sub(r"\d", "", story.title))),
        }
        if keys & seen:
            seen |= keys
            continue
        seen |= keys
        kept.append(story)
    return kept


def shingles(story: Story, size: int = SHINGLE_WORDS) -> set[tuple[str, ...]]:
    words = _normalise(story.text).split()
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def pick(pool: list[Story], count: int) -> list[Story]:
    """Every k-th story by NEWID; a story sharing an 8-gram with one already
    picked is passed over for the next one in line."""
    if len(pool) < count:
        raise SystemExit(f"only {len(pool)} candidate stories, need {count}")
    step = len(pool) // count
    picked: list[Story] = []
    used: set[tuple[str, ...]] = set()
    position = 0
    for slot in range(count):
        position = max(position, slot * step)
        while position < len(pool):
            story = pool[position]
            position += 1
            grams = shingles(story)
            if grams & used:
                continue
            picked.append(story)
            used |= grams
            break
        else:
            raise SystemExit("ran out of candidate stories")
    return picked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus_dir", type=Path, help="directory with reut2-*.sgm")
    parser.add_argument("output", type=Path, help="JSONL file to write")
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    args = parser.parse_args(argv)

    pool = candidates(iter_stories(args.corpus_dir))
    sample = pick(pool, args.count)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8", newline="\n") as out:
        for story in sample:
            out.write(json.dumps(story.to_json(), ensure_ascii=False) + "\n")
    size = args.output.stat().st_size
    print(
        f"{len(pool)} candidate stories, wrote {len(sample)} "
        f"(NEWID {sample[0].newid}..{sample[-1].newid}) to {args.output}, {size} bytes",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
