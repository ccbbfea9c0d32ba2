"""The pre-ingest hook: keep what a search index, RAG store or training set already has
out of it, inside a Python pipeline.

    for record in ingest_filter(index, records):   # only the new ones come out
        store(record)

Records are mappings with ``id`` and ``text`` (and optional ``date``, ``source``,
``url``, ``title``; other keys are kept) or `Article` records.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict
from typing import Any, TypeVar

from dedupe.index import AlreadyIndexed, Index
from dedupe.read import InputError, read_record
from dedupe.records import Article, Skip, Verdict

R = TypeVar("R", Mapping[str, Any], Article)


def ingest_filter(index: Index, records: Iterable[R], *, add: bool = True,
                  annotate: bool = False, field: str = "dedupe") -> Iterator[R | dict[str, Any]]:
    """The records of ``records`` that repeat nothing in ``index``, in order, lazily.

    Args:
        index: an open (or openable) `Index`.
        records: mappings or `Article` records.
        add: admit each new record as it passes (atomic), so that a copy later in the
            same stream is caught.
        annotate: pass every record; one that repeats admitted text (or whose id the
            index holds already) comes out as a dict with ``field`` holding the verdict.
        field: the key the verdict goes under when annotating.

    Raises:
        InputError: a record without a usable ``id`` or ``text``; the message names
            the record's position (``record 3``) and what to fix.

    Example:
        >>> with Index(":memory:") as index:
        ...     rows = [{"id": "a", "text": "Grain prices rose again on Monday. " * 9},
        ...             {"id": "b", "text": "Grain prices rose again on Monday. " * 9}]
        ...     [row["id"] for row in ingest_filter(index, rows)]
        ['a']
    """
    for position, record in enumerate(records, 1):
        verdict = judge(index, _article(position, record), add)
        if verdict is not None and verdict.is_new:
            yield record
        elif annotate:
            said = asdict(verdict) if verdict is not None else {"decision": "already-indexed"}
            yield {**(asdict(record) if isinstance(record, Article) else record), field: said}


def is_new(index: Index, record: Mapping[str, Any] | Article, *, add: bool = True) -> bool:
    """Whether ``record`` repeats nothing in ``index`` (admitting it if new and ``add``).

    For ``filter`` calls, e.g. a Hugging Face ``datasets.Dataset.filter``.
    """
    verdict = judge(index, _article(0, record), add)
    return verdict is not None and verdict.is_new


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


def judge(index: Index, article: Article, add: bool) -> Verdict | None:
    """The article's verdict (admitting it if new and ``add``); None when the index
    holds its id already."""
    try:
        return index.check_and_add(article) if add else index.check(article)
    except AlreadyIndexed:
        return None
