"""End-to-end behaviour of the scan: the seed articles and planted Reuters corpora."""

from __future__ import annotations

import ctypes
import gc
import itertools
import random
import re
import sys
from typing import Any

import numpy as np
import pytest
from conftest import as_articles
from hypothesis import given, settings
from hypothesis import strategies as st
from planted import PlantedCorpus
from sklearn.metrics import adjusted_rand_score

from benchmarks.generate import SAMPLE_PATH, load_pool
from benchmarks.report_scale import Corpora
from dedupe import Article, Config, ScanResult, scan
from dedupe.arrays import joined
from dedupe.normalise import analyse_many, content_key
from dedupe.records import Passage
from dedupe.relations import Overlaps
from dedupe.report import to_json
from dedupe.scan import _malloc_trim, _same_content, collection_paused, release_memory
from dedupe.shingle import shingles

scan_module = sys.modules["dedupe.scan"]  # (``dedupe.scan`` is also the function)

S000, S001, S002, S003, S004 = (
    "000_32ad8dfe81a1ea15", "001_382b16e59b0dd4e1", "002_b8b2f3d8c3b04cd3",
    "003_fc2a1f6496cdb120", "004_6ce2e043c53978d1",
)


def texts(result: ScanResult) -> dict[str, str]:
    return {a.id: a.text for a in result.articles}


def cluster_of(result: ScanResult, doc: str) -> tuple[str, ...] | None:
    return next((c.members for c in result.clusters if doc in c.members), None)


# --- the seed corpus ----------------------------------------------------------------


def test_seed_heading_reused_by_000_and_001(seed_result: ScanResult) -> None:
    headings = [b for b in seed_result.boilerplate if b.kind == "heading"]
    chronology = [b for b in headings
                  if b.text == "Chronology of Terror: Unpacking the Moscow Attack"]
    assert len(chronology) == 1
    assert chronology[0].docs == (S000, S001)
    pair = next(p for p in seed_result.pairs if (p.a, p.b) == (S000, S001))
    assert "Chronology of Terror: Unpacking the Moscow Attack" in pair.headings


def test_seed_advertisment_is_template_of_002_003_004(seed_result: ScanResult) -> None:
    ads = [b for b in seed_result.boilerplate if b.text == "Advertisment"]
    assert len(ads) == 1
    assert ads[0].kind == "template"
    assert ads[0].docs == (S002, S003, S004)


def test_seed_passage_between_003_and_004_slices_in_both(seed_result: ScanResult) -> None:
    pair = next(p for p in seed_result.pairs if (p.a, p.b) == (S003, S004))
    assert pair.relation == "reuse"
    text = texts(seed_result)
    wanted = "layer of complexity to the already tense Russia-Ukraine relations"
    passage = next(x for x in pair.passages if wanted in x.text)
    assert wanted in text[S003][passage.a[0] : passage.a[1]]
    assert wanted in text[S004][passage.b[0] : passage.b[1]]
    assert text[S003][passage.a[0] : passage.a[1]] == passage.text


def test_seed_stock_phrase_listed_and_never_evidence(seed_result: ScanResult) -> None:
    stock = [b for b in seed_result.boilerplate if b.kind == "stock-phrase"]
    assert any("stark reminder of the" in b.text for b in stock)
    stock_texts = [b.text.lower() for b in stock]
    for pair in seed_result.pairs:
        for passage in pair.passages:
            assert passage.rare_shingles >= 1
            assert passage.text.lower() not in stock_texts
    # "serves as a stark reminder of the persistent threat posed by" is 11 words that
    # 002 and 004 share, all of it stock: the two must not be linked on it.
    assert not any({p.a, p.b} == {S002, S004} for p in seed_result.pairs)


def test_seed_000_and_001_cluster_with_dated_origin(seed_result: ScanResult) -> None:
    members = cluster_of(seed_result, S000)
    assert members is not None and S001 in members
    chosen = next(c for c in seed_result.clusters if S000 in c.members)
    assert chosen.origin == S001  # 000 is undated: it never wins by date
    assert chosen.origin_rule != "earliest-date"
    assert all(link.evidence for link in chosen.links)


