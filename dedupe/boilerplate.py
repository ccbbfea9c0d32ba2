"""Template lines, repeated headings and stock phrases.

The rule for all three is the same: count how many *families* carry a line or a
shingle, not how many documents. A family is a group of documents already known to
be copies of each other, so thirty republications of one wire story count once and
the story never looks like a site template; a masthead or a cliché that turns up in
many unrelated families does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TypeVar

import jellyfish
import numpy as np
import xxhash

from dedupe.arrays import common_values, index_in, member, sorted_unique
from dedupe.config import Config
from dedupe.kernels import covered_runs, mark_spans, quoted
from dedupe.lsh import lsh_pairs, run_starts
from dedupe.normalise import SENTENCE_END, Doc, normalise_word
from dedupe.records import Article, Boilerplate
from dedupe.relations import families, family_count_arrays, family_counts
from dedupe.signatures import signature_matrix

IntOrArray = TypeVar("IntOrArray", int, np.ndarray)

#: LSH bands for fuzzy heading candidates over character trigrams (Jaccard ~0.5).
_HEADING_BANDS = (25, 5)
#: Slices of the documents ``stock_shingles`` looks for quotes in, one at a time.
_QUOTE_PARTS = 8
#: Boilerplate kinds, in the order reports list them.
KINDS = ("template", "heading", "stock-phrase")
#: How many stock phrases and template lines a report lists at most.
MAX_LISTED = 200


@dataclass(frozen=True, eq=False)
class Lines:
    """Every line of every document, flattened (arrays aligned)."""

    doc: np.ndarray
    line: np.ndarray  # index of the line within its document
    key: np.ndarray  # line key; fuzzy-equal headings share one key
    heading: np.ndarray
    words: np.ndarray  # words in the line
    spans: np.ndarray  # (n, 2): the line's words ``[first, last + 1)`` in its document
    chars: np.ndarray  # (n, 2): the line's characters ``[start, end)`` in its document

    def families(self, family: np.ndarray) -> dict[int, int]:
        """Distinct families carrying each key."""
        return family_counts(self.key, self.doc, family)


def collect_lines(docs: Sequence[Doc], texts: Sequence[str], config: Config) -> Lines:
    """Flatten the documents' lines and give fuzzily equal headings one key."""
    # Indices and offsets are int32 where they fit (a line per 12 words of a corpus).
    index = np.int32 if len(docs) < 2**31 else np.int64
    sizes = [d.line_keys.size for d in docs]
    doc = np.repeat(np.arange(len(docs), dtype=index), sizes)
    line = np.concatenate([np.arange(size, dtype=index) for size in sizes] or
                          [np.empty(0, index)])
    key = np.concatenate([d.line_keys for d in docs] or [np.empty(0, np.uint64)])
    heading = np.concatenate([d.headings for d in docs] or [np.empty(0, bool)])
    spans = _concatenated([d.line_words for d in docs])
    key = _merge_similar_headings(docs, texts, doc, line, key, heading, config)
    chars = _concatenated([d.line_chars for d in docs])
    return Lines(doc=doc, line=line, key=key, heading=heading,
                 words=np.diff(spans, axis=1).ravel(), spans=spans, chars=chars)


def _concatenated(spans: list[np.ndarray]) -> np.ndarray:
    """``(n, 2)`` spans laid end to end, as int32 (int64 if one is)."""
    wide = any(s.dtype == np.int64 for s in spans)
    return np.concatenate(spans, dtype=np.int64 if wide else np.int32) if spans else (
        np.empty((0, 2), np.int32))


def _merge_similar_headings(
    docs: Sequence[Doc], texts: Sequence[str], doc: np.ndarray, line: np.ndarray,
    key: np.ndarray, heading: np.ndarray, config: Config,
) -> np.ndarray:
    """Map headings whose Jaro-Winkler similarity passes the bar onto one key.

    Candidates come from MinHash LSH over character trigrams, so only likely
    matches are compared with jellyfish.
    """
    rows = np.flatnonzero(heading)
    # One text per distinct key, from its first heading line (the key is its words').
    distinct, first_rows = np.unique(key[rows], return_index=True)
    unique_keys = distinct.tolist()
    if len(unique_keys) < 2:
        return key
    heading_texts = []
    for r in rows[first_rows].tolist():
        d, text = docs[doc[r]], texts[doc[r]]
        first, last = d.line_words[line[r]].tolist()
        heading_texts.append(" ".join(map(normalise_word, d.word_texts(text, first, last))))
    grams = [_trigrams(t) for t in heading_texts]
    sigs = signature_matrix(grams, config.num_perm, config.seed)
    candidates = lsh_pairs(sigs, *_HEADING_BANDS, np.ones(len(grams), dtype=bool))
    similar = [
        (i, j) for i, j in candidates.tolist()
        if jellyfish.jaro_winkler_similarity(heading_texts[i], heading_texts[j])
        >= config.heading_similarity
    ]
    if not similar:
        return key
    labels = families(len(unique_keys), np.array(similar, dtype=np.int64))
    canonical: dict[int, int] = {}
    for k, label in zip(unique_keys, labels.tolist(), strict=True):
        canonical.setdefault(label, k)  # keys are sorted: the smallest key names the group
    remap = {k: canonical[label] for k, label in zip(unique_keys, labels.tolist(), strict=True)}
    merged = key.copy()
    merged[rows] = [remap[int(k)] for k in key[rows]]
    return merged


