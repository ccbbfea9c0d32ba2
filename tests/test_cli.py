"""Tests of the command line (dedupe/cli.py): exit codes, exact messages, report.json,
help texts, and that every command and option is documented in README.md."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

import dedupe
from dedupe import __version__
from dedupe.cli import cli
from dedupe.config import Config
from dedupe.report import summary, to_json
from dedupe.scan import ScanResult

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
README = (ROOT / "README.md").read_text(encoding="utf-8")
REPORT_KEYS = {"version", "params", "documents", "pairs", "boilerplate", "clusters", "skipped",
               "warnings"}
ONE_OBJECT = 'write one JSON object per line, like {"id": "a1", "text": "..."}'
MISSING = "no such file or directory; check the path"
STRICT_HINT = " (remove --strict to skip it and go on)"
STORY = (
    "The harbour authority reported record grain shipments on Monday while farmers in the "
    "north waited for rain and bankers in the capital debated the outlook for interest rates."
)


def run(*args: str | Path, stdin: str | None = None) -> Result:
    """Invoke ``dedupe ARGS`` in-process; fail on any exception but a clean exit."""
    result = CliRunner().invoke(cli, [str(a) for a in args], input=stdin, prog_name="dedupe")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"dedupe {' '.join(map(str, args))} raised") from result.exception
    return result


def report(out: Path) -> dict[str, Any]:
    """The report.json written to ``out``."""
    value: dict[str, Any] = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return value


def write_jsonl(path: Path, *lines: str) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def record(article_id: str, text: str = STORY) -> str:
    return json.dumps({"id": article_id, "text": text})


# --- scan: output and report.json -------------------------------------------------------


def test_scan_seeds_prints_summary_and_writes_report(
    tmp_path: Path, seed_result: ScanResult
) -> None:
    out = tmp_path / "out"
    result = run("scan", SEEDS, "-o", out)
    assert result.exit_code == 0
    assert result.stderr == ""
    wrote = "".join(f"wrote {out / name}\n" for name in ("report.json", "report.html", "report.md"))
    assert result.stdout == f"{summary(to_json(seed_result))}\n\n{wrote}"
    assert result.stdout.splitlines()[2].split() == ["documents", "5"]
    data = report(out)
    assert set(data) == REPORT_KEYS
    assert data["version"] == dedupe.__version__
    assert data["skipped"] == [] and data["warnings"] == []
    assert len(data["documents"]) == 5
    params = data["params"]
    assert params["fingerprint"] == Config().fingerprint
    assert params["lsh_bands"] == list(Config().lsh_bands)


def test_scan_reads_jsonl_on_stdin(tmp_path: Path) -> None:
    result = run("scan", "-", "-o", tmp_path, stdin=record("a") + "\n" + record("b") + "\n")
    assert result.exit_code == 0
    pairs = report(tmp_path)["pairs"]
    assert [(p["a"], p["b"], p["relation"]) for p in pairs] == [("a", "b", "duplicate")]


def test_quiet_prints_nothing(tmp_path: Path) -> None:
    result = run("scan", SEEDS, "-o", tmp_path, "--quiet")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert (tmp_path / "report.json").is_file()


# --- bad input: skipped, or an error with --strict --------------------------------------


def test_malformed_jsonl_line_is_skipped_and_reported(tmp_path: Path) -> None:
    feed = write_jsonl(tmp_path / "feed.jsonl", record("a"), '{"id": "b", "text": ', record("c"))
    result = run("scan", feed, "-o", tmp_path / "out")
    assert result.exit_code == 0
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"skipped {feed}:2: malformed JSON (")
    assert line.endswith(ONE_OBJECT)
    assert result.stdout.endswith("\n1 input(s) skipped: listed above and in the report\n")
    data = report(tmp_path / "out")
    assert data["skipped"] == [{"where": f"{feed}:2", "reason": line.split(": ", 1)[1]}]
    assert [d["id"] for d in data["documents"]] == ["a", "c"]


def test_strict_stops_at_malformed_line_with_one_error_line(tmp_path: Path) -> None:
    feed = write_jsonl(tmp_path / "feed.jsonl", record("a"), '{"id": "b", "text": ', record("c"))
    result = run("scan", feed, "-o", tmp_path / "out", "--strict")
    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: {feed}:2: malformed JSON (")
    assert line.endswith(f"{ONE_OBJECT}{STRICT_HINT}")
    assert not (tmp_path / "out").exists()


def test_strict_names_a_line_that_is_not_an_object(tmp_path: Path) -> None:
    feed = write_jsonl(tmp_path / "feed.jsonl", record("a"), "[1, 2]")
    result = run("scan", feed, "-o", tmp_path / "out", "--strict")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {feed}:2: the line is an array, not an object; {ONE_OBJECT}{STRICT_HINT}\n"
    )


def test_missing_input_is_a_skip(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dir"
    result = run("scan", missing, "-o", tmp_path / "out")
    assert result.exit_code == 0
    assert result.stderr == f"skipped {missing}: {MISSING}\n"
    data = report(tmp_path / "out")
    assert data["skipped"] == [{"where": str(missing), "reason": MISSING}]
    assert data["documents"] == []


def test_missing_input_is_an_error_with_strict(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dir"
    result = run("scan", SEEDS, missing, "-o", tmp_path / "out", "--strict")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {missing}: {MISSING}{STRICT_HINT}\n"
    assert not (tmp_path / "out").exists()


TWO_FAMILIES = (
    "template_min_families and stock_min_families must be at least 2: "
    "a line in one family only is that family's own text"
)
BAD_SETTINGS = [
    (["--near-duplicate", "1.5"], "near_duplicate must be in [0.0, 1.0], got 1.5"),
    (["--cluster-max-distance", "-0.1"], "cluster_max_distance must be in [0.0, 1.0], got -0.1"),
    (["--shingle-size", "0"], "shingle_size must be a positive integer"),
    (["--template-min-families", "1"], TWO_FAMILIES),
    (["--num-perm", "many"], "Invalid value for '--num-perm': 'many' is not a valid integer."),
]


@pytest.mark.parametrize(("args", "message"), BAD_SETTINGS, ids=[a[0] for a, _ in BAD_SETTINGS])
def test_bad_setting_is_a_usage_error(tmp_path: Path, args: list[str], message: str) -> None:
    result = run("scan", SEEDS, "-o", tmp_path / "out", *args)
    assert result.exit_code == 2
    assert result.stderr == (
        "Usage: dedupe scan [OPTIONS] INPUTS...\n"
        "Try 'dedupe scan --help' for help.\n\n"
        f"Error: {message}\n"
    )
    assert not (tmp_path / "out").exists()


BAD_SIZES = ["0", "-5MB", "1x", "MB", "lots", "nan", "inf", "1e400GB", ""]


@pytest.mark.parametrize("size", BAD_SIZES)
def test_a_bad_record_size_is_a_usage_error(tmp_path: Path, size: str) -> None:
    result = run("scan", SEEDS, "-o", tmp_path / "out", "--max-record-size", size)
    assert result.exit_code == 2
    assert result.stderr.endswith(
        f"Error: Invalid value for '--max-record-size': {size!r} is not a size; give bytes "
        "like 16MB, 500kB or 4096\n")


@pytest.mark.parametrize(("size", "limit"), [("150", "150 bytes"), ("0.15kB", "150 bytes"),
                                             ("1k", "1.0 kB")])
def test_a_line_over_the_record_size_is_skipped_and_the_rest_scanned(
    tmp_path: Path, size: str, limit: str,
) -> None:
    long_line = record("long", STORY * 10)
    feed = write_jsonl(tmp_path / "feed.jsonl", record("a", "Short one."), long_line,
                       record("c", "Short two."))
    result = run("scan", feed, "-o", tmp_path / "out", "--max-record-size", size)
    assert result.exit_code == 0
    assert result.stderr == (
        f"skipped {feed}:2: the line is {len(long_line) / 1000:.1f} kB, over the {limit} limit "
        "per record; split it, or raise the limit with --max-record-size\n")
    assert [d["id"] for d in report(tmp_path / "out")["documents"]] == ["a", "c"]
    with_room = run("scan", feed, "-o", tmp_path / "all", "--max-record-size", "2kB")
    assert with_room.stderr == ""
    assert [d["id"] for d in report(tmp_path / "all")["documents"]] == ["a", "long", "c"]


# --- determinism -------------------------------------------------------------------------


def test_report_is_byte_identical_across_runs_and_hash_seeds(tmp_path: Path) -> None:
    outputs = []
    for k in range(2):
        assert run("scan", SEEDS, "-o", tmp_path / f"in-process-{k}", "-q").exit_code == 0
        outputs.append(tmp_path / f"in-process-{k}")
    for seed in ("0", "31337"):
        out = tmp_path / f"hash-seed-{seed}"
        subprocess.run(
            [sys.executable, "-m", "dedupe", "scan", str(SEEDS), "-o", str(out), "-q"],
            check=True, env={**os.environ, "PYTHONHASHSEED": seed}, cwd=tmp_path,
            stdin=subprocess.DEVNULL,
        )
        outputs.append(out)
    for name in ("report.json", "report.html", "report.md"):
        first = (outputs[0] / name).read_bytes()
        for out in outputs[1:]:
            assert (out / name).read_bytes() == first, f"{out.name}/{name} differs"


def test_committed_seed_reports_are_what_the_readme_command_writes(tmp_path: Path) -> None:
    assert run("scan", SEEDS, "-o", tmp_path, "-q").exit_code == 0
    for name in ("report.json", "report.html", "report.md"):
        assert (tmp_path / name).read_bytes() == (ROOT / "reports" / name).read_bytes(), (
            f"reports/{name} is stale: run `dedupe scan seeds/` and commit it")


# --- report: render from a saved report.json ------------------------------------------------


def test_report_renders_the_same_bytes_as_the_scan(tmp_path: Path) -> None:
    scanned = tmp_path / "scanned"
    assert run("scan", SEEDS, "-o", scanned, "-q").exit_code == 0
    again = tmp_path / "again"
    result = run("report", scanned / "report.json", "-o", again)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {again / 'report.html'}\nwrote {again / 'report.md'}\n"
    for name in ("report.html", "report.md"):
        assert (again / name).read_bytes() == (scanned / name).read_bytes(), name
    assert not (again / "report.json").exists()


def test_report_writes_next_to_the_json_by_default(tmp_path: Path) -> None:
    assert run("scan", SEEDS, "-o", tmp_path, "-q", "--format", "json").exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    result = run("report", tmp_path / "report.json", "-f", "md")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "report.md"]


@pytest.mark.parametrize(
    ("formats", "written"),
    [
        ((), ["report.html", "report.json", "report.md"]),
        (("-f", "html"), ["report.html"]),
        (("--format", "md", "--format", "json"), ["report.json", "report.md"]),
    ],
)
def test_scan_format_picks_the_reports(tmp_path: Path, formats: tuple[str, ...],
                                       written: list[str]) -> None:
    assert run("scan", SEEDS, "-o", tmp_path, "-q", *formats).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == written


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{oops", ":1: not valid JSON (Expecting property name enclosed in double quotes); "
                  "give the report.json that dedupe scan wrote"),
        ('{"documents": []}', ": not a dedupe report: top level: 'version' is a required "
                              "property; make one with dedupe scan (this is dedupe "
                              f"{__version__})"),
        (None, ": cannot read it (No such file or directory); check the path, or give the "
               "report.json that dedupe scan wrote"),
    ],
)
def test_report_of_a_bad_file_is_one_error_line(tmp_path: Path, content: str | None,
                                                 message: str) -> None:
    path = tmp_path / "report.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = run("report", path)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}{message}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ([] if content is None
                                                          else ["report.json"])


def test_scan_to_an_unwritable_place_is_one_error_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = run("scan", SEEDS, "-o", blocker / "sub", "-q")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "cannot write the report" in result.stderr and "-o" in result.stderr


# --- entry points --------------------------------------------------------------------------


def console_script() -> str:
    """Path of the installed ``dedupe`` console script for this interpreter."""
    beside = Path(sysconfig.get_path("scripts")) / "dedupe"
    found = str(beside) if beside.is_file() else shutil.which("dedupe")
    assert found, "no dedupe console script; install the package: pip install -e '.[test]'"
    return found


@pytest.mark.parametrize("how", ["python -m dedupe", "console script"])
def test_version_from_a_real_process(how: str) -> None:
    command = [sys.executable, "-m", "dedupe"] if how == "python -m dedupe" else [console_script()]
    done = subprocess.run([*command, "--version"], capture_output=True, text=True, check=True,
                          stdin=subprocess.DEVNULL)
    assert done.stdout == f"dedupe, version {dedupe.__version__}\n"
    assert done.stderr == ""


# --- help and documentation ------------------------------------------------------------


def walk(group: click.Group, path: tuple[str, ...] = ("dedupe",)) -> Iterator[
        tuple[str, click.Command]]:
    """Every subcommand of ``group`` (recursively) with its full name, e.g. ``dedupe scan``."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        yield " ".join((*path, name)), command
        if isinstance(command, click.Group):
            yield from walk(command, (*path, name))