def test_seed_every_link_carries_evidence(seed_result: ScanResult) -> None:
    for pair in seed_result.pairs:
        assert pair.passages or pair.headings or pair.relation != "reuse"
        assert pair.strength >= Config().link_min_strength


def test_seed_report_is_deterministic(seed_result: ScanResult) -> None:
    again = scan(seed_result.articles)
    assert to_json(again) == to_json(seed_result)


# --- planted corpora: known origins --------------------------------------------------


def words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def members(corpus: PlantedCorpus, kind: str) -> list[str]:
    return corpus.of_kind(kind)


def family_of(corpus: PlantedCorpus, doc: str) -> list[str]:
    return corpus.members(corpus.family[doc])


def test_planted_clusters_match_truth(planted: tuple[PlantedCorpus, ScanResult]) -> None:
    corpus, result = planted
    label = {m: c.id for c in result.clusters for m in c.members}
    ids = [a["id"] for a in corpus.articles]
    predicted = [label.get(i, i) for i in ids]
    assert adjusted_rand_score([corpus.family[i] for i in ids], predicted) == 1.0


@pytest.mark.parametrize("kind,relations", [
    ("verbatim", {"duplicate"}),
    ("trimmed", {"contains"}),
    ("light-edit", {"near-duplicate", "contains"}),
    ("embedded", {"reuse"}),
])
def test_planted_copy_is_linked_to_its_origin(
    planted: tuple[PlantedCorpus, ScanResult], kind: str, relations: set[str]
) -> None:
    corpus, result = planted
    for doc in members(corpus, kind):
        origin = corpus.origin[corpus.family[doc]]
        pair = next(p for p in result.pairs if {p.a, p.b} == {doc, origin})
        assert pair.relation in relations, pair.evidence


def test_planted_embedded_passage_has_offsets_in_both(
    planted: tuple[PlantedCorpus, ScanResult],
) -> None:
    corpus, result = planted
    text = texts(result)
    for doc, sentences in corpus.embedded.items():
        origin = corpus.origin[corpus.family[doc]]
        pair = next(p for p in result.pairs if {p.a, p.b} == {doc, origin})
        passage = max(pair.passages, key=lambda x: x.rare_shingles)
        a_text = text[pair.a][passage.a[0] : passage.a[1]]
        b_text = text[pair.b][passage.b[0] : passage.b[1]]
        assert a_text == passage.text
        assert " ".join(a_text.split()) == " ".join(b_text.split())
        # The passage covers the embedded sentences, give or take trailing punctuation.
        assert sentences.rstrip(".") in a_text or a_text in sentences


@pytest.mark.parametrize("kind", ["unrelated-template", "unrelated-stock", "unrelated"])
def test_planted_unrelated_articles_stay_apart(
    planted: tuple[PlantedCorpus, ScanResult], kind: str
) -> None:
    corpus, result = planted
    for doc in members(corpus, kind):
        assert cluster_of(result, doc) is None
        assert not [p for p in result.pairs if doc in (p.a, p.b)]


def test_planted_origins_are_right(planted: tuple[PlantedCorpus, ScanResult]) -> None:
    corpus, result = planted
    assert result.clusters
    for found in result.clusters:
        assert found.origin == corpus.origin[corpus.family[found.origin]]
        if found.origin_rule == "earliest-date":
            dates = [corpus.article(m)["date"] for m in found.members]
            assert None not in dates


def test_planted_family_b_origin_is_undated_and_chosen_by_containment(
    planted: tuple[PlantedCorpus, ScanResult],
) -> None:
    corpus, result = planted
    origin = corpus.origin["family-B"]
    assert corpus.article(origin)["date"] is None
    found = next(c for c in result.clusters if origin in c.members)
    assert (found.origin, found.origin_rule) == (origin, "containment")


def test_planted_template_lines_are_found(planted: tuple[PlantedCorpus, ScanResult]) -> None:
    corpus, result = planted
    # Lines compare as the detector compares them: by their words, case-folded, so
    # "- Advertisement -" and "ADVERTISEMENT" are one template line.
    template = {words(b.text) for b in result.boilerplate if b.kind == "template"}
    for site, lines in corpus.template_lines.items():
        carriers = [a for a in corpus.articles if a["source"] == site]
        if len({corpus.family[a["id"]] for a in carriers}) < 2:
            continue  # one family on the site: its template is indistinguishable
        expected = [words(x) for x in lines]
        found = [x for x in expected if x in template]
        assert len(found) / len(expected) >= 0.9, (site, set(expected) - template)


