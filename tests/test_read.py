"""Tests of the reading stage (dedupe/read.py): formats, skips, warnings, strict mode."""

from __future__ import annotations

import contextlib
import doctest
import gzip
import io
import json
import os
import pickle
import random
import re
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedupe import read
from dedupe.read import InputError, Repair, iter_input, read_inputs
from dedupe.records import Article, Skip

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_DATES = {
    "000_32ad8dfe81a1ea15": None,
    "001_382b16e59b0dd4e1": "2024-03-25",
    "002_b8b2f3d8c3b04cd3": "2024-03-26",
    "003_fc2a1f6496cdb120": "2024-03-23",
    "004_6ce2e043c53978d1": "2024-03-28",
}
ONE_OBJECT = 'write one JSON object per line, like {"id": "a1", "text": "..."}'
EMPTY_FILE = "empty file; add content or leave it out of the inputs"
EMPTY_TEXT = "empty text (only whitespace); give the article its text or remove it"
CANNOT_READ = "cannot read {}: [Errno 13] Permission denied; check the path and permissions"
BAD_DATE = "invalid date {!r} ignored; use ISO 8601 like 2024-03-25 or 2024-03-25T10:00:00Z"
GOOD = b'{"id": "ok", "text": "Fine."}\n'
GOOD2 = b'{"id": "ok2", "text": "Also fine."}\n'


def jsonl(*records: object) -> bytes:
    """JSON Lines bytes for the given values."""
    return b"".join(json.dumps(record).encode() + b"\n" for record in records)


def gzipped_lines(count: int) -> bytes:
    """A gzip file of ``count`` JSONL records with incompressible text."""
    rng = random.Random(0)
    return gzip.compress(
        jsonl(*({"id": str(i), "text": f"{rng.getrandbits(256):x}"} for i in range(count)))
    )