COMMANDS = list(walk(cli))


def test_group_has_help_and_commands() -> None:
    assert cli.help and cli.help.strip()
    assert COMMANDS, "the dedupe group has no commands"


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_has_help_with_example_and_is_in_readme(
    name: str, command: click.Command
) -> None:
    assert command.help and command.help.strip(), f"{name} has no docstring"
    result = run(*name.split()[1:], "--help")
    assert result.exit_code == 0
    assert "Example:" in result.stdout, f"{name} --help has no Example"
    assert f"`{name}" in README, f"README.md does not mention `{name}`"


def scan_options() -> dict[str, click.Option]:
    return {p.name: p for p in cli.commands["scan"].params
            if isinstance(p, click.Option) and p.name}


@pytest.mark.parametrize(("name", "kind", "default", "help_text"), Config.settings(),
                         ids=[s[0] for s in Config.settings()])
def test_every_setting_is_an_option_and_in_readme(
    name: str, kind: type, default: object, help_text: str
) -> None:
    option = scan_options().get(name)
    assert option is not None, f"no --{name.replace('_', '-')} option for setting {name}"
    assert option.opts == ["--" + name.replace("_", "-")]
    assert (option.default, option.help) == (default, help_text)
    assert option.type.name == {int: "integer", float: "float"}[kind]
    assert f"`{option.opts[0]}`" in README, f"README.md does not document {option.opts[0]}"