def _trigrams(text: str) -> np.ndarray:
    padded = f"  {text} "
    grams = {padded[i : i + 3] for i in range(len(padded) - 2)}
    return np.fromiter(
        (xxhash.xxh3_64_intdigest(g.encode("utf-8", "surrogatepass")) for g in sorted(grams)),
        dtype=np.uint64,
        count=len(grams),
    )


def template_keys(
    lines: Lines, family: np.ndarray, sources: Sequence[str | None], config: Config
) -> np.ndarray:
    """Sorted keys of template lines.

    A line is template when documents of at least ``template_min_families`` families
    carry it (more for a long line: ``boilerplate_bar``), or, when all its carriers
    name one source, documents of at least
    ``source_template_min_families`` families of that source: what one site's
    unrelated articles share is that site's template.
    """
    keys, counts = family_count_arrays(lines.key, lines.doc, family)
    # A key's words: those of its last line (all its lines have the same words, bar
    # headings merged as fuzzily equal).
    order = np.argsort(lines.key, kind="stable")
    last = np.searchsorted(lines.key[order], keys, side="right") - 1
    words = lines.words[order[last]]
    single = member(keys, _single_source_keys(lines, sources))
    return keys[is_template(counts, words, single, config)]


def is_template(families: np.ndarray, words: np.ndarray, one_source: np.ndarray,
                config: Config) -> np.ndarray:
    """The template rule, per line: a line of ``words`` words carried by ``families``
    families, ``one_source`` saying whether all its carriers name one (known) source."""
    bar = boilerplate_bar(words, config.template_min_families, config)
    return (families >= bar) | (one_source & (families >= config.source_template_min_families))