def test_planted_stock_sentences_are_stock(planted: tuple[PlantedCorpus, ScanResult]) -> None:
    corpus, result = planted
    stock = " | ".join(b.text for b in result.boilerplate if b.kind == "stock-phrase")
    for sentence in corpus.stock_sentences:
        words = sentence.rstrip(".").split()
        assert " ".join(words[:5]) in stock


def test_planted_input_order_does_not_change_clusters(
    planted: tuple[PlantedCorpus, ScanResult],
) -> None:
    corpus, result = planted
    reordered = scan(list(reversed(as_articles(corpus))))
    assert sorted(c.members for c in reordered.clusters) == sorted(
        c.members for c in result.clusters)
    assert {c.origin for c in reordered.clusters} == {c.origin for c in result.clusters}


# --- small constructed cases -----------------------------------------------------------

FILLER = [
    "the", "harbour", "authority", "reported", "record", "grain", "shipments", "while",
    "farmers", "in", "the", "north", "waited", "for", "rain", "and", "bankers", "debated",
    "the", "outlook", "for", "interest", "rates", "next", "quarter",
]


def prose(seed: int, words: int) -> str:
    """Deterministic varied text built from a shuffled vocabulary."""
    import random

    rng = random.Random(seed)
    vocabulary = [f"{w}{rng.randrange(1000)}" for w in FILLER * 8]
    return " ".join(rng.choice(vocabulary) for _ in range(words)) + "."


def test_ten_word_passage_in_long_articles_is_found() -> None:
    shared = "the minister quietly signed a secret pipeline deal with Norway"
    a = prose(1, 300) + " " + shared + " " + prose(2, 300)
    b = prose(3, 250) + " " + shared + " " + prose(4, 350)
    result = scan([Article("a", a), Article("b", b)])
    (pair,) = result.pairs
    (passage,) = pair.passages
    assert a[passage.a[0] : passage.a[1]] == shared
    assert b[passage.b[0] : passage.b[1]] == shared


def test_changed_word_does_not_break_a_passage() -> None:
    words = prose(5, 40).rstrip(".").split()
    edited = list(words)
    edited[20] = "CHANGED"
    a = prose(6, 200) + " " + " ".join(words) + " " + prose(7, 200)
    b = prose(8, 200) + " " + " ".join(edited) + " " + prose(9, 200)
    result = scan([Article("a", a), Article("b", b)])
    (pair,) = result.pairs
    assert len(pair.passages) == 1
    passage = pair.passages[0]
    assert a[passage.a[0] : passage.a[1]] == " ".join(words)
    assert b[passage.b[0] : passage.b[1]] == " ".join(edited)


def test_one_weak_link_does_not_merge_two_groups() -> None:
    story_a, story_b = prose(10, 200), prose(11, 200)
    bridge = "an unusually specific sentence about copper tariffs in Chile quoted twice"
    docs = [
        Article("a1", story_a), Article("a2", story_a + " " + prose(12, 20)),
        Article("a3", story_a + " " + bridge),
        Article("b1", story_b), Article("b2", story_b + " " + prose(13, 20)),
        Article("b3", story_b + " " + bridge),
    ]
    result = scan(docs)
    assert any({p.a, p.b} == {"a3", "b3"} for p in result.pairs)
    assert sorted(c.members for c in result.clusters) == [("a1", "a2", "a3"), ("b1", "b2", "b3")]


def test_lone_document_joins_the_cluster_of_its_strongest_link() -> None:
    origin = prose(20, 300)
    sentences = origin.split(" ")
    copies = [Article(f"c{k}", " ".join(sentences[40 * k : 40 * k + 30]) + " "
                      + prose(30 + k, 150)) for k in range(4)]
    result = scan([Article("origin", origin), *copies])
    (found,) = result.clusters
    assert set(found.members) == {"origin", "c0", "c1", "c2", "c3"}


