"""Shared fixtures: the seed corpus and planted Reuters corpora, scanned once per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from planted import PlantedCorpus, make_planted_corpus

from benchmarks.services import redis_server as start_redis
from dedupe import Article, ScanResult, read_inputs, scan

# Property tests are judged on what they find, not on how fast: on a loaded 2-core CI
# machine hypothesis's default 200 ms deadline fails correct code.
settings.register_profile("dedupe", deadline=None)
settings.load_profile("dedupe")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def as_articles(corpus: PlantedCorpus) -> list[Article]:
    """The planted corpus as Article records."""
    return [
        Article(id=a["id"], text=a["text"], date=a["date"], source=a["source"], title=a["title"])
        for a in corpus.articles
    ]


@pytest.fixture(scope="session")
def seed_result() -> ScanResult:
    corpus = read_inputs([SEEDS])
    assert len(corpus.articles) == 5 and not corpus.skipped
    return scan(corpus.articles)


@pytest.fixture(scope="session", params=[0, 1, 2])
def planted(request: pytest.FixtureRequest) -> tuple[PlantedCorpus, ScanResult]:
    corpus = make_planted_corpus(request.param)
    return corpus, scan(as_articles(corpus))


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of the tests' own on a free loopback port: its base URL.

    Skipped where there is no redis-server, unless ``DEDUPE_REQUIRE_REDIS=1`` (as in
    CI), which makes that a failure.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        reason = "no redis-server (apt-get install redis-server)"
        if os.environ.get("DEDUPE_REQUIRE_REDIS") == "1":
            pytest.fail(f"DEDUPE_REQUIRE_REDIS=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    with start_redis(binary, tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session (``local[2]``, 2 shuffle partitions) for every Spark test:
    starting one takes seconds.

    Skipped where pyspark or Java is missing, unless ``DEDUPE_REQUIRE_SPARK=1`` (as in
    CI), which makes that a failure.
    """
    reason = None
    try:
        import pyspark  # noqa: F401
    except ImportError:
        reason = "no pyspark (pip install 'dedupe[spark]')"
    if reason is None and shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        reason = "no Java for Spark (apt-get install openjdk-17-jre-headless)"
    if reason is not None:
        if os.environ.get("DEDUPE_REQUIRE_SPARK") == "1":
            pytest.fail(f"DEDUPE_REQUIRE_SPARK=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    from dedupe.spark import session

    spark = session("local[2]", partitions=2)
    yield spark
    spark.stop()


@pytest.fixture(params=["sqlite", "redis"])
def index_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty index location: a SQLite file, or a flushed Redis database."""
    if request.param == "sqlite":
        return str(tmp_path / "index.sqlite")
    import redis

    url = f"{request.getfixturevalue('redis_server')}/0"
    with redis.Redis.from_url(url) as client:
        client.flushdb()
    return url
