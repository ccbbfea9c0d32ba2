"""The MinHash-LSH and passim-style baselines in ``benchmarks/baselines.py``."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from benchmarks.baselines import (
    MINHASH_PRESETS,
    minhash_components,
    rare_ngram_components,
)
from dedupe import Article

SAMPLE = Path(__file__).resolve().parent / "data" / "reuters_sample.jsonl"

BOILERPLATE = (
    "Subscribers can read the full statement, including the tables and footnotes "
    "that accompany it, on the investor relations pages of the company website."
)


@pytest.fixture(scope="module")
def stories() -> list[Article]:
    """The first eight Reuters sample stories (mutually unrelated)."""
    with SAMPLE.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line, _ in zip(handle, range(8), strict=False)]
    return [Article(id=row["id"], text=row["text"]) for row in rows]


def trimmed(text: str, keep: float = 0.8) -> str:
    """The first ``keep`` share of the words of ``text``."""
    words = text.split(" ")
    return " ".join(words[: int(len(words) * keep)])


def together(clusters: list[list[str]], *ids: str) -> bool:
    """Whether all ``ids`` are in one cluster."""
    return any(set(ids) <= set(cluster) for cluster in clusters)


def assert_partition(clusters: list[list[str]], articles: list[Article]) -> None:
    """Every article exactly once, members sorted, clusters sorted by first member."""
    flat = [article_id for cluster in clusters for article_id in cluster]
    assert sorted(flat) == sorted(article.id for article in articles)
    assert len(flat) == len(set(flat))
    assert all(cluster == sorted(cluster) for cluster in clusters)
    assert [cluster[0] for cluster in clusters] == sorted(cluster[0] for cluster in clusters)


# ------------------------------------------------------------------------- MinHash


def test_presets_cover_two_thresholds_and_datatrove_bands() -> None:
    assert MINHASH_PRESETS["text-dedup@0.5"]["threshold"] == 0.5
    assert MINHASH_PRESETS["text-dedup@0.8"]["threshold"] == 0.8
    datatrove = MINHASH_PRESETS["datatrove-14x8"]
    assert datatrove["bands"] == (14, 8) and datatrove["num_perm"] == 14 * 8


@pytest.mark.parametrize("preset", sorted(MINHASH_PRESETS))
def test_verbatim_copy_joins_its_original(stories: list[Article], preset: str) -> None:
    original = stories[0]
    copy = Article(id="copy", text=original.text)
    articles = [*stories, copy]
    clusters = minhash_components(articles, **MINHASH_PRESETS[preset])
    assert together(clusters, original.id, "copy")
    assert_partition(clusters, articles)
    # The unrelated stories stay apart.
    assert sum(len(cluster) > 1 for cluster in clusters) == 1


def test_trimmed_copy_links_at_low_thresholds_only(stories: list[Article]) -> None:
    # Keeping 80% of the words leaves a Jaccard similarity of about 0.78-0.81 between
    # the 5-gram sets: well above 0.5, well below 0.9.
    thresholds = [0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]
    for story in stories:
        pair = [story, Article(id="trimmed", text=trimmed(story.text))]
        linked = [len(minhash_components(pair, threshold=t)) == 1 for t in thresholds]
        assert linked[thresholds.index(0.5)], story.id
        assert not linked[thresholds.index(0.9)], story.id
        # Monotonic: once a threshold is too high to link, every higher one is too.
        assert linked == sorted(linked, reverse=True), (story.id, linked)


def test_unrelated_stories_stay_apart(stories: list[Article]) -> None:
    for threshold in (0.3, 0.5, 0.8):
        clusters = minhash_components(stories, threshold=threshold)
        assert clusters == [[story.id] for story in sorted(stories, key=lambda s: s.id)]


def test_datatrove_normalisation_ignores_case_digits_and_punctuation(
    stories: list[Article],
) -> None:
    original = stories[1]
    variant = Article(
        id="variant",
        text=original.text.upper().replace(",", "").replace(".", " . ").replace("1", "7"),
    )
    pair = [original, variant]
    assert len(minhash_components(pair, **MINHASH_PRESETS["datatrove-14x8"])) == 1
    # text-dedup keeps digits and splits on every punctuation mark: not a duplicate.
    assert len(minhash_components(pair, threshold=0.8)) == 2


def test_short_documents_get_no_signature() -> None:
    articles = [Article(id=f"short-{i}", text="Shares up.") for i in range(3)]
    assert minhash_components(articles, threshold=0.5) == [[a.id] for a in articles]
    dt = MINHASH_PRESETS["datatrove-14x8"]
    assert minhash_components(articles, **dt) == [[a.id] for a in articles]


def test_bands_must_fit_the_permutations(stories: list[Article]) -> None:
    with pytest.raises(ValueError, match="do not fit"):
        minhash_components(stories, threshold=0.5, num_perm=64, bands=(14, 8))


# ------------------------------------------------------------------- rare n-grams


def test_shared_passage_links_two_documents(stories: list[Article]) -> None:
    source, host, other = stories[2], stories[3], stories[4]
    passage = " ".join(source.text.split()[:30])
    quoting = Article(id="quoting", text=f"{host.text}\nAs reported earlier: {passage}")
    articles = [source, quoting, other]
    clusters = rare_ngram_components(articles)
    assert clusters == sorted([sorted([source.id, "quoting"]), [other.id]])
    # The host story alone shares nothing with the source.
    assert len(rare_ngram_components([source, host])) == 2


def test_ngrams_above_max_df_never_link(stories: list[Article]) -> None:
    articles = [Article(id=story.id, text=f"{story.text}\n{BOILERPLATE}") for story in stories[:4]]
    # Four documents share the boilerplate: its n-grams have document frequency 4.
    assert rare_ngram_components(articles, max_df=3) == [[a.id] for a in articles]
    assert rare_ngram_components(articles, max_df=4) == [sorted(a.id for a in articles)]


def test_min_match_counts_shared_rare_ngrams(stories: list[Article]) -> None:
    source, host = stories[5], stories[6]
    words = source.text.split()
    # Six shared words make two shared 5-grams: below min_match=5, above min_match=2.
    quoting = Article(id="quoting", text=f"{host.text}\n{' '.join(words[:6])}")
    assert len(rare_ngram_components([source, quoting])) == 2
    assert len(rare_ngram_components([source, quoting], min_match=2)) == 1


def test_shared_ngrams_must_come_in_the_same_order(stories: list[Article]) -> None:
    # Five separate 5-word chunks of one story, quoted in reverse order: five shared
    # 5-grams, but no two of them in the same order on both sides.
    words = stories[7].text.split()
    chunks = [" ".join(words[10 * k : 10 * k + 5]) for k in range(5)]
    forward = Article(id="forward", text=" | ".join(chunks))
    backward = Article(id="backward", text=" | ".join(reversed(chunks)))
    assert len(rare_ngram_components([forward, backward])) == 2
    assert len(rare_ngram_components([forward, backward], ordered=False)) == 1


def test_unrelated_stories_share_no_rare_ngrams(stories: list[Article]) -> None:
    clusters = rare_ngram_components(stories)
    assert clusters == [[story.id] for story in sorted(stories, key=lambda s: s.id)]


# ------------------------------------------------------------------------- both


def mixed_corpus(stories: list[Article]) -> list[Article]:
    """Stories plus verbatim, trimmed, quoting and boilerplate-carrying copies."""
    passage = " ".join(stories[2].text.split()[:40])
    return [
        *stories,
        Article(id="z-copy", text=stories[0].text),
        Article(id="y-trim", text=trimmed(stories[1].text, 0.9)),
        Article(id="x-quote", text=f"{stories[3].text}\n{passage}"),
        Article(id="w-boiler", text=f"{stories[4].text}\n{BOILERPLATE}"),
        Article(id="v-boiler", text=f"{stories[5].text}\n{BOILERPLATE}"),
    ]


def run_all(articles: list[Article]) -> list[list[list[str]]]:
    return [minhash_components(articles, **kw) for kw in MINHASH_PRESETS.values()] + [
        rare_ngram_components(articles),
        rare_ngram_components(articles, ordered=False),
    ]


def test_every_article_exactly_once_and_deterministic(stories: list[Article]) -> None:
    articles = mixed_corpus(stories)
    first = run_all(articles)
    for clusters in first:
        assert_partition(clusters, articles)
    assert run_all(articles) == first
    shuffled = list(articles)
    random.Random(7).shuffle(shuffled)
    assert run_all(shuffled) == first
    minhash_05, passim = first[0], first[len(MINHASH_PRESETS)]
    assert together(minhash_05, stories[0].id, "z-copy")
    assert together(minhash_05, stories[1].id, "y-trim")
    assert together(passim, stories[2].id, "x-quote")
    assert together(passim, "w-boiler", "v-boiler")


def test_empty_and_duplicate_inputs() -> None:
    assert minhash_components([], threshold=0.5) == []
    assert rare_ngram_components([]) == []
    twice = [Article(id="a", text="one two three"), Article(id="a", text="four five six")]
    with pytest.raises(ValueError, match="duplicate"):
        minhash_components(twice, threshold=0.5)
    with pytest.raises(ValueError, match="duplicate"):
        rare_ngram_components(twice)
