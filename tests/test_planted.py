"""Tests of the planted-corpus generator (tests/planted.py) and its Reuters sample."""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from datetime import date
from itertools import combinations
from pathlib import Path

import pytest
from planted import (
    KINDS,
    SAMPLE_PATH,
    PlantedCorpus,
    load_sample,
    make_planted_corpus,
    split_sentences,
)

from benchmarks.textops import word_grams

SEEDS = (0, 1, 7, 2024)

EXPECTED_KINDS = {
    "origin": 3,
    "verbatim": 2,
    "trimmed": 1,
    "light-edit": 1,
    "embedded": 1,
    "unrelated-template": 6,
    "unrelated-stock": 5,
    "unrelated": 4,
}


@pytest.fixture(scope="module", params=SEEDS)
def corpus(request: pytest.FixtureRequest) -> PlantedCorpus:
    seed: int = request.param
    return make_planted_corpus(seed)


def lines(article: dict[str, str]) -> list[str]:
    return article["text"].split("\n")


def story_lines(corpus: PlantedCorpus, article: dict[str, str]) -> list[str]:
    """The article's lines minus its site's template lines."""
    template = set(corpus.template_lines.get(article["source"], []))
    return [line for line in lines(article) if line not in template]


def only(corpus: PlantedCorpus, kind: str) -> dict[str, str]:
    (article_id,) = corpus.of_kind(kind)
    return corpus.article(article_id)


def origin_of(corpus: PlantedCorpus, article_id: str) -> dict[str, str]:
    return corpus.article(corpus.origin[corpus.family[article_id]])


# --- the Reuters sample -------------------------------------------------------


