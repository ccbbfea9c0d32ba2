"""The pre-ingest index: check each new article against everything admitted so far.

    check(article) -> analyse -> templates and stock phrases (counted in the index)
                   -> candidates (LSH bands, shared fingerprints) -> verify -> Verdict

A check uses the batch scan's stages and rules (``normalise``, ``shingle``,
``passages``, ``relations``, ``cluster.choose_origin``) on the article and the few
admitted documents it may repeat; the store (``dedupe.store``) only keeps and looks
up. What differs from a scan, and why, is in docs/design-index.md:

* Families: an admitted copy (duplicate, near-duplicate, contained) joins the family
  of the document it copies; template lines and stock phrases are counted in
  families, so a hundred copies of one story never make it boilerplate.
* Fingerprints: documents keep only their winnowed shingles (``shingle.winnow``,
  window ``min_passage_words - shingle_size + 1``), which still finds every shared
  passage of ``min_passage_words`` words. A shingle is stock when it lies among
  fingerprints that enough families carry.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from dedupe.arrays import sorted_unique
from dedupe.boilerplate import boilerplate_bar, is_template, stock_spans, stock_threshold
from dedupe.cluster import choose_origin
from dedupe.config import ALGORITHM_VERSION, Config
from dedupe.lsh import band_keys
from dedupe.normalise import Doc, analyse_many, content_key, text_key_of
from dedupe.passages import Side, find_passages, passage, rare_shingles
from dedupe.records import Article, Match, Pair, Passage, Verdict
from dedupe.relations import evidence_strength, passage_strength, relation
from dedupe.shingle import shingles, true_runs, usable_shingles, winnow
from dedupe.signatures import signature_matrix
from dedupe.store import LineCount, Store, Stored, open_store, signed

#: Admitted documents verified per check (most shared fingerprints first, plus LSH).
MAX_CANDIDATES = 50
#: A document shares enough fingerprints with the article to be verified when they
#: weigh this much, each weighing 1 / (admitted documents carrying it): one that at
#: most two carry, or several commoner ones. A phrase in many documents that is not yet
#: stock (the stock bar grows with the index) would otherwise make each of them a
#: candidate to analyse and compare, and a check's time grow with the index.
MIN_SHARED_WEIGHT = 0.5
#: Version of what the store holds; an index of another format is refused.
FORMAT = "3"
#: Relations, strongest first, and the decision each one gives.
DECISIONS = {"duplicate": "duplicate", "near-duplicate": "near-duplicate",
             "contains": "contained", "reuse": "reuses-passages"}
#: What ``check_and_add`` holds back unless told otherwise: articles that repeat
#: admitted text as a whole. One that only reuses passages is mostly text of its own:
#: it is admitted (its verdict names the passages), and so its lines and phrases are
#: counted, which is how the index learns a site's template and the stock phrases.
HOLD = ("duplicate", "near-duplicate", "contained")
#: Documents given their text keys at a time when an index made before text keys is
#: opened (``Index.open``).
KEYING_CHUNK = 500

logger = logging.getLogger(__name__)


def check_hold(hold: Collection[str]) -> frozenset[str]:
    """``hold`` as a set of decisions, refusing a name that is not one.

    Raises:
        ValueError: an unknown decision (the message lists the known ones).
    """
    known = tuple(DECISIONS.values())
    wrong = sorted(set(hold) - set(known))
    if wrong:
        raise ValueError(f"cannot hold {', '.join(map(repr, wrong))}: the decisions that "
                         f"can be held are {', '.join(known)}")
    return frozenset(hold)


class IndexMismatch(ValueError):
    """An index opened with settings other than the ones it was built with."""


class AlreadyIndexed(ValueError):
    """An article whose id the index holds already."""

    @classmethod
    def of(cls, doc_id: str) -> AlreadyIndexed:
        """The error for ``doc_id``, saying what to do."""
        return cls(f"{doc_id!r} is already in the index; remove it first or give the new "
                   "article another id")


@dataclass(frozen=True, eq=False)
class _Text:
    """One text as a check sees it."""

    doc: Doc
    hashes: np.ndarray  # shingle hash per position
    window: int  # winnowing window

    @cached_property
    def text_key(self) -> int:
        """``normalise.text_key_of`` the whole text: equal keys, the same text."""
        return text_key_of(self.doc.hashes)

    @cached_property
    def prints(self) -> np.ndarray:
        """Fingerprint positions (winnowed over the whole text). Only the article's
        are needed: a candidate's are never chosen."""
        return winnow(self.hashes, self.window)


