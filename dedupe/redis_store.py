"""The pre-ingest index in Redis: one index shared by ingest workers on several machines.

The same tables as ``dedupe.store.SqliteStore``, as Redis hashes and sets under the
``dedupe:`` prefix of the database the URL names. A write (check and add) holds a
Redis lock, so workers admit one article at a time and the second of two copies sees
the first. Each add and each remove is one Lua script, which Redis runs atomically: a
killed worker leaves no half-added or half-removed document (its lock expires after
``LOCK_SECONDS``). Keys and values are integers and text; a document's own key lists
are packed int64 bytes read with ``numpy.frombuffer``: nothing is pickled.

Keys (``h`` a fingerprint, ``k`` a line key, ``f`` a family, ``d`` a document):

    dedupe:doc:{d}     hash: id, text, date, source, title, url, family, packed keys
    dedupe:ids         hash: id -> d            dedupe:families  hash: f -> documents
    dedupe:band:{b}:{key}  set of d             dedupe:print:{h}  set of d
    dedupe:pf:{h}      hash: f -> documents carrying h in that family
    dedupe:lf:{k}      hash: f -> documents     dedupe:ls:{k}  hash: s<source> or u -> documents
    dedupe:text:{t}    set of d (documents whose text key, ``normalise.text_key_of``, is t)

so that every count a check needs is one O(1) command (SCARD, HLEN, HEXISTS),
however many documents carry the fingerprint or line.

A lookup is one call however many fingerprints or lines it asks about: a Lua script
(``_PRINT_STATS``, ``_LINE_COUNTS``, ``_FAMILY_HAS``, ``_MOST_SHARED``, ``_POSTINGS``) runs the
per-key commands in the server and sends back one short reply (counts as one string
of decimal integers), instead of a pipeline of one command per key whose packing and
parsing in the client cost far more than the server's work. The scripts are constant
code in this module, registered once per store and called by SHA (EVALSHA, loaded
again if the server lost them). Every key a script touches comes in KEYS and every
value (ids, texts, families, counts, limits) in ARGV, never in the code; what the
scripts return are integers and field names, parsed as such: nothing read back is
evaluated. Long key lists go in calls of at most ``_CHUNK`` keys each, and the
scripts loop over KEYS (no ``unpack``). An add or a remove is one call whatever the
document's size, so that it stays atomic.

The server is not trusted to be Redis, nor the database to hold only dedupe's keys:
every method turns whatever goes wrong in talking to it or in reading its answer (a
protocol error, a reply of the wrong type or shape, bytes that are not UTF-8, a key of
another type) into one `StoreError` line that names the URL; a reply never becomes
code. Replies have a time limit (``TIMEOUT_SECONDS``), so that a server that stops
answering is an error rather than a hang.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

import numpy as np

from dedupe.store import LineCount, Stored, StoreError, chunks, most_counted, signed

#: A writer that dies holding the lock blocks the others at most this long.
LOCK_SECONDS = 30
#: Seconds to wait for a connection or a reply before giving up on the server.
TIMEOUT_SECONDS = 120
F = TypeVar("F", bound=Callable[..., Any])
_FIELDS = ("id", "text", "date", "source", "title", "url")
#: Keys per lookup script call (a long lookup is several calls).
_CHUNK = 5000

# --- Lua scripts: constant code; keys come in KEYS, values in ARGV -----------------------

#: KEYS: dedupe:print:{h}, dedupe:pf:{h} for each fingerprint h, in pairs.
#: Returns SCARD of the first and HLEN of the second of each pair, in KEYS order, as
#: decimal integers separated by spaces (one string parses much faster in the client
#: than an array of integers).
_PRINT_STATS = """
local out = {}
for i = 1, #KEYS, 2 do
    out[i] = redis.call('SCARD', KEYS[i])
    out[i + 1] = redis.call('HLEN', KEYS[i + 1])
