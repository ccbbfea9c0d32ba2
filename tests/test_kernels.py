"""The compiled loops (``dedupe.kernels``) where numba finds no place for its cache."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from dedupe import kernels

SCRIPT = """
import importlib.util, sys
import numpy as np
spec = importlib.util.spec_from_file_location("kernels_copy", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
out = np.zeros(1, dtype=np.uint64)
module.chain_hashes(np.array([104, 105, 0], dtype=np.uint8), np.array([0]), np.array([2]),
                    7, out)
print(out.tolist())
"""


def test_the_compiled_loops_work_where_no_cache_can_be_written(tmp_path: Path) -> None:
    """numba refuses ``cache=True`` outright where it finds no writable cache place (a
    read-only container); the loops are then compiled in each process instead."""
    copy = tmp_path / "kernels.py"
    shutil.copy(kernels.__file__, copy)
    (tmp_path / "__pycache__").write_text("")  # no cache beside the code
    env = {**os.environ, "HOME": "/proc/no-home", "NUMBA_CACHE_DIR": "/proc/no-cache",
           "PYTHONDONTWRITEBYTECODE": "1"}
    found = subprocess.run([sys.executable, "-W", "error", "-c", SCRIPT, str(copy)], env=env,
                           capture_output=True, text=True, check=False)
    assert found.returncode == 0, found.stderr
    expected = np.zeros(1, dtype=np.uint64)
    kernels.chain_hashes(np.array([104, 105, 0], dtype=np.uint8), np.array([0]),
                         np.array([2]), 7, expected)
    assert found.stdout.strip() == str(expected.tolist())
