"""Read articles from directories, text files, JSONL and CSV into `Article` records.

Bad input never stops a run: each unusable record or file becomes a `Skip` that says
what is wrong and what to do, and reading goes on (``strict=True`` raises instead).

Text is kept exactly as stored: files are read as bytes and decoded strictly as
UTF-8 (a leading BOM is dropped), so ``\\r\\n`` line ends survive and invalid bytes are
reported rather than replaced. Character offsets reported later index into this text.

``where`` is the path as given (joined with the path inside a directory) for a text
file, and ``path:LINE`` for a JSONL or CSV record, LINE being the 1-based line the
record starts on. Directories are walked in sorted name order, so output is repeatable.

Memory is bounded by the largest record, not by the input: a record (a text file, a
JSONL line, a CSV line or row) longer than ``max_record_bytes`` (`MAX_RECORD_BYTES` by
default) is skipped without being held whole, and reading goes on after it.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import json
import os
import re
import sys
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, closing, nullcontext
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any, TextIO

from dedupe.records import Article, Skip, parse_date

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
CSV_SUFFIXES = (".csv", ".csv.gz")
#: Longest record read by default, in bytes (a text file, a JSONL line, a CSV row). A
#: long book is 3 MB; a record over this is a scraper's mistake (a binary or a whole
#: site in one page), and scanning it would take some 40 bytes of memory per byte.
MAX_RECORD_BYTES = 16_000_000
#: Bytes read at a time while passing over the rest of a record that is too long.
_PASS_OVER = 1 << 20
_OPTIONAL = ("date", "source", "url", "title")
_DATE_PREFIX = re.compile(r"\s*date (\d{4}-\d{2}-\d{2})\s+")
#: Lone UTF-16 surrogates: JSON escapes like "\\ud800" that no character follows.
_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_KINDS = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
               int: "a number", float: "a number", type(None): "null"}

_MISSING = "no such file or directory; check the path"
_UNSUPPORTED = ("unsupported input; give a directory, a .txt/.md file, .jsonl/.jsonl.gz, "
               ".csv/.csv.gz or - for JSONL on stdin")
_EMPTY_FILE = "empty file; add content or leave it out of the inputs"
_EMPTY_TEXT = "empty text (only whitespace); give the article its text or remove it"
_MISSING_ID = "missing id; every record needs a non-empty 'id'"
_MISSING_TEXT = "missing 'text'; every record needs the article text"
_ONE_OBJECT = 'write one JSON object per line, like {"id": "a1", "text": "..."}'
_BAD_DATE = "invalid date {value!r} ignored; use ISO 8601 like 2024-03-25 or 2024-03-25T10:00:00Z"
_DUPLICATE = "duplicate id {id!r} (first at {first}); ids must be unique across all inputs"
_TOO_LONG = ("{what} is {size}, over the {limit} limit per record; split it, or raise the "
             "limit with --max-record-size")


class InputError(Exception):
    """Raised in strict mode on the first skip; str() is the one-line message."""

    def __init__(self, skip: Skip) -> None:
        super().__init__(f"{skip.where}: {skip.reason}")
        self.skip = skip

    def __reduce__(self) -> tuple[type[InputError], tuple[Skip]]:
        """Pickle by the skip, so the error survives a trip to a worker process and back."""
        return InputError, (self.skip,)


@dataclass(frozen=True)
class Repair:
    """A record that was kept but changed (e.g. an invalid date dropped), and why."""

    where: str
    reason: str


Item = Article | Skip | Repair  # what `iter_input` yields


@dataclass(frozen=True)
class Corpus:
    """Everything read: the articles, the records skipped, the records kept but repaired."""

    articles: tuple[Article, ...]
    skipped: tuple[Skip, ...]
    warnings: tuple[Skip, ...]


class _Bad(Exception):
    """A record or file cannot be used; str() is the skip reason."""


def read_inputs(
    inputs: Sequence[str | os.PathLike[str]], *, strict: bool = False,
    stdin: TextIO | None = None, max_record_bytes: int = MAX_RECORD_BYTES,
) -> Corpus:
    """Read every input, in the order given, into one corpus with unique ids.

    Args:
        inputs: directories, .txt/.md files, .jsonl(.gz) or .csv(.gz) files, or ``-``
            for JSONL on stdin.
        strict: raise on the first skipped record instead of collecting it
            (repairs never raise).
        stdin: stream read for ``-`` (default ``sys.stdin``).
        max_record_bytes: a record longer than this is skipped (see the module docstring).

    Returns:
        The articles, the skips (a later record reusing an id is skipped) and the
        warnings for articles kept with a repair.

    Raises:
        InputError: in strict mode, on the first skip.
        TypeError: if ``inputs`` is a single path rather than a sequence of paths.
        ValueError: if ``max_record_bytes`` is not positive.

    Example:
        >>> import io
        >>> lines = '{"id": "a1", "text": "Hi.", "date": "2024-03-25T12:00:00+02:00"}\\n[]\\n'
        >>> corpus = read_inputs(["-"], stdin=io.StringIO(lines))
        >>> corpus.articles[0].date, corpus.skipped[0].where
        ('2024-03-25T10:00:00+00:00', '-:2')
    """
    if isinstance(inputs, (str, os.PathLike)):
        raise TypeError("inputs must be a sequence of paths, not one path; use read_inputs([path])")
    collector = _Collector(strict)
    for path in inputs:
        with closing(iter_input(path, stdin=stdin, max_record_bytes=max_record_bytes)) as items:
            for item in items:
                collector.add(item)
    return collector.corpus()


def iter_input(
    path: str | os.PathLike[str], *, stdin: TextIO | None = None,
    max_record_bytes: int = MAX_RECORD_BYTES,
) -> Generator[Item, None, None]:
    """Stream one input's articles, skips and repairs, in file order.

    Memory stays constant in the input size (one record at a time; a directory's
    listing is sorted one level at a time). A `Repair` comes just before the
    `Article` it describes. Ids are not checked for uniqueness here: that needs
    every id seen so far, which is `read_inputs`'s job.

    Args:
        path: a directory, .txt/.md, .jsonl(.gz), .csv(.gz), or ``-`` for JSONL on stdin.
        stdin: stream read for ``-`` (default ``sys.stdin``).
        max_record_bytes: a record longer than this is skipped, never held whole.

    Returns:
        An iterator of `Article`, `Skip` and `Repair` records; it never raises for bad input.

    Example:
        >>> [type(item).__name__ for item in iter_input("no/such/dir")]
        ['Skip']
    """
    _check_limit(max_record_bytes)
    where = os.fspath(path)
    name = where.lower()
    if where == "-":
        yield from _jsonl(where, stdin, max_record_bytes)
    elif not os.path.lexists(where):
        yield Skip(where, _MISSING)
    elif os.path.isdir(where):
        yield from _directory(where, max_record_bytes)
    elif name.endswith(TEXT_SUFFIXES):
        yield from _text_file(where, max_record_bytes)
    elif name.endswith(JSONL_SUFFIXES):
        yield from _jsonl(where, stdin, max_record_bytes)
    elif name.endswith(CSV_SUFFIXES):
        yield from _csv(where, max_record_bytes)
    else:
        yield Skip(where, _UNSUPPORTED)


class _Collector:
    """Gather items into a corpus: drop later duplicate ids, keep repairs of kept articles."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.articles: list[Article] = []
        self.skipped: list[Skip] = []
        self.warnings: list[Skip] = []
        self._pending: list[Skip] = []
        self._first_at: dict[str, str] = {}

    def add(self, item: Item) -> None:
        """Take one item from `iter_input`."""
        if isinstance(item, Repair):
            self._pending.append(Skip(item.where, item.reason))
        elif isinstance(item, Skip):
            self._skip(item)
        elif item.id in self._first_at:
            first = self._first_at[item.id]
            self._skip(Skip(item.where, _DUPLICATE.format(id=item.id, first=first)))
        else:
            self._first_at[item.id] = item.where
            self.articles.append(item)
            self.warnings.extend(self._pending)
            self._pending.clear()

    def _skip(self, skip: Skip) -> None:
        """Record a skip (forgetting the repairs of a skipped record), or raise if strict."""
        if self.strict:
            raise InputError(skip)
        self._pending.clear()
        self.skipped.append(skip)

    def corpus(self) -> Corpus:
        """The frozen result."""
        return Corpus(tuple(self.articles), tuple(self.skipped), tuple(self.warnings))