end
return table.concat(out, ' ')
"""

#: KEYS: dedupe:lf:{k}, dedupe:ls:{k} for each line key k, in pairs.
#: Returns {counts, ones}: counts is HLEN lf and HLEN ls of each pair (HLEN ls 0 when
#: HLEN lf is 0), decimal integers separated by spaces; ones is, in KEYS order, the
#: one field of ls of each pair with HLEN lf > 0 and HLEN ls == 1 (field names can
#: hold any byte, so they go as array items, never joined).
_LINE_COUNTS = """
local counts, ones = {}, {}
for i = 1, #KEYS, 2 do
    local families = redis.call('HLEN', KEYS[i])
    local fields = 0
    if families > 0 then
        fields = redis.call('HLEN', KEYS[i + 1])
        if fields == 1 then
            ones[#ones + 1] = redis.call('HKEYS', KEYS[i + 1])[1]
        end
    end
    counts[i] = families
    counts[i + 1] = fields
end
return {table.concat(counts, ' '), ones}
"""

#: KEYS: hashes (dedupe:pf:{h} or dedupe:lf:{k}); ARGV[1]: a family.
#: Returns HEXISTS of the family in each hash, in KEYS order, as one string of 0s and 1s.
_FAMILY_HAS = """
local out = {}
for i = 1, #KEYS do
    out[i] = redis.call('HEXISTS', KEYS[i], ARGV[1])
end
return table.concat(out)
"""

#: KEYS: sets of documents (decimal integers); ARGV[1]: a limit, or -1 for no limit.
#: Counts how many of the sets hold each document and returns [doc, count, ...]: the
#: ``limit`` documents with the highest counts, ties smaller document first (as
#: ``dedupe.store.most_counted``); with -1 every document, unordered.
_MOST_SHARED = """
local counts, docs = {}, {}
for i = 1, #KEYS do
    local members = redis.call('SMEMBERS', KEYS[i])
    for j = 1, #members do
        local doc = members[j]
        local count = counts[doc]
        if count then
            counts[doc] = count + 1
        else
            counts[doc] = 1
            docs[#docs + 1] = doc
        end
    end
end
local limit = tonumber(ARGV[1])
local out = {}
if limit < 0 then
    for i = 1, #docs do
        out[2 * i - 1], out[2 * i] = tonumber(docs[i]), counts[docs[i]]
    end
    return out
end
-- Documents by count; from the highest count down, each count's documents in
-- numeric order, until there are limit of them.
local by_count, top = {}, 0
for i = 1, #docs do
    local count = counts[docs[i]]
    local same = by_count[count]
    if same then
        same[#same + 1] = tonumber(docs[i])
    else
        by_count[count] = {tonumber(docs[i])}
    end
    if count > top then top = count end
end
local n = 0
for count = top, 1, -1 do
    local same = by_count[count]
    if same then
        table.sort(same)
        for j = 1, #same do
            if n >= limit then return out end
            out[2 * n + 1], out[2 * n + 2] = same[j], count
            n = n + 1
        end
    end
end
return out
"""

#: KEYS: dedupe:print:{h} sets. Returns, in KEYS order, each set's members as one
#: string of decimal integers separated by spaces ("" for an empty set).
_POSTINGS = """
local out = {}
for i = 1, #KEYS do
    out[i] = table.concat(redis.call('SMEMBERS', KEYS[i]), ' ')
end
return out
"""

#: KEYS: dedupe:doc:{d}, dedupe:ids, dedupe:families, then the document's band sets
#: (nb), print sets (np), dedupe:pf hashes (np), dedupe:lf hashes (nl), dedupe:ls
#: hashes (nl), text sets (nt: 0 or 1). ARGV: d, id, family, source field, nb, np, nl,
#: nt, then the document hash's field/value pairs. Adds the document and counts it
#: everywhere, atomically.
_ADD = """
local doc, family, source = ARGV[1], ARGV[3], ARGV[4]
local nb, np, nl = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local nt = tonumber(ARGV[8])
if #KEYS ~= 3 + nb + 2 * np + 2 * nl + nt then
    return redis.error_reply('dedupe add: KEYS do not match the counts')
end
for i = 9, #ARGV, 2 do
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('HSET', KEYS[2], ARGV[2], doc)
redis.call('HINCRBY', KEYS[3], family, 1)
local k = 3
for i = 1, nb do
    redis.call('SADD', KEYS[k + i], doc)
end
k = k + nb
for i = 1, np do
    redis.call('SADD', KEYS[k + i], doc)
    redis.call('HINCRBY', KEYS[k + np + i], family, 1)
end
k = k + 2 * np
for i = 1, nl do
    redis.call('HINCRBY', KEYS[k + i], family, 1)
    redis.call('HINCRBY', KEYS[k + nl + i], source, 1)
end
k = k + 2 * nl
for i = 1, nt do
    redis.call('SADD', KEYS[k + i], doc)
end
return 1
"""

#: KEYS: dedupe:ids, dedupe:doc:{d}, dedupe:families, then the document's band sets
#: (nb), print sets (np), dedupe:pf hashes (np), dedupe:lf hashes (nl), dedupe:ls
#: hashes (nl), text sets (nt: 0 or 1). ARGV: id, d, family, source field, nb, np, nl,
#: nt. Takes the document out and uncounts it everywhere, atomically; a count that
#: reaches zero is deleted, so HLEN counts only carriers. Returns 0 (changing
#: nothing) if the id is not d's.
_REMOVE = """
local doc, family, source = ARGV[2], ARGV[3], ARGV[4]
local nb, np, nl = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local nt = tonumber(ARGV[8])
if #KEYS ~= 3 + nb + 2 * np + 2 * nl + nt then
    return redis.error_reply('dedupe remove: KEYS do not match the counts')
end
if redis.call('HGET', KEYS[1], ARGV[1]) ~= doc then
    return 0
end
local function uncount(hash, field)
    if redis.call('HINCRBY', hash, field, -1) <= 0 then
        redis.call('HDEL', hash, field)
    end
end
uncount(KEYS[3], family)
local k = 3
for i = 1, nb do
    redis.call('SREM', KEYS[k + i], doc)
end
k = k + nb
for i = 1, np do
    redis.call('SREM', KEYS[k + i], doc)
    uncount(KEYS[k + np + i], family)
end
k = k + 2 * np
for i = 1, nl do
    uncount(KEYS[k + i], family)
    uncount(KEYS[k + nl + i], source)
end
k = k + 2 * nl
for i = 1, nt do
    redis.call('SREM', KEYS[k + i], doc)
end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return 1
"""


def _guarded(method: F) -> F:
    """Make any failure of the server or of its answer one `StoreError` naming the URL."""

    @functools.wraps(method)
    def call(self: RedisStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except StoreError:
            raise
        except Exception as error:  # the server's answers are untrusted input
            raise StoreError(_failure(self.path, error)) from None

    return call  # type: ignore[return-value]


def _failure(url: str, error: Exception) -> str:
    """One line for a server that failed or answered what a dedupe index cannot hold."""
    detail = f"{type(error).__name__}: {error}".replace("\n", " ")
    if "Connection" in type(error).__name__ or "Timeout" in type(error).__name__:
        return (f"{url}: lost the Redis server ({detail}); check that it runs and answers, "
                "then try again")
    return (f"{url}: the server's answer is not what a dedupe index holds ({detail}); check "
            "that the URL names a Redis server and a database that only dedupe writes to")


class RedisStore:
    """An index's tables in a Redis database (``redis://host:port/db``).

    Adds, removes and the lookups of a check are Lua scripts (see the module
    docstring): constant code, data only as arguments, nothing read back evaluated.
    """

    def __init__(self, url: str) -> None:
        try:
            import redis  # only needed for Redis indexes
        except ImportError:
            raise StoreError(f"{url}: a Redis index needs the redis package "
                             "(pip install 'dedupe[redis]')") from None
        self.path = url
        try:
            # redis-py types replies as bytes | str; with decode_responses off they are bytes.
            self._db: Any = redis.Redis.from_url(url, socket_timeout=TIMEOUT_SECONDS,
                                                 socket_connect_timeout=TIMEOUT_SECONDS)
            answer = self._db.ping()
            if answer is not True:
                raise redis.RedisError(f"PING answered {answer!r}, not PONG")
        except Exception as error:  # anything a server that is not Redis makes the client do
            detail = f"{error}".replace("\n", " ")
            raise StoreError(f"{url}: cannot use this Redis ({detail}); check the URL "
                             "(redis://host:port/db) and that the server runs") from None
        # Registered once; each call is an EVALSHA (loaded again if the server lost it).
        self._print_stats = self._db.register_script(_PRINT_STATS)
        self._line_counts = self._db.register_script(_LINE_COUNTS)
        self._family_has = self._db.register_script(_FAMILY_HAS)
        self._most_shared = self._db.register_script(_MOST_SHARED)
        self._postings = self._db.register_script(_POSTINGS)
        self._add = self._db.register_script(_ADD)
        self._remove = self._db.register_script(_REMOVE)

    @_guarded
    def close(self) -> None:
        """Close the connection pool."""
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One writer at a time across every worker (a Redis lock)."""
        try:
            lock = self._db.lock("dedupe:lock", timeout=LOCK_SECONDS,
                                 blocking_timeout=4 * LOCK_SECONDS)
            acquired = lock.acquire()
        except Exception as error:
            raise StoreError(_failure(self.path, error)) from None
        if not acquired:
            raise TimeoutError(f"{self.path}: another writer holds the index lock")
        try:
            yield
        except BaseException:
            with suppress(Exception):  # the error that stopped the writer is the one to see
                lock.release()
            raise
        try:
            lock.release()
        except Exception as error:
            raise StoreError(_failure(self.path, error)) from None

    # --- parameters ------------------------------------------------------------------
    @_guarded
    def meta(self) -> dict[str, str]:
        """The stored parameters (empty for a new index)."""
        return {k.decode(): v.decode() for k, v in self._db.hgetall("dedupe:meta").items()}

    @_guarded
    def set_meta(self, values: dict[str, str]) -> None:
        """Store the parameters."""
        self._db.hset("dedupe:meta", mapping=values)

    # --- documents -------------------------------------------------------------------
    @_guarded
    def count(self) -> tuple[int, int]:
        """(documents, families)."""
        pipe = self._db.pipeline(transaction=False)
        pipe.hlen("dedupe:ids")
        pipe.hlen("dedupe:families")
        documents, families = pipe.execute()
        return int(documents), int(families)

    @_guarded
    def has(self, doc_id: str) -> bool:
        """Whether a document with this id is in the index."""
        return bool(self._db.hexists("dedupe:ids", doc_id))

    @_guarded
    def docs(self, keys: Iterable[int]) -> list[Stored]:
        """The documents with these store keys, in key order."""
        order = sorted(set(keys))
        pipe = self._db.pipeline(transaction=False)
        for key in order:  # not the packed key lists: the check does not need them
            pipe.hmget(f"dedupe:doc:{key}", *_FIELDS, "family")
        rows = []
        for key, values in zip(order, pipe.execute(), strict=True):
            if values[-1] is not None:
                text = [None if v is None else v.decode() for v in values[:-1]]
                rows.append(Stored(key, text[0] or "", text[1] or "", text[2], text[3],
                                   text[4], text[5], int(values[-1])))
        return rows

    @_guarded
    def add(self, doc_id: str, text: str, date: str | None, source: str | None,
            title: str | None, url: str | None, family: int | None, bands: np.ndarray,
            prints: np.ndarray, lines: np.ndarray, text_key: int | None = None) -> int:
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
        texts = [] if text_key is None else [_text_set(text_key)]
        if text_key is not None:
            fields.update(text_key=text_key)
        self._add(keys=[f"dedupe:doc:{key}", "dedupe:ids", "dedupe:families",
                        *_doc_keys(band_keys, print_keys, line_keys), *texts],
                  args=[key, doc_id, family, _source_field(source), len(band_keys),
                        len(print_keys), len(line_keys), len(texts),
                        *(x for pair in fields.items() for x in pair)])
        return key

    @_guarded
    def remove(self, doc_id: str) -> bool:
        """Delete a document and its keys atomically; False if it is absent."""
        raw = self._db.hget("dedupe:ids", doc_id)
        if raw is None:
            return False
        key = int(raw)
        family, source, bands, prints, lines, text_key = self._db.hmget(
            f"dedupe:doc:{key}", "family", "source", "bands", "prints", "lines", "text_key")
        band_keys, print_keys, line_keys = _unpack(bands), _unpack(prints), _unpack(lines)
        texts = [] if text_key is None else [_text_set(int(text_key))]
        # The key lists come from the document's hash (the caller holds the write lock);
        # the script checks that the id is still this document's before it changes anything.
        return bool(self._remove(
            keys=["dedupe:ids", f"dedupe:doc:{key}", "dedupe:families",
                  *_doc_keys(band_keys, print_keys, line_keys), *texts],
            args=[doc_id, key, family, _source_field(None if source is None
                                                     else source.decode()),
                  len(band_keys), len(print_keys), len(line_keys), len(texts)]))

    @_guarded
    def unkeyed(self) -> list[int]:
        """Documents stored without a text key (added before dedupe kept them)."""
        docs = sorted(int(d) for d in self._db.hvals("dedupe:ids"))
        pipe = self._db.pipeline(transaction=False)
        for doc in docs:
            pipe.hexists(f"dedupe:doc:{doc}", "text_key")
        return [doc for doc, keyed in zip(docs, pipe.execute(), strict=True) if not keyed]

    @_guarded
    def set_text_keys(self, keys: dict[int, int]) -> None:
        """Give documents (store key -> uint64 text key) their text keys, atomically."""
        pipe = self._db.pipeline(transaction=True)
        for doc, text_key in keys.items():
            pipe.hset(f"dedupe:doc:{doc}", "text_key", text_key)
            pipe.sadd(_text_set(text_key), doc)
        pipe.execute()

    # --- lookups ---------------------------------------------------------------------
    @_guarded
    def copies(self, text_key: int, limit: int) -> list[int]:
        """The first ``limit`` documents with this text key (uint64), in key order."""
        return sorted(int(d) for d in self._db.smembers(_text_set(text_key)))[:limit]

    def _counted(self, names: list[bytes], limit: int) -> list[int]:
        """The ``limit`` documents in the most of these sets (``most_counted`` order)."""
        if limit <= 0 or not names:
            return []
        if len(names) <= _CHUNK:  # the usual case: counted and ranked in the server
            reply = self._most_shared(keys=names, args=[limit])
            return [int(doc) for doc in reply[::2]]
        counts: dict[int, int] = {}
        for chunk in chunks(names, _CHUNK):
            reply = self._most_shared(keys=chunk, args=[-1])
            for doc, n in zip(reply[::2], reply[1::2], strict=True):
                counts[int(doc)] = counts.get(int(doc), 0) + int(n)
        return most_counted(counts, limit)

    @_guarded
    def band_candidates(self, bands: np.ndarray, limit: int) -> list[int]:
        """Documents sharing LSH band keys, most shared first, at most ``limit``."""
        return self._counted([b"dedupe:band:%d:%d" % (b, k)
                              for b, k in enumerate(signed(bands))], limit)

    @_guarded
    def print_stats(self, hashes: np.ndarray) -> dict[int, tuple[int, int]]:
        """Per fingerprint (signed): (documents, families) carrying it."""
        out: dict[int, tuple[int, int]] = {}
        for chunk in chunks(sorted(set(signed(hashes))), _CHUNK // 2):
            reply = self._print_stats(keys=[name for h in chunk for name in (
                b"dedupe:print:%d" % h, b"dedupe:pf:%d" % h)])
            counts = list(map(int, reply.split()))
            out.update((h, (docs, fams)) for h, docs, fams
                       in zip(chunk, counts[::2], counts[1::2], strict=True) if docs)
        return out

    @_guarded
    def postings(self, hashes: Sequence[int]) -> dict[int, list[int]]:
        """Per fingerprint (signed) carried by any: the documents carrying it, in order."""
        out: dict[int, list[int]] = {}
        for chunk in chunks(sorted(set(hashes)), _CHUNK):
            replies = self._postings(keys=[b"dedupe:print:%d" % h for h in chunk])
            for h, members in zip(chunk, replies, strict=True):
                if members:
                    out[h] = sorted(map(int, members.split()))
        return out

    @_guarded
    def line_counts(self, keys: np.ndarray) -> dict[int, LineCount]:
        """Per line key (signed): families carrying it, and their one source if any."""
        out: dict[int, LineCount] = {}
        for chunk in chunks(sorted(set(signed(keys))), _CHUNK // 2):
            counted, ones = self._line_counts(keys=[name for k in chunk for name in (
                b"dedupe:lf:%d" % k, b"dedupe:ls:%d" % k)])
            counts, fields = list(map(int, counted.split())), iter(ones)
            for k, fams, sources in zip(chunk, counts[::2], counts[1::2], strict=True):
                if fams:  # the one field is s<source> or u
                    field = next(fields) if sources == 1 else b""
                    out[k] = LineCount(fams, field[1:].decode() if field.startswith(b"s")
                                       else None)
            if next(fields, None) is not None:
                raise StoreError(f"{self.path}: line counts out of step")
        return out

    @_guarded
    def family_has(self, family: int, prints: np.ndarray,
                   lines: np.ndarray) -> tuple[set[int], set[int]]:
        """Which of these fingerprints and line keys (signed) the family already carries."""
        asked = [(0, v, b"dedupe:pf:%d" % v) for v in sorted(set(signed(prints)))] + [
            (1, v, b"dedupe:lf:%d" % v) for v in sorted(set(signed(lines)))]
        found: tuple[set[int], set[int]] = (set(), set())
        for chunk in chunks(asked, _CHUNK):  # both tables in one call
            reply = self._family_has(keys=[name for _, _, name in chunk], args=[family])
            for (table, v, _), has in zip(chunk, reply.decode(), strict=True):
                if has == "1":
                    found[table].add(v)
        return found


def _doc_keys(bands: list[int], prints: list[int], lines: list[int]) -> list[bytes]:
    """A document's band sets, print sets, pf, lf and ls hashes (the scripts' order).

    Key names are made as bytes: the client sends them as they are."""
    return [*(b"dedupe:band:%d:%d" % (b, k) for b, k in enumerate(bands)),
            *(b"dedupe:print:%d" % h for h in prints), *(b"dedupe:pf:%d" % h for h in prints),
            *(b"dedupe:lf:%d" % k for k in lines), *(b"dedupe:ls:%d" % k for k in lines)]


def _text_set(text_key: int) -> bytes:
    """The set of the documents with this text key."""
    return b"dedupe:text:%d" % text_key


def _source_field(source: str | None) -> str:
    """The field a document's source counts under in ``dedupe:ls:{k}``."""
    return "u" if source is None else "s" + source


def _pack(values: list[int]) -> bytes:
    return np.array(values, dtype=np.int64).tobytes()


def _unpack(data: bytes) -> list[int]:
    return np.frombuffer(data, dtype=np.int64).tolist()
