"""Tests of ``dedupe index`` and ``dedupe check`` (dedupe/cli.py): output, exit codes,
errors as one line."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from test_cli import SEEDS, run, write_jsonl

from dedupe import read_inputs
from dedupe import store as store_module

SEED_TEXTS = {a.id: a.text for a in read_inputs([SEEDS]).articles}
SEED_IDS = sorted(SEED_TEXTS)
STORY = ("The harbour authority reported record grain shipments on Monday while farmers in "
         "the north waited for rain and bankers in the capital debated the outlook for "
         "interest rates and the price of steel.")


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    index = tmp_path / "seeds.sqlite"
    result = run("index", "add", index, SEEDS)
    assert result.exit_code == 0, result.output
    return index


def test_index_add_counts_what_each_article_repeated(seeded: Path) -> None:
    result = run("index", "add", seeded, SEEDS)  # the same ids again: each is skipped
    assert result.exit_code == 0
    rows = dict(line.rsplit(None, 1) for line in result.stdout.splitlines()[2:])
    assert rows == {"skipped": "5", "in the index": "5"}
    assert result.stderr.count("is already in the index; remove it first") == 5


def test_check_of_a_new_article_exits_0_and_of_a_copy_exits_1(
    seeded: Path, tmp_path: Path,
) -> None:
    fresh = write_jsonl(tmp_path / "fresh.jsonl", json.dumps({"id": "n1", "text": STORY}))
    result = run("check", seeded, fresh)
    assert (result.exit_code, result.stdout) == (0, "n1: new\n")
    copy = write_jsonl(tmp_path / "copy.jsonl",
                       json.dumps({"id": "c1", "text": SEED_TEXTS[SEED_IDS[3]]}))
    result = run("check", seeded, copy)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"c1: duplicate: {SEED_IDS[3]} duplicate 1.00")
    verdict = json.loads(run("check", seeded, copy, "--json").stdout)
    assert verdict["decision"] == "duplicate"
    assert verdict["matches"][0]["id"] == SEED_IDS[3]


def test_check_of_an_indexed_id_and_of_bad_input(seeded: Path, tmp_path: Path) -> None:
    result = run("check", seeded, SEEDS / f"{SEED_IDS[0]}.txt")
    assert (result.exit_code, result.stdout) == (1, f"{SEED_IDS[0]}: already in the index\n")
    bad = write_jsonl(tmp_path / "bad.jsonl", "[]")
    result = run("check", seeded, bad)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"skipped {bad}:1: ")


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (None, "{path}: no such index; make one with dedupe index add"),
        ("not sqlite", "{path}: not a dedupe index (file is not a database); give the file "
                       "dedupe index add made"),
    ],
)
def test_check_of_a_missing_or_foreign_index_is_one_error_line(
    tmp_path: Path, setup: str | None, message: str,
) -> None:
    path = tmp_path / "index.sqlite"
    if setup is not None:
        path.write_text(setup, encoding="utf-8")
    result = run("check", path, SEEDS)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {message.format(path=path)}\n"


def test_index_keeps_its_settings_and_refuses_others(seeded: Path) -> None:
    stats = dict(line.split(None, 1) for line in run("index", "stats", seeded)
                 .stdout.splitlines())
    assert (stats["documents"].strip(), stats["shingle_size"].strip()) == ("5", "5")
    result = run("index", "add", seeded, SEEDS, "--shingle-size", "4")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {seeded}: this index was built with other "
                                    "settings: shingle_size (index 5, asked 4)")


def test_index_remove_says_what_was_there(seeded: Path) -> None:
    result = run("index", "remove", seeded, SEED_IDS[0], "nope")
    assert result.exit_code == 1
    assert result.stdout == f"removed: {SEED_IDS[0]}\nnot in the index: nope\n"
    stats = dict(line.split(None, 1) for line in run("index", "stats", seeded)
                 .stdout.splitlines())
    assert stats["documents"].strip() == "4"


def _lines(*records: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def test_filter_passes_new_articles_and_loses_no_line(seeded: Path, tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.jsonl"
    copy = {"id": "c1", "text": SEED_TEXTS[SEED_IDS[3]], "source": "copycat.example"}
    fresh = {"id": "n1", "text": STORY, "extra": [1, 2]}
    again = {"id": "n2", "text": STORY}
    stdin = _lines(fresh, "", "not json", copy, again)
    result = run("filter", seeded, "--add", "--rejects", rejects, stdin=stdin)
    assert result.exit_code == 0, result.output
    # New articles pass as the very lines read (unknown fields kept), blank lines too.
    assert result.stdout == _lines(fresh, "")
    dropped = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert dropped[0] == {"line": 3, "error": dropped[0]["error"], "raw": "not json\n"}
    assert dropped[0]["error"].startswith("malformed JSON")
    assert [(d["id"], d["dedupe"]["decision"]) for d in dropped[1:]] == [
        ("c1", "duplicate"), ("n2", "duplicate")]  # n2 repeats n1, admitted just before
    assert dropped[2]["dedupe"]["matches"][0]["id"] == "n1"
    assert result.stderr.splitlines()[-1] == "2 dropped, 1 new, 1 unreadable"


def test_filter_annotates_instead_of_dropping(seeded: Path) -> None:
    copy = {"id": "c1", "text": SEED_TEXTS[SEED_IDS[0]]}
    result = run("filter", seeded, "--annotate", stdin=_lines({"id": "n1", "text": STORY}, copy))
    assert result.exit_code == 0
    first, second = result.stdout.splitlines()
    assert json.loads(first) == {"id": "n1", "text": STORY}
    annotated = json.loads(second)
    assert annotated["dedupe"]["decision"] == "duplicate"
    assert annotated["dedupe"]["matches"][0] == {"id": SEED_IDS[0], "relation": "duplicate",
                                                 "strength": 1.0}
    # Without --add nothing was admitted: the same story is still new.
    assert run("check", seeded, "-", stdin=_lines({"id": "n9", "text": STORY})).exit_code == 0


def test_hold_decides_what_filter_drops_and_check_reports(tmp_path: Path) -> None:
    quote = "the committee said the harbour dredging plan would cost far more than planned"
    index = tmp_path / "index.sqlite"
    first = {"id": "a", "text": f"{STORY} Later {quote}."}
    reuse = {"id": "r", "text": ("Railway workers voted to accept the wage offer after three "
                                 f"days of talks. As reported, {quote}, officials added.")}
    assert run("filter", index, "--add", stdin=_lines(first)).exit_code == 0
    # By default an article that reuses a passage passes (as the line read) and is admitted.
    result = run("filter", index, "--add", stdin=_lines(reuse))
    assert (result.exit_code, result.stdout) == (0, _lines(reuse))
    assert result.stderr.splitlines()[-1] == "1 passed"
    assert run("index", "remove", index, "r").exit_code == 0
    result = run("check", index, "-", stdin=_lines(reuse))
    assert (result.exit_code, result.stdout.split(":")[1].strip()) == (0, "reuses-passages")
    held = run("check", index, "-", "--hold", "reuses-passages", stdin=_lines(reuse))
    assert held.exit_code == 1
    result = run("filter", index, "--annotate", "--hold", "reuses-passages",
                 stdin=_lines(reuse))
    assert json.loads(result.stdout)["dedupe"]["held"] is True
    wrong = run("check", index, "-", "--hold", "new", stdin=_lines(reuse))
    assert wrong.exit_code == 2 and "'new' is not one of" in wrong.stderr


def test_filter_needs_an_existing_index_unless_it_adds(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    result = run("filter", path, stdin=_lines({"id": "n1", "text": STORY}))
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {path}: no such index; make one with dedupe index add\n")
    result = run("filter", path, "--add", stdin=_lines({"id": "n1", "text": STORY}))
    assert result.exit_code == 0 and result.stdout == _lines({"id": "n1", "text": STORY})


def test_durable_reaches_the_index_of_each_command_that_writes(
        seeded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[bool] = []
    connect = store_module._connect

    def spy(path: str, durable: bool) -> sqlite3.Connection:
        opened.append(durable)
        return connect(path, durable)

    monkeypatch.setattr(store_module, "_connect", spy)
    assert run("index", "add", "--durable", seeded, SEEDS, "-q").exit_code == 0
    assert run("index", "remove", "--durable", seeded, SEED_IDS[0]).exit_code == 0
    result = run("filter", seeded, "--add", "--durable", stdin=_lines({"id": "n1", "text": STORY}))
    assert result.exit_code == 0
    assert opened and all(opened)  # each store connection, the checkpointer's too
    opened.clear()
    assert run("index", "remove", seeded, "n1").exit_code == 0
    assert opened and not any(opened)
    result = run("index", "add", "--durable", "redis://127.0.0.1:1/0", SEEDS)
    assert (result.exit_code, result.stderr) == (1, (
        "Error: redis://127.0.0.1:1/0: durable applies to SQLite indexes; a Redis index is "
        "as durable as its server is set to be (appendonly yes, appendfsync always)\n"))


def test_index_and_check_on_redis(redis_server: str) -> None:
    import redis

    url = f"{redis_server}/3"
    with redis.Redis.from_url(url) as client:
        client.flushdb()
    assert run("index", "add", url, SEEDS, "-q").exit_code == 0
    copy = json.dumps({"id": "c1", "text": SEED_TEXTS[SEED_IDS[2]]})
    result = run("check", url, "-", stdin=copy + "\n")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"c1: duplicate: {SEED_IDS[2]} duplicate 1.00")


def test_an_unreachable_redis_is_one_error_line() -> None:
    result = run("check", "redis://127.0.0.1:1/0", SEEDS)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: redis://127.0.0.1:1/0: cannot use this Redis (")
    assert result.stderr.endswith("; check the URL (redis://host:port/db) and that the "
                                  "server runs\n")


# --- hostile input ---------------------------------------------------------------------------

SURROGATE = ("'text' has 1 lone surrogate(s) (\\ud800 at character 3), which are not text; "
             "replaced with U+FFFD; write the character itself or its escaped surrogate pair")


def test_lone_surrogates_are_repaired_by_every_command_that_reads(tmp_path: Path) -> None:
    # Each of these used to end in a UnicodeEncodeError traceback (SQLite, the output).
    story = json.dumps("Caf\ud800 " + STORY)  # json.dumps writes the lone one as \ud800
    line = f'{{"id": "s1", "text": {story}}}'
    feed = write_jsonl(tmp_path / "s.jsonl", line)
    index = tmp_path / "index.sqlite"
    added = run("index", "add", index, feed)
    assert (added.exit_code, added.stderr) == (0, f"warning {feed}:1: {SURROGATE}\n")
    copy = write_jsonl(tmp_path / "copy.jsonl", line.replace('"s1"', '"s2"'))
    checked = run("check", index, copy)
    assert checked.exit_code == 1
    assert checked.stdout.startswith("s2: duplicate: s1 duplicate 1.00")
    assert checked.stderr == f"warning {copy}:1: {SURROGATE}\n"
    rejects = tmp_path / "rejects.jsonl"
    stdin = line.replace('"s1"', '"s3"') + "\n"
    for args, out in ((["--annotate"], "stdout"), (["--rejects", str(rejects)], "rejects")):
        filtered = run("filter", index, *args, stdin=stdin)
        assert filtered.exit_code == 0
        written = filtered.stdout if out == "stdout" else rejects.read_text(encoding="utf-8")
        (kept,) = written.splitlines()
        assert "\\ud800" in kept, "the escape is written back as it came"
        assert json.loads(kept)["text"] == json.loads(story)
        assert json.loads(kept)["dedupe"]["decision"] == "duplicate"


def test_check_and_index_add_skip_a_record_over_the_size_limit(tmp_path: Path) -> None:
    long_line = json.dumps({"id": "long", "text": STORY * 5})
    feed = write_jsonl(tmp_path / "feed.jsonl", long_line, json.dumps({"id": "n", "text": STORY}))
    skipped = (f"skipped {feed}:1: the line is {len(long_line) / 1000:.1f} kB, over the "
               "500 bytes limit per record; split it, or raise the limit with --max-record-size\n")
    index = tmp_path / "index.sqlite"
    added = run("index", "add", index, feed, "--max-record-size", "500")
    assert (added.exit_code, added.stderr) == (0, skipped)
    rows = dict(line.rsplit(None, 1) for line in added.stdout.splitlines()[2:])
    assert rows == {"new": "1", "skipped": "1", "in the index": "1"}
    checked = run("check", index, feed, "--max-record-size", "500B")
    assert (checked.exit_code, checked.stdout, checked.stderr) == (2, "n: already in the index\n",
                                                                   skipped)


MARKED = "caf\u0301 \u05e9\u05dc\u05d5\u05dd"  # combining accent, Hebrew: printable
HOSTILE_IDS = [
    ("line end", "n1\nn2: new", "n1\\nn2: new"),
    ("carriage return", "n1\rfake", "n1\\rfake"),
    ("terminal escape", "\x1b[2J\x1b[31mred", "\\x1b[2J\\x1b[31mred"),
    ("bidirectional override", "abc\u202etxt.exe", "abc\\u202etxt.exe"),
    ("line separator", "a\u2028b", "a\\u2028b"),
    ("plain text with marks", MARKED, MARKED),
]


@pytest.mark.parametrize(("record_id", "shown"), [c[1:] for c in HOSTILE_IDS],
                         ids=[c[0] for c in HOSTILE_IDS])
def test_an_id_cannot_forge_output_lines_or_drive_the_terminal(
    seeded: Path, tmp_path: Path, record_id: str, shown: str,
) -> None:
    feed = write_jsonl(tmp_path / "feed.jsonl", json.dumps({"id": record_id, "text": STORY}))
    assert run("check", seeded, feed).stdout == f"{shown}: new\n"
    assert run("index", "add", seeded, feed).exit_code == 0
    assert run("check", seeded, feed).stdout == f"{shown}: already in the index\n"
    assert run("index", "remove", seeded, record_id).stdout == f"removed: {shown}\n"
    # A file name is as untrusted as an id.
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / f"{record_id}.txt").write_bytes(b"")
    result = run("scan", folder, "-o", tmp_path / "out")
    assert result.stderr == (f"skipped {folder}/{shown}.txt: empty file; add content or "
                             "leave it out of the inputs\n")


def test_filter_skips_a_line_over_the_size_limit_and_passes_the_rest(
    seeded: Path, tmp_path: Path,
) -> None:
    long_line = json.dumps({"id": "long", "text": STORY * 5})
    stdin = "\n".join([json.dumps({"id": "n1", "text": STORY}), long_line,
                       json.dumps({"id": "n2", "text": "Another story entirely, short."})]) + "\n"
    rejects = tmp_path / "rejects.jsonl"
    result = run("filter", seeded, "--max-record-size", "500", "--rejects", rejects, stdin=stdin)
    assert result.exit_code == 0
    reason = (f"the line is {len(long_line) / 1000:.1f} kB, over the 500 bytes limit per "
              "record; split it, or raise the limit with --max-record-size")
    assert result.stderr == f"skipped -:2: {reason}\n2 new, 1 unreadable\n"
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["n1", "n2"]
    assert json.loads(rejects.read_text(encoding="utf-8")) == {"line": 2, "error": reason,
                                                               "raw": None}


def test_an_index_made_before_text_keys_is_keyed_once_with_a_note(
    seeded: Path, tmp_path: Path,
) -> None:
    from test_index import _as_before_text_keys

    _as_before_text_keys(str(seeded))
    copy = write_jsonl(tmp_path / "copy.jsonl",
                       json.dumps({"id": "copy", "text": SEED_TEXTS[SEED_IDS[0]]}))
    first, again = run("check", seeded, copy), run("check", seeded, copy)
    assert first.stderr == (f"note: {seeded}: keyed the texts of 5 documents indexed before "
                            "dedupe kept text keys (once), so that their copies are found\n")
    assert (again.stderr, again.stdout) == ("", first.stdout)
    assert first.exit_code == 1 and first.stdout.startswith(f"copy: duplicate: {SEED_IDS[0]} ")