class Index:
    """A persistent index of admitted articles (SQLite file, or ``:memory:``).

    An add that returned survives a killed process. With ``durable=True`` a SQLite
    index also waits for the disk in every commit, so that it survives a power loss:
    some 2-3 ms more per commit (``dedupe.store`` has the details).

    Example:
        >>> from dedupe.records import Article
        >>> with Index(":memory:") as index:
        ...     first = index.check_and_add(Article("a", "The harbour board met. " * 20))
        ...     again = index.check_and_add(Article("b", "The harbour board met. " * 20))
        >>> first.decision, again.decision, again.matches[0].id
        ('new', 'duplicate', 'a')
    """

    def __init__(self, location: str | Path, config: Config | None = None,
                 durable: bool = False) -> None:
        self.location = location
        self.config = config or Config()
        self.durable = durable
        self._given = config is not None
        self._store: Store | None = None
        #: Documents given their text keys when this index was opened (an index made
        #: before dedupe kept them; 0 otherwise).
        self.keyed_ = 0

    # --- opening ------------------------------------------------------------------
    def open(self) -> Index:
        """Open (creating if needed) and check that the index has these settings.

        An index opened without a ``config`` uses the settings it was built with.

        Raises:
            IndexMismatch: the index was built with other settings (or by another
                version of the algorithm); the message names each one.
        """
        if self._store is None:
            store = open_store(self.location, self.durable)
            try:
                stored = store.meta()
                if stored and not self._given:
                    self.config = _stored_config(stored, str(self.location))
                if stored:
                    _check_meta(store, self._meta(), str(self.location))
                    if "text_keys" not in stored:
                        self.keyed_ = self._key_texts(store)
                else:
                    with store.transaction():  # first to create it stores its settings
                        _check_meta(store, self._meta(), str(self.location))
            except BaseException:
                store.close()
                raise
            self._store = store
        return self

    def _key_texts(self, store: Store) -> int:
        """Give the documents of an index made before text keys theirs (one
        transaction), so that their copies are found; how many there were."""
        with store.transaction():
            unkeyed = store.unkeyed()
            for start in range(0, len(unkeyed), KEYING_CHUNK):
                docs = store.docs(unkeyed[start : start + KEYING_CHUNK])
                texts = self._analyse([d.text for d in docs])
                store.set_text_keys({d.key: t.text_key for d, t in zip(docs, texts, strict=True)})
            store.set_meta({"text_keys": "1"})
        if unkeyed:
            logger.warning("%s: keyed the texts of %d documents indexed before dedupe kept "
                           "text keys (once), so that their copies are found",
                           self.location, len(unkeyed))
        return len(unkeyed)

    def close(self) -> None:
        """Close the index (it can be opened again)."""
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Index:
        return self.open()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    @property
    def window(self) -> int:
        """Winnowing window: shingles per passage of ``min_passage_words`` words."""
        return max(1, self.config.min_passage_words - self.config.shingle_size + 1)

    def _meta(self) -> dict[str, str]:
        settings = {**self.config.as_dict(), "algorithm": ALGORITHM_VERSION,
                    "winnow_window": self.window, "format": FORMAT}
        # text_keys: every document has its text key (an index without it is keyed
        # when opened, ``_key_texts``).
        return {"settings": json.dumps(settings, sort_keys=True),
                "fingerprint": self.config.fingerprint, "text_keys": "1"}

    def _opened(self) -> Store:
        return self.open()._store  # type: ignore[return-value]

    # --- the API --------------------------------------------------------------------
    def check(self, article: Article) -> Verdict:
        """What the index says about ``article`` (nothing is added).

        Raises:
            AlreadyIndexed: the index holds an article with this id.
        """
        return self._judge(self._opened(), article)[0]

    def add(self, article: Article) -> Verdict:
        """Admit ``article`` whatever it repeats; return the verdict it had.

        Raises:
            AlreadyIndexed: an article with this id is already in the index.
        """
        return self.check_and_add(article, hold=())

    def check_and_add(self, article: Article, hold: Collection[str] = HOLD) -> Verdict:
        """Check ``article`` and admit it unless its decision is one of ``hold``, as
        one atomic step.

        By default duplicates, near-duplicates and contained copies are held back and
        new articles and ones that reuse passages are admitted (see ``HOLD``); pass
        ``hold=(*HOLD, "reuses-passages")`` to admit only new articles. Two processes
        submitting the same article at once admit it exactly once: the second waits
        for the first's write and then sees it.

        Raises:
            AlreadyIndexed: an article with this id is already in the index.
            ValueError: ``hold`` names something that is not a decision.
        """
        held = check_hold(hold)
        store = self._opened()
        with store.transaction():
            return self._admit(store, article, held)

    def check_and_add_many(self, articles: Iterable[Article],
                           hold: Collection[str] = HOLD) -> list[Verdict | None]:
        """``check_and_add`` of each article in order, as one atomic step.

        Each article is checked against the index and the articles before it in
        ``articles``. One transaction for them all makes loading many articles several
        times faster than one call each (a durable commit per call), and other writers
        wait for it: give a few hundred at a time. ``hold=()`` admits every article, as
        ``add`` does. An article whose id is in the index already gets None.

        Raises:
            ValueError: ``hold`` names something that is not a decision.
        """
        held = check_hold(hold)
        store = self._opened()
        verdicts: list[Verdict | None] = []
        with store.transaction():
            for article in articles:
                try:
                    verdicts.append(self._admit(store, article, held))
                except AlreadyIndexed:
                    verdicts.append(None)
        return verdicts

    def _admit(self, store: Store, article: Article, held: frozenset[str]) -> Verdict:
        """Judge ``article`` and insert it unless its decision is held (inside a
        transaction)."""
        verdict, family, checked = self._judge(store, article)
        if verdict.decision not in held:
            self._insert(store, article, family, checked)
        return verdict

    def remove(self, doc_id: str) -> bool:
        """Take a document out of the index; False when there is none with this id."""
        store = self._opened()
        with store.transaction():
            return store.remove(doc_id)

    def stats(self) -> dict[str, object]:
        """Documents, families, location and settings fingerprint."""
        documents, families = self._opened().count()
        return {"documents": documents, "families": families,
                "location": str(self.location), "fingerprint": self.config.fingerprint}

    # --- checking -------------------------------------------------------------------
    def _analyse(self, texts: list[str]) -> list[_Text]:
        """The texts analysed together (``analyse_many``), shingled and winnowed."""
        out = []
        for doc in analyse_many(texts, self.config):
            hashes = shingles(doc.hashes, self.config.shingle_size)
            out.append(_Text(doc, hashes, self.window))
        return out

    def _judge(self, store: Store, article: Article) -> tuple[Verdict, int | None, _Checked]:
        """The verdict for ``article``, the family it would join, and its analysed text."""
        if store.has(article.id):
            raise AlreadyIndexed.of(article.id)
        new = self._analyse([article.text])[0]
        seen = _Seen(store, self._analyse)
        verdict, family, bands, world = self._judge_as(seen, article, new, None)
        if family is not None and not world.as_member_changes_nothing(new, family):
            # The article belongs to an admitted family: count its lines and
            # fingerprints as that family's, not as a family of its own, and look again.
            verdict, family, _, _ = self._judge_as(seen, article, new, family)
        # An add stores the first pass's bands: of the text outside the template lines
        # as counted with the article as a family of its own, whichever family it joins.
        return verdict, family, _Checked(new, seen, bands)

    def _judge_as(self, seen: _Seen, article: Article, new: _Text,
                  family: int | None) -> tuple[Verdict, int | None, np.ndarray, _World]:
        """The verdict with the article counted as a family of its own (``family``
        None) or as one of ``family``; the family it joins; its LSH band keys; the
        counts it was judged on."""
        config = self.config
        families = seen.families
        world = _World(seen, new, article.source, families + (family is None), config,
                       self.window, family)
        usable = world.usable(new, article.source)
        content = np.unique(new.hashes[usable])
        bands = _bands(content, config)
        candidates = set(world.print_candidates(new, usable)) | set(
            seen.band_candidates(bands) if content.size else ()) | set(seen.copies(new))
        stored, texts = seen.docs(candidates)
        matches = []
        rare_new = world.rare(new, usable)
        # Both passes of a check often see the same masks: compare once.
        article_masks = (world.template_words(new, article.source).tobytes(),
                         rare_new.tobytes())
        for s, text in zip(stored, texts, strict=True):
            key = (s.key, world.template_words(text, s.source).tobytes(), *article_masks)
            if key not in seen.compared:
                seen.compared[key] = self._compare(world, article, new, usable, rare_new,
                                                   s, text)
            match = seen.compared[key]
            if match is not None:
                matches.append((match, s))
        matches.sort(key=lambda m: (-m[0].strength, m[0].id))
        verdict = self._verdict(article, new, usable, world, matches)
        # Only whole-document relations join a family. Reuse does not, however strong:
        # early in a stream a site's template lines and a shared cliche look like
        # reuse, and a family joined on them would never count them as boilerplate.
        family = next((s.family for m, s in matches if m.relation != "reuse"), None)
        return verdict, family, bands, world

    def _compare(self, world: _World, article: Article, new: _Text, usable: np.ndarray,
                 rare: np.ndarray, stored: Stored, text: _Text) -> Match | None:
        config = self.config
        theirs = world.usable(text, stored.source)
        a_set, b_set = sorted_unique(new.hashes[usable]), sorted_unique(text.hashes[theirs])
        shared = int(np.intersect1d(a_set, b_set, assume_unique=True).size)
        union = a_set.size + b_set.size - shared
        jaccard = shared / union if union else 0.0
        a_in_b = shared / a_set.size if a_set.size else 0.0
        b_in_a = shared / b_set.size if b_set.size else 0.0
        same = content_key(new.doc, world.template_words(new, article.source)) == content_key(
            text.doc, world.template_words(text, stored.source))
        # The same text is a duplicate whatever is template (as in a scan).
        same_text = new.doc.words > 0 and new.text_key == text.text_key
        kind = relation(shared, same and shared > 0, jaccard, max(a_in_b, b_in_a), config,
                        same_text)
        side_a = Side(article.text, new.doc, new.hashes, usable, rare)
        side_b = Side(stored.text, text.doc, text.hashes, theirs)  # only a's shingles weigh
        passages = find_passages(side_a, side_b, config)
        if kind == "duplicate" and not passages and jaccard == 0.0:
            passages = [_whole_copy(article.text, new, stored.text, text, config.shingle_size)]
        headings = world.shared_headings(article.text, new, text, article.source, stored.source)
        reuse = passage_strength(sum(p.rare_shingles for p in passages), config)
        strength = evidence_strength(kind, jaccard, max(a_in_b, b_in_a), reuse, len(headings),
                                     config.heading_strength)
        if kind is None and strength < config.link_min_strength:
            return None
        return Match(id=stored.id, relation=kind or "reuse", jaccard=round(jaccard, 4),
                     containment=(round(a_in_b, 4), round(b_in_a, 4)),
                     strength=round(strength, 4), passages=tuple(passages),
                     headings=tuple(headings))

    def _verdict(self, article: Article, new: _Text, usable: np.ndarray, world: _World,
                 matches: list[tuple[Match, Stored]]) -> Verdict:
        template = world.template_words(new, article.source)
        spans = _line_spans(new.doc, template)
        in_stock = world.stock(new, usable)
        [stock] = stock_spans([article.text], [new.doc], in_stock, np.array([0, in_stock.size]),
                              self.config.shingle_size)
        if not matches:
            return Verdict(article.id, "new", (), article.id, "new", spans, stock)
        decision = min((DECISIONS[m.relation] for m, _ in matches),
                       key=list(DECISIONS.values()).index)
        members = [article] + [Article(s.id, s.text, s.date, s.source, s.url, s.title)
                               for _, s in matches]
        links = [_pair(article.id, m) for m, _ in matches]
        origin, rule, _ = choose_origin(members, links, self.config)
        return Verdict(article.id, decision, tuple(m for m, _ in matches), origin, rule,
                       spans, stock)

    def _insert(self, store: Store, article: Article, family: int | None,
                checked: _Checked) -> None:
        text = checked.text
        store.add(article.id, article.text, article.date, article.source, article.title,
                  article.url, family, checked.bands, text.hashes[text.prints],
                  text.doc.line_keys, text.text_key)


