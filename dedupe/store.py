"""Where the pre-ingest index keeps what it has admitted: SQLite (one file, no server).

The store only stores and looks up; ``dedupe.index`` decides. Everything is kept as
integers and text (64-bit hashes as signed SQLite integers): nothing is pickled, so
reading an index back never runs code.

A store is safe for several processes: writes happen inside ``transaction()``
(``BEGIN IMMEDIATE``: one writer at a time, readers go on in WAL mode). A transaction
that returned is in the write-ahead log, so it survives a killed process. By default
(``synchronous=NORMAL``) a commit does not wait for the disk: the log is synced by the
checkpoint that follows each commit (below), so a power loss or an operating-system
crash can take back the last few milliseconds of commits, never corrupt the file.
``durable=True`` (``synchronous=FULL``) syncs the log in every commit instead and
survives those too, at some 2-3 ms per commit on this machine's disk. Stores that
log writes commonly default to the same trade (RocksDB's ``sync=false``; Redis's
append-only file syncs once a second).

Committed pages go to the write-ahead log first; a *checkpoint* copies them into the
database file. SQLite checkpoints inside the commit that takes the log past 1,000
pages: with an admission writing some 400 pages, every third commit, and at 100,000
documents those commits took 25-35 ms instead of 2. A file store checkpoints in a
thread of its own instead (``_Checkpointer``), after each commit, off the caller's
path; a commit checkpoints itself only when the log has grown past ``LOG_LIMIT``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np

#: Bound parameters per statement (SQLite's limit is 32,766 in current builds).
_CHUNK = 900
#: Pages in the write-ahead log at which a commit checkpoints by itself, should the
#: checkpointer fall behind (the log then starts again from its beginning).
LOG_LIMIT = 8192
T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    doc INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, text TEXT NOT NULL,
    date TEXT, source TEXT, title TEXT, url TEXT, family INTEGER NOT NULL,
    prints BLOB NOT NULL DEFAULT x'', text_key INTEGER);
CREATE TABLE IF NOT EXISTS families (
    family INTEGER PRIMARY KEY, docs INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS totals (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO totals VALUES ('documents', 0), ('families', 0);
CREATE TABLE IF NOT EXISTS bands (
    band INTEGER NOT NULL, key INTEGER NOT NULL, doc INTEGER NOT NULL,
    PRIMARY KEY (band, key, doc)) WITHOUT ROWID;
-- Fingerprints: for each hash, one row of counts (family -1, doc -1: documents and
-- families carrying it), one per family carrying it (doc -1: its documents) and one
-- per document (the postings), side by side in one tree, so that admitting a document
-- writes one page per fingerprint, not three. A document's own fingerprints are also
-- kept packed in docs.prints (int64), for removing it.
CREATE TABLE IF NOT EXISTS prints (
    hash INTEGER NOT NULL, family INTEGER NOT NULL, doc INTEGER NOT NULL, docs INTEGER,
    families INTEGER, PRIMARY KEY (hash, family, doc)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lines (
    key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS lines_by_doc ON lines (doc);
CREATE INDEX IF NOT EXISTS bands_by_doc ON bands (doc);

-- Line counts kept up to date by triggers, so that a check reads one row per line
-- however many documents carry it (fingerprints keep theirs in prints, above).
CREATE TABLE IF NOT EXISTS line_counts (
    key INTEGER PRIMARY KEY, docs INTEGER NOT NULL, families INTEGER NOT NULL,
    sources INTEGER NOT NULL, unknown INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS line_families (
    key INTEGER NOT NULL, family INTEGER NOT NULL, docs INTEGER NOT NULL,
    PRIMARY KEY (key, family)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS line_sources (
    key INTEGER NOT NULL, source TEXT NOT NULL, docs INTEGER NOT NULL,
    PRIMARY KEY (key, source)) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS line_added AFTER INSERT ON lines BEGIN
    INSERT INTO line_counts SELECT NEW.key, 1, 0, 0, source IS NULL FROM docs
        WHERE doc = NEW.doc
        ON CONFLICT (key) DO UPDATE SET docs = docs + 1, unknown = unknown + excluded.unknown;
    INSERT INTO line_families SELECT NEW.key, family, 1 FROM docs WHERE doc = NEW.doc
        ON CONFLICT (key, family) DO UPDATE SET docs = docs + 1;
    INSERT INTO line_sources SELECT NEW.key, source, 1 FROM docs
        WHERE doc = NEW.doc AND source IS NOT NULL
        ON CONFLICT (key, source) DO UPDATE SET docs = docs + 1;
END;
CREATE TRIGGER IF NOT EXISTS line_removed AFTER DELETE ON lines BEGIN
    UPDATE line_families SET docs = docs - 1 WHERE key = OLD.key
        AND family = (SELECT family FROM docs WHERE doc = OLD.doc);
    DELETE FROM line_families WHERE key = OLD.key AND docs <= 0;
    UPDATE line_sources SET docs = docs - 1 WHERE key = OLD.key
        AND source = (SELECT source FROM docs WHERE doc = OLD.doc);
    DELETE FROM line_sources WHERE key = OLD.key AND docs <= 0;
    UPDATE line_counts SET docs = docs - 1,
        unknown = unknown - (SELECT source IS NULL FROM docs WHERE doc = OLD.doc)
        WHERE key = OLD.key;
    DELETE FROM line_counts WHERE key = OLD.key AND docs <= 0;
END;
CREATE TRIGGER IF NOT EXISTS line_family_added AFTER INSERT ON line_families BEGIN
    UPDATE line_counts SET families = families + 1 WHERE key = NEW.key;
END;
CREATE TRIGGER IF NOT EXISTS line_family_removed AFTER DELETE ON line_families BEGIN
    UPDATE line_counts SET families = families - 1 WHERE key = OLD.key;
END;
CREATE TRIGGER IF NOT EXISTS line_source_added AFTER INSERT ON line_sources BEGIN
    UPDATE line_counts SET sources = sources + 1 WHERE key = NEW.key;
END;
CREATE TRIGGER IF NOT EXISTS line_source_removed AFTER DELETE ON line_sources BEGIN
    UPDATE line_counts SET sources = sources - 1 WHERE key = OLD.key;
END;

CREATE TRIGGER IF NOT EXISTS family_added AFTER INSERT ON families BEGIN
    UPDATE totals SET value = value + 1 WHERE name = 'families';
END;
CREATE TRIGGER IF NOT EXISTS family_removed AFTER DELETE ON families BEGIN
    UPDATE totals SET value = value - 1 WHERE name = 'families';
END;
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

    def __init__(self, path: str | Path, durable: bool = False) -> None:
        self.path = str(path)
        self._db = _connect(self.path, durable)
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)
        _add_text_keys(self._db)
        self._checkpointer: _Checkpointer | None = None
        if self.path != ":memory:" and self.path:
            self._db.execute(f"PRAGMA wal_autocheckpoint={LOG_LIMIT}")
            self._checkpointer = _Checkpointer(self.path, durable)

    def close(self) -> None:
        """Close the connection (the last one to close checkpoints everything)."""
        if self._checkpointer is not None:
            self._checkpointer.stop()
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
        if self._checkpointer is not None:
            self._checkpointer.wake()

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
        totals = dict(self._db.execute("SELECT name, value FROM totals").fetchall())
        return int(totals["documents"]), int(totals["families"])

    def has(self, doc_id: str) -> bool:
        """Whether a document with this id is in the index."""
        return self._db.execute("SELECT 1 FROM docs WHERE id = ?", (doc_id,)).fetchone() is not None

    def docs(self, keys: Iterable[int]) -> list[Stored]:
        """The documents with these store keys, in key order."""
        rows: list[Stored] = []
        for chunk in chunks(sorted(set(keys))):
            marks = ",".join("?" * len(chunk))
            rows += [Stored(*row) for row in self._db.execute(
                "SELECT doc, id, text, date, source, title, url, family FROM docs "
                f"WHERE doc IN ({marks}) ORDER BY doc", chunk)]
        return rows

    def add(self, doc_id: str, text: str, date: str | None, source: str | None,
            title: str | None, url: str | None, family: int | None, bands: np.ndarray,
            prints: np.ndarray, lines: np.ndarray, text_key: int | None = None) -> int:
        """Insert one document and its keys (inside a transaction); return its store key.

        ``family`` None starts a family of its own (numbered by the document's key);
        ``text_key`` (``normalise.text_key_of``, as uint64) finds its copies (``copies``).
        """
        cursor = self._db.execute(
            "INSERT INTO docs (id, text, date, source, title, url, family, text_key) "
            "VALUES (?, ?, ?, ?, ?, ?, -1, ?)",
            (doc_id, text, date, source, title, url, _signed_key(text_key)))
        key = int(cursor.lastrowid or 0)
        family = key if family is None else family
        self._db.execute("UPDATE docs SET family = ? WHERE doc = ?", (family, key))
        self._db.execute("INSERT INTO families VALUES (?, 1) "
                         "ON CONFLICT (family) DO UPDATE SET docs = docs + 1", (family,))
        self._db.execute("UPDATE totals SET value = value + 1 WHERE name = 'documents'")
        # The triggers in _SCHEMA count each fingerprint's and line's carriers.
        self._db.executemany("INSERT OR IGNORE INTO bands VALUES (?, ?, ?)",
                             [(b, k, key) for b, k in enumerate(signed(bands))])
        hashes = signed(np.unique(prints))
        self._db.execute("UPDATE docs SET prints = ? WHERE doc = ?",
                         (np.array(hashes, dtype=np.int64).tobytes(), key))
        self._db.executemany(
            "INSERT INTO prints (hash, family, doc, docs) VALUES (?, ?, -1, 1) "
            "ON CONFLICT (hash, family, doc) DO UPDATE SET docs = docs + 1",
            [(h, family) for h in hashes])
        self._db.executemany(  # a family row just made (docs 1) is one more family
            "INSERT INTO prints (hash, family, doc, docs, families) VALUES (?1, -1, -1, 1, 1) "
            "ON CONFLICT (hash, family, doc) DO UPDATE SET docs = docs + 1, families = "
            "families + (SELECT docs = 1 FROM prints WHERE hash = ?1 AND family = ?2 "
            "AND doc = -1)", [(h, family) for h in hashes])
        self._db.executemany("INSERT INTO prints (hash, family, doc) VALUES (?, ?, ?)",
                             [(h, family, key) for h in hashes])
        self._db.executemany("INSERT OR IGNORE INTO lines VALUES (?, ?)",
                             [(k, key) for k in signed(np.unique(lines))])
        return key

    def remove(self, doc_id: str) -> bool:
        """Delete a document and its keys (inside a transaction); False if it is absent."""
        row = self._db.execute("SELECT doc, family, prints FROM docs WHERE id = ?",
                               (doc_id,)).fetchone()
        if row is None:
            return False
        key, family, packed = row
        hashes = [(h, family) for h in np.frombuffer(packed, dtype=np.int64).tolist()]
        self._db.executemany("DELETE FROM prints WHERE hash = ? AND family = ? AND doc = ?",
                             [(h, f, key) for h, f in hashes])
        self._db.executemany("UPDATE prints SET docs = docs - 1 "
                             "WHERE hash = ? AND family = ? AND doc = -1", hashes)
        self._db.executemany(  # a family row left with no documents is one family less
            "UPDATE prints SET docs = docs - 1, families = families - (SELECT docs = 0 FROM "
            "prints WHERE hash = ?1 AND family = ?2 AND doc = -1) "
            "WHERE hash = ?1 AND family = -1 AND doc = -1", hashes)
        self._db.executemany("DELETE FROM prints WHERE hash = ? AND family IN (?, -1) "
                             "AND doc = -1 AND docs <= 0", hashes)
        for table in ("bands", "lines", "docs"):  # docs last: the line triggers read it
            self._db.execute(f"DELETE FROM {table} WHERE doc = ?", (key,))
        self._db.execute("UPDATE families SET docs = docs - 1 WHERE family = ?", (family,))
        self._db.execute("DELETE FROM families WHERE family = ? AND docs <= 0", (family,))
        self._db.execute("UPDATE totals SET value = value - 1 WHERE name = 'documents'")
        return True

    def unkeyed(self) -> list[int]:
        """Documents stored without a text key (added before dedupe kept them)."""
        return [doc for (doc,) in self._db.execute(
            "SELECT doc FROM docs WHERE text_key IS NULL ORDER BY doc")]

    def set_text_keys(self, keys: dict[int, int]) -> None:
        """Give documents (store key -> uint64 text key) their text keys (inside a
        transaction)."""
        self._db.executemany("UPDATE docs SET text_key = ? WHERE doc = ?",
                             [(_signed_key(k), doc) for doc, k in keys.items()])

    # --- lookups ---------------------------------------------------------------------
    def copies(self, text_key: int, limit: int) -> list[int]:
        """The first ``limit`` documents with this text key (uint64), in key order."""
        return [doc for (doc,) in self._db.execute(
            "SELECT doc FROM docs WHERE text_key = ? ORDER BY doc LIMIT ?",
            (_signed_key(text_key), limit))]

    def band_candidates(self, bands: np.ndarray, limit: int) -> list[int]:
        """Documents sharing LSH band keys (``bands[b]`` for band b), most shared first,
        at most ``limit``."""
        counts: dict[int, int] = {}
        pairs = [v for pair in enumerate(signed(bands)) for v in pair]
        for chunk in chunks(pairs, _CHUNK - _CHUNK % 2):
            marks = ",".join(["(?, ?)"] * (len(chunk) // 2))
            for (doc,) in self._db.execute(  # CROSS JOIN: look each (band, key) up
                    f"SELECT doc FROM (VALUES {marks}) AS q CROSS JOIN bands "
                    "ON bands.band = q.column1 AND bands.key = q.column2", chunk):
                counts[doc] = counts.get(doc, 0) + 1
        return most_counted(counts, limit)

    def print_stats(self, hashes: np.ndarray) -> dict[int, tuple[int, int]]:
        """Per fingerprint (signed): (documents, families) carrying it."""
        out: dict[int, tuple[int, int]] = {}
        for chunk in chunks(sorted(set(signed(hashes)))):
            marks = ",".join("?" * len(chunk))
            for h, docs, fams in self._db.execute(
                    "SELECT hash, docs, families FROM prints WHERE family = -1 AND doc = -1 "
                    f"AND hash IN ({marks})", chunk):
                out[int(h)] = (int(docs), int(fams))
        return out

    def postings(self, hashes: Sequence[int]) -> dict[int, list[int]]:
        """Per fingerprint (signed) carried by any: the documents carrying it, in order."""
        out: dict[int, list[int]] = {}
        for chunk in chunks(sorted(set(hashes))):
            marks = ",".join("?" * len(chunk))
            for h, doc in self._db.execute(
                    f"SELECT hash, doc FROM prints WHERE hash IN ({marks}) AND doc >= 0 "
                    "ORDER BY hash, doc", chunk):
                out.setdefault(int(h), []).append(int(doc))
        return out

    def family_has(self, family: int, prints: np.ndarray,
                   lines: np.ndarray) -> tuple[set[int], set[int]]:
        """Which of these fingerprints and line keys (signed) the family already carries."""
        found: tuple[set[int], set[int]] = (set(), set())
        for table, column, values, out in (("prints", "hash", prints, found[0]),
                                           ("line_families", "key", lines, found[1])):
            only = " AND doc = -1" if table == "prints" else ""
            for chunk in chunks(sorted(set(signed(values)))):
                marks = ",".join("?" * len(chunk))
                out.update(r[0] for r in self._db.execute(
                    f"SELECT {column} FROM {table} WHERE family = ?{only} "
                    f"AND {column} IN ({marks})", [family, *chunk]))
        return found

    def line_counts(self, keys: np.ndarray) -> dict[int, LineCount]:
        """Per line key (signed): families carrying it, and their one source if any."""
        out: dict[int, LineCount] = {}
        for chunk in chunks(sorted(set(signed(keys)))):
            marks = ",".join("?" * len(chunk))
            for key, fams, sources, unknown, source in self._db.execute(
                    "SELECT key, families, sources, unknown, (SELECT source FROM line_sources "
                    "s WHERE s.key = c.key LIMIT 1) FROM line_counts c "
                    f"WHERE key IN ({marks})", chunk):
                one = source if sources == 1 and not unknown else None
                out[int(key)] = LineCount(int(fams), one)
        return out


def _signed_key(key: int | None) -> int | None:
    """A uint64 key as the signed 64-bit integer SQLite stores (None stays None)."""
    return None if key is None else key - (1 << 64) if key >= 1 << 63 else key


def _add_text_keys(db: sqlite3.Connection) -> None:
    """Give an index made before text keys their column (empty: ``Index.open`` fills
    it) and, any index, the lookup by text key."""
    if not any(row[1] == "text_key" for row in db.execute("PRAGMA table_info(docs)")):
        try:
            db.execute("ALTER TABLE docs ADD COLUMN text_key INTEGER")
        except sqlite3.OperationalError:  # another process added it just now
            if not any(row[1] == "text_key" for row in db.execute("PRAGMA table_info(docs)")):
                raise
    db.execute("CREATE INDEX IF NOT EXISTS docs_by_text_key ON docs (text_key)")


def _connect(path: str, durable: bool = False) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=60.0, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    # NORMAL: the log is synced before each checkpoint and the file after it.
    db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
    return db


class _Checkpointer:
    """A daemon thread with a connection of its own that checkpoints the log after each
    commit (``PASSIVE``: it never waits for or blocks a writer, and commits that come
    while it works are taken by its next round). Python's sqlite3 lets go of the GIL
    while SQLite works, so the copying runs beside the caller's next check."""

    def __init__(self, path: str, durable: bool) -> None:
        self._path, self._durable, self._stopping = path, durable, False
        self._wanted = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"checkpoint {path}",
                                        daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Ask for a checkpoint (something was committed)."""
        self._wanted.set()

    def _run(self) -> None:
        db = _connect(self._path, self._durable)
        try:
            while self._wanted.wait() and not self._stopping:
                self._wanted.clear()
                try:
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error:
                    continue  # locked or busy: the next commit wakes it again
        finally:
            db.close()

    def stop(self) -> None:
        """End the thread (after its current checkpoint, if any)."""
        self._stopping = True
        self._wanted.set()
        self._thread.join()


def most_counted(counts: dict[int, int], limit: int) -> list[int]:
    """The ``limit`` keys with the highest counts (ties: smaller key first)."""
    return sorted(counts, key=lambda d: (-counts[d], d))[:limit]


def chunks(values: list[T], size: int = _CHUNK) -> Iterator[list[T]]:
    """``values`` in consecutive lists of at most ``size``."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


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
            prints: np.ndarray, lines: np.ndarray, text_key: int | None = None) -> int: ...
    def remove(self, doc_id: str) -> bool: ...
    def unkeyed(self) -> list[int]: ...
    def set_text_keys(self, keys: dict[int, int]) -> None: ...
    def copies(self, text_key: int, limit: int) -> list[int]: ...
    def band_candidates(self, bands: np.ndarray, limit: int) -> list[int]: ...
    def print_stats(self, hashes: np.ndarray) -> dict[int, tuple[int, int]]: ...
    def postings(self, hashes: Sequence[int]) -> dict[int, list[int]]: ...
    def line_counts(self, keys: np.ndarray) -> dict[int, LineCount]: ...
    def family_has(self, family: int, prints: np.ndarray,
                   lines: np.ndarray) -> tuple[set[int], set[int]]: ...


#: Locations that name a Redis database rather than a SQLite file.
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def open_store(location: str | Path, durable: bool = False) -> Store:
    """The store at ``location``: a Redis URL, else a SQLite file (or ``:memory:``).

    ``durable``: a SQLite commit waits until the disk has it (see the module's text).

    Raises:
        StoreError: ``durable`` for a Redis index, whose server's persistence settings
            decide what a power loss takes back.
    """
    if str(location).startswith(REDIS_SCHEMES):
        if durable:
            raise StoreError(f"{location}: durable applies to SQLite indexes; a Redis "
                             "index is as durable as its server is set to be (appendonly "
                             "yes, appendfsync always)")
        from dedupe.redis_store import RedisStore

        return RedisStore(str(location))
    return SqliteStore(location, durable)