def option_rows() -> list[str]:
    """The README's options table as the code defines it: option, default, meaning."""
    rows = []
    for option in scan_options().values():
        names = ", ".join(f"`{o}`" for o in option.opts)
        if option.is_flag:
            default = "off"
        elif isinstance(option.default, tuple):
            default = ", ".join(f"`{value}`" for value in option.default)
        else:
            default = f"`{option.default}`"
        rows.append(f"| {names} | {default} | {option.help} |")
    return rows


def test_readme_options_table_matches_the_code() -> None:
    rows = option_rows()
    documented = set(README.splitlines())
    missing = [row for row in rows if row not in documented]
    table = "\n".join(["| Option | Default | Meaning |", "| --- | --- | --- |", *rows])
    assert not missing, f"README.md options table is out of date; it should read:\n{table}"


def test_readme_shows_the_real_seed_scan_output(seed_result: ScanResult) -> None:
    marker = "`dedupe scan seeds/` prints:\n\n```text\n"
    start = README.index(marker) + len(marker)
    shown = README[start : README.index("\n```", start)]
    expected = summary(to_json(seed_result))
    wrote = "\n".join(f"wrote reports/{name}"
                      for name in ("report.json", "report.html", "report.md"))
    assert shown == f"{expected}\n\n{wrote}", (
        f"README.md's seed walk-through is out of date; the scan now prints:\n{expected}"
    )
