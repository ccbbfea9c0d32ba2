"""Tests of the labelled benchmark generator (benchmarks/generate.py) on the Reuters sample."""

from __future__ import annotations

import difflib
import html
import json
import random
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from benchmarks.generate import (
    KINDS,
    PROFILES,
    SAMPLE_PATH,
    UNRELATED_KINDS,
    Benchmark,
    Profile,
    deal,
    generate,
    load_pool,
    main,
)
from benchmarks.textops import (
    ADDED_SENTENCES,
    Story,
    light_edit,
    normalise_words,
    split_sentences,
    story_sentences,
    word_grams,
)

SEEDS = (0, 1, 5)
FAMILIES, UNRELATED = 12, 20
FARM_KINDS = ("rewrite", "unrelated-farm")
Row = dict[str, Any]


@pytest.fixture(scope="module")
def pool() -> list[Story]:
    return load_pool(SAMPLE_PATH)


@pytest.fixture(
    scope="module",
    params=[(seed, profile) for seed in SEEDS for profile in PROFILES],
    ids=lambda p: f"{p[1]}-{p[0]}",
)
def bench(request: pytest.FixtureRequest, pool: list[Story]) -> Benchmark:
    seed, profile = request.param
    return small(pool, seed, profile)


def small(pool: list[Story], seed: int, profile: str = "calibration") -> Benchmark:
    return generate(pool, families=FAMILIES, unrelated=UNRELATED, seed=seed, profile=profile)


def rows(bench: Benchmark) -> list[tuple[Row, Row]]:
    return list(zip(bench.articles, bench.truth, strict=True))


def lines(article: Row) -> list[str]:
    return str(article["text"]).split("\n")


def body(article: Row, truth: Row) -> list[str]:
    """The article's lines minus its template lines."""
    left: Counter[str] = Counter(truth["template_lines"])
    kept = []
    for line in lines(article):
        if left[line]:
            left[line] -= 1
        else:
            kept.append(line)
    return kept


def fold(line: str) -> str:
    return re.sub(r"\d", "0", line)


def words(text: str) -> str:
    return " " + " ".join(normalise_words(text)) + " "


def origin_of(bench: Benchmark, truth: Row) -> Row:
    return next(a for a in bench.articles if a["id"] == truth["origin"])


def of_kind(bench: Benchmark, kind: str) -> list[tuple[Row, Row]]:
    return [(a, t) for a, t in rows(bench) if t["kind"] == kind]


def profile_of(bench: Benchmark) -> Profile:
    return PROFILES[bench.profile]


# --- determinism and bookkeeping ------------------------------------------------------


def test_same_arguments_give_the_same_bytes(pool: list[Story], tmp_path: Path) -> None:
    before = list(pool)
    for name in ("a", "b"):
        small(pool, 3, "holdout").write(tmp_path / name)
    assert pool == before  # the pool is not touched
    for name in ("corpus.jsonl", "truth.jsonl"):
        data = (tmp_path / "a" / name).read_bytes()
        assert data == (tmp_path / "b" / name).read_bytes()
        assert data.endswith(b"\n") and b"\r" not in data


def test_different_seeds_differ(pool: list[Story]) -> None:
    one, two = (small(pool, s) for s in (0, 1))
    assert one.articles != two.articles
    assert {a["text"] for a in one.articles} != {a["text"] for a in two.articles}


def test_write_round_trips(bench: Benchmark, tmp_path: Path) -> None:
    bench.write(tmp_path)
    for name, expected in (("corpus.jsonl", bench.articles), ("truth.jsonl", bench.truth)):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert [json.loads(line) for line in text.splitlines()] == expected