class _Seen:
    """What one check has read from the store, each thing read once: the families,
    the counts of lines and fingerprints, and the admitted documents (analysed).
    Inside a check the store does not change, so both passes of a check and the add
    that follows share them."""

    def __init__(self, store: Store, analyse: Callable[[list[str]], list[_Text]]) -> None:
        self.store, self._analyse = store, analyse
        self.families = store.count()[1]
        self.lines: dict[int, LineCount] = {}
        self.prints: dict[int, tuple[int, int]] = {}
        self._asked: set[int] = set()  # line keys and fingerprints looked up (found or not)
        self._docs: dict[int, tuple[Stored, _Text]] = {}
        self._postings: dict[int, list[int]] = {}
        self._bands: dict[bytes, list[int]] = {}
        self._copies: dict[int, list[int]] = {}
        # (document, its template mask, the article's template mask and rare
        # shingles): the comparison, which depends on nothing else.
        self.compared: dict[tuple[int, bytes, bytes, bytes], Match | None] = {}

    def postings(self, hashes: list[int]) -> dict[int, list[int]]:
        """Per fingerprint (signed) carried by any: the documents carrying it."""
        fresh = [h for h in hashes if h not in self._postings]
        if fresh:
            found = self.store.postings(fresh)
            self._postings.update((h, found.get(h, [])) for h in fresh)
        return {h: self._postings[h] for h in hashes if self._postings[h]}

    def copies(self, text: _Text) -> list[int]:
        """Admitted documents with the same text as ``text`` (none for a text without
        words), at most ``MAX_CANDIDATES``."""
        if not text.doc.words:
            return []
        if text.text_key not in self._copies:
            self._copies[text.text_key] = self.store.copies(text.text_key, MAX_CANDIDATES)
        return self._copies[text.text_key]

    def band_candidates(self, bands: np.ndarray) -> list[int]:
        """``Store.band_candidates`` of these band keys (at most ``MAX_CANDIDATES``)."""
        key = bands.tobytes()
        if key not in self._bands:
            self._bands[key] = self.store.band_candidates(bands, MAX_CANDIDATES)
        return self._bands[key]

    def learn(self, texts: list[_Text], prints: bool = True) -> None:
        """Look up the counts of these texts' lines and (with ``prints``) fingerprints
        not yet read."""
        keys = np.concatenate([t.doc.line_keys for t in texts] or [np.empty(0, np.uint64)])
        self.lines.update(self.store.line_counts(self._unasked(keys)))
        if prints:
            hashes = np.concatenate([t.hashes[t.prints] for t in texts]
                                    or [np.empty(0, np.uint64)])
            self.prints.update(self.store.print_stats(self._unasked(hashes)))

    def _unasked(self, hashes: np.ndarray) -> np.ndarray:
        values = np.unique(hashes)
        fresh = np.array([h not in self._asked for h in signed(values)], dtype=bool)
        self._asked.update(signed(values[fresh]))
        return values[fresh]

    def docs(self, keys: set[int]) -> tuple[list[Stored], list[_Text]]:
        """These admitted documents, analysed, in key order (their lines' counts learnt:
        their template lines are masked; their stock phrases are not needed, since only
        the article's shingles weigh as passage evidence)."""
        missing = [k for k in keys if k not in self._docs]
        fetched = self.store.docs(missing)
        texts = self._analyse([s.text for s in fetched])
        self.learn(texts, prints=False)
        self._docs.update((s.key, (s, t)) for s, t in zip(fetched, texts, strict=True))
        found = sorted(k for k in keys if k in self._docs)
        return [self._docs[k][0] for k in found], [self._docs[k][1] for k in found]


