"""Tests of the pre-ingest hook (dedupe/ingest.py): what passes, annotations, bad records."""

from __future__ import annotations

import doctest
from typing import Any

import pytest

from dedupe import Article, Index, InputError, ingest, ingest_filter, passes
from dedupe.index import HOLD

TEXT = ("The harbour authority reported record grain shipments on Monday while farmers in "
        "the north waited for rain and bankers in the capital debated interest rates.")
QUOTE = "the committee said the harbour dredging plan would cost far more than planned"
OTHER = ("Railway workers voted to accept the new wage offer after three days of talks with "
         "the operator, ending a dispute that had stranded commuters across the region.")


def rows() -> list[dict[str, Any]]:
    return [{"id": "a", "text": TEXT, "lang": "en"}, {"id": "b", "text": TEXT},
            {"id": "c", "text": OTHER}, {"id": "a", "text": OTHER}]


def test_only_new_records_pass_unchanged_and_in_order() -> None:
    records = rows()
    with Index(":memory:") as index:
        passed = list(ingest_filter(index, records))
        assert passed == [records[0], records[2]]  # b copies a; the second "a" is indexed
        assert passed[0] is records[0]
        assert index.stats()["documents"] == 2


def test_without_add_nothing_is_admitted() -> None:
    with Index(":memory:") as index:
        assert [r["id"] for r in ingest_filter(index, rows(), add=False)] == ["a", "b", "c", "a"]
        assert index.stats()["documents"] == 0


def test_annotate_passes_everything_and_says_why() -> None:
    with Index(":memory:") as index:
        out = list(ingest_filter(index, rows(), annotate=True, field="seen"))
    assert [r["id"] for r in out] == ["a", "b", "c", "a"]
    assert "seen" not in out[0] and "seen" not in out[2]
    assert out[1]["seen"]["decision"] == "duplicate"
    assert out[1]["seen"]["matches"][0]["id"] == "a"
    assert out[1]["seen"]["held"] is True
    assert out[3]["seen"] == {"decision": "already-indexed", "held": True}


def reuse_rows() -> list[dict[str, Any]]:
    """A story, then another that quotes one sentence of it and says otherwise its own."""
    return [{"id": "a", "text": f"{TEXT} Later {QUOTE}."},
            {"id": "r", "text": f"{OTHER} As reported, {QUOTE}, officials added."}]


def test_reuse_passes_and_is_admitted_unless_held() -> None:
    with Index(":memory:") as index:
        out = list(ingest_filter(index, reuse_rows(), annotate=True))
        assert out[1]["dedupe"]["decision"] == "reuses-passages"
        assert out[1]["dedupe"]["held"] is False
        assert index.stats()["documents"] == 2  # admitted: its lines and phrases count
    with Index(":memory:") as index:
        strict = (*HOLD, "reuses-passages")
        assert [r["id"] for r in ingest_filter(index, reuse_rows(), hold=strict)] == ["a"]
        assert index.stats()["documents"] == 1
    with Index(":memory:") as index, pytest.raises(ValueError, match="cannot hold 'new'"):
        list(ingest_filter(index, reuse_rows(), hold=("new",)))


def test_articles_pass_as_articles() -> None:
    with Index(":memory:") as index:
        out = list(ingest_filter(index, [Article("x", TEXT), Article("y", TEXT)]))
    assert out == [Article("x", TEXT)]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"text": TEXT}, "record 1: missing id; every record needs a non-empty 'id'"),
        ({"id": "a"}, "record 1: missing 'text'; every record needs the article text"),
        ("just text", "record 1: is str, not a mapping or an Article; give records like "
                      "{'id': 'a1', 'text': '...'}"),
    ],
)
def test_a_bad_record_is_an_input_error_naming_it(record: Any, message: str) -> None:
    with Index(":memory:") as index, pytest.raises(InputError) as caught:
        list(ingest_filter(index, [record]))
    assert str(caught.value).startswith(message)


def test_passes_for_filter_calls() -> None:
    with Index(":memory:") as index:
        kept = [r for r in rows() if passes(index, r)]
        assert [r["id"] for r in kept] == ["a", "c"]
    with Index(":memory:") as index:
        strict = (*HOLD, "reuses-passages")
        assert [passes(index, r, hold=strict) for r in reuse_rows()] == [True, False]


def test_ingest_doctests() -> None:
    assert doctest.testmod(ingest).failed == 0