def _directory(root: str, limit: int) -> Iterator[Item]:
    """Walk a directory depth first in sorted order, reading its .txt/.md files; loops
    become skips. The walk keeps its own stack, so that no nesting depth is too deep."""
    ancestors: dict[tuple[int, int], str] = {}  # the directories being walked
    stack: list[tuple[tuple[int, int], Iterator[os.DirEntry[str]]]] = []

    def enter(where: str) -> Skip | None:
        """Push a directory's sorted listing, or say why it is not walked."""
        try:
            info = os.stat(where)
            with os.scandir(where) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            return Skip(where, _cannot("read directory", error))
        key = (info.st_dev, info.st_ino)
        if key in ancestors:
            return Skip(where, f"symlink loop back to {ancestors[key]}; remove the link")
        ancestors[key] = where
        stack.append((key, iter(entries)))
        return None

    skip = enter(root)
    if skip is not None:
        yield skip
    while stack:
        key, entries = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            del ancestors[key]
            continue
        path = os.path.join(ancestors[key], entry.name)
        try:
            kind = _entry_kind(entry)
        except OSError as error:
            yield Skip(path, _cannot("follow link", error, "fix or remove the link"))
            continue
        if kind == "dir" and (skip := enter(path)) is not None:
            yield skip
        elif kind == "text":
            yield from _text_file(path, limit)