@dataclass(frozen=True)
class _Checked:
    """An analysed article and what its check read, for the add that may follow."""

    text: _Text
    seen: _Seen
    bands: np.ndarray  # LSH band keys, as the add stores them


class _World:
    """What the index knows about the lines and fingerprints of the texts in one check.

    Counts are of families in the index plus the article being checked, as if it had
    been admitted: as a family of its own, or as one of ``family``.
    """

    def __init__(self, seen: _Seen, new: _Text, source: str | None, families: int,
                 config: Config, window: int, family: int | None = None) -> None:
        self.seen, self.config, self.window, self.source = seen, config, window, source
        self.families = families
        self.new_lines = set(signed(new.doc.line_keys))
        self.new_prints = set(signed(new.hashes[new.prints]))
        if family is not None:  # what the family carries already is not counted again
            prints, lines = seen.store.family_has(family, new.hashes[new.prints],
                                                  new.doc.line_keys)
            self.new_prints -= prints
            self.new_lines -= lines
        self.bar = stock_threshold(families, config)
        seen.learn([new])
        self.lines, self.prints = seen.lines, seen.prints
        # One check asks for these several times per text (candidates, passages,
        # headings, the verdict); the counts behind them do not change within it.
        self._template: dict[tuple[_Text, str | None], np.ndarray] = {}
        self._stock: dict[tuple[_Text, bytes], np.ndarray] = {}

    def as_member_changes_nothing(self, new: _Text, family: int) -> bool:
        """Whether the article, counted here as a family of its own, would be judged
        the same counted as a member of ``family``: with one family less in the index,
        and each of its lines and fingerprints that ``family`` carries counted in one
        family less. That holds when no such count crosses a bar: the stock bar stays
        the same, and ``family`` carries none of the article's lines that would change
        between template and not (for the source of the article or of a document it
        was compared with) and none of its fingerprints that are not both below the
        stock bar, or both at least at the bar of a quote as long as the article.
        """
        config = self.config
        if stock_threshold(self.families - 1, config) != self.bar:
            return False
        keys = new.doc.line_keys
        own = [self._line_families(key) for key in signed(keys)]  # as counted here
        less = [self.lines.get(key, LineCount(0, None)) for key in signed(keys)]
        lines = np.zeros(keys.size, dtype=bool)
        for source in {self.source} | {source for _, source in self._template}:
            lines |= (self._template_rows(new, own, source)
                      != self._template_rows(new, less, source))
        fams = self.print_families(new)  # each fingerprint counted with the article
        quote = boilerplate_bar(new.doc.words, self.bar, config)
        prints = (fams >= self.bar) & (fams - 1 < quote)
        if not lines.any() and not prints.any():
            return True
        carried = self.seen.store.family_has(family, new.hashes[new.prints][prints],
                                             keys[lines])
        return not any(carried)

    def _line_families(self, key: int) -> LineCount:
        stored = self.lines.get(key, LineCount(0, None))
        if key not in self.new_lines:
            return stored
        # With the article, the carriers are all of one source only if it names theirs.
        one = self.source if not stored.families or stored.source == self.source else None
        return LineCount(stored.families + 1, one)

    def _template_rows(self, text: _Text, counts: list[LineCount],
                       source: str | None) -> np.ndarray:
        """Which lines of ``text`` (carried as ``counts`` say) are template for a text
        of ``source``."""
        return is_template(np.array([c.families for c in counts], dtype=np.int64),
                           np.diff(text.doc.line_words, axis=1).ravel(),
                           np.array([c.source is not None and c.source == source
                                     for c in counts], dtype=bool), self.config)

    def template_words(self, text: _Text, source: str | None) -> np.ndarray:
        """Words of ``text`` in template lines (batch rule, counted in the index)."""
        if (text, source) in self._template:
            return self._template[(text, source)]
        counts = [self._line_families(key) for key in signed(text.doc.line_keys)]
        template = self._template_rows(text, counts, source)
        mask = np.zeros(text.doc.words, dtype=bool)
        for first, last in text.doc.line_words[template].tolist():
            mask[first:last] = True
        self._template[(text, source)] = mask
        return mask

    def usable(self, text: _Text, source: str | None) -> np.ndarray:
        """Shingles of ``text`` outside template lines."""
        return usable_shingles(self.template_words(text, source), self.config.shingle_size,
                               text.hashes.size)

    def print_families(self, text: _Text) -> np.ndarray:
        """Families carrying each fingerprint of ``text`` (the article counted once)."""
        hashes = signed(text.hashes[text.prints])
        return np.array([self.prints.get(h, (0, 0))[1] + (h in self.new_prints)
                         for h in hashes], dtype=np.int64)

    def stock(self, text: _Text, usable: np.ndarray) -> np.ndarray:
        """Shingle positions of ``text`` that are stock phrases.

        A usable fingerprint carried by enough families is stock, and so is every
        shingle between two stock fingerprints no further apart than the window (the
        inside of a stock phrase). A run of stock text long enough to need more
        families (``boilerplate_bar``) than some of its fingerprints have is a quote:
        those fingerprints are no stock.
        """
        key = (text, usable.tobytes())
        if key not in self._stock:
            self._stock[key] = self._find_stock(text, usable)
        return self._stock[key]

    def _find_stock(self, text: _Text, usable: np.ndarray) -> np.ndarray:
        count, n = text.hashes.size, self.config.shingle_size
        fams = self.print_families(text)
        keep = (fams >= self.bar) & usable[text.prints] if count else np.zeros(0, bool)
        mask = self._fill(text.prints[keep], count)
        for run in true_runs(mask):
            need = boilerplate_bar(run.stop - run.start + n - 1, self.bar, self.config)
            inside = (text.prints >= run.start) & (text.prints < run.stop)
            keep &= ~(inside & (fams < need))
        return self._fill(text.prints[keep], count, text.prints[~keep]) & usable

    def _fill(self, stock_prints: np.ndarray, count: int,
              other_prints: np.ndarray | None = None) -> np.ndarray:
        """Stock positions from stock fingerprints: the fingerprints, the gaps of at
        most a window between them and, when ``other_prints`` (the fingerprints that
        are not stock) are given, up to a window less one on either side of each run,
        short of a fingerprint that is not stock: the windows that chose a phrase's
        first and last fingerprints reach that far into it."""
        mask = np.zeros(count, dtype=bool)
        mask[stock_prints] = True
        for a, b in zip(stock_prints[:-1].tolist(), stock_prints[1:].tolist(), strict=True):
            if b - a <= self.window:
                mask[a:b] = True
        if other_prints is None:
            return mask
        blocked = np.zeros(count, dtype=bool)
        blocked[other_prints] = True
        reach = self.window - 1
        for run in true_runs(mask):
            for step, edge in ((-1, run.start - 1), (1, run.stop)):
                for p in range(edge, edge + step * reach, step):
                    if not 0 <= p < count or blocked[p]:
                        break
                    mask[p] = True
        return mask

    def rare(self, text: _Text, usable: np.ndarray) -> np.ndarray:
        """Shingles that weigh as evidence (``passages.rare_shingles``)."""
        return rare_shingles(usable, self.stock(text, usable), self.config.shingle_size)

    def print_candidates(self, text: _Text, usable: np.ndarray) -> list[int]:
        """Admitted documents sharing the article's usable, non-stock, not too common
        fingerprints, weighing at least ``MIN_SHARED_WEIGHT``, heaviest first."""
        stock = self.stock(text, usable)
        hashes = [h for p, h in zip(text.prints.tolist(), signed(text.hashes[text.prints]),
                                    strict=True)
                  if usable[p] and not stock[p]
                  and self.prints.get(h, (0, 0))[0] <= self.config.max_postings]
        weight: dict[int, float] = {}
        for docs in (self.seen.postings(hashes) if hashes else {}).values():
            for doc in docs:
                weight[doc] = weight.get(doc, 0.0) + 1.0 / len(docs)
        heavy = [d for d in sorted(weight) if weight[d] >= MIN_SHARED_WEIGHT]
        return sorted(heavy, key=lambda d: -weight[d])[:MAX_CANDIDATES]

    def shared_headings(self, text: str, new: _Text, other: _Text, source: str | None,
                        other_source: str | None) -> list[str]:
        """Distinctive headings (not template) that both texts carry, in the article's order."""
        theirs = set(signed(other.doc.line_keys[other.doc.headings]))
        template_new = self.template_words(new, source)
        out = []
        for row in np.flatnonzero(new.doc.headings).tolist():
            key = signed(new.doc.line_keys[row : row + 1])[0]
            first, _ = new.doc.line_words[row]
            if key in theirs and not template_new[first]:
                start, end = new.doc.line_chars[row]
                out.append(text[start:end].strip())
        return out


