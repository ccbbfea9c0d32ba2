"""Where the pre-ingest index keeps what it has admitted: SQLite (one file, no server).

The store only stores and looks up; ``dedupe.index`` decides. Everything is kept as
integers and text (64-bit hashes as signed SQLite integers): nothing is pickled, so
reading an index back never runs code.

A store is safe for several processes: writes happen inside ``transaction()``
(``BEGIN IMMEDIATE``: one writer at a time, readers go on in WAL mode), and with
``synchronous=FULL`` a transaction that returned survives a killed process.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

#: Bound parameters per statement (SQLite's limit is 32,766 in current builds).
_CHUNK = 900

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    doc INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, text TEXT NOT NULL, date TEXT,
    source TEXT, title TEXT, url TEXT, family INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS bands (
    band INTEGER NOT NULL, key INTEGER NOT NULL, doc INTEGER NOT NULL,
    PRIMARY KEY (band, key, doc)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS prints (
    hash INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (hash, doc)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lines (
    key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS docs_by_family ON docs (family);
CREATE INDEX IF NOT EXISTS prints_by_doc ON prints (doc);
CREATE INDEX IF NOT EXISTS lines_by_doc ON lines (doc);
CREATE INDEX IF NOT EXISTS bands_by_doc ON bands (doc);
"""


class StoreError(Exception):
    """An index location that cannot be used; str() says which and what to do."""


@dataclass(frozen=True)
class Stored:
    """One admitted document as the store gives it back."""

    key: int  # the store's own number for it
    id: str
    text: str
    date: str | None
    source: str | None
    title: str | None
    url: str | None
    family: int


@dataclass(frozen=True)
class LineCount:
    """Who carries a line key: families in all, and whether they are all of one source."""

    families: int
    source: str | None  # the one source all carriers name, else None


def signed(hashes: np.ndarray) -> list[int]:
    """uint64 hashes as the signed 64-bit integers SQLite stores."""
    return np.ascontiguousarray(hashes, dtype=np.uint64).view(np.int64).tolist()