def test_stock_phrases_alone_never_link() -> None:
    cliche = "the move comes amid growing uncertainty over the outlook for the economy"
    docs = [Article(f"d{k}", prose(40 + k, 150) + " " + cliche + " " + prose(50 + k, 150))
            for k in range(4)]
    result = scan(docs)
    assert not result.pairs
    assert any(b.kind == "stock-phrase" for b in result.boilerplate)


@pytest.mark.parametrize("dates,expected,rule", [
    (["2024-03-02", "2024-03-01", "2024-03-03"], "n1", "earliest-date"),
    ([None, "2024-03-01", "2024-03-03"], "n1", "earliest-dated"),
    ([None, None, None], "n0", "most-covering"),
])
def test_origin_rules(dates: list[str | None], expected: str, rule: str) -> None:
    story = prose(60, 300)
    docs = [Article(f"n{k}", story + " " + prose(70 + k, 15), date=d)
            for k, d in enumerate(dates)]
    (found,) = scan(docs).clusters
    assert (found.origin, found.origin_rule) == (expected, rule)


def test_undated_full_text_beats_dated_excerpts_by_containment() -> None:
    story = prose(80, 400)
    words = story.split(" ")
    docs = [Article("full", story),
            Article("x1", " ".join(words[:150]), date="2024-01-02"),
            Article("x2", " ".join(words[100:260]), date="2024-01-01")]
    (found,) = scan(docs).clusters
    assert (found.origin, found.origin_rule) == ("full", "containment")


def test_empty_and_tiny_inputs() -> None:
    assert scan([]).pairs == ()
    result = scan([Article("a", "Hello world."), Article("b", "Hello world."),
                   Article("c", "...")])
    assert [(p.a, p.b, p.relation) for p in result.pairs] == [("a", "b", "duplicate")]


def test_pairs_are_sorted_and_unique(planted: tuple[PlantedCorpus, ScanResult]) -> None:
    _, result = planted
    keys = [(p.a, p.b) for p in result.pairs]
    assert keys == sorted(set(keys))
    assert all(a < b for a, b in keys)
    for pair, other in itertools.combinations(result.pairs, 2):
        assert (pair.a, pair.b) != (other.a, other.b)


@pytest.mark.parametrize("enabled", [True, False])
def test_scan_pauses_cycle_collection_and_restores_it(
    enabled: bool, monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[bool] = []
    real = scan_module.cluster

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(scan_module, "cluster", spy)
    (gc.enable if enabled else gc.disable)()
    try:
        scan([Article("a", "Hello world."), Article("b", "Hello world.")])
        assert (seen, gc.isenabled()) == ([False], enabled)
        with pytest.raises(RuntimeError), collection_paused():
            raise RuntimeError("a failing block still restores the collector")
        assert gc.isenabled() == enabled
    finally:
        gc.enable()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["cat", "Cat", "dog", "sat", "mat", "on"]),
                         max_size=6).map(" ".join), min_size=2, max_size=8),
       st.randoms(use_true_random=False))
def test_same_content_equals_content_keys_of_fully_hashed_documents(
        texts: list[str], rnd: Any) -> None:
    # Few words from a small vocabulary: many documents have equal content or as many
    # words with different content; template words are drawn at random.
    docs = analyse_many(texts, Config())
    counts = np.array([d.words for d in docs])
    offsets = np.concatenate([[0], np.cumsum(counts)])
    template = np.array([rnd.random() < 0.3 for _ in range(int(offsets[-1]))], dtype=bool)
    masks = [template[offsets[d] : offsets[d + 1]] for d in range(len(docs))]
    pairs = np.array(list(itertools.combinations(range(len(docs)), 2)), dtype=np.int64)
    shared = np.array([rnd.randint(0, 2) for _ in range(len(pairs))], dtype=np.int64)
    ones = np.ones(len(pairs))
    content = Overlaps(pairs, shared, ones, ones, ones)
    expected = [s > 0 and content_key(docs[a], masks[a]) == content_key(docs[b], masks[b])
                for (a, b), s in zip(pairs.tolist(), shared.tolist(), strict=True)]
    assert _same_content(texts, content, template, offsets).tolist() == expected


