"""The pre-ingest index in Redis: one index shared by ingest workers on several machines.

The same tables as ``dedupe.store.SqliteStore``, as Redis hashes and sets under the
``dedupe:`` prefix of the database the URL names. A write (check and add) holds a
Redis lock, so workers admit one article at a time and the second of two copies sees
the first; each add is one MULTI/EXEC, so a killed worker leaves no half-added
document (its lock expires after ``LOCK_SECONDS``). Keys and values are integers and
text; a document's own key lists are packed int64 bytes read with ``numpy.frombuffer``:
nothing is pickled.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from dedupe.store import LineCount, Stored, StoreError, signed

#: A writer that dies holding the lock blocks the others at most this long.
LOCK_SECONDS = 30
_FIELDS = ("id", "text", "date", "source", "title", "url")


class RedisStore:
    """An index's tables in a Redis database (``redis://host:port/db``)."""

    def __init__(self, url: str) -> None:
        try:
            import redis  # only needed for Redis indexes
        except ImportError:
            raise StoreError(f"{url}: a Redis index needs the redis package "
                             "(pip install 'dedupe[redis]')") from None
        self.path = url
        try:
            # redis-py types replies as bytes | str; with decode_responses off they are bytes.
            self._db: Any = redis.Redis.from_url(url)
            self._db.ping()
        except (redis.RedisError, ValueError) as error:
            raise StoreError(f"{url}: cannot use this Redis ({error}); check the URL "
                             "(redis://host:port/db) and that the server runs") from None

    def close(self) -> None:
        """Close the connection pool."""
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One writer at a time across every worker (a Redis lock)."""
        lock = self._db.lock("dedupe:lock", timeout=LOCK_SECONDS,
                             blocking_timeout=4 * LOCK_SECONDS)
        if not lock.acquire():
            raise TimeoutError(f"{self.path}: another writer holds the index lock")
        try:
            yield
        finally:
            lock.release()

    # --- parameters ------------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        """The stored parameters (empty for a new index)."""
        return {k.decode(): v.decode() for k, v in self._db.hgetall("dedupe:meta").items()}

    def set_meta(self, values: dict[str, str]) -> None:
        """Store the parameters."""
        self._db.hset("dedupe:meta", mapping=values)

    # --- documents -------------------------------------------------------------------
    def count(self) -> tuple[int, int]:
        """(documents, families)."""
        return int(self._db.hlen("dedupe:ids")), int(self._db.hlen("dedupe:families"))

    def has(self, doc_id: str) -> bool:
        """Whether a document with this id is in the index."""
        return bool(self._db.hexists("dedupe:ids", doc_id))

    def docs(self, keys: Iterable[int]) -> list[Stored]:
        """The documents with these store keys, in key order."""
        order = sorted(set(keys))
        pipe = self._db.pipeline(transaction=False)
        for key in order:
            pipe.hgetall(f"dedupe:doc:{key}")
        rows = []
        for key, fields in zip(order, pipe.execute(), strict=True):
            if fields:
                text = {f: fields[f.encode()].decode() if f.encode() in fields else None
                        for f in _FIELDS}
                rows.append(Stored(key, text["id"] or "", text["text"] or "", text["date"],
                                   text["source"], text["title"], text["url"],
                                   int(fields[b"family"])))
        return rows

    def add(self, doc_id: str, text: str, date: str | None, source: str | None,
            title: str | None, url: str | None, family: int | None, bands: np.ndarray,
            prints: np.ndarray, lines: np.ndarray) -> int:
        """Insert one document and its keys atomically; return its store key."""
        key = int(self._db.incr("dedupe:next"))
        family = key if family is None else family
        fields: dict[str, Any] = {k: v for k, v in zip(_FIELDS, (doc_id, text, date, source,
                                                                title, url), strict=True)
                                  if v is not None}
        band_keys, print_keys, line_keys = signed(bands), signed(np.unique(prints)), signed(
            np.unique(lines))
        fields.update(family=family, bands=_pack(band_keys), prints=_pack(print_keys),
                      lines=_pack(line_keys))
        pipe = self._db.pipeline(transaction=True)
        pipe.hset(f"dedupe:doc:{key}", mapping=fields)
        pipe.hset("dedupe:ids", doc_id, key)
        pipe.hset("dedupe:family", key, family)
        pipe.hincrby("dedupe:families", str(family), 1)
        if source is not None:
            pipe.hset("dedupe:source", key, source)
        for band, band_key in enumerate(band_keys):
            pipe.sadd(f"dedupe:band:{band}:{band_key}", key)
        for h in print_keys:
            pipe.sadd(f"dedupe:print:{h}", key)
        for line in line_keys:
            pipe.sadd(f"dedupe:line:{line}", key)
        pipe.execute()
        return key

    def remove(self, doc_id: str) -> bool:
        """Delete a document and its keys; False if it is absent."""
        raw = self._db.hget("dedupe:ids", doc_id)
        if raw is None:
            return False
        key = int(raw)
        fields = self._db.hgetall(f"dedupe:doc:{key}")
        family = int(fields[b"family"])
        pipe = self._db.pipeline(transaction=True)
        for band, band_key in enumerate(_unpack(fields[b"bands"])):
            pipe.srem(f"dedupe:band:{band}:{band_key}", key)
        for h in _unpack(fields[b"prints"]):
            pipe.srem(f"dedupe:print:{h}", key)
        for line in _unpack(fields[b"lines"]):
            pipe.srem(f"dedupe:line:{line}", key)
        pipe.hdel("dedupe:ids", doc_id)
        pipe.hdel("dedupe:family", key)
        pipe.hdel("dedupe:source", key)
        pipe.delete(f"dedupe:doc:{key}")
        pipe.hincrby("dedupe:families", str(family), -1)
        left = pipe.execute()[-1]
        if int(left) <= 0:
            self._db.hdel("dedupe:families", str(family))
        return True

    # --- lookups ---------------------------------------------------------------------
    def _members(self, names: Sequence[str]) -> list[set[int]]:
        pipe = self._db.pipeline(transaction=False)
        for name in names:
            pipe.smembers(name)
        return [{int(m) for m in found} for found in pipe.execute()]

    def _of(self, table: str, keys: Iterable[int]) -> dict[int, str | None]:
        order = sorted(set(keys))
        if not order:
            return {}
        values = self._db.hmget(f"dedupe:{table}", order)
        return {k: v.decode() if v is not None else None
                for k, v in zip(order, values, strict=True)}

    def band_candidates(self, bands: np.ndarray) -> set[int]:
        """Documents sharing at least one LSH band key."""
        found: set[int] = set()
        for members in self._members([f"dedupe:band:{b}:{k}"
                                      for b, k in enumerate(signed(bands))]):
            found |= members
        return found

    def print_stats(self, hashes: np.ndarray) -> dict[int, tuple[int, int]]:
        """Per fingerprint (signed): (documents, families) carrying it."""
        order = sorted(set(signed(hashes)))
        carriers = self._members([f"dedupe:print:{h}" for h in order])
        family = self._of("family", set().union(*carriers) if carriers else ())
        return {h: (len(docs), len({family[d] for d in docs}))
                for h, docs in zip(order, carriers, strict=True) if docs}

    def print_candidates(self, hashes: Sequence[int], limit: int) -> list[int]:
        """Documents sharing the most of these fingerprints (signed), at most ``limit``."""
        counts: dict[int, int] = {}
        for docs in self._members([f"dedupe:print:{h}" for h in sorted(set(hashes))]):
            for doc in docs:
                counts[doc] = counts.get(doc, 0) + 1
        return sorted(counts, key=lambda d: (-counts[d], d))[:limit]

    def line_counts(self, keys: np.ndarray) -> dict[int, LineCount]:
        """Per line key (signed): families carrying it, and their one source if any."""
        order = sorted(set(signed(keys)))
        carriers = self._members([f"dedupe:line:{k}" for k in order])
        every = set().union(*carriers) if carriers else set()
        family, source = self._of("family", every), self._of("source", every)
        out = {}
        for key, docs in zip(order, carriers, strict=True):
            if docs:
                sources = {source[d] for d in docs}
                one = next(iter(sources)) if len(sources) == 1 else None
                out[key] = LineCount(len({family[d] for d in docs}), one)
        return out

    def family_has(self, family: int, prints: np.ndarray,
                   lines: np.ndarray) -> tuple[set[int], set[int]]:
        """Which of these fingerprints and line keys (signed) the family already carries."""
        found: tuple[set[int], set[int]] = (set(), set())
        for table, values, out in (("print", prints, found[0]), ("line", lines, found[1])):
            order = sorted(set(signed(values)))
            carriers = self._members([f"dedupe:{table}:{v}" for v in order])
            of = self._of("family", set().union(*carriers) if carriers else ())
            out.update(v for v, docs in zip(order, carriers, strict=True)
                       if any(of[d] == str(family) for d in docs))
        return found


def _pack(values: list[int]) -> bytes:
    return np.array(values, dtype=np.int64).tobytes()


def _unpack(data: bytes) -> list[int]:
    return np.frombuffer(data, dtype=np.int64).tolist()
