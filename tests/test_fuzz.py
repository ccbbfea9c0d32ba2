"""The fuzz targets (fuzz/targets.py) replay their seeds and every input a fuzz run found
a crash with (fuzz/regressions), without atheris; with atheris, a short run works."""

from __future__ import annotations

import gzip
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fuzz.targets import TARGETS, as_file

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "fuzz" / "seeds").iterdir())
REGRESSIONS = sorted((ROOT / "fuzz" / "regressions").iterdir())


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("path", SEEDS + REGRESSIONS, ids=[p.name for p in SEEDS + REGRESSIONS])
def test_every_seed_and_found_crash_passes_every_target(target: str, path: Path) -> None:
    TARGETS[target](path.read_bytes())


@pytest.mark.parametrize(("data", "name", "body"), [
    (b"", "in.jsonl", b""),
    (b"\x00{}", "in.jsonl", b"{}"),
    (b"\x01text", "in.txt", b"text"),
    (bytes([6]) + b"{}", "-", b"{}"),
    (bytes([7]) + b"{}", "in.jsonl", b"{}"),
    (bytes([3 + 7 * 18]) + b"raw", "in.jsonl.gz", b"raw"),  # from 128 on: gzip bytes as given
])
def test_the_first_byte_picks_the_input(data: bytes, name: str, body: bytes) -> None:
    assert as_file(data) == (name, body)


def test_gzip_inputs_below_128_are_compressed() -> None:
    name, body = as_file(bytes([3]) + b'{"id": 1, "text": "x"}\n')
    assert name == "in.jsonl.gz" and gzip.decompress(body) == b'{"id": 1, "text": "x"}\n'


def test_the_runner_says_how_to_call_it() -> None:
    result = subprocess.run([sys.executable, "-m", "fuzz", "nope"], capture_output=True,
                            text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 1
    assert result.stderr == ("usage: python3 -m fuzz {read,check} [libFuzzer options] "
                             "[CORPUS_DIR ...]\n")


@pytest.mark.skipif(importlib.util.find_spec("atheris") is None,
                    reason="atheris is the fuzz extra: pip install 'dedupe[fuzz]'")
def test_a_short_fuzz_run_finds_nothing(tmp_path: Path) -> None:
    corpus, crashes = tmp_path / "corpus", tmp_path / "crashes"
    corpus.mkdir()
    crashes.mkdir()
    seeds = sorted((ROOT / "fuzz" / "seeds").iterdir())
    result = subprocess.run(  # libFuzzer adds what it finds to the first directory
        [sys.executable, "-m", "fuzz", "read", "-runs=30", "-seed=1",
         f"-artifact_prefix={crashes}/", str(corpus), str(ROOT / "fuzz" / "seeds")],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Done 30 runs" in result.stderr
    assert list(crashes.iterdir()) == []
    assert sorted((ROOT / "fuzz" / "seeds").iterdir()) == seeds, "the seeds are read only"
