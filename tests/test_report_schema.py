"""Tests of dedupe/report/schema.py: report.json written, read back and checked."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from planted import PlantedCorpus

from dedupe import ScanResult, __version__
from dedupe.report import ReportError, load_report, to_json
from dedupe.report.schema import Items, check_report, dump_bytes, dump_parts, dumps


def test_reports_of_real_scans_satisfy_the_schema(
    seed_result: ScanResult, planted: tuple[PlantedCorpus, ScanResult],
) -> None:
    for result in (seed_result, planted[1]):
        report = json.loads(dumps(to_json(result)))
        check_report(report, "x")  # raises on any mismatch


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20)


@given(st.dictionaries(st.text(), json_values, max_size=6))
def test_report_json_written_in_parts_is_the_same_bytes(report: dict[str, Any]) -> None:
    """Strings with line breaks, empty lists and objects, nested lists: each part is
    indented to its place."""
    assert b"".join(dump_parts(report)) == dump_bytes(report)


def test_real_reports_written_in_parts_are_the_same_bytes(
    seed_result: ScanResult, planted: tuple[PlantedCorpus, ScanResult],
) -> None:
    for result in (seed_result, planted[1]):
        report = to_json(result)
        assert b"".join(dump_parts(report)) == dump_bytes(report)


def test_a_lazy_report_writes_the_same_bytes(
    seed_result: ScanResult, planted: tuple[PlantedCorpus, ScanResult],
) -> None:
    """Items made as they are written give exactly the report of lists."""
    for result in (seed_result, planted[1]):
        expected = dump_bytes(to_json(result))
        assert b"".join(dump_parts(to_json(result, lazy=True))) == expected
        assert dump_bytes(to_json(result, lazy=True)) == expected


def test_lazy_items_read_as_a_list(planted: tuple[PlantedCorpus, ScanResult]) -> None:
    pairs = to_json(planted[1])["pairs"]
    items = to_json(planted[1], lazy=True)["pairs"]
    assert isinstance(items, Items) and len(items) == len(pairs) > 3
    assert list(items) == pairs
    assert (items[0], items[-1], items[1:3], items[::-2]) == (
        pairs[0], pairs[-1], pairs[1:3], pairs[::-2])
    for wrong in (len(pairs), -len(pairs) - 1):
        with pytest.raises(IndexError):
            items[wrong]
    with pytest.raises(TypeError, match="not JSON serializable"):
        dump_bytes({"x": {1}})


def test_spans_in_the_report_slice_what_they_name(seed_result: ScanResult) -> None:
    report = to_json(seed_result)
    texts = {a.id: a.text for a in seed_result.articles}
    template = {b["text"] for b in report["boilerplate"] if b["kind"] == "template"}
    headings = {b["text"] for b in report["boilerplate"] if b["kind"] == "heading"}
    for doc in report["documents"]:
        text = texts[doc["id"]]
        assert {text[a:b].strip() for a, b in doc["template_lines"]} <= template
        assert {text[a:b].strip() for a, b in doc["heading_lines"]} <= headings
        for a, b in doc["stock_spans"]:
            assert a < b and text[a:b] == text[a:b].strip()
    stocked = [d for d in report["documents"] if d["stock_spans"]]
    assert len(stocked) == 5, "every seed article carries a stock phrase"


def _write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "report.json"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_load_report_round_trips(seed_result: ScanResult, tmp_path: Path) -> None:
    report = to_json(seed_result)
    path = _write(tmp_path, dumps(report))
    assert load_report(path) == json.loads(dumps(report))


Edit = Callable[[dict[str, Any]], None]
TAIL = f"; make one with dedupe scan (this is dedupe {__version__})"


def _drop_documents(r: dict[str, Any]) -> None:
    del r["documents"]


def _text_number(r: dict[str, Any]) -> None:
    r["documents"][0]["text"] = 42


def _bad_relation(r: dict[str, Any]) -> None:
    r["pairs"][0]["relation"] = "cousin"


def _short_span(r: dict[str, Any]) -> None:
    r["pairs"][0]["passages"][0]["a"] = [5]


def _unknown_member(r: dict[str, Any]) -> None:
    r["clusters"][0]["members"][0] = "nobody"


def _unknown_pair_end(r: dict[str, Any]) -> None:
    r["pairs"][1]["b"] = "ghost"


def _no_text(r: dict[str, Any]) -> None:
    r["documents"][0]["text"] = None


def _origin_outside(r: dict[str, Any]) -> None:
    r["clusters"][0]["origin"] = r["documents"][2]["id"]


def _link_not_a_pair(r: dict[str, Any]) -> None:
    r["clusters"][0]["links"][0]["b"] = r["documents"][4]["id"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_drop_documents, "not a dedupe report: top level: 'documents' is a required property"
                          + TAIL),
        (_text_number, "not a dedupe report: documents[0].text: 42 is not of type "
                       "'string', 'null'" + TAIL),
        (_bad_relation, "not a dedupe report: pairs[0].relation: 'cousin' is not one of "
                        "['duplicate', 'near-duplicate', 'contains', 'reuse']" + TAIL),
        (_short_span, "not a dedupe report: pairs[0].passages[0].a: [5] is too short" + TAIL),
        (_unknown_member, "not a consistent report: clusters[0] names document 'nobody', "
                          "which is not in documents; scan again"),
        (_unknown_pair_end, "not a consistent report: pairs[1] names document 'ghost', "
                            "which is not in documents; scan again"),
        (_no_text, "not a consistent report: pairs[0] names a document whose text is "
                   "missing; scan again"),
        (_origin_outside, "not a consistent report: clusters[0]'s origin is not one of its "
                          "members; scan again"),
        (_link_not_a_pair, "not a consistent report: clusters[0] links '000_32ad8dfe81a1ea15' "
                           "and '004_6ce2e043c53978d1', which are not a pair of its members; "
                           "scan again"),
    ],
)
def test_load_report_names_the_first_wrong_field(
    seed_result: ScanResult, tmp_path: Path, edit: Edit, message: str,
) -> None:
    report = copy.deepcopy(to_json(seed_result))
    edit(report)
    path = _write(tmp_path, json.dumps(report))
    with pytest.raises(ReportError) as caught:
        load_report(path)
    assert str(caught.value) == f"{path}: {message}"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{\n "version": "0.1.0",\n oops\n}', ":3: not valid JSON (Expecting property name "
         "enclosed in double quotes); give the report.json that dedupe scan wrote"),
        ("", ":1: not valid JSON (Expecting value); give the report.json that dedupe scan "
         "wrote"),
        ("[1, 2]", ": not a dedupe report: top level: [1, 2] is not of type 'object'" + TAIL),
        ("[" * 100_000 + "]" * 100_000, ": nested too deeply to be a report; give the "
         "report.json that dedupe scan wrote"),
        (b"\xff\xfe{}", ": cannot read it ('utf-8' codec can't decode byte 0xff in position "
         "0: invalid start byte); check the path, or give the report.json that dedupe scan "
         "wrote"),
    ],
)
def test_load_report_rejects_what_is_not_a_report(
    tmp_path: Path, content: str | bytes, message: str,
) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(ReportError) as caught:
        load_report(path)
    assert str(caught.value) == f"{path}{message}"


def test_load_report_of_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    with pytest.raises(ReportError, match=r"nope.json: cannot read it \(No such file"):
        load_report(path)