class SqliteStore:
    """An index's tables in one SQLite file (or ``:memory:``)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._db = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic write (and the reads it depends on): other writers wait."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- parameters ------------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        """The stored parameters (empty for a new index)."""
        return dict(self._db.execute("SELECT key, value FROM meta").fetchall())

    def set_meta(self, values: dict[str, str]) -> None:
        """Store the parameters (inside a transaction)."""
        self._db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())

    # --- documents -------------------------------------------------------------------
    def count(self) -> tuple[int, int]:
        """(documents, families)."""
        row = self._db.execute("SELECT COUNT(*), COUNT(DISTINCT family) FROM docs").fetchone()
        return int(row[0]), int(row[1])

    def has(self, doc_id: str) -> bool:
        """Whether a document with this id is in the index."""
        return self._db.execute("SELECT 1 FROM docs WHERE id = ?", (doc_id,)).fetchone() is not None

    def docs(self, keys: Iterable[int]) -> list[Stored]:
        """The documents with these store keys, in key order."""
        rows: list[Stored] = []
        for chunk in _chunks(sorted(set(keys))):
            marks = ",".join("?" * len(chunk))
            rows += [Stored(*row) for row in self._db.execute(
                "SELECT doc, id, text, date, source, title, url, family FROM docs "
                f"WHERE doc IN ({marks}) ORDER BY doc", chunk)]
        return rows

    def add(self, doc_id: str, text: str, date: str | None, source: str | None,
            title: str | None, url: str | None, family: int | None, bands: np.ndarray,
            prints: np.ndarray, lines: np.ndarray) -> int:
        """Insert one document and its keys (inside a transaction); return its store key.

        ``family`` None starts a family of its own (numbered by the document's key).
        """
        cursor = self._db.execute(
            "INSERT INTO docs (id, text, date, source, title, url, family) "
            "VALUES (?, ?, ?, ?, ?, ?, -1)", (doc_id, text, date, source, title, url))
        key = int(cursor.lastrowid or 0)
        self._db.execute("UPDATE docs SET family = ? WHERE doc = ?",
                         (key if family is None else family, key))
        self._db.executemany("INSERT OR IGNORE INTO bands VALUES (?, ?, ?)",
                             [(b, k, key) for b, k in enumerate(signed(bands))])
        self._db.executemany("INSERT OR IGNORE INTO prints VALUES (?, ?)",
                             [(h, key) for h in signed(np.unique(prints))])
        self._db.executemany("INSERT OR IGNORE INTO lines VALUES (?, ?)",
                             [(k, key) for k in signed(np.unique(lines))])
        return key

    def remove(self, doc_id: str) -> bool:
        """Delete a document and its keys (inside a transaction); False if it is absent."""
        row = self._db.execute("SELECT doc FROM docs WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            return False
        for table in ("bands", "prints", "lines", "docs"):
            self._db.execute(f"DELETE FROM {table} WHERE doc = ?", (row[0],))
        return True

    # --- lookups ---------------------------------------------------------------------
    def band_candidates(self, bands: np.ndarray) -> set[int]:
        """Documents sharing at least one LSH band key (``bands[b]`` for band b)."""
        found: set[int] = set()
        for band, key in enumerate(signed(bands)):
            found.update(r[0] for r in self._db.execute(
                "SELECT doc FROM bands WHERE band = ? AND key = ?", (band, key)))
        return found

    def print_stats(self, hashes: np.ndarray) -> dict[int, tuple[int, int]]:
        """Per fingerprint (signed): (documents, families) carrying it."""
        out: dict[int, tuple[int, int]] = {}
        for chunk in _chunks(sorted(set(signed(hashes)))):
            marks = ",".join("?" * len(chunk))
            for h, docs, fams in self._db.execute(
                "SELECT p.hash, COUNT(*), COUNT(DISTINCT d.family) FROM prints p "
                f"JOIN docs d ON d.doc = p.doc WHERE p.hash IN ({marks}) GROUP BY p.hash",
                chunk):
                out[int(h)] = (int(docs), int(fams))
        return out

    def print_candidates(self, hashes: Sequence[int], limit: int) -> list[int]:
        """Documents sharing the most of these fingerprints (signed), at most ``limit``."""
        counts: dict[int, int] = {}
        for chunk in _chunks(sorted(set(hashes))):
            marks = ",".join("?" * len(chunk))
            for doc, n in self._db.execute(
                f"SELECT doc, COUNT(*) FROM prints WHERE hash IN ({marks}) GROUP BY doc",
                chunk):
                counts[int(doc)] = counts.get(int(doc), 0) + int(n)
        return sorted(counts, key=lambda d: (-counts[d], d))[:limit]

    def family_has(self, family: int, prints: np.ndarray,
                   lines: np.ndarray) -> tuple[set[int], set[int]]:
        """Which of these fingerprints and line keys (signed) the family already carries."""
        found: tuple[set[int], set[int]] = (set(), set())
        for table, column, values, out in (("prints", "hash", prints, found[0]),
                                           ("lines", "key", lines, found[1])):
            for chunk in _chunks(sorted(set(signed(values)))):
                marks = ",".join("?" * len(chunk))
                out.update(r[0] for r in self._db.execute(
                    f"SELECT DISTINCT t.{column} FROM {table} t JOIN docs d ON d.doc = t.doc "
                    f"WHERE d.family = ? AND t.{column} IN ({marks})", [family, *chunk]))
        return found

    def line_counts(self, keys: np.ndarray) -> dict[int, LineCount]:
        """Per line key (signed): families carrying it, and their one source if any."""
        out: dict[int, LineCount] = {}
        for chunk in _chunks(sorted(set(signed(keys)))):
            marks = ",".join("?" * len(chunk))
            for key, fams, sources, unknown, source in self._db.execute(
                "SELECT l.key, COUNT(DISTINCT d.family), COUNT(DISTINCT d.source), "
                "SUM(d.source IS NULL), MIN(d.source) FROM lines l "
                f"JOIN docs d ON d.doc = l.doc WHERE l.key IN ({marks}) GROUP BY l.key",
                chunk):
                one = source if sources == 1 and not unknown else None
                out[int(key)] = LineCount(int(fams), one)
        return out


def _chunks(values: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


class Store(Protocol):
    """What the index needs of a store (``SqliteStore``, ``redis_store.RedisStore``)."""

    path: str

    def close(self) -> None: ...
    def transaction(self) -> AbstractContextManager[None]: ...
    def meta(self) -> dict[str, str]: ...
    def set_meta(self, values: dict[str, str]) -> None: ...
    def count(self) -> tuple[int, int]: ...
    def has(self, doc_id: str) -> bool: ...
    def docs(self, keys: Iterable[int]) -> list[Stored]: ...
    def add(self, doc_id: str, text: str, date: str | None, source: str | None,
            title: str | None, url: str | None, family: int | None, bands: np.ndarray,
            prints: np.ndarray, lines: np.ndarray) -> int: ...
    def remove(self, doc_id: str) -> bool: ...
    def band_candidates(self, bands: np.ndarray) -> set[int]: ...
    def print_stats(self, hashes: np.ndarray) -> dict[int, tuple[int, int]]: ...
    def print_candidates(self, hashes: Sequence[int], limit: int) -> list[int]: ...
    def line_counts(self, keys: np.ndarray) -> dict[int, LineCount]: ...
    def family_has(self, family: int, prints: np.ndarray,
                   lines: np.ndarray) -> tuple[set[int], set[int]]: ...


#: Locations that name a Redis database rather than a SQLite file.
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def open_store(location: str | Path) -> Store:
    """The store at ``location``: a Redis URL, else a SQLite file (or ``:memory:``)."""
    if str(location).startswith(REDIS_SCHEMES):
        from dedupe.redis_store import RedisStore

        return RedisStore(str(location))
    return SqliteStore(location)