@pytest.mark.parametrize("library", [
    pytest.param(TypeError, id="no CDLL(None), as on Windows"),
    pytest.param(OSError, id="no C library to open"),
    pytest.param(object(), id="a C library without malloc_trim, as on macOS"),
])
def test_memory_is_handed_back_only_where_the_allocator_can(
    monkeypatch: pytest.MonkeyPatch, library: Any,
) -> None:
    """Where glibc's malloc_trim is missing the scan goes on without it."""
    def cdll(name: Any) -> Any:
        if isinstance(library, type):
            raise library("no")
        return library

    monkeypatch.setattr(ctypes, "CDLL", cdll)
    assert _malloc_trim() is None
    # (``dedupe.scan`` by name is the function; the module is in sys.modules.)
    monkeypatch.setattr(sys.modules["dedupe.scan"], "_MALLOC_TRIM", None)
    release_memory()  # nothing to call, nothing raised


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_memory_is_handed_back_on_linux() -> None:
    trim = _malloc_trim()
    assert trim is not None
    assert trim(0) in (0, 1)  # 1 when memory was released, else 0


# --- long texts and pairs measured apart ---------------------------------------------


def _prose(seed: int, words: int) -> str:
    """Made-up words in sentences of twelve and lines of five sentences: text that
    shares nothing with other seeds' (no template, no stock phrase)."""
    rnd = random.Random(seed)
    made = ["".join(rnd.choice("bcdfghjklmnprstvz") + rnd.choice("aeiou") for _ in range(3))
            for _ in range(words)]
    sentences = [" ".join(made[k : k + 12]).capitalize() + "." for k in range(0, words, 12)]
    return "\n".join(" ".join(sentences[k : k + 5]) for k in range(0, len(sentences), 5))


def test_a_pair_sharing_only_a_heading_is_measured_exactly() -> None:
    """Two articles whose only shared text is a heading: too little for a candidate,
    so the pair is measured apart, on its content shingles, as any candidate is."""
    heading = "Lessons From The Harbour Flood Inquiry"
    texts = [_prose(1, 300) + f"\n{heading}\n" + _prose(2, 200),
             _prose(3, 250) + f"\n{heading}\n" + _prose(4, 150), _prose(5, 400)]
    result = scan([Article(f"d{k}", t) for k, t in enumerate(texts)])
    pair = next(p for p in result.pairs if (p.a, p.b) == ("d0", "d1"))
    assert pair.headings == (heading,) and pair.passages == () and pair.relation == "reuse"
    n = result.config.shingle_size
    a, b = (set(shingles(d.hashes, n).tolist()) for d in analyse_many(texts[:2], Config()))
    assert len(a & b) == len(heading.split()) - n + 1
    assert pair.jaccard == round(len(a & b) / len(a | b), 4) > 0


def test_passages_past_65535_characters_slice_in_both_texts() -> None:
    """Word offsets are 16-bit while a batch's texts fit: a longer text makes them
    wider, and passages far into it still slice what they name."""
    passage = _prose(7, 40).replace("\n", " ")
    long_text = _prose(8, 12_000) + "\n" + passage + "\n" + _prose(9, 60)
    assert len(long_text) > 70_000
    texts = [long_text, _prose(10, 200) + "\n" + passage]
    result = scan([Article("long", texts[0]), Article("short", texts[1])])
    (pair,) = result.pairs
    (found,) = pair.passages
    assert found.a[0] > 65_535
    words = passage.rstrip(".")  # (a passage runs from a word to a word)
    assert " ".join(long_text[found.a[0] : found.a[1]].split()) == words
    assert " ".join(texts[1][found.b[0] : found.b[1]].split()) == words


