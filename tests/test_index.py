"""Tests of the pre-ingest index (dedupe/index.py, dedupe/store.py): verdicts, persistence,
settings, atomic admission."""

from __future__ import annotations

import multiprocessing
import random

import pytest
from conftest import as_articles
from planted import PlantedCorpus

import dedupe.index
from dedupe import Article, Config, ScanResult
from dedupe.index import Index, IndexMismatch
from dedupe.records import Verdict

SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "de", "po", "li", "ma", "go",
             "ber", "tan", "rel", "dor", "fin", "ost", "ul")


def story(seed: int, words: int = 120) -> str:
    """Sentences of made-up words; two seeds share no five words in a row."""
    rng = random.Random(seed)
    sentences = []
    for _ in range(words // 10):
        made = ["".join(rng.choice(SYLLABLES) for _ in range(3)) for _ in range(10)]
        sentences.append(" ".join(made).capitalize() + ".")
    return " ".join(sentences)


def test_a_copy_is_a_duplicate_and_a_new_story_is_new(index_location: str) -> None:
    with Index(index_location) as index:
        assert index.add(Article("a", story(1))).decision == "new"
        copy = index.check(Article("b", story(1)))
        assert (copy.decision, [m.id for m in copy.matches]) == ("duplicate", ["a"])
        assert copy.matches[0].strength == 1.0
        assert index.check(Article("c", story(2))).decision == "new"


def test_check_adds_nothing_and_check_and_add_admits_only_new_articles(index_location: str) -> None:
    with Index(index_location) as index:
        index.check(Article("a", story(1)))
        assert index.stats()["documents"] == 0
        assert index.check_and_add(Article("a", story(1))).is_new
        assert not index.check_and_add(Article("b", story(1))).is_new
        assert index.check_and_add(Article("c", story(3))).is_new
        assert index.stats()["documents"] == 2
        assert index.remove("a") and not index.remove("a")
        assert index.check(Article("b", story(1))).decision == "new"


def test_a_trimmed_copy_is_contained_and_names_the_longer_text_as_origin(
    index_location: str,
) -> None:
    full = story(4, 240)
    half = full[: full.index(".", len(full) // 2) + 1]  # cut at a sentence end
    with Index(index_location) as index:
        index.add(Article("full", full, date="2024-01-01"))
        trimmed = index.check(Article("cut", half, date="2024-01-02"))
    assert trimmed.decision in ("contained", "near-duplicate")
    assert trimmed.matches[0].containment[0] == 1.0
    assert (trimmed.origin, trimmed.origin_rule) == ("full", "earliest-date")


def test_a_shared_passage_is_reuse_with_offsets_into_both_texts(index_location: str) -> None:
    quote = "the committee said the harbour dredging plan would cost far more than planned"
    a_text = f"{story(5)} {quote}. {story(6)}"
    b_text = f"{story(7)} As reported, {quote}, officials added. {story(8)}"
    with Index(index_location) as index:
        index.add(Article("a", a_text))
        verdict = index.check(Article("b", b_text))
    assert verdict.decision == "reuses-passages"
    (passage,) = verdict.matches[0].passages
    assert quote in b_text[passage.a[0] : passage.a[1]] or b_text[
        passage.a[0] : passage.a[1]] in quote
    assert a_text[passage.b[0] : passage.b[1]] == b_text[passage.a[0] : passage.a[1]]


def test_template_lines_never_make_a_duplicate(index_location: str) -> None:
    masthead = "DAILY PLANET | All the news\nShare this story: Facebook | Twitter | Email"
    footer = "Copyright 2024 Daily Planet Media. All rights reserved."
    with Index(index_location) as index:
        for k in range(4):  # four unrelated stories under one site template
            index.add(Article(f"s{k}", f"{masthead}\n{story(10 + k)}\n{footer}"))
        verdict = index.check(Article("new", f"{masthead}\n{story(20)}\n{footer}"))
    assert verdict.decision == "new", verdict.matches
    assert len(verdict.template_lines) == 3


def test_an_index_keeps_what_was_added_and_refuses_other_settings(
    index_location: str,
) -> None:
    path = index_location
    with Index(path) as index:
        index.add(Article("a", story(1)))
    with Index(path) as index:
        assert index.stats()["documents"] == 1
        assert index.check(Article("b", story(1))).decision == "duplicate"
    with pytest.raises(IndexMismatch) as caught:
        Index(path, Config(shingle_size=4, num_perm=64)).open()
    assert str(caught.value) == (
        f"{path}: this index was built with other settings: num_perm (index 128, asked 64); "
        "shingle_size (index 5, asked 4); winnow_window (index 4, asked 5); open it with "
        "its own settings or build a new index")


def test_an_id_can_be_added_once(index_location: str) -> None:
    with Index(index_location) as index:
        index.add(Article("a", story(1)))
        with pytest.raises(ValueError, match="'a' is already in the index; remove it first"):
            index.add(Article("a", story(2)))


def _submit(path: str, barrier: multiprocessing.synchronize.Barrier, k: int) -> bool:
    barrier.wait()
    with Index(path) as index:
        return index.check_and_add(Article(f"copy-{k}", story(42))).is_new


def test_two_processes_submitting_one_article_admit_it_once(index_location: str) -> None:
    path = index_location
    Index(path).open().close()
    context = multiprocessing.get_context("spawn")
    barrier = context.Manager().Barrier(4)
    with context.Pool(4) as pool:
        admitted = pool.starmap(_submit, [(path, barrier, k) for k in range(4)])
    assert sorted(admitted) == [False, False, False, True]
    with Index(path) as index:
        assert index.stats()["documents"] == 1


def _leave_one_out(articles: list[Article]) -> dict[str, Verdict]:
    """Each article checked against an index holding all the others."""
    verdicts = {}
    with Index(":memory:") as index:
        for article in sorted(articles, key=lambda a: (a.date or "~", a.id)):
            index.add(article)
        for article in articles:
            index.remove(article.id)
            verdicts[article.id] = index.check(article)
            index.add(article)
    return verdicts


def test_seed_checks_find_the_scans_links_with_its_passages(seed_result: ScanResult) -> None:
    verdicts = _leave_one_out(list(seed_result.articles))
    found = {(min(a, m.id), max(a, m.id)): m for a, v in verdicts.items() for m in v.matches}
    assert set(found) == {(p.a, p.b) for p in seed_result.pairs}
    for pair in seed_result.pairs:
        match = found[(pair.a, pair.b)]
        assert match.relation == pair.relation
        spans = {tuple(sorted((p.a, p.b))) for p in match.passages}
        assert spans == {tuple(sorted((p.a, p.b))) for p in pair.passages}
        # The index judges stock phrases on fingerprints (docs/design-index.md), so a
        # shingle at a passage's edge may weigh differently than in the scan.
        assert match.strength == pytest.approx(pair.strength, abs=0.05)
    assert {a for a, v in verdicts.items() if v.is_new} == (
        {a.id for a in seed_result.articles}
        - {p.a for p in seed_result.pairs} - {p.b for p in seed_result.pairs})


def test_planted_checks_link_copies_and_never_unrelated_articles(
    planted: tuple[PlantedCorpus, ScanResult],
) -> None:
    corpus, result = planted
    verdicts = _leave_one_out(as_articles(corpus))
    family = corpus.family
    for article_id, verdict in verdicts.items():
        for match in verdict.matches:
            assert family[match.id] == family[article_id], (article_id, match)
    for pair in result.pairs:  # every link the scan makes between copies, a check makes
        if family[pair.a] == family[pair.b]:
            assert pair.b in {m.id for m in verdicts[pair.a].matches}, pair
            assert pair.a in {m.id for m in verdicts[pair.b].matches}, pair


def test_an_index_opened_without_settings_uses_its_own(index_location: str) -> None:
    path = index_location
    with Index(path, Config(shingle_size=4)) as index:
        index.add(Article("a", story(1)))
    with Index(path) as index:
        assert index.config.shingle_size == 4
        assert index.check(Article("b", story(1))).decision == "duplicate"


def test_a_batch_gives_the_verdicts_of_one_call_per_article(
    index_location: str, planted: tuple[PlantedCorpus, ScanResult]
) -> None:
    articles = as_articles(planted[0])[:60]
    one_by_one = []
    with Index(":memory:") as index:
        for article in articles:
            one_by_one.append(index.check_and_add(article))
        expected = index.stats()
    with Index(index_location) as index:
        batched = index.check_and_add_many(articles[:25]) + index.check_and_add_many(
            [*articles[25:], articles[0]])
        assert batched == [*one_by_one, None]  # an id already in the index gets None
        assert index.stats()["documents"] == expected["documents"]
        everything = index.check_and_add_many([Article("x", story(1)), Article("y", story(1))],
                                              hold=())
        assert [v.decision for v in everything if v] == ["new", "duplicate"]
        assert index.stats()["documents"] == expected["documents"] + 2


def test_an_index_of_another_format_is_refused_with_what_to_do(
    index_location: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Index(index_location) as index:
        index.add(Article("a", story(1)))
    built_with = dedupe.index.FORMAT
    monkeypatch.setattr("dedupe.index.FORMAT", "999")
    with pytest.raises(IndexMismatch) as caught:
        Index(index_location).open()
    assert str(caught.value) == (
        f"{index_location}: this index was built by another version of dedupe: format "
        f"(index '{built_with}', asked '999'); build it again from the articles (dedupe index add)")


def _without_shortcut(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Record each answer of ``_World.as_member_changes_nothing``; the list it fills."""
    answers: list[bool] = []
    method = dedupe.index._World.as_member_changes_nothing

    def spy(world: dedupe.index._World, new: dedupe.index._Text, family: int) -> bool:
        answers.append(method(world, new, family))
        return answers[-1]

    monkeypatch.setattr(dedupe.index._World, "as_member_changes_nothing", spy)
    return answers


def test_a_copy_is_looked_at_again_as_its_familys_member_only_when_it_could_matter(
    planted: tuple[PlantedCorpus, ScanResult], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A copy is judged with its lines and fingerprints counted as its family's; the
    index skips that second look when no count can cross a bar. The verdicts of a
    stream are the same as with the second look always taken."""
    articles = as_articles(planted[0])
    answers = _without_shortcut(monkeypatch)
    with Index(":memory:") as index:
        skipping = [index.add(a) for a in articles]
    assert True in answers  # second looks were skipped (the next test has one taken)
    monkeypatch.setattr(dedupe.index._World, "as_member_changes_nothing",
                        lambda world, new, family: False)
    with Index(":memory:") as index:
        assert [index.add(a) for a in articles] == skipping


def test_a_line_at_the_template_bar_makes_a_copy_look_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A line two families carry is template counted with a third family (three, the
    default bar) and not counted with a copy of one of them: the copy's verdict is
    the second look's, with the line not template."""
    footer = "Sign up for the harbour newsletter and read every story first"
    answers = _without_shortcut(monkeypatch)
    with Index(":memory:") as index:
        index.add(Article("a", story(1) + "\n\n" + footer))
        index.add(Article("b", story(2) + "\n\n" + footer))
        assert answers == []  # two new stories: no family to join
        verdict = index.check(Article("c", story(1) + "\n\n" + footer))
    assert answers == [False]
    assert verdict.decision == "duplicate" and verdict.template_lines == ()


MASTHEAD = "DAILY PLANET | All the news\nShare this story: Facebook | Twitter | Email"
FOOTER = "Copyright 2024 Daily Planet Media. All rights reserved."
#: A page that is nothing but its site's template lines (once four stories carry them).
ALL_TEMPLATE = f"{MASTHEAD}\n{FOOTER}"
COPY_EVIDENCE = "same text after normalisation, nothing outside template lines to weigh"


def _site_with_a_template_page(index: Index) -> None:
    for k in range(4):  # four unrelated stories make the masthead and footer template
        index.add(Article(f"s{k}", f"{MASTHEAD}\n{story(10 + k)}\n{FOOTER}"))
    index.add(Article("page", ALL_TEMPLATE))


def test_a_copy_of_an_all_template_page_is_a_duplicate_shown_whole(index_location: str) -> None:
    with Index(index_location) as index:
        _site_with_a_template_page(index)
        verdict = index.check(Article("copy", ALL_TEMPLATE.upper()))  # normalised alike
        assert len(verdict.template_lines) == 3  # all of it is template
        assert (verdict.decision, [m.id for m in verdict.matches]) == ("duplicate", ["page"])
        (match,) = verdict.matches
        assert (match.jaccard, match.strength) == (0.0, 1.0)
        (passage,) = match.passages
        words = (0, ALL_TEMPLATE.rindex("reserved") + len("reserved"))  # first to last word
        assert (passage.a, passage.b, passage.rare_shingles) == (words, words, 0)
        assert dedupe.index._pair("copy", match).evidence == COPY_EVIDENCE
        assert not index.check_and_add(Article("copy", ALL_TEMPLATE)).is_new  # held back
        # Another all-template page of the site is no copy.
        assert index.check(Article("other", f"{FOOTER}\n{MASTHEAD}")).decision == "new"


def test_a_removed_page_is_no_longer_found_by_its_text(index_location: str) -> None:
    with Index(index_location) as index:
        _site_with_a_template_page(index)
        assert index.remove("page")
        assert index.check(Article("copy", ALL_TEMPLATE)).decision == "new"
        index.add(Article("again", ALL_TEMPLATE))
        assert [m.id for m in index.check(Article("copy", ALL_TEMPLATE)).matches] == ["again"]


def _as_before_text_keys(location: str) -> None:
    """Make the index at ``location`` as dedupe wrote it before it kept text keys."""
    if location.startswith("redis://"):
        import redis

        with redis.Redis.from_url(location) as client:
            for name in client.scan_iter(match="dedupe:doc:*"):
                client.hdel(name, "text_key")
            for name in client.scan_iter(match="dedupe:text:*"):
                client.delete(name)
            client.hdel("dedupe:meta", "text_keys")
        return
    import sqlite3

    with sqlite3.connect(location) as db:
        db.execute("DROP INDEX docs_by_text_key")
        db.execute("ALTER TABLE docs DROP COLUMN text_key")
        db.execute("DELETE FROM meta WHERE key = 'text_keys'")


def test_an_index_made_before_text_keys_is_keyed_once_when_opened(
    index_location: str, caplog: pytest.LogCaptureFixture,
) -> None:
    with Index(index_location) as index:
        _site_with_a_template_page(index)
    _as_before_text_keys(index_location)
    with Index(index_location) as index:
        assert index.keyed_ == 5
        assert [m.id for m in index.check(Article("copy", ALL_TEMPLATE)).matches] == ["page"]
        assert index.remove("page")
        assert index.check(Article("copy", ALL_TEMPLATE)).decision == "new"
    assert [r.getMessage() for r in caplog.records] == [
        f"{index_location}: keyed the texts of 5 documents indexed before dedupe kept text "
        "keys (once), so that their copies are found"]
    with Index(index_location) as index:
        assert index.keyed_ == 0
        assert index.add(Article("again", ALL_TEMPLATE)).decision == "new"
        assert index.check(Article("copy", ALL_TEMPLATE)).decision == "duplicate"