def test_sample_file_is_small_and_well_formed() -> None:
    assert SAMPLE_PATH.stat().st_size < 600_000
    rows = [json.loads(line) for line in SAMPLE_PATH.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 300
    assert len({r["id"] for r in rows}) == 300
    for row in rows:
        assert set(row) == {"id", "title", "date", "text"}
        assert re.fullmatch(r"reuters-\d+", row["id"])
        date.fromisoformat(row["date"])
        assert 150 <= len(row["text"].split()) <= 450
        paragraphs = row["text"].split("\n")
        assert len(paragraphs) >= 3
        assert all(p == p.strip() and p for p in paragraphs)
        assert "&lt;" not in row["text"] and "&amp;" not in row["text"]
        assert not row["text"].rstrip().endswith("Reuter")


def test_sample_stories_share_no_8_gram() -> None:
    seen: dict[tuple[str, ...], str] = {}
    for story in load_sample():
        for gram in word_grams("\n".join(story.paragraphs)):
            assert gram not in seen or seen[gram] == story.id, (gram, seen.get(gram), story.id)
            seen[gram] = story.id


# --- determinism and bookkeeping ------------------------------------------------


def test_deterministic_for_a_seed() -> None:
    assert make_planted_corpus(0) == make_planted_corpus(0)
    assert make_planted_corpus(3) == make_planted_corpus(3)
    assert make_planted_corpus(0).articles != make_planted_corpus(1).articles


def test_default_seed_is_zero() -> None:
    assert make_planted_corpus() == make_planted_corpus(0)


def test_article_shape_and_counts(corpus: PlantedCorpus) -> None:
    ids = [a["id"] for a in corpus.articles]
    assert len(ids) == len(set(ids)) == sum(EXPECTED_KINDS.values())
    assert set(corpus.family) == set(corpus.kind) == set(corpus.reuters_ids) == set(ids)
    assert Counter(corpus.kind.values()) == EXPECTED_KINDS
    assert set(corpus.kind.values()) <= set(KINDS)
    for article in corpus.articles:
        assert set(article) == {"id", "text", "date", "source", "title"}
        assert article["text"] and article["title"] and article["source"]
        if article["date"] is not None:
            assert date.fromisoformat(article["date"]) >= date(2024, 1, 1)


def test_every_family_has_exactly_one_origin_member(corpus: PlantedCorpus) -> None:
    assert set(corpus.origin) == set(corpus.family.values())
    for family_id, origin_id in corpus.origin.items():
        members = corpus.members(family_id)
        assert origin_id in members
        if len(members) > 1:
            assert [m for m in members if corpus.kind[m] == "origin"] == [origin_id]
        else:
            assert corpus.kind[origin_id].startswith("unrelated")
    unrelated = [i for i, k in corpus.kind.items() if k.startswith("unrelated")]
    assert all(len(corpus.members(corpus.family[i])) == 1 for i in unrelated)
    sizes = sorted(len(corpus.members(f)) for f in corpus.origin)
    assert sizes[-3:] == [2, 3, 3]  # C, then A and B


# --- planted cases ----------------------------------------------------------------


def test_verbatim_copies_contain_origin_text_exactly(corpus: PlantedCorpus) -> None:
    copies = corpus.of_kind("verbatim")
    assert len(copies) == 2
    origin = origin_of(corpus, copies[0])
    assert origin_of(corpus, copies[1]) is origin
    assert origin["source"] == "reuters.example"
    assert {corpus.article(c)["source"] for c in copies} <= set(corpus.template_lines)
    assert len({corpus.article(c)["source"] for c in copies}) == 2
    for copy_id in copies:
        copy = corpus.article(copy_id)
        assert "\n".join(story_lines(corpus, copy)) == origin["text"]
        assert all(p in lines(copy) for p in lines(origin))
        assert copy["date"] > origin["date"]


def test_trimmed_copy_is_a_prefix_of_the_origin(corpus: PlantedCorpus) -> None:
    trimmed = only(corpus, "trimmed")
    origin = origin_of(corpus, trimmed["id"])
    kept = story_lines(corpus, trimmed)
    assert len(kept) == 2
    assert kept == lines(origin)[:2]
    assert len(lines(origin)) > 2


def test_family_b_origin_is_undated_and_copies_are_dated(corpus: PlantedCorpus) -> None:
    trimmed = only(corpus, "trimmed")
    edit = only(corpus, "light-edit")
    origin = origin_of(corpus, trimmed["id"])
    assert origin_of(corpus, edit["id"]) is origin
    assert origin["date"] is None
    assert trimmed["date"] is not None and edit["date"] is not None
    assert trimmed["source"] != edit["source"]


def test_light_edit_is_close_to_but_not_the_origin(corpus: PlantedCorpus) -> None:
    edit = only(corpus, "light-edit")
    origin = origin_of(corpus, edit["id"])
    edited = "\n".join(story_lines(corpus, edit))
    assert edited != origin["text"]
    old_words, new_words = origin["text"].split(), edited.split()
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    assert matcher.ratio() > 0.85
    # One sentence dropped: the origin has a sentence the edit lacks.
    origin_sentences = [s for p in lines(origin) for s in split_sentences(p)]
    assert any(s not in edited for s in origin_sentences)
    # Word swaps and the added sentence: a few words, not a rewrite.
    added = [w for op, _, _, j1, j2 in matcher.get_opcodes() if op != "equal" for w in
             new_words[j1:j2]]
    assert 3 <= len(added) <= 20


def test_embedded_sentences_occur_in_embedder_and_origin(corpus: PlantedCorpus) -> None:
    embedder = only(corpus, "embedded")
    origin = origin_of(corpus, embedder["id"])
    assert corpus.kind[origin["id"]] == "origin"
    passage = corpus.embedded[embedder["id"]]
    assert 20 <= len(passage.split()) <= 40
    assert len(split_sentences(passage)) == 2
    assert passage in origin["text"]
    assert passage in embedder["text"]
    body = story_lines(corpus, embedder)
    position = body.index(passage)
    assert 0 < position < len(body) - 1  # in the middle, not at either end
    # Apart from the passage the embedder is a different story.
    rest = "\n".join(line for line in body if line != passage)
    assert not word_grams(rest) & word_grams(origin["text"])
    assert embedder["source"] in corpus.template_lines


def test_each_stock_sentence_is_in_three_families(corpus: PlantedCorpus) -> None:
    assert len(corpus.stock_sentences) == 5
    for sentence in corpus.stock_sentences:
        carriers = [a["id"] for a in corpus.articles if sentence in lines(a)]
        assert len(carriers) == 3
        assert len({corpus.family[c] for c in carriers}) == len(carriers)
        assert {corpus.kind[c] for c in carriers} == {"unrelated-stock"}
    for article_id in corpus.of_kind("unrelated-stock"):
        text = corpus.article(article_id)["text"]
        assert sum(s in text for s in corpus.stock_sentences) == 3


def test_template_lines_appear_in_every_article_of_their_site(corpus: PlantedCorpus) -> None:
    assert len(corpus.template_lines) == 3
    all_template_lines = [line for tl in corpus.template_lines.values() for line in tl]
    assert len(all_template_lines) == len(set(all_template_lines))  # sites differ
    for site, template in corpus.template_lines.items():
        assert len(template) == 8
        articles = [a for a in corpus.articles if a["source"] == site]
        assert sum(corpus.kind[a["id"]] == "unrelated-template" for a in articles) == 2
        for article in articles:
            text_lines = lines(article)
            assert all(line in text_lines for line in template)
            assert text_lines[0] == template[0]  # masthead on top
            assert 1 <= text_lines.count(template[1]) <= 2  # ad marker
        others = [a for a in corpus.articles if a["source"] != site]
        for article in others:
            assert not set(template) & set(lines(article))
    disclaimers = [tl[4] for tl in corpus.template_lines.values()]
    assert all(40 <= len(d.split()) <= 60 for d in disclaimers)


def test_no_reuters_story_appears_in_two_families(corpus: PlantedCorpus) -> None:
    by_family: dict[str, set[str]] = {}
    for article_id, stories in corpus.reuters_ids.items():
        by_family.setdefault(corpus.family[article_id], set()).update(stories)
    for (fa, sa), (fb, sb) in combinations(by_family.items(), 2):
        assert not sa & sb, (fa, fb, sa & sb)

    # The same, on the text: outside template lines and stock sentences, articles
    # of different families share no word 8-gram.
    boilerplate = set(corpus.stock_sentences)
    grams = {
        a["id"]: word_grams(
            "\n".join(line for line in story_lines(corpus, a) if line not in boilerplate)
        )
        for a in corpus.articles
    }
    for a, b in combinations(corpus.articles, 2):
        if corpus.family[a["id"]] != corpus.family[b["id"]]:
            assert not grams[a["id"]] & grams[b["id"]], (a["id"], b["id"])


def test_to_jsonl_round_trips(corpus: PlantedCorpus, tmp_path: Path) -> None:
    path = tmp_path / "planted.jsonl"
    corpus.to_jsonl(path)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert rows == corpus.articles
