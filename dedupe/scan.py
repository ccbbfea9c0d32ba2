"""The scan pipeline: the one place where the stages are chained.

    read -> normalise -> shingle -> signatures + LSH -> relations
         -> boilerplate -> passages -> clusters -> report

Two rounds tell templates from copied text. Round 1 groups documents into
families on their full text; lines carried by several families are templates.
Round 2 drops template lines and measures what is left: whole-document relations,
stock phrases (shingles in many families), reused passages and shared headings.
"""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import numpy as np

from dedupe.arrays import member, prefix_sums, ranges, split_at, unique_rows
from dedupe.boilerplate import (
    Lines,
    collect_lines,
    describe_lines,
    describe_stock,
    heading_keys,
    line_spans,
    stock_shingles,
    stock_spans,
    template_keys,
    template_words,
)
from dedupe.cluster import cluster, load_clustering
from dedupe.config import Config
from dedupe.documents import in_threads_map
from dedupe.kernels import segment_counts
from dedupe.lsh import band_keys, band_pairs
from dedupe.normalise import Doc, analyse_many, content_key_of, text_key_of, word_hashes_flat
from dedupe.passages import Sides, passage, rare_flat, sorted_usable
from dedupe.records import Article, Boilerplate, Cluster, Pair, Skip
from dedupe.relations import (
    Overlaps,
    copies,
    evidence_strength,
    families,
    loose_families,
    overlaps,
    overlaps_flat,
    overlaps_of,
    passage_strength,
    posting_pairs,
    shared_flat,
)
from dedupe.relations import relations as pair_relations
from dedupe.shingle import shingle_sets, shingles_flat, usable_flat
from dedupe.signatures import signatures_flat

#: ``(start, end)`` character spans into one article's text, in text order.
Spans = tuple[tuple[int, int], ...]
#: ``(items, label, total) -> items``: wraps a loop, e.g. in a progress bar.
Progress = Callable[[Iterable[Any], str, int], Iterable[Any]]

T = TypeVar("T")

#: Reuse at least this strong joins families before headings are judged.
STRONG_REUSE = 0.8
#: Texts analysed together (``analyse_many``): enough to amortise numpy's per-call cost.
ANALYSE_BATCH = 1000
#: Carriers of one heading paired with each other at most (a wider heading is template).
MAX_HEADING_CARRIERS = 20


@dataclass(frozen=True)
class ScanResult:
    """Everything a scan found; ``report.to_json`` turns it into report.json."""

    config: Config
    articles: tuple[Article, ...]
    words: tuple[int, ...]
    pairs: tuple[Pair, ...]
    boilerplate: tuple[Boilerplate, ...]
    clusters: tuple[Cluster, ...]
    skipped: tuple[Skip, ...] = ()
    warnings: tuple[Skip, ...] = ()
    template_words: tuple[int, ...] = field(default=())  # per document
    #: per document, (start, end) character spans of the lines masked as template
    template_lines: tuple[Spans, ...] = field(default=())
    #: per document, character spans of reused heading lines (not template)
    heading_lines: tuple[Spans, ...] = field(default=())
    #: per document, character spans of stock phrases outside template lines
    stock_spans: tuple[Spans, ...] = field(default=())


def _quiet(items: Iterable[Any], _label: str, _total: int) -> Iterable[Any]:
    return items