def test_the_second_content_pass_reuses_only_what_cannot_have_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Passages of the first content pass are kept for the pairs whose documents'
    shingles are usable and rare as before, and band keys for the documents with no
    unmasked line; finding them all again gives the same."""
    articles = Corpora(load_pool(SAMPLE_PATH)).articles(300)
    seen: list[np.ndarray] = []
    unchanged = scan_module._Found.unchanged

    def spy(self: Any, *args: Any) -> np.ndarray:
        seen.append(unchanged(self, *args))
        return seen[-1]

    monkeypatch.setattr(scan_module._Found, "unchanged", spy)
    reused = scan(articles)
    (same,) = seen  # a second pass ran, and kept some documents' passages
    assert 0 < same.sum() < same.size
    monkeypatch.setattr(scan_module._Found, "unchanged",
                        lambda self, shingles, *_: np.zeros(len(articles), dtype=bool))
    band_keys = scan_module._band_keys  # (and every document's band keys made again)
    monkeypatch.setattr(scan_module, "_band_keys",
                        lambda sets, config, jobs, _: band_keys(sets, config, jobs, None))
    again = scan(articles)
    assert reused == again
    assert sum(len(p.passages) for p in reused.pairs) > 0


def test_band_keys_are_made_again_for_changed_documents_only() -> None:
    """A later pass keeps the band keys of documents whose sets did not change and
    makes the others' again: the same keys as made for every document."""
    rnd = np.random.default_rng(3)
    before = [np.unique(rnd.integers(0, 2**63, size=int(rnd.integers(0, 40)), dtype=np.uint64))
              for _ in range(30)]
    changed = rnd.random(30) < 0.3
    after = [np.unique(rnd.integers(0, 2**63, size=25, dtype=np.uint64)) if c else s
             for s, c in zip(before, changed, strict=True)]
    config = Config()
    earlier = scan_module._Found(changed, np.empty(0, np.uint64),
                                 scan_module._band_keys(joined(before), config, 1, None),
                                 np.empty((0, 2), np.int64), None)
    assert changed.any() and not changed.all()
    assert np.array_equal(scan_module._band_keys(joined(after), config, 2, earlier),
                          scan_module._band_keys(joined(after), config, 1, None))


# --- properties over any text ------------------------------------------------------------

#: Characters and runs that trip text handling: combining marks, bidirectional controls,
#: emoji (with joiners and skin tones), every kind of line end, NUL and other controls,
#: a BOM, ligatures and letters whose case mapping changes their length.
TRICKY = ["\u0301", "e\u0301", "\u200f", "\u202e", "\u2066", "\U0001f600", "\U0001f44d\U0001f3fd",
          "\U0001f468\u200d\U0001f469\u200d\U0001f467", "\r\n", "\r", "\n\n", "\x00", "\x0b",
          "\x85", "\u2028", "\ufeff", "\u05e9\u05dc\u05d5\u05dd", "\u0627\u0644\u0639\u0631\u0628",
          "\ufb01", "\u0130", "\u00df", "\u1e9e", "\t", "\u00a0", "\u3000", "\u4e2d\u6587"]
WORD = st.text(st.characters(codec="utf-8", categories=["L", "M", "N", "S"]), min_size=1,
               max_size=7) | st.sampled_from(TRICKY)
SPACE = st.sampled_from([" ", " ", " ", "\n", "\r\n", "\t", "\u00a0", " \u200f", "\u2028"])
ANY_TEXT = st.lists(st.tuples(WORD, SPACE), max_size=30).map(
    lambda parts: "".join(w + s for w, s in parts)) | st.text(st.characters(codec="utf-8"))


@st.composite
def corpus(draw: st.DrawFn) -> list[Article]:
    """A shared run of words inside two texts, a verbatim copy of the first, and texts of
    any characters (some blank, some copies of others)."""
    shared = "".join(w + s for w, s in draw(st.lists(st.tuples(WORD, SPACE), min_size=10,
                                                          max_size=25)))
    first = draw(ANY_TEXT) + "\n" + shared + draw(ANY_TEXT)
    second = draw(ANY_TEXT) + "\r\n" + shared + "\r\n" + draw(ANY_TEXT)
    others = draw(st.lists(ANY_TEXT | st.sampled_from([first, shared]), max_size=4))
    texts = [first, second, first, *others]
    dates = draw(st.lists(st.none() | st.sampled_from(["2024-01-01", "2024-01-02"]),
                          min_size=len(texts), max_size=len(texts)))
    return [Article(f"d{k}", text, date)
            for k, (text, date) in enumerate(zip(texts, dates, strict=True)) if text.strip()]


