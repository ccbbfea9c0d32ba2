"""Shared fixtures: the seed corpus and planted Reuters corpora, scanned once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings
from planted import PlantedCorpus, make_planted_corpus

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