def scan(
    articles: Sequence[Article],
    config: Config | None = None,
    *,
    skipped: Sequence[Skip] = (),
    warnings: Sequence[Skip] = (),
    progress: Progress | None = None,
    jobs: int = 1,
) -> ScanResult:
    """Find duplicates, reused passages, boilerplate and clusters in ``articles``.

    Args:
        articles: documents with unique ids (see ``dedupe.read``).
        config: settings; ``Config()`` by default.
        skipped, warnings: reader outcomes, carried into the result unchanged.
        progress: optional wrapper ``(iterable, label, total) -> iterable`` for a
            progress bar.
        jobs: threads that analyse the texts, measure overlaps and look for passages
            (the result does not depend on it).

    Returns:
        A ScanResult. The same input always gives the same result.

    Example:
        >>> from dedupe.records import Article
        >>> text = "The quick brown fox jumps over the lazy dog near the river bank today."
        >>> result = scan([Article("a", text), Article("b", text)])
        >>> result.pairs[0].relation
        'duplicate'
    """
    # Documents go in by id: which of two is compared from which side (and so which of
    # equal alignments of repetitive text is reported, and how much it weighs) must not
    # depend on the input's order. The result lists them in the input's order again.
    order = sorted(range(len(articles)), key=lambda k: articles[k].id)
    with collection_paused():
        result = _scan([articles[k] for k in order], config or Config(), skipped, warnings,
                       progress or _quiet, jobs)
    if order == list(range(len(articles))):
        return result
    back = [0] * len(order)
    for position, k in enumerate(order):
        back[k] = position

    def unsorted(values: tuple[T, ...]) -> tuple[T, ...]:
        return tuple(values[position] for position in back)

    return replace(result, articles=tuple(articles), words=unsorted(result.words),
                   template_words=unsorted(result.template_words),
                   template_lines=unsorted(result.template_lines),
                   heading_lines=unsorted(result.heading_lines),
                   stock_spans=unsorted(result.stock_spans))


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector for the block (it is turned back on after, if it
    was on). A scan makes millions of small objects and no reference cycles; each
    full collection walks all of them, which took a fifth of a 100,000-article scan."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def release_memory() -> None:
    """Give the system back the memory the C allocator holds but no longer uses
    (glibc's ``malloc_trim``; nothing where there is none). Arrays of a few MB each,
    like the analysis's per batch, are freed into the allocator's heaps, not to the
    system: dropping the documents' word hashes at 100,000 articles frees 270 MB that
    only this hands back (and that the scan's later, larger arrays would not reuse)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError, TypeError):  # not glibc (Windows: no CDLL(None))
        return None


_MALLOC_TRIM = _malloc_trim()


def _scan(articles: Sequence[Article], config: Config, skipped: Sequence[Skip],
          warnings: Sequence[Skip], step: Progress, jobs: int) -> ScanResult:
    texts = [a.text for a in articles]
    docs: list[Doc] = []
    batches = [texts[k : k + ANALYSE_BATCH] for k in range(0, len(texts), ANALYSE_BATCH)]
    for analysed in step(in_threads_map(analyse_many, batches, config, jobs), "analysing",
                         len(batches)):
        docs += analysed
    words = np.concatenate([d.hashes for d in docs]) if docs else np.empty(0, np.uint64)
    word_counts = np.array([d.words for d in docs], dtype=np.int64)
    # (each text's words hashed whole while the hashes are at hand: copies, round 2)
    text_keys = np.array([text_key_of(d.hashes) for d in docs], dtype=np.uint64)
    # Word hashes are needed for the shingles only (round 2 hashes again the words of
    # the few documents whose content may be equal, ``_same_content``): dropped here.
    docs = [d.without_hashes() for d in docs]
    release_memory()
    flat, sizes = shingles_flat(words, word_counts, config.shingle_size)
    del words  # (each step below drops what it no longer needs: memory is per article)
    # Shingles (and words) of all documents laid end to end; ``hashes`` are views.
    shingled = Shingled(flat, prefix_sums(sizes), prefix_sums(word_counts))
    hashes = split_at(flat, shingled.offsets)
    # Lines are collected (mostly Python) while round 1 looks for candidates (mostly
    # compiled loops and numpy, which let go of the GIL).
    lines_later = _started(jobs, _lines, docs, texts, config)

    # Round 1: families on the full text decide which lines are templates.
    flat_full = shingle_sets(flat, shingled.offsets, np.ones(flat.size, dtype=bool))
    candidates = _candidates(flat_full, config, jobs)
    lines = lines_later()
    full = overlaps_flat(candidates, flat_full, jobs)
    sources = [a.source for a in articles]
    family = loose_families(len(docs), full, config.family_jaccard, config.family_containment)
    del flat_full, full
    release_memory()
    masked_keys = template_keys(lines, family, sources, config)
    _started(jobs, load_clustering)  # (an import, while round 2 runs compiled loops)

    # Round 2: the same on content (template lines removed). Content relations and
    # strong reuse give truer families than round 1's full-text ones (a trimmed copy
    # that is mostly its site's template, a rewrite); a line that turns out to be
    # carried by fewer families is no template after all, and content is compared
    # once more without it. Two passes suffice: the second only unmasks lines.
    # Copies (the same text after normalisation) are duplicates whatever is template.
    copy_of, copied = copies(text_keys, word_counts)
    candidates = np.concatenate([candidates, copied])
    del copied
    compared = _compare(texts, docs, shingled, masked_keys, lines, candidates, None, config,
                        jobs, copy_of)
    del candidates
    final_family = compared.family_with_reuse()
    rechecked = template_keys(lines, final_family, sources, config)
    rechecked = np.intersect1d(rechecked, masked_keys)
    if rechecked.size < masked_keys.size:
        changed = _docs_with(lines, np.setdiff1d(masked_keys, rechecked), len(docs))
        kept = _still_candidates(compared, changed)
        masked_keys = rechecked
        earlier = compared.passages_found(changed)
        del compared  # the first pass goes before the second is made
        release_memory()
        compared = _compare(texts, docs, shingled, masked_keys, lines, kept, final_family,
                            config, jobs, copy_of, earlier)
        del earlier
        final_family = compared.family_with_reuse()
    # Each step below comes as soon as what it needs is ready, and the arrays go as
    # soon as the last step that reads them is done: shingles, then the comparison,
    # then the documents' words (the scan's peak memory is at its end).
    in_stock = split_at(compared.in_stock, shingled.offsets)
    stock_items = describe_stock(articles, docs, hashes, in_stock, compared.family, config)
    stock = tuple(stock_spans(texts, docs, compared.usable_stock, shingled.offsets,
                              config.shingle_size))
    template_counts = np.empty(len(docs), dtype=np.int64)
    segment_counts(compared.mask, shingled.word_offsets, template_counts)
    del in_stock, hashes, flat, shingled, lines_later
    # Listed templates are exactly the masked lines (what reports grey out).
    line_items = describe_lines(articles, lines, final_family, masked_keys)
    headings = _heading_pairs(articles, line_items)
    template_lines = tuple(line_spans(docs, lines, masked_keys))
    heading_lines = tuple(line_spans(docs, lines, heading_keys(lines, masked_keys)))
    del lines
    apart = _measured_apart(articles, headings, compared.sets_of)
    content, relations, passages = compared.content, compared.relations, compared.passages
    del compared  # (its arrays, and the shingles, go before the pairs are made)
    release_memory()
    found = _evidence(articles, content, relations, passages, apart)
    del content, relations, passages, apart
    pairs = _assemble(articles, docs, found, headings, config)
    del docs, found
    links = [p for p in pairs if p.strength >= config.link_min_strength]
    return ScanResult(
        config=config,
        articles=tuple(articles),
        words=tuple(word_counts.tolist()),
        pairs=tuple(links),
        boilerplate=tuple(line_items + stock_items),
        clusters=tuple(cluster(articles, links, config)),
        skipped=tuple(skipped),
        warnings=tuple(warnings),
        template_words=tuple(template_counts.tolist()),
        template_lines=template_lines,
        heading_lines=heading_lines,
        stock_spans=stock,
    )


@dataclass(frozen=True, eq=False)
class _Comparison:
    """One pass over content: relations, stock phrases and passages for a template mask."""

    shingled: Shingled
    mask: np.ndarray  # per word (laid end to end), whether it is in a template line
    usable: np.ndarray  # per shingle (laid end to end), whether it is outside template lines
    compared: np.ndarray  # the candidate pairs compared
    content: Overlaps  # those that share content
    relations: list[str | None]
    family: np.ndarray  # families by whole-document relations (what stock is counted over)
    in_stock: np.ndarray  # per shingle (laid end to end), whether it is a stock phrase
    stock: np.ndarray  # stock phrases' hashes, sorted
    band_keys: np.ndarray  # per document, its content's LSH band keys
    passages: Passages  # of the candidates (rows of ``content``) that have any

    @property
    def usable_stock(self) -> np.ndarray:
        """Per shingle (laid end to end), whether it is a stock phrase outside template
        lines."""
        return self.usable & self.in_stock

    def family_with_reuse(self) -> np.ndarray:
        """Families by whole-document relations and strong passage reuse."""
        strong = [k for k, r in enumerate(self.relations) if r is not None]
        reuse = self.passages.keys[self.passages.strength >= STRONG_REUSE]
        edges = np.union1d(np.array(strong, dtype=np.int64), reuse)
        return families(self.family.size, self.content.pairs[edges])

    def passages_found(self, changed: np.ndarray) -> _Found:
        """What a later pass needs to reuse this one's passages, when the documents
        ``changed`` flags have lines that it no longer masks."""
        return _Found(changed, self.stock, self.band_keys, self.content.pairs, self.passages)

    def sets_of(self, docs: Iterable[int]) -> dict[int, np.ndarray]:
        """The distinct usable shingles, sorted, of each of ``docs`` (the comparison
        keeps no sets: at 100,000 articles they were 230 MB at its peak)."""
        at, flat = self.shingled.offsets.tolist(), self.shingled.hashes
        return {d: np.unique(flat[at[d] : at[d + 1]][self.usable[at[d] : at[d + 1]]])
                for d in docs}


@dataclass(frozen=True, eq=False)
class Passages:
    """Passage rows (``Sides.spans``: pair row, first and last shingle in each document,
    rare shingles) of the candidates that have any: candidate ``keys[c]``'s are
    ``rows[offsets[c]:offsets[c + 1]]``, in order, and weigh ``strength[c]``
    (``passage_strength``). Arrays, not a list per row: a large scan finds millions."""

    keys: np.ndarray  # candidate rows, ascending
    offsets: np.ndarray
    rows: np.ndarray  # (m, 6) int64
    strength: np.ndarray

    @classmethod
    def of(cls, keys: np.ndarray, rows: np.ndarray, config: Config) -> Passages:
        """The rows, each of candidate ``keys[r]``, grouped by candidate (a candidate's
        rows keep their order)."""
        order = np.argsort(keys, kind="stable")
        keys, rows = keys[order], rows[order].reshape(-1, 6)
        distinct, first = np.unique(keys, return_index=True)
        rare = np.add.reduceat(rows[:, 5], first) if first.size else first
        strength = [passage_strength(r, config) for r in rare.tolist()]
        return cls(distinct, np.append(first, keys.size), rows,
                   np.array(strength, dtype=np.float64))

    def of_each(self, keys: Sequence[int]) -> list[tuple[list[list[int]], float]]:
        """Each candidate's rows and strength (none and 0.0 for one without passages)."""
        at = np.searchsorted(self.keys, keys).tolist()
        rows, edges = self.rows.tolist(), self.offsets.tolist()
        strength, known = self.strength.tolist(), self.keys.tolist()
        return [(rows[edges[c] : edges[c + 1]], strength[c])
                if c < len(known) and known[c] == k else ([], 0.0)
                for k, c in zip(keys, at, strict=True)]