def outcome(result: ScanResult) -> tuple[object, ...]:
    """What a scan found, free of the input's order."""
    pairs = sorted((p.a, p.b, p.relation, round(p.strength, 9), p.containment, p.passages,
                    p.headings) for p in result.pairs)
    clusters = sorted((sorted(c.members), c.origin, c.origin_rule, round(c.confidence, 9))
                      for c in result.clusters)
    found = {a.id: (w, t, tl, hl, sp) for a, w, t, tl, hl, sp in zip(
        result.articles, result.words, result.template_words, result.template_lines,
        result.heading_lines, result.stock_spans, strict=True)}
    boilerplate = sorted((b.kind, b.text, tuple(sorted(b.docs))) for b in result.boilerplate)
    return pairs, clusters, found, boilerplate


@settings(max_examples=40, deadline=None)
@given(articles=corpus(), order=st.randoms(use_true_random=False))
def test_any_text_scans_with_passages_inside_and_copies_together_in_any_order(
    articles: list[Article], order: Any,
) -> None:
    result = scan(articles)
    text = {a.id: a.text for a in articles}
    for pair in result.pairs:
        for passage in pair.passages:
            for doc, (start, end) in ((pair.a, passage.a), (pair.b, passage.b)):
                assert 0 <= start < end <= len(text[doc]), (doc, start, end)
            assert text[pair.a][passage.a[0] : passage.a[1]] == passage.text
    for article, *spans in zip(articles, result.template_lines, result.heading_lines,
                               result.stock_spans, strict=True):
        assert all(0 <= start < end <= len(article.text) for kind in spans for start, end in kind)
    # A document and its verbatim copy are in one cluster whenever the text has a word,
    # even when all of it is template lines (``copies``: the same text is a duplicate).
    position = {a.id: k for k, a in enumerate(articles)}
    if "d0" in position and "d2" in position and result.words[position["d0"]]:
        assert cluster_of(result, "d0") is not None
        assert cluster_of(result, "d0") == cluster_of(result, "d2")
        (copy,) = [p for p in result.pairs if (p.a, p.b) == ("d0", "d2")]
        assert copy.relation == "duplicate"
        assert copy.passages or copy.jaccard > 0  # (content it shares, or the whole copy)
    shuffled = list(articles)
    order.shuffle(shuffled)
    assert outcome(scan(shuffled)) == outcome(result)


@st.composite
def copied_pages(draw: st.DrawFn) -> list[Article]:
    """Pages made of a few lines that recur across them (so that some lines are template
    and some pages are nothing else), each page with a verbatim copy ``c`` of ``d``."""
    lines = draw(st.lists(st.text(st.sampled_from("ab1 \u0301\n\r"), min_size=1, max_size=12),
                          min_size=1, max_size=4))
    picks = draw(st.lists(st.lists(st.integers(0, 3), max_size=4), min_size=2, max_size=8))
    texts = ["\n".join(lines[i % len(lines)] for i in pick) for pick in picks]
    pages = [Article(f"d{k}", text) for k, text in enumerate(texts) if text.strip()]
    return pages + [Article(f"c{page.id[1:]}", page.text) for page in pages]


@settings(max_examples=60, deadline=None)
@given(articles=copied_pages(), order=st.randoms(use_true_random=False))
def test_every_page_with_a_word_is_a_duplicate_of_its_copy_in_its_cluster(
    articles: list[Article], order: Any,
) -> None:
    # About one example in six has a page that is all template lines.
    result = scan(articles)
    pairs = {(p.a, p.b): p for p in result.pairs}
    for article, words in zip(articles, result.words, strict=True):
        if article.id.startswith("d") and words:
            copy = "c" + article.id[1:]
            assert copy in (cluster_of(result, article.id) or ())
            assert pairs[(copy, article.id)].relation == "duplicate"
    shuffled = list(articles)
    order.shuffle(shuffled)
    assert outcome(scan(shuffled)) == outcome(result)