def _bands(content: np.ndarray, config: Config) -> np.ndarray:
    signatures = signature_matrix([content], config.num_perm, config.seed)
    return band_keys(signatures, *config.lsh_bands)[0]


def _whole_copy(text_a: str, a: _Text, text_b: str, b: _Text, n: int) -> Passage:
    """All of two copies' text as one passage weighing nothing: the evidence shown for
    copies that share no content (``scan._whole_copy``'s row)."""
    row = [0, 0, max(a.doc.words - n, 0), 0, max(b.doc.words - n, 0), 0]
    return passage(row, text_a, a.doc, text_b, b.doc, n)


def _pair(article_id: str, match: Match) -> Pair:
    """The scan's record of the link between the article and ``match`` (its
    ``evidence`` worded as a scan's)."""
    a_in_b, b_in_a = match.containment
    if article_id < match.id:
        return Pair(article_id, match.id, match.relation, match.jaccard, (a_in_b, b_in_a),
                    match.passages, match.headings, match.strength)
    swapped = tuple(Passage(p.b, p.a, p.text, p.rare_shingles) for p in match.passages)
    return Pair(match.id, article_id, match.relation, match.jaccard, (b_in_a, a_in_b),
                swapped, match.headings, match.strength)


def _line_spans(doc: Doc, template: np.ndarray) -> tuple[tuple[int, int], ...]:
    return tuple((int(s), int(e)) for (s, e), (first, _) in
                 zip(doc.line_chars.tolist(), doc.line_words.tolist(), strict=True)
                 if template[first])