def test_truth_rows_match_articles(bench: Benchmark) -> None:
    assert [a["id"] for a in bench.articles] == [t["id"] for t in bench.truth]
    assert len({a["id"] for a in bench.articles}) == len(bench.articles)
    for article, truth in rows(bench):
        assert set(article) == {"id", "text", "date", "source", "title"}
        assert set(truth) == {"id", "group", "origin", "kind", "template_lines"}
        assert re.fullmatch(r"doc-[0-9a-f]{6}", article["id"])
        assert article["text"] and article["title"] and article["source"]
        assert truth["kind"] in KINDS
    counts = bench.counts()
    assert counts["origin"] == FAMILIES
    assert [counts[k] for k in UNRELATED_KINDS] == [UNRELATED // 4] * 4


def test_article_order_is_not_by_role(bench: Benchmark) -> None:
    kinds = [t["kind"] for t in bench.truth]
    assert kinds != sorted(kinds, key=KINDS.index)
    ids = [a["id"] for a in bench.articles]
    assert ids != sorted(ids)


def test_each_group_has_exactly_one_origin(bench: Benchmark) -> None:
    groups: dict[str, list[Row]] = defaultdict(list)
    for truth in bench.truth:
        groups[truth["group"]].append(truth)
    for group, members in groups.items():
        heads = [t for t in members if t["kind"] == "origin" or t["kind"] in UNRELATED_KINDS]
        assert len(heads) == 1, group
        (head,) = heads
        assert head["origin"] == head["id"]
        assert all(t["origin"] == head["id"] for t in members)
        if head["kind"] == "origin":
            assert group.startswith("g") and 2 <= len(members) <= 8
        else:
            assert group.startswith("u") and len(members) == 1


# --- templates ------------------------------------------------------------------------


def test_template_lines_are_lines_that_recur_on_their_site(bench: Benchmark) -> None:
    carriers: dict[tuple[str, str], set[str]] = defaultdict(set)
    for article, truth in rows(bench):
        template: Counter[str] = Counter(truth["template_lines"])
        assert not template - Counter(lines(article))
        for line in truth["template_lines"]:
            carriers[article["source"], fold(line)].add(article["id"])
    for (site, line), ids in carriers.items():
        assert len(ids) >= 2, (site, line)


def test_templates_are_worn_by_site_and_farm_articles_only(bench: Benchmark) -> None:
    profile = profile_of(bench)
    plain = set(profile.wire_sources) | set(profile.plain_sources)
    for article, truth in rows(bench):
        if truth["kind"] in ("origin", "unrelated", "unrelated-stock"):
            assert article["source"] in plain and not truth["template_lines"]
        else:
            assert article["source"] not in plain
            # masthead, dateline, ad, share, newsletter, footer, disclaimer, related
            assert len(truth["template_lines"]) >= 7 + profile.news.related_count
    disclaimers = {line for t in bench.truth for line in t["template_lines"]
                   if len(line.split()) >= 30}
    assert disclaimers and all(40 <= len(d.split()) <= 80 for d in disclaimers)


def test_sites_at_small_size() -> None:
    sites: Counter[tuple[str, str]] = Counter()
    bench = generate(load_pool(SAMPLE_PATH), families=40, unrelated=60, seed=2)
    for article, truth in rows(bench):
        if truth["template_lines"]:
            sites["farm" if truth["kind"] in FARM_KINDS else "news", article["source"]] += 1
    news = [s for kind, s in sites if kind == "news"]
    farms = [s for kind, s in sites if kind == "farm"]
    assert len(news) == 8 and len(farms) == 3
    assert min(sites.values()) >= 2


def test_related_lines_vary_between_articles_of_a_site(pool: list[Story]) -> None:
    bench = generate(pool, families=40, unrelated=60, seed=2)
    prefixes = PROFILES["calibration"].news.related_prefixes
    blocks: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for article, truth in rows(bench):
        related = tuple(x for x in truth["template_lines"] if x.startswith(prefixes))
        if related:
            assert len(related) == 3
            blocks[article["source"]].add(related)
    assert sum(len(b) > 1 for b in blocks.values()) >= len(blocks) // 2


# --- planted derivations ---------------------------------------------------------------


def test_verbatim_copies_hold_every_origin_paragraph_in_order(bench: Benchmark) -> None:
    for article, truth in of_kind(bench, "verbatim"):
        origin = origin_of(bench, truth)
        assert body(article, truth) == lines(origin)
        assert article["source"] != origin["source"]


def test_trimmed_copies_are_a_proper_prefix(bench: Benchmark) -> None:
    for article, truth in of_kind(bench, "trimmed"):
        kept, whole = body(article, truth), lines(origin_of(bench, truth))
        assert 1 <= len(kept) <= 2 < len(whole)
        assert kept == whole[: len(kept)]


def test_light_edits_are_close_but_not_equal(bench: Benchmark) -> None:
    for article, truth in of_kind(bench, "light-edit"):
        old = lines(origin_of(bench, truth))
        new = body(article, truth)
        assert new != old and len(new) == len(old)
        ratio = difflib.SequenceMatcher(a=" ".join(old).split(), b=" ".join(new).split(),
                                        autojunk=False).ratio()
        assert ratio > 0.8
        assert sum(s in " ".join(new) for s in ADDED_SENTENCES) >= 1


def test_embedded_passage_is_in_origin_and_host(bench: Benchmark) -> None:
    for article, truth in of_kind(bench, "embedded"):
        origin = origin_of(bench, truth)
        text = body(article, truth)
        found = [i for i, line in enumerate(text) if line in origin["text"]]
        assert len(found) == 1
        passage = text[found[0]]
        assert 20 <= len(passage.split()) <= 40 and len(split_sentences(passage)) >= 2
        assert 0 < found[0] < len(text) - 1  # inside the host story
        rest = "\n".join(line for line in text if line != passage)
        assert not word_grams(rest) & word_grams(origin["text"])
        assert article["title"] != origin["title"]


def test_rewrites_keep_fragments_of_the_origin(bench: Benchmark) -> None:
    profile = profile_of(bench)
    lead_in = re.compile("|".join(re.escape(x) for x in profile.lead_ins))
    for article, truth in of_kind(bench, "rewrite"):
        origin = origin_of(bench, truth)
        text = words("\n".join(body(article, truth)))
        sentences = story_sentences(Story("", "", "", tuple(lines(origin))))
        whole = [s for s in sentences if words(s) in text]
        # The ten words after each lead-in: the shortest fragment the farm keeps.
        fragments = [" ".join(article["text"][m.end() :].split()[:10])
                     for m in lead_in.finditer(article["text"])]
        assert fragments and all(words(f) in words(origin["text"]) for f in fragments)
        assert sum(len(s.split()) >= 10 for s in whole) + len(fragments) >= 2
        kept = [s for s in sentences if s in whole or any(words(f) in words(s) for f in fragments)]
        assert 0.35 <= len(kept) / len(sentences) <= 0.75


def test_family_rewrites_share_one_distinctive_heading(bench: Benchmark) -> None:
    generic = set(profile_of(bench).farm_headings)
    titles: dict[str, set[str]] = defaultdict(set)
    for article, truth in of_kind(bench, "rewrite"):
        assert set(lines(article)) & generic
        assert article["title"] in body(article, truth) and article["title"] not in generic
        titles[truth["group"]].add(article["title"])
    assert titles
    carriers = Counter(line for a, t in rows(bench) for line in set(body(a, t)))
    kinds = Counter(t["group"] for t in bench.truth if t["kind"] == "rewrite")
    for group, heading in titles.items():
        assert len(heading) == 1, group  # one heading for all the family's rewrites
        assert carriers[heading.pop()] == kinds[group]  # and in no other article
    assert max(kinds.values()) >= 2


def test_stock_sentences_are_carried_by_several_unrelated_articles(bench: Benchmark) -> None:
    stock = profile_of(bench).stock_sentences
    used = 0
    for sentence in stock:
        carriers = [t for a, t in rows(bench) if sentence in a["text"]]
        if carriers:
            used += 1
            assert sum(t["kind"] in UNRELATED_KINDS for t in carriers) >= 3, sentence
    assert used >= 3


def test_groups_share_no_8_gram_outside_boilerplate(bench: Benchmark) -> None:
    profile = profile_of(bench)
    headings = set(profile.farm_headings)
    phrases = [*profile.stock_sentences, *profile.lead_ins, *ADDED_SENTENCES]
    groups_of: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for article, truth in rows(bench):
        for line in body(article, truth):
            if line in headings:
                continue
            for phrase in phrases:
                line = line.replace(phrase, "\n")
            # Per line: an 8-gram running from a heading into the next paragraph is no text
            # the two articles share.
            for gram in word_grams(line):
                groups_of[gram].add(truth["group"])
    shared = {gram: groups for gram, groups in groups_of.items() if len(groups) > 1}
    assert not shared, list(shared.items())[:3]


def test_profiles_share_no_template_line_stock_sentence_or_heading(pool: list[Story]) -> None:
    seen: dict[str, set[str]] = {}
    for name, profile in PROFILES.items():
        bench = small(pool, 0, name)
        text = {line for a in bench.articles for line in lines(a)}
        seen[name] = {fold(x) for t in bench.truth for x in t["template_lines"]}
        seen[name] |= set(profile.stock_sentences) | set(profile.farm_headings)
        seen[name] |= set(profile.lead_ins) | set(profile.heading_patterns)
        seen[name] |= set(profile.wire_sources) | set(profile.plain_sources)
        seen[name] |= {a["title"] for a, t in rows(bench) if t["kind"] in FARM_KINDS}
        assert len(seen[name] & text) > 20
    assert not seen["calibration"] & seen["holdout"]


def test_holdout_has_its_own_shapes(pool: list[Story]) -> None:
    bench = small(pool, 0, "holdout")
    for truth in bench.truth:
        template = truth["template_lines"]
        if template:
            assert sum(x.startswith("\u2022 ") for x in template) == 4
            assert len(template[1].split()) >= 40  # the disclaimer sits under the masthead


# --- dates ---------------------------------------------------------------------------


def test_derived_members_are_dated_after_their_origin(bench: Benchmark) -> None:
    stamp = re.compile(r"2024-\d\d-\d\dT\d\d:\d\d:00Z")
    for article, truth in rows(bench):
        assert article["date"] is None or stamp.fullmatch(article["date"])
        origin = origin_of(bench, truth)
        if truth["kind"] in KINDS[1:6] and article["date"] and origin["date"]:
            assert article["date"] > origin["date"]


def test_some_origins_and_copies_are_undated(pool: list[Story]) -> None:
    bench = generate(pool, families=60, unrelated=100, seed=4)
    undated = Counter(t["kind"] for a, t in rows(bench) if a["date"] is None)
    assert undated["origin"] >= 2
    assert sum(undated[k] for k in KINDS[1:6]) >= 2
    assert sum(undated.values()) < 0.25 * len(bench.articles)


# --- errors, pool and command line -----------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"families": 200, "unrelated": 200},
         r"^pool has only 300 unused stories; need \d+: lower --families/--unrelated$"),
        ({"families": -1, "unrelated": 2}, "families and unrelated must be >= 0"),
        ({"families": 1, "unrelated": 2, "profile": "tuned"},
         "profile must be one of calibration, holdout, not 'tuned'"),
    ],
)
def test_errors(pool: list[Story], kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate(pool, seed=0, **kwargs)


def test_deal_gives_every_dealt_item_enough_receivers() -> None:
    import random

    rng = random.Random(0)
    hands = deal(list(range(30)), [2, 3, 4, 3, 2, 4, 1, 2, 3, 3], rng, 3)
    assert [len(h) for h in hands] == [2, 3, 4, 3, 2, 4, 1, 2, 3, 3]
    assert all(len(set(h)) == len(h) for h in hands)
    assert min(Counter(x for h in hands for x in h).values()) >= 3


def _sgml(newid: int, title: str, paragraphs: list[str]) -> str:
    body = "\n    ".join(html.escape(p, quote=False) for p in paragraphs)
    return (f'<REUTERS TOPICS="NO" NEWID="{newid}">\n<DATE>26-FEB-1987 15:01:01.79</DATE>\n'
            f"<TEXT>\n<TITLE>{title}</TITLE>\n<BODY>{body}\n Reuter\n&#3;</BODY></TEXT>\n"
            "</REUTERS>\n")


def test_load_pool_drops_stories_sharing_an_8_gram(pool: list[Story], tmp_path: Path) -> None:
    a, b = pool[:2]
    c = next(s for s in pool[2:] if len(s.text.split()) + len(a.paragraphs[-1].split()) < 440)
    # c again, under a new title and lead, but with a's last paragraph: related to a.
    related = [f"Another {c.paragraphs[0]}", *c.paragraphs[1:], a.paragraphs[-1]]
    docs = [_sgml(1, a.title, list(a.paragraphs)), _sgml(2, b.title, list(b.paragraphs)),
            _sgml(3, "SOMETHING ELSE ENTIRELY", related)]
    (tmp_path / "reut2-000.sgm").write_text("".join(docs), encoding="latin-1")
    loaded = load_pool(tmp_path)
    assert [s.id for s in loaded] == ["reuters-1", "reuters-2"]
    assert loaded[1].paragraphs == b.paragraphs
    with pytest.raises(ValueError, match="neither a directory with reut2-"):
        load_pool(tmp_path / "missing.txt")


def test_cli_writes_the_benchmark(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--pool", str(SAMPLE_PATH), "--families", "4", "--unrelated", "8", "--seed", "2",
            "--profile", "holdout", "-o", str(tmp_path)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "origin 4," in out and "unrelated-farm 2)" in out
    corpus = (tmp_path / "corpus.jsonl").read_bytes()
    generate(load_pool(SAMPLE_PATH), families=4, unrelated=8, seed=2,
             profile="holdout").write(tmp_path / "again")
    assert corpus == (tmp_path / "again" / "corpus.jsonl").read_bytes()
    assert main([*argv[:2], "--families", "400", "-o", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith("Error: pool has only 300 unused stories")


def test_light_edit_survives_dropping_the_sentence_that_held_the_swappable_words() -> None:
    rich = "The company said officials expected the government would increase it about now."
    story = Story("s", "t", "1987-01-01", (f"{rich} Rain fell all day.", "Markets were calm."))
    dropped = 0
    for seed in range(30):
        edited = "\n".join(light_edit(story, random.Random(seed)))
        words = set(re.findall(r"[a-z]+", edited.lower()))
        dropped += not words & {"government", "administration", "company", "firm"}
    assert dropped  # the case that used to raise ValueError was exercised