def boilerplate_bar(words: IntOrArray, minimum: int, config: Config) -> IntOrArray:
    """Families that must carry a text of ``words`` words (an int, or an array of
    them) for it to be boilerplate.

    Short lines and phrases need ``minimum`` families; longer text needs one family
    per ``boilerplate_words_per_family`` words: an ad marker in three unrelated
    articles is a pattern, a 40-word paragraph in three is a quote that travelled.
    """
    bar = np.maximum(minimum, -(-words // config.boilerplate_words_per_family))
    return int(bar) if isinstance(words, int) else bar


def _single_source_keys(lines: Lines, sources: Sequence[str | None]) -> np.ndarray:
    """Sorted keys whose carriers all name the same (known) source."""
    names = sorted({s for s in sources if s})
    code = {name: k for k, name in enumerate(names)}
    # An unknown source gets a code of its own, so it never matches another.
    doc_code = np.array(
        [code[s] if s else len(names) + d for d, s in enumerate(sources)], dtype=np.int64
    )
    carrier = doc_code[lines.doc]
    order = np.lexsort((carrier, lines.key))
    keys, carrier = lines.key[order], carrier[order]
    bounds = run_starts(keys)
    if bounds.size == 0:
        return np.empty(0, dtype=np.uint64)
    low = np.minimum.reduceat(carrier, bounds)
    high = np.maximum.reduceat(carrier, bounds)
    return keys[bounds][(low == high) & (low < len(names))]


def template_words(word_offsets: np.ndarray, lines: Lines,
                   templates: np.ndarray) -> np.ndarray:
    """Which words lie in template lines: a bool mask over the documents' words laid
    end to end (document ``d``'s at ``word_offsets[d]:word_offsets[d + 1]``)."""
    rows = np.flatnonzero(member(lines.key, templates))
    base = word_offsets[lines.doc[rows]]
    out = np.zeros(int(word_offsets[-1]), dtype=bool)
    mark_spans(base + lines.spans[rows, 0], base + lines.spans[rows, 1], out)
    return out


def line_spans(
    docs: Sequence[Doc], lines: Lines, keys: np.ndarray
) -> list[tuple[tuple[int, int], ...]]:
    """Per document, the character spans of its lines keyed ``keys``, in text order."""
    rows = np.flatnonzero(member(lines.key, keys))  # by document, then line: text order
    spans = [(a, b) for a, b in lines.chars[rows].tolist()]
    cuts = np.searchsorted(lines.doc[rows], np.arange(len(docs) + 1)).tolist()
    return [tuple(spans[a:b]) for a, b in pairwise(cuts)]


def heading_keys(lines: Lines, templates: np.ndarray) -> np.ndarray:
    """Sorted keys of reused headings: not template, a heading somewhere, in 2+ documents."""
    keep = ~member(lines.key, templates)
    keys, docs = lines.key[keep], lines.doc[keep]
    pairs = np.unique(np.stack([keys, docs.astype(np.uint64)], axis=1), axis=0)
    distinct, carriers = np.unique(pairs[:, 0], return_counts=True)
    shared = distinct[carriers >= 2]
    return np.intersect1d(shared, lines.key[keep & lines.heading])


def stock_spans(
    texts: Sequence[str], docs: Sequence[Doc], stock: np.ndarray, offsets: np.ndarray, n: int,
) -> list[tuple[tuple[int, int], ...]]:
    """Per document, the character spans covered by its ``stock`` shingles (usable
    stock phrases, a mask over all documents' shingles laid end to end), merged."""
    rows = np.empty((int(np.count_nonzero(stock)), 3), dtype=np.int64)
    count = covered_runs(stock, offsets, np.array([d.words for d in docs], dtype=np.int64),
                         n, rows)
    spans: list[list[tuple[int, int]]] = [[] for _ in docs]
    for d, first, end in rows[:count].tolist():
        spans[d].append((docs[d].starts.item(first), docs[d].end(texts[d], end - 1)))
    return [tuple(s) for s in spans]


def stock_threshold(n_families: int, config: Config) -> int:
    """Families a shingle must appear in to be a stock phrase."""
    return max(config.stock_min_families, int(np.ceil(config.stock_min_fraction * n_families)))


def stock_shingles(
    sets: tuple[np.ndarray, np.ndarray], family: np.ndarray, config: Config,
    positions: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Sorted shingle hashes that are stock phrases (carried by many families).

    ``sets`` are the documents' distinct shingles laid end to end, ``(values,
    offsets)``: document ``d``'s are ``values[offsets[d]:offsets[d + 1]]``.

    With ``positions`` (the documents' shingle hashes in text order, laid end to end,
    each document's ``offsets``, and which shingles are usable, i.e. outside template
    lines), a run of consecutive stock shingles long enough to need more families
    (``boilerplate_bar``) than its least widespread shingle has is not stock: it is
    a passage that several articles quote. Shingles that have the families even for
    the whole run's length stay stock: a cliche carried all over the corpus does not
    stop being one because a quote runs into it.
    """
    values, set_offsets = sets
    if set_offsets.size < 2:
        return np.empty(0, dtype=np.uint64)
    bar = stock_threshold(int(family.max(initial=-1)) + 1, config)
    # Only values in ``bar`` documents or more can be in ``bar`` families: a cheap
    # superset of those first (counts per hash bucket), then exact counts for them.
    frequent = np.flatnonzero(common_values(values, bar))
    docs = np.searchsorted(set_offsets, frequent, side="right") - 1
    counts = family_counts(values[frequent], docs, family)
    stock = np.array(sorted(k for k, c in counts.items() if c >= bar), dtype=np.uint64)
    if positions is None or not stock.size:
        return stock
    hashes, offsets, usable = positions
    families = np.array([counts[k] for k in stock.tolist()], dtype=np.int32)
    # Quotes are looked for a slice of the documents at a time: an index per shingle of
    # all of them was 120 MB at 100,000 articles, at the scan's peak.
    quotes = []
    for first, last in pairwise(_parts(offsets, _QUOTE_PARTS)):
        lo, hi = int(offsets[first]), int(offsets[last])
        quote = np.zeros(hi - lo, dtype=bool)
        quoted(usable[lo:hi], index_in(hashes[lo:hi], stock), offsets[first : last + 1] - lo,
               families, config.shingle_size, bar, config.boilerplate_words_per_family, quote)
        quotes.append(hashes[lo:hi][quote])
    return np.setdiff1d(stock, np.concatenate(quotes), assume_unique=False)


def _parts(offsets: np.ndarray, parts: int) -> list[int]:
    """Document boundaries cutting the values at ``offsets`` (documents' ranges laid end
    to end) into about ``parts`` slices of as many values: the first document of each
    slice, and the number of documents last."""
    n_docs = offsets.size - 1
    cuts = np.searchsorted(offsets, np.linspace(0, offsets[-1], parts + 1)[1:-1])
    return sorted({0, n_docs, *np.clip(cuts, 0, n_docs).tolist()})


def describe_lines(
    articles: Sequence[Article], lines: Lines, family: np.ndarray, templates: np.ndarray,
) -> list[Boilerplate]:
    """Template lines and repeated headings, most widespread first."""
    counts = lines.families(family)
    is_template_key = set(templates.tolist())
    items: list[Boilerplate] = []
    order = np.lexsort((lines.line, lines.doc, lines.key))
    keys, docs_in_order = lines.key[order], lines.doc[order]
    starts = run_starts(keys)
    ends = np.append(starts[1:], keys.size)
    # Only keys in two documents or more, and template or a heading somewhere, are
    # listed: most lines are in one document, so they are left out before the loop.
    new_carrier = np.zeros(keys.size + 1, dtype=np.int64)
    new_carrier[run_starts(keys, docs_in_order)] = 1
    carriers_of = np.add.reduceat(new_carrier, starts)[: starts.size]
    headed = np.add.reduceat(np.append(lines.heading[order], False), starts)[: starts.size]
    wanted = (carriers_of >= 2) & ((headed > 0) | member(keys[starts], templates))
    for a, b in zip(starts[wanted].tolist(), ends[wanted].tolist(), strict=True):
        group = order[a:b]
        carriers = sorted(set(docs_in_order[a:b].tolist()))
        key = int(keys[a])
        n_fam = counts[key]
        is_template = key in is_template_key
        first = int(group[0])
        d = int(lines.doc[first])
        start, end = lines.chars[first].tolist()
        text = articles[d].text[start:end].strip()
        sources = _sources(articles, carriers)
        kind = "template" if is_template else "heading"
        if is_template and len(sources) > 1 and SENTENCE_END.search(text):
            kind = "stock-phrase"  # a whole sentence that several outlets use
        items.append(Boilerplate(text=text, kind=kind,
                                 docs=tuple(articles[c].id for c in carriers),
                                 sources=sources, families=n_fam))
    items.sort(key=lambda b: (KINDS.index(b.kind), -len(b.docs), b.text))
    return items


def describe_stock(
    articles: Sequence[Article], docs: Sequence[Doc], shingle_hashes: Sequence[np.ndarray],
    masks: Sequence[np.ndarray], family: np.ndarray, config: Config,
) -> list[Boilerplate]:
    """Stock phrases, most widespread first (``masks``: per document, which of its
    shingles are stock).

    Consecutive stock shingles carried by the same documents read as one phrase
    ("serves as a stark reminder of the"), so they are listed once, with the text
    of the first document that carries them.
    """
    lists: dict[int, list[int]] = {}
    for d, (hashes, mask) in enumerate(zip(shingle_hashes, masks, strict=True)):
        for h in sorted_unique(hashes[mask]).tolist():
            lists.setdefault(h, []).append(d)
    carriers = {h: tuple(ds) for h, ds in lists.items()}
    phrases: dict[str, set[int]] = {}
    for d, (hashes, mask) in enumerate(zip(shingle_hashes, masks, strict=True)):
        # Only stock positions are walked, and only in the first document carrying them.
        owned = [(p, h) for p, h in zip(np.flatnonzero(mask).tolist(), hashes[mask].tolist(),
                                        strict=True) if carriers[h][0] == d]
        for first, last in _runs(owned, carriers):
            end_word = min(last + config.shingle_size, docs[d].words) - 1
            text = articles[d].text[docs[d].starts[first] : docs[d].end(articles[d].text, end_word)]
            phrases.setdefault(" ".join(text.split()), set()).update(carriers[int(hashes[first])])
    items = [
        Boilerplate(text=t, kind="stock-phrase",
                    docs=tuple(articles[i].id for i in sorted(ds)),
                    sources=_sources(articles, sorted(ds)),
                    families=len({int(family[i]) for i in ds}))
        for t, ds in phrases.items()
    ]
    items.sort(key=lambda b: (-b.families, -len(b.docs), b.text))
    return items[:MAX_LISTED]


def _runs(
    owned: list[tuple[int, int]], carriers: dict[int, tuple[int, ...]]
) -> list[tuple[int, int]]:
    """Runs ``(first, last)`` of consecutive ``(position, hash)`` with equal carriers."""
    runs: list[tuple[int, int]] = []
    run_hash = 0
    for p, h in owned:
        if runs and runs[-1][1] == p - 1 and carriers[h] == carriers[run_hash]:
            runs[-1] = (runs[-1][0], p)
        else:
            runs.append((p, p))
            run_hash = h
    return runs


def _sources(articles: Sequence[Article], carriers: Sequence[int]) -> tuple[str, ...]:
    return tuple(sorted({s for c in carriers if (s := articles[c].source)}))
