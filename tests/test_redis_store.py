"""Tests of dedupe/redis_store.py against a hostile server: a database holding what a
dedupe index cannot (other programs' keys, damaged values) and a server that is not
Redis. Each must be one ``Error:`` line naming the URL, never a traceback or a hang.

(The Redis index's behaviour as an index is tested with SQLite's, in test_store.py,
test_index.py and test_index_reliability.py.)
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_cli import SEEDS, run

from dedupe import read_inputs

SEED_TEXTS = {a.id: a.text for a in read_inputs([SEEDS]).articles}
SEED_IDS = sorted(SEED_TEXTS)
ANSWER = "the server's answer is not what a dedupe index holds"
WHAT_TO_DO = "check that the URL names a Redis server and a database that only dedupe writes to"
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


@pytest.fixture
def seeded_redis(redis_server: str) -> Iterator[tuple[str, Any]]:
    """A Redis index of the seed articles in a database of its own, and a client to it."""
    import redis

    url = f"{redis_server}/5"
    with redis.Redis.from_url(url) as client:
        client.flushdb()
        result = run("index", "add", url, SEEDS)
        assert result.exit_code == 0, result.output
        yield url, client


def _first_doc(client: Any) -> int:
    return int(client.hget("dedupe:ids", SEED_IDS[0]))


# name, what is planted in the database, command (after "dedupe"), exit code, message
HOSTILE_DATA: list[tuple[str, Callable[[Any], object], list[str], int, str]] = [
    ("meta of another type", lambda c: (c.delete("dedupe:meta"), c.set("dedupe:meta", "x")),
     ["index", "stats", "{url}"], 1, f"{ANSWER} (ResponseError: {WRONGTYPE}); {WHAT_TO_DO}"),
    ("settings not JSON", lambda c: c.hset("dedupe:meta", "settings", "{oops"),
     ["index", "stats", "{url}"], 1,
     "the stored settings of this index are not readable (Expecting property name enclosed in "
     "double quotes: line 1 column 2 (char 1)); build it again from the articles "
     "(dedupe index add)"),
    ("settings not an object", lambda c: c.hset("dedupe:meta", "settings", "[1, 2]"),
     ["check", "{url}", str(SEEDS)], 2,
     "the stored settings of this index are not readable (settings are list, not an object); "
     "build it again from the articles (dedupe index add)"),
    ("settings of the wrong type", lambda c: c.hset(
        "dedupe:meta", "settings", '{"shingle_size": "five"}'), ["index", "stats", "{url}"], 1,
     "the stored settings of this index are not readable ('<' not supported between instances "
     "of 'str' and 'int'); build it again from the articles (dedupe index add)"),
    ("meta not UTF-8", lambda c: c.hset("dedupe:meta", "settings", b"\xff\xfe"),
     ["index", "stats", "{url}"], 1,
     f"{ANSWER} (UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 0: "
     f"invalid start byte); {WHAT_TO_DO}"),
    ("ids of another type", lambda c: (c.delete("dedupe:ids"), c.rpush("dedupe:ids", "x")),
     ["index", "stats", "{url}"], 1, f"{ANSWER} (ResponseError: Command # 1 (HLEN dedupe:ids) "
     f"of pipeline caused error: {WRONGTYPE}); {WHAT_TO_DO}"),
    ("a document key that is not a number", lambda c: c.hset("dedupe:ids", SEED_IDS[0], "abc"),
     ["index", "remove", "{url}", SEED_IDS[0]], 1,
     f"{ANSWER} (ValueError: invalid literal for int() with base 10: b'abc'); {WHAT_TO_DO}"),
    ("packed keys cut short", lambda c: c.hset(f"dedupe:doc:{_first_doc(c)}", "bands", b"12345"),
     ["index", "remove", "{url}", SEED_IDS[0]], 1,
     f"{ANSWER} (ValueError: buffer size must be a multiple of element size); {WHAT_TO_DO}"),
    ("a family that is not a number",
     lambda c: [c.hset(k, "family", "zz") for k in c.scan_iter(match="dedupe:doc:*")],
     ["check", "{url}", "{copy}"], 2,
     f"{ANSWER} (ValueError: invalid literal for int() with base 10: b'zz'); {WHAT_TO_DO}"),
    ("a posting that is not a document",
     lambda c: [c.sadd(k, "not-a-doc") for k in c.scan_iter(match="dedupe:print:*")],
     ["check", "{url}", "{copy}"], 2,
     f"{ANSWER} (ValueError: invalid literal for int() with base 10: b'not-a-doc'); "
     f"{WHAT_TO_DO}"),
]


@pytest.mark.parametrize(("plant", "command", "status", "message"),
                         [case[1:] for case in HOSTILE_DATA], ids=[c[0] for c in HOSTILE_DATA])
def test_a_database_holding_what_an_index_cannot_is_one_error_line(
    seeded_redis: tuple[str, Any], tmp_path: Path, plant: Callable[[Any], object],
    command: list[str], status: int, message: str,
) -> None:
    url, client = seeded_redis
    plant(client)
    copy = tmp_path / "copy.jsonl"  # a seed article's text under another id
    copy.write_text(json.dumps({"id": "copy", "text": SEED_TEXTS[SEED_IDS[3]]}) + "\n",
                    encoding="utf-8")
    result = run(*(arg.format(url=url, copy=copy) for arg in command))
    assert (result.exit_code, result.stdout) == (status, "")
    assert result.stderr == f"Error: {url}: {message}\n"


# --- a server that is not Redis ----------------------------------------------------------


def _serve(answer: bytes | None) -> tuple[str, Callable[[], None]]:
    """A TCP server on a free loopback port that answers whatever it is sent with
    ``answer`` (None: never answers; b"": hangs up): its URL, and how to stop it."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()
    connections: list[socket.socket] = []

    def talk(conn: socket.socket) -> None:
        with conn:
            while not stop.is_set() and conn.recv(65536):
                if answer == b"":
                    return
                if answer is not None:
                    conn.sendall(answer)

    def accept() -> None:
        with listener:
            while not stop.is_set():
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                connections.append(conn)
                threading.Thread(target=talk, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()

    def close() -> None:
        stop.set()
        listener.close()
        for conn in connections:
            conn.close()

    return f"redis://127.0.0.1:{port}/0", close


CANNOT = "cannot use this Redis ({}); check the URL (redis://host:port/db) and that the server runs"
#: What each fake server does, and the detail the error names (a pattern: the words
#: are redis-py's, and its versions word a timeout differently).
NOT_REDIS = [
    ("an HTTP server", b"HTTP/1.1 400 Bad Request\r\n\r\n",
     re.escape("Protocol Error: b'HTTP/1.1 400 Bad Request'")),
    ("OK to everything", b"+OK\r\n", re.escape("'bytes' object has no attribute 'get'")),
    ("a number for everything", b":7\r\n", re.escape("'int' object has no attribute 'get'")),
    ("hangs up", b"", re.escape("Connection closed by server.")),
    ("never answers", None, r"Timeout reading from [^;\n]+"),
]


@pytest.mark.parametrize(("answer", "detail"), [c[1:] for c in NOT_REDIS],
                         ids=[c[0] for c in NOT_REDIS])
@pytest.mark.parametrize("command", [["index", "stats"], ["index", "add"], ["check"]])
def test_a_server_that_is_not_redis_is_one_error_line(
    monkeypatch: pytest.MonkeyPatch, command: list[str], answer: bytes | None, detail: str,
) -> None:
    from dedupe import redis_store

    monkeypatch.setattr(redis_store, "TIMEOUT_SECONDS", 0.5)
    url, close = _serve(answer)
    try:
        result = run(*command, url, *([] if command[-1] == "stats" else [str(SEEDS)]))
    finally:
        close()
    assert (result.exit_code, result.stdout) == (2 if command == ["check"] else 1, "")
    assert re.fullmatch(re.escape(f"Error: {url}: ") + re.escape(CANNOT).replace(
        re.escape("{}"), detail) + "\n", result.stderr), result.stderr
