"""Checks of docs/security.md that span the package: no code reads data back as code,
and reports stay inside the chosen output directory.

(Escaping and the report's Content-Security-Policy: tests/test_report_page.py and
tests/test_report_browser.py; a hostile Redis server: tests/test_redis_store.py; hostile
input files: tests/test_read.py and the fuzz targets, tests/test_fuzz.py.)
"""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import pytest
from test_cli import run, write_jsonl

from dedupe import Article, scan
from dedupe.report import FORMATS, to_json, write_reports

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "dedupe"

#: Modules that turn bytes into objects by running code, or run code given as text.
UNSAFE_MODULES = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "cloudpickle",
                  "joblib", "jsonpickle", "yaml", "pandas"}
#: Calls that run text as code, or load arrays that may hold pickles.
UNSAFE_CALLS = {"eval", "exec", "compile", "__import__", "load", "loads", "read_pickle",
                "system", "popen", "unsafe_load", "full_load"}
#: Modules whose ``load``/``loads``/``compile`` are safe (data in, data out; a regular
#: expression is not code).
SAFE_OWNERS = {"json", "orjson", "tomllib", "re"}


def unsafe_uses(source: str) -> list[str]:
    """``line: what`` for every import of an unsafe module, call that runs text as code,
    ``load``/``loads`` not from json, and subprocess call with ``shell=True``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [
                alias.name for alias in node.names]
            found += [f"{node.lineno}: import {name}" for name in names
                      if name.split(".")[0] in UNSAFE_MODULES]
        elif isinstance(node, ast.Call):
            function = node.func
            name = function.attr if isinstance(function, ast.Attribute) else getattr(
                function, "id", "")
            owner = getattr(function, "value", None)
            owner_name = getattr(owner, "id", None)
            if name in UNSAFE_CALLS and owner_name not in SAFE_OWNERS:
                found.append(f"{node.lineno}: {ast.unparse(function)}()")
            if any(k.arg == "shell" and getattr(k.value, "value", False) for k in node.keywords):
                found.append(f"{node.lineno}: shell=True")
            if any(k.arg == "allow_pickle" for k in node.keywords):
                found.append(f"{node.lineno}: allow_pickle")
    return found


@pytest.mark.parametrize(("snippet", "expected"), [
    ("import pickle", ["1: import pickle"]),
    ("from yaml import load", ["1: import yaml"]),
    ("import numpy as np\nnp.load(path)", ["2: np.load()"]),
    ("x = eval(text)", ["1: eval()"]),
    ("exec(code)", ["1: exec()"]),
    ("import marshal", ["1: import marshal"]),
    ("subprocess.run(cmd, shell=True)", ["1: shell=True"]),
    ("numpy.frombuffer(data, allow_pickle=True)", ["1: allow_pickle"]),
    ("os.system(command)", ["1: os.system()"]),
    ("json.loads(line)", []),
    ("orjson.loads(line)", []),
    ("np.frombuffer(data, dtype=np.int64)", []),
    ("re.compile(pattern).match(text)", []),
    ("compile(source, 'x', 'exec')", ["1: compile()"]),
])
def test_the_source_scan_finds_what_it_looks_for(snippet: str, expected: list[str]) -> None:
    assert unsafe_uses(snippet) == expected


def test_no_module_reads_data_back_as_code() -> None:
    flagged = [f"{path.relative_to(ROOT)}:{finding}" for path in sorted(PACKAGE.rglob("*.py"))
               for finding in unsafe_uses(path.read_text(encoding="utf-8"))]
    assert flagged == []


def test_the_redis_scripts_take_data_only_as_arguments() -> None:
    from dedupe import redis_store

    scripts = [value for name, value in vars(redis_store).items()
               if name.startswith("_") and name.isupper() and isinstance(value, str)
               and "redis.call" in value]
    assert len(scripts) == 7
    for script in scripts:  # constant code: no string is built into a command
        assert "loadstring" not in script and "..ARGV" not in script and "..KEYS" not in script


# --- output paths ----------------------------------------------------------------------------

STORY = ("The harbour authority reported record grain shipments on Monday while farmers in "
         "the north waited for rain and bankers in the capital debated the outlook.")
HOSTILE_IDS = ["../../escaped", "/etc/passwd", "..", "a/../../b", "~/x", "C:\\x\\y", "report.html"]


def test_reports_go_only_into_the_output_directory(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    feed = write_jsonl(tmp_path / "in" / "feed.jsonl",
                       *(json.dumps({"id": i, "text": STORY, "source": i, "url": i, "title": i})
                         for i in HOSTILE_IDS))
    out = tmp_path / "deep" / "out"
    before = set(tmp_path.rglob("*"))
    result = run("scan", feed, "-o", out)
    assert result.exit_code == 0
    made = set(tmp_path.rglob("*")) - before
    assert made == {tmp_path / "deep", out, *(out / name for name in FORMATS.values())}
    again = run("report", out / "report.json", "--format", "html")
    assert again.exit_code == 0 and set(tmp_path.rglob("*")) - before == made


def test_a_link_planted_in_the_output_directory_is_replaced_not_followed(
    tmp_path: Path,
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    for name in FORMATS.values():
        (out / name).symlink_to(victim)
    report = to_json(scan([Article("a", STORY)]))
    written = write_reports(report, out, list(FORMATS))
    assert victim.read_text(encoding="utf-8") == "precious"
    for path in written:
        assert not path.is_symlink() and path.stat().st_size > 0
    assert sorted(os.listdir(out)) == sorted(FORMATS.values()), "no temporary file is left"


def test_a_report_that_cannot_be_written_names_its_path_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    (out / "report.md").mkdir(parents=True)  # a directory where the file must go
    report = to_json(scan([Article("a", STORY)]))
    with pytest.raises(OSError) as raised:
        write_reports(report, out, ["md"])
    assert raised.value.filename == str(out / "report.md")
    assert sorted(os.listdir(out)) == ["report.md"]