@dataclass(frozen=True, eq=False)
class _Found:
    """A pass's passages, and what they were found with: a later pass reuses those of
    each pair whose two documents' shingles are usable and rare as they were (the
    passages of a pair depend on nothing else)."""

    changed: np.ndarray  # per document: lines the later pass unmasks (usable changes)
    stock: np.ndarray  # the stock phrases then (what is rare follows from them)
    band_keys: np.ndarray  # per document, its content's LSH band keys then
    pairs: np.ndarray  # candidate rows (i < j) that ``passages`` is keyed by
    passages: Passages

    def unchanged(self, shingles: np.ndarray, offsets: np.ndarray,
                  stock: np.ndarray) -> np.ndarray:
        """Per document, whether its shingles are usable and rare as they were, now that
        ``stock`` are the stock phrases: it has no unmasked line, and no shingle that is
        stock in one pass only."""
        moved = member(shingles, np.setxor1d(self.stock, stock))
        counts = np.empty(offsets.size - 1, dtype=np.int64)
        segment_counts(moved, offsets, counts)
        return (counts == 0) & ~self.changed

    def rows_of(self, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The passage rows found for ``pairs``: ``(index into pairs, row)`` each."""
        found = self.passages
        codes = found_codes = np.empty(0, dtype=np.int64)
        if found.keys.size and len(pairs):
            width = max(int(self.pairs.max()), int(pairs.max())) + 1
            found_codes = self.pairs[found.keys, 0] * width + self.pairs[found.keys, 1]
            codes = pairs[:, 0] * width + pairs[:, 1]
        order = np.argsort(found_codes)
        at = np.minimum(np.searchsorted(found_codes[order], codes), max(order.size - 1, 0))
        hit = np.flatnonzero(found_codes[order[at]] == codes) if order.size else order
        c = order[at[hit]]
        counts = found.offsets[c + 1] - found.offsets[c]
        return np.repeat(hit, counts), found.rows[ranges(found.offsets[c], counts)]


@dataclass(frozen=True, eq=False)
class Shingled:
    """The documents' shingle hashes laid end to end: document ``d``'s are
    ``hashes[offsets[d]:offsets[d + 1]]``, cut from its words
    ``word_offsets[d]:word_offsets[d + 1]`` (of all documents' words laid end to end)."""

    hashes: np.ndarray
    offsets: np.ndarray
    word_offsets: np.ndarray


def _compare(
    texts: Sequence[str], docs: Sequence[Doc], shingled: Shingled, template: np.ndarray,
    lines: Lines, candidates: np.ndarray, known: np.ndarray | None, config: Config, jobs: int,
    copy_of: np.ndarray, earlier: _Found | None = None,
) -> _Comparison:
    """Compare the candidates on content, with the lines keyed ``template`` masked.

    ``known`` are families from an earlier pass, joined with this pass's relations
    when counting how widespread a shingle is; ``copy_of`` names each document's first
    copy (``relations.copies``); ``earlier`` holds an earlier pass's passages, reused
    where they cannot have changed.
    """
    n, offsets, flat = config.shingle_size, shingled.offsets, shingled.hashes
    mask = template_words(shingled.word_offsets, lines, template)
    usable = usable_flat(mask, shingled.word_offsets, offsets, n)
    ordered = sorted_usable(flat, offsets, usable, jobs)  # sets, and to find passages
    flat_sets = ordered.sets(flat, offsets)
    keys = _band_keys(flat_sets, config, jobs, earlier)
    lsh = band_pairs(keys, np.diff(flat_sets[1]) > 0)
    if earlier is not None:  # (the others' are the earlier pass's, compared then)
        lsh = lsh[earlier.changed[lsh[:, 0]] | earlier.changed[lsh[:, 1]]]
    candidates = unique_rows(np.concatenate([candidates, lsh]))
    # A pair that shares no content is no relation and has no passage, unless it is two
    # copies of one text: dropped here (in a site's articles, most candidates share only
    # template lines).
    # (Pairs are kept before they are measured: at 100,000 articles, measuring all of
    # round 2's candidates cost 100 MB at the scan's peak.)
    shared = shared_flat(candidates, flat_sets, jobs)
    kept = shared > 0
    alone = np.flatnonzero(~kept)
    kept[alone[_same_text(candidates[alone], copy_of)]] = True
    content = overlaps_of(candidates[kept], shared[kept], flat_sets[1])
    del shared, kept, alone
    same_text = _same_text(content.pairs, copy_of)
    same = _same_content(texts, content, mask, shingled.word_offsets)
    relations = pair_relations(content.shared, same, content.jaccard,
                               np.maximum(content.a_in_b, content.b_in_a), config, same_text)
    edges = content.pairs[[r is not None for r in relations]]
    if known is not None:
        edges = np.concatenate([edges, _family_edges(known)])
    family = families(len(docs), edges)
    stock = stock_shingles(flat_sets, family, config, (flat, offsets, usable))
    del flat_sets  # (passages merge the shingles in hash order, ``ordered``)
    in_stock = member(flat, stock)
    sides = Sides(flat, offsets, usable, rare_flat(usable, in_stock, offsets, n), ordered)
    reuse = None if earlier is None else (earlier, earlier.unchanged(flat, offsets, stock))
    found = _passages(sides, content, relations, config, jobs, reuse)
    return _Comparison(shingled, mask, usable, candidates, content, relations, family, in_stock,
                       stock, keys, found)


def _same_text(pairs: np.ndarray, copy_of: np.ndarray) -> np.ndarray:
    """Per pair, whether its two documents are copies of one text (``copy_of``, of
    ``relations.copies``: each document's first copy, -1 without words)."""
    first = copy_of[pairs[:, 0]]
    return (first == copy_of[pairs[:, 1]]) & (first >= 0)


def _lines(docs: list[Doc], texts: Sequence[str], config: Config) -> Lines:
    """``collect_lines``, and then each of ``docs`` without its lines (replaced in place:
    they are all in the result, and the scan reads ``docs`` again only once this is
    done), so that round 1's candidates do not hold them twice."""
    lines = collect_lines(docs, texts, config)
    docs[:] = [d.words_only() for d in docs]
    return lines


def _docs_with(lines: Lines, keys: np.ndarray, n_docs: int) -> np.ndarray:
    """Per document, whether it has a line keyed one of ``keys``."""
    found = np.zeros(n_docs, dtype=bool)
    found[lines.doc[member(lines.key, keys)]] = True
    return found


def _still_candidates(compared: _Comparison, changed: np.ndarray) -> np.ndarray:
    """The candidates of a pass once the documents ``changed`` flags have lines it no
    longer masks: ``compared``'s pairs that share content, and any pair it compared with
    such a document (only a document with new content can share new content; the
    others' sets are as they were)."""
    rows = compared.compared
    return np.concatenate([compared.content.pairs,
                           rows[changed[rows[:, 0]] | changed[rows[:, 1]]]])


def _same_content(texts: Sequence[str], content: Overlaps, template: np.ndarray,
                  word_offsets: np.ndarray) -> np.ndarray:
    """Per candidate, whether its two documents' content keys are equal
    (``content_key``: the same words outside template lines; ``template`` marks the
    words in template lines, laid end to end at ``word_offsets``).

    Only documents that share content and have as many words outside template lines
    can have the same content: those few are hashed again from their texts (the scan
    keeps no word hashes).
    """
    sizes = np.diff(word_offsets)
    masked = np.empty(sizes.size, dtype=np.int64)
    segment_counts(template, word_offsets, masked)
    content_words = sizes - masked
    pairs = content.pairs
    maybe = np.flatnonzero((content.shared > 0)
                           & (content_words[pairs[:, 0]] == content_words[pairs[:, 1]]))
    docs = np.unique(pairs[maybe])
    keys = np.empty(docs.size, dtype=np.uint64)
    for first in range(0, docs.size, ANALYSE_BATCH):  # (a batch's arrays at a time)
        batch = docs[first : first + ANALYSE_BATCH].tolist()
        hashes, counts = word_hashes_flat([texts[d] for d in batch])
        if not np.array_equal(counts, sizes[batch]):
            raise RuntimeError("words hashed again differ from the scan's analysis")
        at = prefix_sums(counts).tolist()
        keys[first : first + len(batch)] = [
            content_key_of(hashes[at[k] : at[k + 1]],
                           template[word_offsets[d] : word_offsets[d + 1]])
            for k, d in enumerate(batch)]
    same = np.zeros(len(pairs), dtype=bool)
    a, b = np.searchsorted(docs, pairs[maybe, 0]), np.searchsorted(docs, pairs[maybe, 1])
    same[maybe] = keys[a] == keys[b]
    return same


def _family_edges(family: np.ndarray) -> np.ndarray:
    """Edges joining each document to the first document of its family."""
    labels, head = np.unique(family, return_index=True)
    docs = np.arange(family.size, dtype=np.int64)
    return np.stack([docs, head[np.searchsorted(labels, family)]], axis=1)


def _band_keys(sets: tuple[np.ndarray, np.ndarray], config: Config, jobs: int,
               earlier: _Found | None) -> np.ndarray:
    """LSH band keys of the shingle sets laid end to end, ``(values, offsets)``: an
    earlier pass's, made again for the documents it says ``changed`` only."""
    values, offsets = sets
    if earlier is None:
        return band_keys(signatures_flat(values, np.diff(offsets), config.num_perm,
                                         config.seed, jobs), *config.lsh_bands)
    keys = earlier.band_keys.copy()
    docs = np.flatnonzero(earlier.changed)
    sizes = offsets[docs + 1] - offsets[docs]
    signatures = signatures_flat(values[ranges(offsets[docs], sizes)], sizes, config.num_perm,
                                 config.seed, jobs)
    keys[docs] = band_keys(signatures, *config.lsh_bands)
    return keys


def _lsh(sets: tuple[np.ndarray, np.ndarray], config: Config, jobs: int = 1) -> np.ndarray:
    """LSH pairs of the shingle sets laid end to end, ``(values, offsets)`` (signatures
    in ``jobs`` threads)."""
    # (The signatures go once banded: round 1's peak is this beside the postings.)
    return band_pairs(_band_keys(sets, config, jobs, None), np.diff(sets[1]) > 0)


def _candidates(sets: tuple[np.ndarray, np.ndarray], config: Config, jobs: int) -> np.ndarray:
    """LSH pairs plus pairs sharing enough moderately rare shingles, for the documents'
    shingle sets laid end to end, ``(values, offsets)`` (the two side by side in
    threads when there are ``jobs`` to spare)."""
    min_shared = max(1, config.min_passage_words - config.shingle_size + 1)
    by_lsh = _started(jobs, _lsh, sets, config)
    by_postings = posting_pairs(sets, config.max_postings, min_shared)
    release_memory()  # (posting lists are made a hash range at a time, in small arrays)
    return unique_rows(np.concatenate([by_lsh(), by_postings]))


def _started(jobs: int, work: Callable[..., T], *args: Any) -> Callable[[], T]:
    """``work(*args)`` started in a thread of its own when ``jobs`` is 2 or more (this
    thread goes on with other work), else when its result is asked for; returns the
    function that waits for and gives that result."""
    if jobs < 2:
        return lambda: work(*args)
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(work, *args)
    pool.shutdown(wait=False)  # the thread ends with the work
    return future.result


def _passages(
    sides: Sides, content: Overlaps, relations: list[str | None], config: Config, jobs: int,
    earlier: tuple[_Found, np.ndarray] | None = None,
) -> Passages:
    """Evidence passages of each candidate that has any (made into Passage records only
    for the pairs reported). An earlier pass's are taken for the pairs of documents that
    it says are ``unchanged``, ``earlier = (found, unchanged)`` (in the second content
    pass, most pairs)."""
    min_shared = max(1, config.min_passage_words - config.shingle_size + 1)
    related = np.array([r is not None for r in relations], dtype=bool).reshape(-1)
    todo = np.flatnonzero(related | (content.shared >= min_shared))
    keys, rows = [np.empty(0, np.int64)], [np.empty((0, 6), np.int64)]
    if earlier is not None:
        before, same = earlier
        pairs = content.pairs[todo]
        again = same[pairs[:, 0]] & same[pairs[:, 1]]
        at, kept = before.rows_of(pairs[again])
        keys.append(todo[again][at])
        rows.append(kept)
        todo = todo[~again]
    found = sides.spans(content.pairs[todo], config, jobs)
    keys.append(todo[found[:, 0]])
    rows.append(found)
    return Passages.of(np.concatenate(keys), np.concatenate(rows), config)


def _heading_pairs(
    articles: Sequence[Article], items: list[Boilerplate]
) -> dict[tuple[str, str], list[str]]:
    """Distinctive shared headings, keyed by the (sorted) pair of documents sharing them."""
    shared: dict[tuple[str, str], list[str]] = {}
    for item in items:
        if item.kind != "heading" or len(item.docs) > MAX_HEADING_CARRIERS:
            continue
        for x, a in enumerate(item.docs):
            for b in item.docs[x + 1 :]:
                shared.setdefault((min(a, b), max(a, b)), []).append(item.text)
    return shared


#: Per pair of ids: (i, j, jaccard, i in j, j in i, relation, passage rows, reuse).
_Measured = dict[tuple[str, str], tuple[Any, ...]]


def _measured_apart(
    articles: Sequence[Article], headings: dict[tuple[str, str], list[str]],
    sets_of: Callable[[Iterable[int]], Mapping[int, np.ndarray]],
) -> _Measured:
    """The pairs sharing headings, measured on their content shingles (as any candidate
    would be): those that were no candidate, or had no other evidence, need it."""
    index = {a.id: i for i, a in enumerate(articles)}
    rows = np.array([[index[a], index[b]] for a, b in headings], dtype=np.int64)
    extra = overlaps(rows.reshape(-1, 2), sets_of(np.unique(rows).tolist()))
    return {key: (i, j, *measured, None, [], 0.0) for key, (i, j), *measured in
            zip(headings, *_columns(extra, range(len(headings))), strict=True)}


def _evidence(
    articles: Sequence[Article], content: Overlaps, relations: list[str | None],
    passages: Passages, apart: _Measured,
) -> _Measured:
    """What is measured of each candidate with any evidence (as Python values, so that
    the arrays it comes from can go), keyed by its ids in order, and of the pairs
    ``apart`` that are no such candidate."""
    ids = [a.id for a in articles]
    found: _Measured = {}
    useful = sorted({k for k, r in enumerate(relations) if r is not None}
                    | set(passages.keys.tolist()))
    for k, (i, j), *measured, shared in zip(useful, *_columns(content, useful),
                                            passages.of_each(useful), strict=True):
        key = (ids[i], ids[j]) if ids[i] < ids[j] else (ids[j], ids[i])
        found[key] = (i, j, *measured, relations[k], *shared)
    for key, alone in apart.items():
        found.setdefault(key, alone)
    return found


def pairs_of(
    articles: Sequence[Article], docs: Sequence[Doc], content: Overlaps,
    relations: list[str | None], passages: Passages,
    headings: dict[tuple[str, str], list[str]],
    sets_of: Callable[[Iterable[int]], Mapping[int, np.ndarray]], config: Config,
) -> list[Pair]:
    """The Pairs of measured candidates, as ``scan`` makes them (in steps, there, so that
    the arrays go early; the Spark engine makes each batch's at once)."""
    apart = _measured_apart(articles, headings, sets_of)
    return _assemble(articles, docs, _evidence(articles, content, relations, passages, apart),
                     headings, config)


def _assemble(
    articles: Sequence[Article], docs: Sequence[Doc], found: _Measured,
    headings: dict[tuple[str, str], list[str]], config: Config,
) -> list[Pair]:
    """One Pair per candidate with any evidence (``_evidence``), in id order."""
    pairs = []
    for key in sorted(found):
        i, j, jaccard, i_in_j, j_in_i, kind, spans, reuse = found[key]
        shared_headings = headings.get(key, [])
        if kind is None and not spans and not shared_headings:
            continue
        if kind == "duplicate" and not spans and jaccard == 0.0:
            spans = [_whole_copy(docs[i], docs[j], config.shingle_size)]
        swap = articles[i].id != key[0]
        a_in_b, b_in_a = (j_in_i, i_in_j) if swap else (i_in_j, j_in_i)
        strength = evidence_strength(kind, jaccard, max(a_in_b, b_in_a), reuse,
                                     len(shared_headings), config.heading_strength)
        passages = [passage(r, articles[i].text, docs[i], articles[j].text, docs[j],
                            config.shingle_size, swap) for r in spans]
        pairs.append(Pair(
            a=key[0], b=key[1], relation=kind or "reuse", jaccard=round(jaccard, 4),
            containment=(round(a_in_b, 4), round(b_in_a, 4)),
            passages=tuple(passages),
            headings=tuple(shared_headings), strength=round(strength, 4),
        ))
    return pairs


def _whole_copy(doc_a: Doc, doc_b: Doc, n: int) -> list[int]:
    """The passage row (``Sides.spans``) of all of two copies' words, weighing nothing:
    the evidence shown for copies of a text that share no content (a Jaccard of 0: all
    of it is template lines, or too little outside them to make a shingle), which only
    the same text makes a duplicate (``relations.copies``)."""
    return [0, 0, max(doc_a.words - n, 0), 0, max(doc_b.words - n, 0), 0]


def _columns(table: Overlaps, rows: Sequence[int]) -> list[list[Any]]:
    """Rows of ``table`` as Python values: pairs, Jaccard, containments (a in b, b in a)."""
    picks = np.asarray(rows, dtype=np.int64)
    return [table.pairs[picks].tolist(), table.jaccard[picks].tolist(),
            table.a_in_b[picks].tolist(), table.b_in_a[picks].tolist()]