def _check_meta(store: Store, wanted: dict[str, str], where: str) -> None:
    """Store the settings in a new index; refuse an index built with others."""
    stored = store.meta()
    if not stored:
        store.set_meta(wanted)
        return
    have = _settings(stored, where)
    want = json.loads(wanted["settings"])
    differ = [f"{k} (index {have.get(k)!r}, asked {want.get(k)!r})"
              for k in sorted(set(have) | set(want)) if have.get(k) != want.get(k)]
    if any(have.get(k) != want.get(k) for k in ("algorithm", "format")):
        raise IndexMismatch(f"{where}: this index was built by another version of dedupe: "
                            + "; ".join(differ)
                            + "; build it again from the articles (dedupe index add)")
    if differ:
        raise IndexMismatch(f"{where}: this index was built with other settings: "
                            + "; ".join(differ)
                            + "; open it with its own settings or build a new index")


def _stored_config(meta: dict[str, str], where: str) -> Config:
    """The settings an index was built with (the defaults for any it does not name)."""
    stored = _settings(meta, where)
    names = {name for name, *_ in Config.settings()}
    try:
        return Config(**{k: v for k, v in stored.items() if k in names})
    except (TypeError, ValueError) as error:
        raise _unreadable(where, error) from None


def _settings(meta: dict[str, str], where: str) -> dict[str, Any]:
    """The stored settings as a JSON object; `IndexMismatch` if they are not one (an
    index written by something else, or damaged)."""
    try:
        settings = json.loads(meta.get("settings", "{}"))
    except ValueError as error:
        raise _unreadable(where, error) from None
    if not isinstance(settings, dict):
        raise _unreadable(where, f"settings are {type(settings).__name__}, not an object")
    return settings


def _unreadable(where: str, error: object) -> IndexMismatch:
    return IndexMismatch(f"{where}: the stored settings of this index are not readable "
                         f"({error}); build it again from the articles (dedupe index add)")
