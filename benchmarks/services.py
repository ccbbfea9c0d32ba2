"""Servers the benchmarks and the tests start for themselves: a throwaway redis-server."""

from __future__ import annotations

import importlib.util
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    """A TCP port free on the loopback interface now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def redis_server(binary: str, workdir: Path) -> Iterator[str]:
    """A redis-server of our own on a free loopback port (no persistence, files in
    ``workdir``): its base URL, until the block ends.

    Raises:
        RuntimeError: the server exited or did not listen within 10 s.
    """
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            with socket.socket() as client:
                if client.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if server.poll() is not None:
                raise RuntimeError(f"redis-server exited with status {server.returncode}")
            time.sleep(0.05)
        else:
            raise RuntimeError(f"redis-server did not listen on port {port} in 10 s")
        yield f"redis://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def redis_missing() -> str | None:
    """Why the Redis store cannot run here, or None."""
    if shutil.which("redis-server") is None:
        return "no redis-server on PATH (apt-get install redis-server)"
    if importlib.util.find_spec("redis") is None:
        return "the redis package is not installed (pip install 'dedupe[redis]')"
    return None