def test_passages_of_repetitive_text_do_not_depend_on_input_order() -> None:
    # Found by the property above: the passage search is oriented (the first document's
    # rare shingles weigh a passage), and in periodic text each side has other equal
    # alignments; documents now go in by id whatever the input order.
    articles = [Article("d0", "\n" + "0 " * 10), Article("d1", "\r\n" + "0 " * 10 + "\r\n")]
    found = {tuple(scan(order).pairs[0].passages) for order in (articles, articles[::-1])}
    assert len(found) == 1


def test_a_text_that_is_all_template_is_in_its_verbatim_copys_cluster() -> None:
    # Found by the property above: the one line recurs (digits aside) in three families,
    # so it is template, and template is never evidence; the same text still is.
    line = "0 0 01 0 0 \u0301 \u0301 \u0301 \u0301 \u0301"
    articles = [Article("d0", f"\n{line} 1"), Article("d1", f"\r\n{line} \r\n0 "),
                Article("d2", f"\n{line} 1"), Article("d3", f"{line} ")]
    result = scan(articles)
    assert cluster_of(result, "d0") == ("d0", "d2")
    (pair,) = result.pairs
    assert (pair.a, pair.b, pair.relation, pair.strength) == ("d0", "d2", "duplicate", 1.0)
    # The evidence shown is the whole copy, weighing nothing, and says why.
    assert pair.passages == (Passage(a=(1, 23), b=(1, 23), text=articles[0].text[1:23],
                                     rare_shingles=0),)
    assert pair.evidence == "same text after normalisation, nothing outside template lines to weigh"
    assert result.template_words[0] == result.words[0]


def site_pages(copies: int) -> list[Article]:
    """Three sites' unrelated stories between their shared header and footer lines, and
    ``copies`` pages (on all three sites) with nothing but those lines."""
    header = "Home | World | Business | Sport | Culture | Opinion | Video"
    footer = "Subscribe to our newsletter and follow us for the latest stories every day"
    stories = [Article(f"story{k}", f"{header}\n{prose(100 + k, 80)}\n{footer}\n",
                       source=f"site{k % 3}") for k in range(6)]
    pages = [Article(f"page{k:03d}", f"{header}\r\n{footer}", source=f"site{k % 3}")
             for k in range(copies)]
    return stories + pages


@pytest.mark.parametrize("copies", [2, 49, 200])
def test_pages_that_are_all_template_are_linked_as_copies_in_one_cluster(copies: int) -> None:
    articles = site_pages(copies)
    result = scan(articles)
    pages = tuple(a.id for a in articles if a.id.startswith("page"))
    assert cluster_of(result, "page000") == pages
    assert all(p.a.startswith("page") and p.b.startswith("page") and p.relation == "duplicate"
               and p.evidence.endswith("nothing outside template lines to weigh")
               and p.passages[0].rare_shingles == 0 for p in result.pairs)
    # Past lsh.FULL_GROUP (48) copies a star around 4 of them and a chain join them, not
    # every two (4 * copies - 10 star pairs, copies - 1 chain pairs, 4 of them in both).
    assert len(result.pairs) == (copies * (copies - 1) // 2 if copies <= 48
                                 else 5 * copies - 15)
    # The lines stay template: the stories are not linked by them.
    assert {b.text for b in result.boilerplate if b.kind == "template"} >= {
        articles[0].text.splitlines()[0], articles[0].text.splitlines()[2]}
    assert outcome(scan(articles[::-1])) == outcome(result)


def test_texts_without_words_are_no_copies() -> None:
    result = scan([Article("a", "!!! ???"), Article("b", "!!! ???"), Article("c", "-- --")])
    assert result.pairs == () and result.clusters == ()


@pytest.mark.parametrize("copies", [2, 64, 65, 300])
def test_every_verbatim_copy_of_a_syndicated_story_is_in_one_cluster(copies: int) -> None:
    # Past max_postings (64) copies, each copy is linked to a few others only; these
    # used to come out as dozens of clusters (26 for 65 copies, 144 for 300).
    story = prose(7, 60)
    articles = [Article(f"site{k:03d}", story, date=f"2024-03-{1 + k % 28:02d}")
                for k in range(copies)]
    (whole,) = scan(articles).clusters
    assert whole.members == tuple(a.id for a in articles)
    assert whole.origin == "site000"
