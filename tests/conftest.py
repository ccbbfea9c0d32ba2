"""Shared fixtures: the seed corpus and planted Reuters corpora, scanned once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from planted import PlantedCorpus, make_planted_corpus

from dedupe import Article, ScanResult, read_inputs, scan

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