def write(root: Path, files: dict[str, bytes]) -> None:
    """Create ``files`` (relative path -> content) under ``root``."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty directory so ``where`` strings are short relative paths."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# name, files, input, articles kept, expected (where, reason) skips
BAD_INPUTS = [
    ("missing path", {}, "nope.jsonl", 0,
     [("nope.jsonl", "no such file or directory; check the path")]),
    ("unsupported type", {"a.pdf": b"%PDF-1.4"}, "a.pdf", 0,
     [("a.pdf", "unsupported input; give a directory, a .txt/.md file, .jsonl/.jsonl.gz, "
                ".csv/.csv.gz or - for JSONL on stdin")]),
    ("empty text file", {"a.txt": b""}, "a.txt", 0, [("a.txt", EMPTY_FILE)]),
    ("whitespace text file", {"a.md": b" \r\n\t\n"}, "a.md", 0, [("a.md", EMPTY_TEXT)]),
    ("date prefix only", {"a.txt": b"date 2024-03-25 \n"}, "a.txt", 0, [("a.txt", EMPTY_TEXT)]),
    ("binary text file", {"a.txt": b"PK\x03\x04\x00\x00"}, "a.txt", 0,
     [("a.txt", "binary file (contains NUL bytes); save the article as UTF-8 text")]),
    ("UTF-16 text file", {"a.txt": "Hello".encode("utf-16")}, "a.txt", 0,
     [("a.txt", "binary file (contains NUL bytes); save the article as UTF-8 text")]),
    ("Latin-1 text file", {"a.txt": "Café".encode("latin-1")}, "a.txt", 0,
     [("a.txt", "not valid UTF-8 (byte 0xe9 at offset 3); re-encode the file as UTF-8")]),
    ("empty JSONL", {"a.jsonl": b""}, "a.jsonl", 0, [("a.jsonl", EMPTY_FILE)]),
    ("blank JSONL lines", {"a.jsonl": b"\n  \r\n" + GOOD + b"\n"}, "a.jsonl", 1, []),
    ("malformed JSON", {"a.jsonl": b'{"id": "1", "text": "x"\n' + GOOD}, "a.jsonl", 1,
     [("a.jsonl:1", f"malformed JSON (Expecting ',' delimiter at column 24); {ONE_OBJECT}")]),
    ("unterminated string", {"a.jsonl": b'{"id": "1", "text": "x}\n' + GOOD}, "a.jsonl", 1,
     [("a.jsonl:1", f"malformed JSON (Unterminated string starting at column 21); {ONE_OBJECT}")]),
    ("JSON array", {"a.jsonl": GOOD + b'["x"]\n'}, "a.jsonl", 1,
     [("a.jsonl:2", f"the line is an array, not an object; {ONE_OBJECT}")]),
    ("JSON string", {"a.jsonl": b'"x"\n'}, "a.jsonl", 0,
     [("a.jsonl:1", f"the line is a string, not an object; {ONE_OBJECT}")]),
    ("deeply nested JSON", {"a.jsonl": b"[" * 100_000 + b"]" * 100_000 + b"\n" + GOOD},
     "a.jsonl", 1, [("a.jsonl:1", f"malformed JSON (nested too deeply); {ONE_OBJECT}")]),
    ("missing text", {"a.jsonl": jsonl({"id": "1"})}, "a.jsonl", 0,
     [("a.jsonl:1", "missing 'text'; every record needs the article text")]),
    ("text not a string", {"a.jsonl": jsonl({"id": "1", "text": ["x"]})}, "a.jsonl", 0,
     [("a.jsonl:1", "'text' is an array, not a string; give the article text as a string")]),
    ("missing id", {"a.jsonl": jsonl({"text": "x"})}, "a.jsonl", 0,
     [("a.jsonl:1", "missing id; every record needs a non-empty 'id'")]),
    ("blank id", {"a.jsonl": jsonl({"id": " ", "text": "x"})}, "a.jsonl", 0,
     [("a.jsonl:1", "missing id; every record needs a non-empty 'id'")]),
    ("float id", {"a.jsonl": jsonl({"id": 1.5, "text": "x"})}, "a.jsonl", 0,
     [("a.jsonl:1", "id is a number; give a string or an integer")]),
    ("boolean id", {"a.jsonl": jsonl({"id": True, "text": "x"})}, "a.jsonl", 0,
     [("a.jsonl:1", "id is a boolean; give a string or an integer")]),
    ("empty text", {"a.jsonl": jsonl({"id": "1", "text": " \n"})}, "a.jsonl", 0,
     [("a.jsonl:1", EMPTY_TEXT)]),
    ("invalid UTF-8 on one line", {"a.jsonl": GOOD + b'{"id": "2", "text": "caf\xe9"}\n' + GOOD2},
     "a.jsonl", 2,
     [("a.jsonl:2", "not valid UTF-8 (byte 0xe9 at offset 24); re-encode the file as UTF-8")]),
    ("NUL bytes on line 1 of JSONL", {"a.jsonl": b"PK\x03\x04\x00\n" + GOOD}, "a.jsonl", 0,
     [("a.jsonl", "binary file (NUL byte on line 1); save it as UTF-8 text")]),
    ("NUL bytes later in JSONL", {"a.jsonl": GOOD + b"\x01\x00\x02\n" + GOOD2}, "a.jsonl", 2,
     [("a.jsonl:2", f"binary data (NUL byte at offset 1); {ONE_OBJECT}")]),
    ("NUL bytes later in CSV", {"a.csv": b"id,text\n1,ok\n2,a\x00b\n3,no\n"}, "a.csv", 1,
     [("a.csv", "binary file (NUL byte on line 3); save it as UTF-8 text")]),
    ("gzip without trailer", {"a.jsonl.gz": gzipped_lines(3)[:-8]}, "a.jsonl.gz", 3,
     [("a.jsonl.gz", "damaged gzip data at line 4 (Compressed file ended before the "
                     "end-of-stream marker was reached); the lines before it were read; "
                     "re-create the file")]),
    ("not gzip at all", {"a.jsonl.gz": GOOD}, "a.jsonl.gz", 0,
     [("a.jsonl.gz", "damaged gzip data at line 1 (Not a gzipped file (b'{\"')); "
                     "the lines before it were read; re-create the file")]),
    ("empty CSV", {"a.csv": b""}, "a.csv", 0, [("a.csv", EMPTY_FILE)]),
    ("CSV without text column", {"a.csv": b"id,body\n1,x\n"}, "a.csv", 0,
     [("a.csv", "CSV header has no 'text' column (found: id, body); "
                "the first row must name the columns, e.g. id,text,date")]),
    ("CSV wrong field count", {"a.csv": b"id,text\n1,a,b\n2,ok\n"}, "a.csv", 1,
     [("a.csv:2", "row has 3 fields but the header has 2; quote fields that contain commas")]),
    ("CSV empty text", {"a.csv": b"id,text\n1,\n2,ok\n"}, "a.csv", 1, [("a.csv:2", EMPTY_TEXT)]),
    ("CSV unclosed quote", {"a.csv": b'id,text\n1,ok\n2,"never closed\n3,x\n'}, "a.csv", 1,
     [("a.csv", "malformed CSV in the record starting on line 3 (unexpected end of data); "
                "put fields with commas, quotes or newlines in double quotes, inner quotes "
                "doubled; rest not read")]),
    ("CSV invalid UTF-8", {"a.csv.gz": gzip.compress(b"id,text\n1,ok\n2,caf\xe9\n")}, "a.csv.gz",
     1, [("a.csv.gz", "line 3: not valid UTF-8 (byte 0xe9 at offset 5); "
                      "re-encode the file as UTF-8; the rest was not read")]),
    ("directory skips, goes on", {"d/a.txt": b"", "d/b.txt": b"Fine.", "d/c.md": b"\xff"}, "d", 1,
     [("d/a.txt", EMPTY_FILE),
      ("d/c.md",
       "not valid UTF-8 (byte 0xff at offset 0); re-encode the file as UTF-8")]),
]


@pytest.mark.parametrize(
    ("files", "target", "kept", "skips"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_is_skipped_with_a_reason(
    in_tmp: Path,
    files: dict[str, bytes],
    target: str,
    kept: int,
    skips: list[tuple[str, str]],
) -> None:
    write(in_tmp, files)
    corpus = read_inputs([target])
    assert [(skip.where, skip.reason) for skip in corpus.skipped] == skips
    assert len(corpus.articles) == kept
    assert corpus.warnings == ()


def test_truncated_gzip_keeps_the_records_before_the_damage(in_tmp: Path) -> None:
    data = gzipped_lines(2000)
    write(in_tmp, {"a.jsonl.gz": data[: len(data) // 2]})
    corpus = read_inputs(["a.jsonl.gz"])
    kept = len(corpus.articles)
    assert 0 < kept < 2000
    assert [a.id for a in corpus.articles] == [str(i) for i in range(kept)]
    [skip] = corpus.skipped
    assert skip.where == "a.jsonl.gz"
    assert re.fullmatch(
        r"damaged gzip data at line \d+ \(Compressed file ended before the end-of-stream "
        r"marker was reached\); the lines before it were read; re-create the file",
        skip.reason,
    )


# name, files, input, expected date, expected (where, reason) warnings
REPAIRS = [
    ("impossible date in JSONL", {"a.jsonl": jsonl({"id": "1", "text": "x", "date": "2024-13-45"})},
     "a.jsonl", [("a.jsonl:1", BAD_DATE.format("2024-13-45"))]),
    ("not a date", {"a.jsonl": jsonl({"id": "1", "text": "x", "date": "last Tuesday"})},
     "a.jsonl", [("a.jsonl:1", BAD_DATE.format("last Tuesday"))]),
    ("date as a number", {"a.jsonl": jsonl({"id": "1", "text": "x", "date": 20240325})},
     "a.jsonl", [("a.jsonl:1", "'date' is a number, not a string; ignored")]),
    ("source as a list", {"a.jsonl": jsonl({"id": "1", "text": "x", "source": ["AP"]})},
     "a.jsonl", [("a.jsonl:1", "'source' is an array, not a string; ignored")]),
    ("impossible date prefix", {"a.txt": b"date 2024-02-30 x"},
     "a.txt", [("a.txt", BAD_DATE.format("2024-02-30"))]),
    ("impossible date in CSV", {"a.csv": b"id,text,date\n1,x,2024-02-30\n"},
     "a.csv", [("a.csv:2", BAD_DATE.format("2024-02-30"))]),
]


@pytest.mark.parametrize(
    ("files", "target", "warnings"),
    [case[1:] for case in REPAIRS],
    ids=[case[0] for case in REPAIRS],
)
def test_bad_optional_field_is_dropped_with_a_warning(
    in_tmp: Path, files: dict[str, bytes], target: str, warnings: list[tuple[str, str]]
) -> None:
    write(in_tmp, files)
    corpus = read_inputs([target])
    [article] = corpus.articles
    assert (article.text, article.date, article.source) == ("x", None, None)
    assert [(w.where, w.reason) for w in corpus.warnings] == warnings
    assert corpus.skipped == ()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-25", "2024-03-25"),
        (" 2024-03-25 ", "2024-03-25"),
        ("20240325", "2024-03-25"),
        ("2024-03-25T10:00:00Z", "2024-03-25T10:00:00+00:00"),
        ("2024-03-25T12:00:00+02:00", "2024-03-25T10:00:00+00:00"),
        ("2024-03-25T23:30:00-01:00", "2024-03-26T00:30:00+00:00"),
        ("2024-03-25T10:00:00", "2024-03-25T10:00:00+00:00"),
        ("", None),
        (None, None),
    ],
)
def test_dates_are_normalised(value: str | None, expected: str | None) -> None:
    stdin = io.StringIO(json.dumps({"id": "1", "text": "x", "date": value}))
    corpus = read_inputs(["-"], stdin=stdin)
    assert corpus.articles[0].date == expected
    assert corpus.warnings == ()


def test_seed_directory() -> None:
    corpus = read_inputs([SEEDS])
    assert {a.id: a.date for a in corpus.articles} == SEED_DATES
    assert [a.id for a in corpus.articles] == sorted(SEED_DATES)
    assert (corpus.skipped, corpus.warnings) == ((), ())
    for article in corpus.articles:
        assert article.where == os.path.join(SEEDS, f"{article.id}.txt")
        raw = Path(article.where).read_text()
        prefix = f" date {article.date} " if article.date else ""
        assert raw.startswith(prefix)
        assert article.text == raw[len(prefix) :]
        assert not article.text.startswith((" ", "date"))


def test_where_keeps_the_path_as_given(in_tmp: Path) -> None:
    write(in_tmp, {"seeds/a.txt": b"x", "seeds/sub/b.md": b"y"})
    assert [a.where for a in read_inputs(["seeds/"]).articles] == ["seeds/a.txt", "seeds/sub/b.md"]
    assert [a.where for a in read_inputs(["./seeds"]).articles] == [
        "./seeds/a.txt", "./seeds/sub/b.md"
    ]


def test_text_file_is_kept_exactly(in_tmp: Path) -> None:
    raw = b"\xef\xbb\xbf date 2024-03-25 \r\n\r\n  Line one,\r\nline two.\r\n"
    write(in_tmp, {"story.v2.txt": raw})
    [article] = read_inputs(["story.v2.txt"]).articles
    assert article == Article(
        "story.v2", "Line one,\r\nline two.\r\n", "2024-03-25", where="story.v2.txt"
    )


def test_jsonl_from_stdin_stream() -> None:
    lines = '\ufeff{"id": 7, "text": "Seven.", "source": "AP", "url": "u", "title": "T"}\n\n'
    lines += '{"id": "8", "text": "Eight.\\r\\n", "date": "2024-03-25T10:00:00Z"}\n'
    corpus = read_inputs(["-"], stdin=io.StringIO(lines))
    assert corpus.articles == (
        Article("7", "Seven.", None, "AP", "u", "T", "-:1"),
        Article("8", "Eight.\r\n", "2024-03-25T10:00:00+00:00", where="-:3"),
    )
    assert (corpus.skipped, corpus.warnings) == ((), ())


def test_stdin_defaults_to_sys_stdin_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = GOOD + b'{"id": "2", "text": "caf\xe9"}\n' + jsonl({"id": "3", "text": "ok"})
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8"))
    corpus = read_inputs(["-"])
    assert [a.id for a in corpus.articles] == ["ok", "3"]
    assert [s.where for s in corpus.skipped] == ["-:2"]


def test_stdin_text_with_lone_surrogate_is_skipped() -> None:
    corpus = read_inputs(["-"], stdin=io.StringIO('{"id": "1", "text": "a\ud800"}\n'))
    assert corpus.articles == ()
    assert corpus.skipped[0].reason.startswith("not valid UTF-8 (byte 0xed at offset 22)")


def test_jsonl_gz(in_tmp: Path) -> None:
    write(in_tmp, {"a.JSONL.GZ": gzip.compress(GOOD + b"\n" + jsonl({"id": 2, "text": "Two."}))})
    corpus = read_inputs(["a.JSONL.GZ"])
    assert [(a.id, a.text, a.where) for a in corpus.articles] == [
        ("ok", "Fine.", "a.JSONL.GZ:1"), ("2", "Two.", "a.JSONL.GZ:3")
    ]


def test_csv_with_quoted_multiline_text(in_tmp: Path) -> None:
    write(in_tmp, {"a.csv": (
        b"id, text ,date,source,url,title\r\n"
        b'1,"Line one,\r\nline ""two"".",2024-03-25,AP,,\r\n'
        b"\r\n"
        b"2,Plain.,,,https://x.test/2,Two\r\n"
    )})
    corpus = read_inputs(["a.csv"])
    assert corpus.articles == (
        Article("1", 'Line one,\r\nline "two".', "2024-03-25", "AP", None, None, "a.csv:2"),
        Article("2", "Plain.", None, None, "https://x.test/2", "Two", "a.csv:5"),
    )
    assert (corpus.skipped, corpus.warnings) == ((), ())


def test_several_inputs_in_the_order_given(in_tmp: Path) -> None:
    write(in_tmp, {"d/b.txt": b"B", "d/a.txt": b"A", "c.csv": b"id,text\nc,C\n", "e.jsonl": GOOD})
    corpus = read_inputs(["e.jsonl", "d", Path("c.csv"), "x.doc"])
    assert [a.where for a in corpus.articles] == [
        "e.jsonl:1", "d/a.txt", "d/b.txt", "c.csv:2"
    ]
    assert [s.where for s in corpus.skipped] == ["x.doc"]


def test_duplicate_ids_across_inputs(in_tmp: Path) -> None:
    later = jsonl(
        {"id": "003_fc2a1f6496cdb120", "text": "Again.", "date": "never"},
        {"id": "new", "text": "New."},
        {"id": "new", "text": "Newer."},
    )
    write(in_tmp, {"more.jsonl": later})
    corpus = read_inputs([SEEDS, "more.jsonl"])
    first = os.path.join(SEEDS, "003_fc2a1f6496cdb120.txt")
    assert [(s.where, s.reason) for s in corpus.skipped] == [
        ("more.jsonl:1", f"duplicate id '003_fc2a1f6496cdb120' (first at {first}); "
                         "ids must be unique across all inputs"),
        ("more.jsonl:3", "duplicate id 'new' (first at more.jsonl:2); "
                         "ids must be unique across all inputs"),
    ]
    texts = [a.text for a in corpus.articles if a.id in ("new", "003_fc2a1f6496cdb120")]
    assert texts == [Path(first).read_text().removeprefix(" date 2024-03-23 "), "New."]
    assert corpus.warnings == ()  # the skipped record's bad date is not reported


def test_same_input_twice_is_all_duplicates() -> None:
    corpus = read_inputs([SEEDS, SEEDS])
    assert len(corpus.articles) == len(corpus.skipped) == 5


def test_strict_mode_raises_on_the_first_skip(in_tmp: Path) -> None:
    write(in_tmp, {"a.jsonl": GOOD + b"[1]\n" + b"{\n"})
    with pytest.raises(InputError) as raised:
        read_inputs(["a.jsonl"], strict=True)
    message = f"a.jsonl:2: the line is an array, not an object; {ONE_OBJECT}"
    assert str(raised.value) == message
    assert raised.value.skip == Skip("a.jsonl:2", message.split(": ", 1)[1])


def test_strict_mode_raises_on_duplicates_but_not_on_warnings(in_tmp: Path) -> None:
    write(in_tmp, {"a.jsonl": jsonl({"id": "1", "text": "x", "date": "soon"})})
    corpus = read_inputs(["a.jsonl"], strict=True)
    assert len(corpus.articles) == len(corpus.warnings) == 1
    with pytest.raises(InputError, match=r"^a\.jsonl:1: duplicate id '1' \(first at a\.jsonl:1\)"):
        read_inputs(["a.jsonl", "a.jsonl"], strict=True)


def test_a_single_path_is_refused() -> None:
    with pytest.raises(TypeError, match=re.escape("use read_inputs([path])")):
        read_inputs("seeds")  # a str is a Sequence too, so only a runtime check catches this


def test_iter_input_streams_repairs_before_their_article(in_tmp: Path) -> None:
    write(in_tmp, {"a.jsonl": jsonl({"id": "1", "text": "x", "date": "?"}, {"id": "1"})})
    items = list(iter_input("a.jsonl"))
    assert [type(item) for item in items] == [Repair, Article, Skip]
    assert items[0] == Repair("a.jsonl:1", BAD_DATE.format("?"))


def test_directory_order_is_sorted(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = ["b.txt", "B.txt", "a/z.md", "a/y.txt", "c.txt", "ab.txt", "notes.json", "a/x.csv"]
    write(in_tmp, {os.path.join("d", name): b"x" for name in names})
    scandir = os.scandir

    class Reversed:
        """A scandir listing in reverse order, so sorting must put it right."""

        def __init__(self, path: str) -> None:
            with scandir(path) as listing:
                self.entries = sorted(listing, key=lambda e: e.name, reverse=True)

        def __enter__(self) -> Iterator[os.DirEntry[str]]:
            return iter(self.entries)

        def __exit__(self, *exc: object) -> None:
            pass

    expected = ["B", "a/y", "a/z", "ab", "b", "c"]
    for _ in range(2):
        ids = [a.where for a in read_inputs(["d"]).articles]
        assert ids == [os.path.join("d", f"{name}.md" if name == "a/z" else f"{name}.txt")
                       for name in expected]
        monkeypatch.setattr(os, "scandir", Reversed)


def test_symlink_loops_are_skipped(in_tmp: Path) -> None:
    write(in_tmp, {"d/a.txt": b"A", "d/sub/b.txt": b"B"})
    os.symlink("..", in_tmp / "d/sub/up")
    os.symlink("self.txt", in_tmp / "d/self.txt")
    os.symlink("selfdir", in_tmp / "d/selfdir")
    os.symlink("gone.txt", in_tmp / "d/broken.txt")
    corpus = read_inputs(["d"])
    assert [a.id for a in corpus.articles] == ["a", "b"]
    loop = "cannot follow link: [Errno 40] Too many levels of symbolic links; "
    loop += "fix or remove the link"
    assert [(s.where, s.reason) for s in corpus.skipped] == [
        ("d/broken.txt", "cannot read file: [Errno 2] No such file or directory; "
                         "check the path and permissions"),
        ("d/self.txt", loop),
        ("d/selfdir", loop),
        ("d/sub/up", "symlink loop back to d; remove the link"),
    ]


def test_unreadable_directory_and_file(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(in_tmp, {"d/a.txt": b"A", "d/locked/b.txt": b"B", "d/secret.txt": b"S"})
    scandir, builtin_open = os.scandir, open

    def refuse(path: str, name: str) -> None:
        if os.path.basename(path) == name:
            raise PermissionError(13, "Permission denied", path)

    def locked_scandir(path: str) -> object:
        refuse(path, "locked")
        return scandir(path)

    def locked_open(path: str, mode: str) -> object:
        refuse(path, "secret.txt")
        return builtin_open(path, mode)

    monkeypatch.setattr(os, "scandir", locked_scandir)
    monkeypatch.setattr(read, "open", locked_open, raising=False)
    corpus = read_inputs(["d"])
    assert [a.id for a in corpus.articles] == ["a"]
    assert [(s.where, s.reason) for s in corpus.skipped] == [
        ("d/locked", CANNOT_READ.format("directory")),
        ("d/secret.txt", CANNOT_READ.format("file")),
    ]


NOBODY = 65534  # the uid and gid of "nobody" on Linux


def read_as(uid: int | None, inputs: list[str]) -> dict[str, list[object]]:
    """``read_inputs(inputs)`` as it reports them; run as ``uid`` (in a forked child that
    gives up root) when one is given."""
    def found() -> dict[str, list[object]]:
        corpus = read_inputs(inputs)
        return {"ids": [a.id for a in corpus.articles],
                "skipped": [[s.where, s.reason] for s in corpus.skipped]}

    if uid is None:
        return found()
    out, into = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child leaves through os._exit
        status = 1
        try:
            os.close(out)
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            with os.fdopen(into, "w") as pipe:
                json.dump(found(), pipe)
            status = 0
        finally:
            os._exit(status)
    os.close(into)
    with os.fdopen(out) as pipe:
        text = pipe.read()
    assert os.waitpid(child, 0)[1] == 0, "the child reading as nobody failed"
    return json.loads(text)


def test_permission_denied_for_real(in_tmp: Path) -> None:
    """A file and a directory the reader may not open are skipped by name, the rest read.
    Root opens anything whatever its mode, so as root (CI) the read runs as nobody."""
    write(in_tmp, {"a.jsonl": GOOD, "b.jsonl": GOOD2, "d/c.txt": b"Inside."})
    (in_tmp / "b.jsonl").chmod(0)
    (in_tmp / "d").chmod(0)
    in_tmp.chmod(0o711)  # nobody starts here (the working directory) and must reach the files
    try:
        found = read_as(NOBODY if os.geteuid() == 0 else None, ["a.jsonl", "b.jsonl", "d"])
    finally:
        (in_tmp / "d").chmod(0o755)
    assert found == {"ids": ["ok"], "skipped": [["b.jsonl", CANNOT_READ.format("file")],
                                                ["d", CANNOT_READ.format("directory")]]}


# --- limits -----------------------------------------------------------------------------

LIMIT = 100  # bytes per record in these tests
LONG = "x" * 150


def too_long(what: str, size: int) -> str:
    return (f"{what} is {size} bytes, over the 100 bytes limit per record; split it, or raise "
            "the limit with --max-record-size")


def line(record_id: str, text: str) -> bytes:
    return json.dumps({"id": record_id, "text": text}).encode() + b"\n"


LONG_LINE = line("long", LONG)  # 179 bytes with its line end
# name, files, input, ids kept, expected (where, reason) skips
OVER_THE_LIMIT = [
    ("text file at the limit", {"a.txt": b"y" * LIMIT}, "a.txt", ["a"], []),
    ("text file over it", {"a.txt": b"y" * (LIMIT + 1)}, "a.txt", [],
     [("a.txt", too_long("the file", LIMIT + 1))]),
    ("JSONL line in the middle", {"a.jsonl": GOOD + LONG_LINE + GOOD2}, "a.jsonl",
     ["ok", "ok2"], [("a.jsonl:2", too_long("the line", len(LONG_LINE) - 1))]),
    ("JSONL line with CRLF", {"a.jsonl": GOOD + LONG_LINE[:-1] + b"\r\n" + GOOD2}, "a.jsonl",
     ["ok", "ok2"], [("a.jsonl:2", too_long("the line", len(LONG_LINE) - 1))]),
    ("JSONL last line, no line end", {"a.jsonl": GOOD + LONG_LINE[:-1]}, "a.jsonl", ["ok"],
     [("a.jsonl:2", too_long("the line", len(LONG_LINE) - 1))]),
    ("JSONL line at the limit", {"a.jsonl": line("k", "z" * (LIMIT - 26))}, "a.jsonl", ["k"], []),
    ("gzip JSONL", {"a.jsonl.gz": gzip.compress(LONG_LINE + GOOD)}, "a.jsonl.gz", ["ok"],
     [("a.jsonl.gz:1", too_long("the line", len(LONG_LINE) - 1))]),
    ("CSV row", {"a.csv": f"id,text\n1,ok\n2,{LONG}\n3,fine\n".encode()}, "a.csv", ["1", "3"],
     [("a.csv:3", too_long("the line", len(LONG) + 2))]),
    ("CSV line inside a quoted field", {"a.csv": f'id,text\n1,"a\n{LONG}\nb"\n2,ok\n'.encode()},
     "a.csv", ["2"], [("a.csv:2", too_long("line 3", len(LONG)))]),
    ("CSV record of short lines", {"a.csv": ('id,text\n1,"' + "y\n" * 60 + '"\n2,ok\n').encode()},
     "a.csv", ["2"], [("a.csv:2", too_long("the record", 121))]),
    ("CSV header", {"a.csv": f"id,text,{LONG}\n1,ok\n".encode()}, "a.csv", [],
     [("a.csv", "line 1: " + too_long("the header", len(LONG) + 8) + "; the rest was not read")]),
    ("CSV closing quote on a long line", {"a.csv": f'id,"text\n{LONG}"\n1,ok\n'.encode()},
     "a.csv", [],
     [("a.csv", "line 2: " + too_long("the line", len(LONG) + 1) + "; the rest was not read")]),
    ("directory", {"d/a.txt": b"A", "d/b.txt": LONG.encode(), "d/c.txt": b"C"}, "d", ["a", "c"],
     [("d/b.txt", too_long("the file", len(LONG)))]),
]


@pytest.mark.parametrize(
    ("files", "target", "kept", "skips"),
    [case[1:] for case in OVER_THE_LIMIT],
    ids=[case[0] for case in OVER_THE_LIMIT],
)
def test_a_record_over_the_limit_is_skipped_and_reading_goes_on(
    in_tmp: Path, files: dict[str, bytes], target: str, kept: list[str],
    skips: list[tuple[str, str]],
) -> None:
    write(in_tmp, files)
    corpus = read_inputs([target], max_record_bytes=LIMIT)
    assert [(skip.where, skip.reason) for skip in corpus.skipped] == skips
    assert [article.id for article in corpus.articles] == kept


def test_a_long_line_on_stdin_is_skipped() -> None:
    lines = (GOOD + LONG_LINE + GOOD2).decode()
    corpus = read_inputs(["-"], stdin=io.StringIO(lines), max_record_bytes=LIMIT)
    assert [a.id for a in corpus.articles] == ["ok", "ok2"]
    assert corpus.skipped == (Skip("-:2", too_long("the line", len(LONG_LINE) - 1)),)


def test_a_line_far_over_the_limit_is_never_held(in_tmp: Path) -> None:
    size = 40_000_000
    with open("big.jsonl", "wb") as file:
        file.write(GOOD)
        file.write(b'{"id": "big", "text": "' + b"w" * (size - 26) + b'"}\n')
        file.write(GOOD2)
    tracemalloc.start()
    try:
        corpus = read_inputs(["big.jsonl"], max_record_bytes=1_000_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [a.id for a in corpus.articles] == ["ok", "ok2"]
    assert [s.reason for s in corpus.skipped] == [
        "the line is 40.0 MB, over the 1.0 MB limit per record; split it, or raise the limit "
        "with --max-record-size"]
    assert peak < 8_000_000, f"reading held {peak:,} bytes at once"  # the line: 40 MB


def test_a_csv_article_longer_than_the_csv_modules_field_limit_is_read(in_tmp: Path) -> None:
    text = "word " * 60_000  # 300,000 characters: over csv's default 131,072
    write(in_tmp, {"a.csv": f"id,text\n1,{text}\n2,short\n".encode()})
    corpus = read_inputs(["a.csv"])
    assert [(a.id, len(a.text)) for a in corpus.articles] == [("1", len(text)), ("2", 5)]
    assert corpus.skipped == ()


@pytest.mark.parametrize("limit", [0, -1, True, 1.5])
def test_the_limit_must_be_a_positive_number_of_bytes(limit: int) -> None:
    with pytest.raises(ValueError) as raised:
        read_inputs(["seeds"], max_record_bytes=limit)
    expected = f"max_record_bytes must be a positive number of bytes, not {limit!r}"
    assert str(raised.value) == expected


def test_a_directory_nested_deeper_than_the_recursion_limit_is_read(in_tmp: Path) -> None:
    depth = 1500  # Python stops recursing at 1,000 frames
    write(in_tmp, {"d/top.txt": b"At the top."})
    folders = [os.open("d", os.O_RDONLY)]
    try:
        for _ in range(depth):  # relative to a descriptor: no path this long is needed
            os.mkdir("a", dir_fd=folders[-1])
            folders.append(os.open("a", os.O_RDONLY, dir_fd=folders[-1]))
        with open(os.open("deep.txt", os.O_WRONLY | os.O_CREAT, dir_fd=folders[-1]), "w") as file:
            file.write("At the bottom.")
        corpus = read_inputs(["d"])
        assert [(a.id, a.text) for a in corpus.articles] == [
            ("deep", "At the bottom."), ("top", "At the top.")]
        assert corpus.articles[0].where == "d/" + "a/" * depth + "deep.txt"
    finally:  # bottom up: pytest's own clean-up of old temporary directories recurses
        with contextlib.suppress(FileNotFoundError):
            os.unlink("deep.txt", dir_fd=folders[-1])
        while len(folders) > 1:
            os.close(folders.pop())
            os.rmdir("a", dir_fd=folders[-1])
        os.close(folders[0])


# --- lone surrogates -------------------------------------------------------------------------

SURROGATE_REPAIR = ("'{}' has {} lone surrogate(s) (\\u{} at character {}), which are not "
                    "text; replaced with U+FFFD; write the character itself or its escaped "
                    "surrogate pair")


def test_lone_surrogates_in_json_are_replaced_one_for_one_with_a_warning() -> None:
    line = (r'{"id": "a\udc00", "text": "Caf\ud800 \ud83d\ude00 ok \udfff.", '
            r'"title": "T\ud800"}')
    corpus = read_inputs(["-"], stdin=io.StringIO(line + "\n"))
    (article,) = corpus.articles
    assert (article.id, article.text, article.title) == (
        "a\ufffd", "Caf\ufffd \U0001f600 ok \ufffd.", "T\ufffd")
    assert [(w.where, w.reason) for w in corpus.warnings] == [
        ("-:1", SURROGATE_REPAIR.format("id", 1, "dc00", 1)),
        ("-:1", SURROGATE_REPAIR.format("text", 2, "d800", 3)),
        ("-:1", SURROGATE_REPAIR.format("title", 1, "d800", 1)),
    ]
    for value in (article.id, article.text, article.title or ""):
        value.encode("utf-8")  # every kept string can be written as UTF-8


TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00\ufeff"))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT, dated=st.booleans())
def test_text_files_round_trip(tmp_path: Path, text: str, dated: bool) -> None:
    path = tmp_path / "doc.txt"
    prefix = "date 2024-03-25\n" if dated else ""
    path.write_bytes((prefix + text).encode())
    corpus = read_inputs([path])
    if not text.strip():
        assert [s.reason for s in corpus.skipped] in ([EMPTY_TEXT], [EMPTY_FILE])
    elif dated:
        assert text.endswith(corpus.articles[0].text)
        assert not text[: len(text) - len(corpus.articles[0].text)].strip()
        assert corpus.articles[0].date == "2024-03-25"
    elif not re.match(r"\s*date \d{4}-\d{2}-\d{2}\s", text):
        assert corpus.articles[0].text == text


@given(text=st.text(), record_id=st.text(min_size=1) | st.integers())
def test_jsonl_round_trips(text: str, record_id: str | int) -> None:
    line = json.dumps({"id": record_id, "text": text, "date": None})
    corpus = read_inputs(["-"], stdin=io.StringIO(line))
    if text.strip() and str(record_id).strip():
        assert corpus.articles == (Article(str(record_id), text, where="-:1"),)
    else:
        assert len(corpus.skipped) == 1


def test_docstring_examples() -> None:
    assert doctest.testmod(read).failed == 0


def test_input_error_pickles() -> None:
    error = InputError(Skip("a.jsonl:3", "missing id; every record needs a non-empty 'id'"))
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.skip) == (str(error), error.skip)
