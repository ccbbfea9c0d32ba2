"""``python3 -m fuzz TARGET [libFuzzer options] [CORPUS_DIR ...]``: fuzz one target.

TARGET is ``read`` or ``check`` (see `fuzz.targets`). Needs atheris
(``pip install 'dedupe[fuzz]'``). Example, three minutes on the committed seeds:

    python3 -m fuzz read -max_total_time=180 /tmp/corpus-read fuzz/seeds/read
"""

from __future__ import annotations

import sys


def main() -> None:
    """Instrument dedupe, then hand the target and the options to libFuzzer."""
    if len(sys.argv) < 2 or sys.argv[1] not in ("read", "check"):
        sys.exit("usage: python3 -m fuzz {read,check} [libFuzzer options] [CORPUS_DIR ...]")
    try:
        import atheris
    except ImportError:
        sys.exit("the fuzz targets need atheris: pip install 'dedupe[fuzz]'")
    name = sys.argv.pop(1)
    # numba compiles dedupe.kernels from its bytecode, which instrumentation would
    # break: it is imported first, uninstrumented (it is array code, not input handling).
    import dedupe.kernels  # noqa: F401

    with atheris.instrument_imports(include=["dedupe", "fuzz"]):
        from fuzz.targets import TARGETS
    atheris.Setup(sys.argv, TARGETS[name])
    atheris.Fuzz()


if __name__ == "__main__":
    main()
