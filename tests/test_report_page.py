"""Tests of dedupe/report/page.py without a browser: escaping, the security policy,
self-containment, linear size. (tests/test_report_browser.py looks at the page.)"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest

from dedupe import Article, ScanResult, scan
from dedupe.report import render_html, to_json
from dedupe.report.schema import check_report

PAYLOADS = (
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=2">',
    "</script><script>window.__pwned=3</script>",
    "<svg onload=window.__pwned=4>",
    "<!-- open comment",
    "'\"><b>bold</b>&amp;",
)


class _Tags(HTMLParser):
    """Tags, attributes and the text of each inline script and style, as a browser parses them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.blocks: list[tuple[str, dict[str, str | None], str]] = []
        self._open: tuple[str, dict[str, str | None]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._open = (tag, dict(attrs))
            self.blocks.append((tag, dict(attrs), ""))

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            tag, attrs, text = self.blocks[-1]
            self.blocks[-1] = (tag, attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if self._open is not None and tag == self._open[0]:
            self._open = None


def parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser


def hostile_report() -> dict[str, Any]:
    """A scanned corpus whose texts, ids, titles, sources and urls carry markup."""
    shared = ("The committee approved the harbour expansion after a long debate about the "
              "cost of dredging and the future of the fishing fleet in the northern bay. ")
    articles = []
    for k, payload in enumerate(PAYLOADS):
        body = f"{payload}\nOpening line {k} about something else entirely.\n{shared * 2}"
        articles.append(Article(
            id=f"doc{k}{payload}", text=body + payload, date=f"2024-01-0{k + 1}",
            source=f"site{payload}", title=f"Title {payload}",
            url="javascript:window.__pwned=5" if k % 2 else f"https://example.com/{k}?q=\"<x>",
        ))
    return to_json(scan(articles))


def test_hostile_text_is_escaped_and_no_script_can_run() -> None:
    report = hostile_report()
    assert len(report["pairs"]) >= 5, "the articles must pair up so that their texts are shown"
    html = render_html(report)
    page = parse(html)
    tags = [tag for tag, _ in page.tags]
    assert tags.count("script") == 2 and tags.count("style") == 1
    assert "img" not in tags and "svg" not in tags and "b" not in tags
    for tag, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs), f"<{tag}> has a handler"
        if "href" in attrs:
            href = attrs["href"] or ""
            assert href.startswith(("#", "https://", "data:,")), f"<{tag} href={href!r}>"
    # The data block is inert JSON holding every text, ids and urls unchanged.
    (data,) = [text for tag, attrs, text in page.blocks if attrs.get("type")]
    assert "<" not in data and ">" not in data
    value = json.loads(data)
    texts = {d["text"] for d in value["docs"]}
    for payload in PAYLOADS:
        assert any(payload in t for t in texts if t)
    assert {d["url"] for d in value["docs"]} >= {"javascript:window.__pwned=5"}
    assert all(d["href"] in (None, d["url"]) and (d["href"] or "https:").startswith("https:")
               for d in value["docs"])


def test_security_policy_allows_exactly_the_inline_script_and_style(
    seed_result: ScanResult,
) -> None:
    html = render_html(to_json(seed_result))
    page = parse(html)
    (policy,) = [a["content"] for t, a in page.tags
                 if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert policy is not None
    rules = dict(rule.strip().split(" ", 1) for rule in policy.split(";"))
    assert rules["default-src"] == "'none'"

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    (script,) = [text for tag, attrs, text in page.blocks if tag == "script" and not attrs]
    (style,) = [text for tag, _, text in page.blocks if tag == "style"]
    assert rules["script-src"] == digest(script)
    assert rules["style-src"] == digest(style)


def test_page_is_self_contained_and_deterministic(seed_result: ScanResult) -> None:
    report = to_json(seed_result)
    html = render_html(report)
    assert html == render_html(json.loads(json.dumps(report)))
    for tag, attrs in parse(html).tags:
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            assert not re.match(r"(https?:)?//", value) or tag == "a", f"<{tag} {name}={value}>"
    assert "<link rel=\"stylesheet\"" not in html and "@import" not in html


def synthetic_report(clusters: int, size: int = 3, text_chars: int = 1500) -> dict[str, Any]:
    """A schema-valid report of ``clusters`` fully linked clusters of ``size`` documents."""
    documents, pairs, groups = [], [], []
    for c in range(clusters):
        ids = [f"c{c:05d}-m{m}" for m in range(size)]
        for m, doc_id in enumerate(ids):
            text = (f"{doc_id} " + "lorem ipsum dolor sit amet " * text_chars)[:text_chars]
            documents.append({
                "id": doc_id, "date": f"2024-02-{m + 1:02d}", "source": f"s{m}", "title": None,
                "url": None, "words": 250, "template_words": 0, "template_lines": [[0, 10]],
                "heading_lines": [], "stock_spans": [[20, 40]], "text": text})
        links = []
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                pairs.append({"a": a, "b": b, "relation": "reuse", "jaccard": 0.1,
                              "containment": [0.2, 0.2], "strength": 0.7, "evidence": "e",
                              "headings": [], "passages": [
                                  {"a": [100, 400], "b": [100, 400], "text": "t",
                                   "rare_shingles": 30}]})
                links.append({"a": a, "b": b, "evidence": "e", "strength": 0.7})
        groups.append({"id": c + 1, "members": ids, "origin": ids[0],
                       "origin_rule": "earliest-date", "confidence": 0.9, "links": links})
    report = {"version": "0", "params": {"fingerprint": "f"}, "documents": documents,
              "pairs": pairs, "boilerplate": [], "clusters": groups, "skipped": [],
              "warnings": []}
    check_report(report, "synthetic")
    return report


def test_each_text_is_in_the_page_once_however_many_pairs_it_is_in() -> None:
    report = synthetic_report(2, size=12)  # 66 pairs per cluster
    html = render_html(report)
    for doc in report["documents"]:
        assert html.count(doc["text"]) == 1, doc["id"]


@pytest.mark.parametrize("size", [2, 6])
def test_page_size_grows_linearly_with_the_corpus(size: int) -> None:
    sizes = [len(render_html(synthetic_report(n, size=size)).encode()) for n in (50, 100, 200)]
    first, second = sizes[1] - sizes[0], sizes[2] - sizes[1]
    # Each 50 clusters more cost the same bytes: 2 x 50 more is twice as much.
    assert second == pytest.approx(2 * first, rel=0.02), sizes
