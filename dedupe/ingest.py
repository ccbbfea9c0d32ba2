"""The pre-ingest hook: keep what a search index, RAG store or training set already has
out of it, inside a Python pipeline.

    for record in ingest_filter(index, records):   # copies are held back
        store(record)

What is held back is a choice (``hold``): by default the articles that repeat
admitted text as a whole (``dedupe.index.HOLD``: duplicate, near-duplicate,
contained); add ``"reuses-passages"`` to keep out articles that reuse passages too.

Records are mappings with ``id`` and ``text`` (and optional ``date``, ``source``,
``url``, ``title``; other keys are kept) or `Article` records.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import asdict
from typing import Any, TypeVar

from dedupe.index import HOLD, AlreadyIndexed, Index, check_hold
from dedupe.read import InputError, read_record
from dedupe.records import Article, Skip, Verdict

R = TypeVar("R", Mapping[str, Any], Article)


def ingest_filter(index: Index, records: Iterable[R], *, add: bool = True,
                  annotate: bool = False, field: str = "dedupe",
                  hold: Collection[str] = HOLD) -> Iterator[R | dict[str, Any]]:
    """The records of ``records`` that ``index`` does not hold back, in order, lazily.

    Args:
        index: an open (or openable) `Index`.
        records: mappings or `Article` records.
        add: admit each record that passes (atomic), so that a copy later in the same
            stream is caught.
        annotate: pass every record; one that repeats admitted text in any way (or
            whose id the index holds already) comes out as a dict with ``field``
            holding the verdict and ``held``, whether it would have been held back.
        field: the key the verdict goes under when annotating.
        hold: the decisions held back (``dedupe.index.HOLD`` by default: duplicate,
            near-duplicate, contained).

    Raises:
        InputError: a record without a usable ``id`` or ``text``; the message names
            the record's position (``record 3``) and what to fix.
        ValueError: ``hold`` names something that is not a decision.

    Example:
        >>> with Index(":memory:") as index:
        ...     rows = [{"id": "a", "text": "Grain prices rose again on Monday. " * 9},
        ...             {"id": "b", "text": "Grain prices rose again on Monday. " * 9}]
        ...     [row["id"] for row in ingest_filter(index, rows)]
        ['a']
    """
    held = check_hold(hold)
    for position, record in enumerate(records, 1):
        verdict = judge(index, _article(position, record), add, held)
        through = verdict is not None and verdict.decision not in held
        if annotate and (verdict is None or not verdict.is_new):
            said = ({**asdict(verdict), "held": not through} if verdict is not None
                    else {"decision": "already-indexed", "held": True})
            yield {**(asdict(record) if isinstance(record, Article) else record), field: said}
        elif through:
            yield record


def passes(index: Index, record: Mapping[str, Any] | Article, *, add: bool = True,
           hold: Collection[str] = HOLD) -> bool:
    """Whether ``index`` lets ``record`` through (admitting it if so and ``add``): its
    decision is not one of ``hold`` and its id is not in the index.

    For ``filter`` calls, e.g. a Hugging Face ``datasets.Dataset.filter``.
    """
    held = check_hold(hold)
    verdict = judge(index, _article(0, record), add, held)
    return verdict is not None and verdict.decision not in held


def _article(position: int, record: Mapping[str, Any] | Article) -> Article:
    if isinstance(record, Article):
        return record
    if not isinstance(record, Mapping):
        raise InputError(Skip(f"record {position}",
                              f"is {type(record).__name__}, not a mapping or an Article; "
                              "give records like {'id': 'a1', 'text': '...'}"))
    *_, item = read_record(f"record {position}", record)
    if not isinstance(item, Article):
        raise InputError(Skip(item.where, item.reason))
    return item


def judge(index: Index, article: Article, add: bool,
          hold: Collection[str] = HOLD) -> Verdict | None:
    """The article's verdict (admitting it if its decision is not one of ``hold`` and
    ``add``); None when the index holds its id already."""
    try:
        return index.check_and_add(article, hold) if add else index.check(article)
    except AlreadyIndexed:
        return None