def _entry_kind(entry: os.DirEntry[str]) -> str:
    """``dir``, ``text`` (an article file, or a broken link posing as one) or ``other``."""
    if entry.is_dir():
        return "dir"
    if not entry.name.lower().endswith(TEXT_SUFFIXES):
        return "other"
    # Regular files only (a FIFO would block); a dangling link is read so it is reported.
    return "text" if entry.is_file() or not os.path.exists(entry.path) else "other"


def _text_file(where: str, limit: int) -> Iterator[Item]:
    """Read one article file: the stem is the id, a leading ``date YYYY-MM-DD`` its date."""
    return _record(where, partial(_text_fields, where, limit))


def _text_fields(where: str, limit: int) -> dict[str, object]:
    """A text file's id, text and date; the date prefix is not part of the text."""
    text = _decode_file(where, limit)
    prefix = _DATE_PREFIX.match(text)
    return {
        "id": os.path.splitext(os.path.basename(where))[0],
        "text": text[prefix.end() :] if prefix else text,
        "date": prefix.group(1) if prefix else None,
    }


def _decode_file(where: str, limit: int) -> str:
    """The whole file as strict UTF-8, BOM dropped; raise `_Bad` if it is not text or
    longer than ``limit`` bytes (then it is not read)."""
    try:
        with open(where, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            # A file can grow while it is read, and some (in /proc) report size 0.
            data = file.read(limit + 1) if size <= limit else b""
    except OSError as error:
        raise _Bad(_cannot("read file", error)) from error
    if size > limit or len(data) > limit:
        raise _Bad(_too_long("the file", max(size, len(data)), limit))
    if not data:
        raise _Bad(_EMPTY_FILE)
    if b"\0" in data:
        raise _Bad("binary file (contains NUL bytes); save the article as UTF-8 text")
    try:
        return data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError as error:
        raise _Bad(_not_utf8(error)) from error


def _jsonl(where: str, stdin: TextIO | None, limit: int) -> Iterator[Item]:
    """Read JSON Lines; a bad line is skipped and reading goes on, blank lines are ignored."""
    try:
        for lineno, line in _lines(where, stdin, limit):
            if isinstance(line, _TooLong):
                yield Skip(f"{where}:{lineno}", _too_long("the line", line.size, limit))
            elif line.strip():
                yield from _record(f"{where}:{lineno}", partial(_json_object, line))
    except _Bad as bad:
        yield Skip(where, str(bad))


def read_record(where: str, record: Mapping[str, object]) -> list[Item]:
    """One record given as a mapping (``id``, ``text``, optional ``date``, ``source``,
    ``url``, ``title``): its repairs then its article, or one skip; never raises."""
    return list(_record(where, lambda: record))


def read_jsonl_record(where: str, line: bytes) -> list[Item]:
    """One JSON Lines record: its repairs then its article, or one skip; never raises.

    For streams read a line at a time (``dedupe filter``); ``where`` names the line
    in messages, e.g. ``-:12``.

    Example:
        >>> [type(item).__name__ for item in read_jsonl_record("-:1", b'{"id": 1, "text": "x"}')]
        ['Article']
    """
    return list(_record(where, partial(_json_object, line)))


def numbered_lines(stream: Iterable[bytes], where: str,
                   max_record_bytes: int = MAX_RECORD_BYTES) -> Iterator[tuple[int, bytes | Skip]]:
    """The lines of a binary stream read a line at a time (``dedupe filter``), numbered
    from 1; a line over ``max_record_bytes`` comes as a `Skip` at ``where:LINE`` and is
    never held whole.

    Example:
        >>> import io
        >>> lines = numbered_lines(io.BytesIO(b"ok\\n" + b"x" * 9), "-", max_record_bytes=5)
        >>> [(n, line if isinstance(line, bytes) else line.where) for n, line in lines]
        [(1, b'ok\\n'), (2, '-:2')]
    """
    _check_limit(max_record_bytes)
    for lineno, line in enumerate(_bounded(stream, max_record_bytes), 1):
        if isinstance(line, _TooLong):
            yield lineno, Skip(f"{where}:{lineno}", _too_long("the line", line.size,
                                                               max_record_bytes))
        else:
            yield lineno, line if isinstance(line, bytes) else line.encode("utf-8", "surrogatepass")


def _json_object(line: bytes) -> dict[str, object]:
    """Decode (strict UTF-8) and parse one line; raise `_Bad` unless it is a JSON object."""
    if b"\0" in line:
        raise _Bad(f"binary data (NUL byte at offset {line.index(0)}); {_ONE_OBJECT}")
    try:
        value = json.loads(line.rstrip(b"\r\n").decode("utf-8"))  # columns stay on line 1
    except UnicodeDecodeError as error:
        raise _Bad(_not_utf8(error)) from error
    except json.JSONDecodeError as error:
        # (some of json's messages end "starting at": the column completes them)
        detail = f"{error.msg}{'' if error.msg.endswith(' at') else ' at'} column {error.colno}"
        raise _Bad(f"malformed JSON ({detail}); {_ONE_OBJECT}") from error
    except RecursionError as error:  # json's C parser recurses once per nesting level
        raise _Bad(f"malformed JSON (nested too deeply); {_ONE_OBJECT}") from error
    if not isinstance(value, dict):
        raise _Bad(f"the line is {_kind(value)}, not an object; {_ONE_OBJECT}")
    return value


def _csv(where: str, limit: int) -> Iterator[Item]:
    """Read CSV with a header row naming the columns; records are numbered by first line.

    A line longer than ``limit`` is never held: the csv parser gets an empty line in its
    place, and the record it was part of is skipped. The parser's own field limit (a
    process-wide setting, 131,072 characters unless raised) is raised to ``limit``, so
    that a long article is not taken for broken CSV; a field spanning lines that is
    still longer stops the file, as its record's end cannot be found without it.
    """
    csv.field_size_limit(max(csv.field_size_limit(), limit))
    too_long: dict[int, int] = {}  # line number -> length, of the lines left out
    try:
        rows = _csv_rows(_decoded(_lines(where, None, limit), too_long), too_long, limit)
        header = _csv_header(_csv_first(rows, too_long, limit))
        for start, end, row in rows:
            long_lines = [n for n in range(start, end + 1) if n in too_long]
            if long_lines:
                first = long_lines[0]
                yield Skip(f"{where}:{start}", _too_long(
                    f"line {first}" if first != start else "the line", too_long[first], limit))
            elif row and (size := _csv_bytes(row, limit)) > limit:
                yield Skip(f"{where}:{start}", _too_long("the record", size, limit))
            elif row:
                yield from _record(f"{where}:{start}", partial(_csv_fields, header, row))
    except _Bad as bad:
        yield Skip(where, str(bad))


def _csv_first(rows: Iterator[tuple[int, int, list[str]]], too_long: dict[int, int],
               limit: int) -> list[str]:
    """The first non-blank row (the header); raise `_Bad` if it is too long to read."""
    for start, end, row in rows:
        for n in range(start, end + 1):
            if n in too_long:
                raise _Bad(f"line {n}: {_too_long('the header', too_long[n], limit)}"
                           "; the rest was not read")
        if row:
            return row
    return []


def _csv_rows(lines: Iterator[str], too_long: dict[int, int],
              limit: int) -> Iterator[tuple[int, int, list[str]]]:
    """CSV rows (blank ones too), each with its first and last line; raise `_Bad` on
    broken quoting (naming the line left out, if one was: the quoting is broken because
    it is missing) or a field over ``limit`` that spans lines."""
    rows = csv.reader(lines, strict=True)
    start = 1
    try:
        for row in rows:
            yield start, rows.line_num, row
            start = rows.line_num + 1
    except csv.Error as error:
        left_out = [n for n in sorted(too_long) if n >= start]
        if left_out:
            raise _Bad(f"line {left_out[0]}: {_too_long('the line', too_long[left_out[0]], limit)}"
                       "; the rest was not read") from error
        if "field larger than field limit" in str(error):
            raise _Bad(f"the record starting on line {start} has a field over the "
                       f"{_size(limit)} limit per record; split it, or raise the limit with "
                       "--max-record-size; the rest was not read") from error
        raise _Bad(
            f"malformed CSV in the record starting on line {start} ({error}); put fields with "
            "commas, quotes or newlines in double quotes, inner quotes doubled; rest not read"
        ) from error


def _csv_bytes(row: list[str], limit: int) -> int:
    """A row's fields' size in UTF-8 bytes; their characters where that is far enough
    below ``limit`` that the bytes cannot be over it."""
    chars = sum(map(len, row))
    return chars if 4 * chars <= limit else sum(len(field.encode("utf-8")) for field in row)


def _csv_header(names: list[str]) -> list[str]:
    """The column names; raise `_Bad` unless ``id`` and ``text`` are among them."""
    header = [name.strip() for name in names]
    missing = " and ".join(repr(name) for name in ("id", "text") if name not in header)
    if missing:
        found = ", ".join(header) or "nothing"
        raise _Bad(f"CSV header has no {missing} column (found: {found}); "
                   "the first row must name the columns, e.g. id,text,date")
    return header


def _csv_fields(header: list[str], row: list[str]) -> dict[str, object]:
    """One CSV row by column name; raise `_Bad` if its field count is off."""
    if len(row) != len(header):
        raise _Bad(f"row has {len(row)} fields but the header has {len(header)}; "
                   "quote fields that contain commas")
    return dict(zip(header, row, strict=True))


def _record(where: str, fields: Callable[[], Mapping[str, object]]) -> Iterator[Item]:
    """Check one record; yield its repairs then its article, or one skip.

    ``fields`` reads the record (raising `_Bad` if it cannot), so that every format
    reports a bad record the same way, as a skip at ``where``.
    """
    try:
        values = fields()
        article_id, text = _id(values.get("id")), _text(values.get("text"))
    except _Bad as bad:
        yield Skip(where, str(bad))
        return
    optional: dict[str, str | None] = {}
    for key in _OPTIONAL:
        optional[key], repair = _optional(key, values.get(key))
        if repair is not None:
            yield Repair(where, repair)
    kept = {"id": article_id, "text": text, **optional}
    for key, value in kept.items():
        if value is not None and not value.isascii() and _SURROGATE.search(value):
            kept[key] = _SURROGATE.sub("\ufffd", value)  # one character for one: offsets hold
            yield Repair(where, _lone_surrogates(key, value))
    yield Article(kept["id"] or "", kept["text"] or "", kept["date"], kept["source"],
                  kept["url"], kept["title"], where)


def _lone_surrogates(key: str, value: str) -> str:
    """Reason for replacing the lone surrogates (bad JSON escapes) of a field."""
    found = list(_SURROGATE.finditer(value))
    return (f"'{key}' has {len(found)} lone surrogate(s) (\\u{ord(found[0].group()):04x} at "
            f"character {found[0].start()}), which are not text; replaced with U+FFFD; "
            "write the character itself or its escaped surrogate pair")


def _id(value: object) -> str:
    """The record's id as a string (integers accepted); raise `_Bad` if missing or odd."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _Bad(_MISSING_ID)
    if not isinstance(value, str):
        raise _Bad(f"id is {_kind(value)}; give a string or an integer")
    return value


def _text(value: object) -> str:
    """The record's text, exactly as given; raise `_Bad` if missing, not text or blank."""
    if value is None:
        raise _Bad(_MISSING_TEXT)
    if not isinstance(value, str):
        raise _Bad(f"'text' is {_kind(value)}, not a string; give the article text as a string")
    if not value.strip():
        raise _Bad(_EMPTY_TEXT)
    return value


def _optional(key: str, value: object) -> tuple[str | None, str | None]:
    """An optional field's value (dates normalised) and the repair made to it, if any."""
    if value is None or value == "":
        return None, None
    if not isinstance(value, str):
        return None, f"'{key}' is {_kind(value)}, not a string; ignored"
    if key != "date":
        return value, None
    try:
        return _normalise_date(value), None
    except (ValueError, OverflowError):
        return None, _BAD_DATE.format(value=value)


def _normalise_date(value: str) -> str:
    """``YYYY-MM-DD`` for a date, ISO 8601 in UTC for a timestamp; ValueError if neither."""
    text = value.strip()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return parse_date(text).isoformat()


@dataclass(frozen=True)
class _TooLong:
    """A line longer than the limit, in place of its bytes (``size`` without its line end)."""

    size: int


def _lines(where: str, stdin: TextIO | None,
           limit: int) -> Iterator[tuple[int, bytes | _TooLong]]:
    """Number the lines of a JSONL/CSV input (as bytes, BOM dropped; a line over ``limit``
    bytes as `_TooLong`, never held whole); raise `_Bad` if the input is unusable."""
    lineno = 0
    try:
        with _open(where, stdin) as stream:
            for lineno, raw in enumerate(_bounded(stream, limit), 1):
                if isinstance(raw, _TooLong):
                    yield lineno, raw
                    continue
                # A str stream (a caller's StringIO) is re-encoded so both kinds decode alike;
                # surrogatepass lets lone surrogates through to be reported as invalid UTF-8.
                line = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
                if lineno == 1 and b"\0" in line:  # later, one line is damaged, not the file
                    raise _Bad(f"binary file (NUL byte on line {lineno}); save it as UTF-8 text")
                yield lineno, line.removeprefix(codecs.BOM_UTF8) if lineno == 1 else line
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise _Bad(f"damaged gzip data at line {lineno + 1} ({error}); the lines before it "
                   "were read; re-create the file") from error
    except OSError as error:
        raise _Bad(_cannot("read file", error)) from error
    if lineno == 0:
        raise _Bad(_EMPTY_FILE)


def _bounded(stream: Any, limit: int) -> Iterator[bytes | str | _TooLong]:
    """The stream's lines, each of at most ``limit`` bytes (or characters, for a str
    stream) before its line end; a longer one is read past in chunks and given as
    `_TooLong`, so that memory stays within ``limit`` whatever the input."""
    readline = stream.readline
    while line := readline(limit + 1):
        if len(line) <= limit or line.endswith(b"\n" if isinstance(line, bytes) else "\n"):
            yield line
            continue
        size = len(line)
        while (more := readline(_PASS_OVER)) and not more.endswith(
                b"\n" if isinstance(more, bytes) else "\n"):
            size += len(more)
        size += len(more.rstrip(b"\r\n" if isinstance(more, bytes) else "\r\n"))
        yield _TooLong(size)


def _open(where: str, stdin: TextIO | None) -> AbstractContextManager[Iterable[bytes | str]]:
    """The input as an iterable of lines; stdin is left open for its owner."""
    if where == "-":
        return nullcontext(stdin if stdin is not None else getattr(sys.stdin, "buffer", sys.stdin))
    if where.lower().endswith(".gz"):
        return gzip.open(where, "rb")
    return open(where, "rb")


def _decoded(lines: Iterator[tuple[int, bytes | _TooLong]],
             too_long: dict[int, int]) -> Iterator[str]:
    """Lines as strict UTF-8 text; raise `_Bad` at the first that is not. A line too long
    to read becomes an empty line, and its number and size go into ``too_long``."""
    for lineno, line in lines:
        if isinstance(line, _TooLong):
            too_long[lineno] = line.size
            yield "\n"
            continue
        if b"\0" in line:
            raise _Bad(f"binary file (NUL byte on line {lineno}); save it as UTF-8 text")
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as error:
            raise _Bad(f"line {lineno}: {_not_utf8(error)}; the rest was not read") from error
        yield text


def _check_limit(limit: int) -> None:
    """Raise ValueError unless ``limit`` is a positive number of bytes."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"max_record_bytes must be a positive number of bytes, not {limit!r}")


def _size(count: int) -> str:
    """A byte count for people: ``512 bytes``, ``16.0 MB`` (decimal units)."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"


def _too_long(what: str, size: int, limit: int) -> str:
    """Reason for a record over the limit."""
    return _TOO_LONG.format(what=what, size=_size(size), limit=_size(limit))


def _kind(value: object) -> str:
    """How JSON would name the value's type, with an article: ``an array``, ``null``."""
    return _JSON_KINDS.get(type(value), type(value).__name__)


def _cannot(action: str, error: OSError, fix: str = "check the path and permissions") -> str:
    """Reason for an input the OS will not let us read (the path is left out: ``where`` has it)."""
    detail = f"[Errno {error.errno}] {error.strerror}" if error.errno else str(error)
    return f"cannot {action}: {detail}; {fix}"


def _not_utf8(error: UnicodeDecodeError) -> str:
    """Reason for bytes that are not UTF-8, naming the first bad byte."""
    byte, offset = error.object[error.start], error.start
    return f"not valid UTF-8 (byte 0x{byte:02x} at offset {offset}); re-encode the file as UTF-8"
