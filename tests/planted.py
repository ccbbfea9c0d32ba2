"""A labelled corpus with planted syndication, built from real Reuters stories.

``make_planted_corpus(seed)`` takes the Reuters-21578 sample in
``tests/data/reuters_sample.jsonl`` (see ``tests/data/README.md``) and plants the
cases a syndication detector must get right, together with the ground truth:

* three site templates (masthead, ad marker, share line, byline footer, legal
  disclaimer and a three-line related-stories block) worn by several unrelated
  articles, so template lines must never link articles;
* family A: a wire story republished verbatim by two sites;
* family B: an *undated* wire story, a trimmed copy (first two paragraphs) and a
  light edit (a few words swapped, a sentence dropped, one added), both dated;
* family C: a wire story two consecutive sentences of which are embedded in the
  middle of another, otherwise unrelated, story;
* unrelated stories carrying site templates, unrelated stories sharing stock
  cliche sentences, and plain unrelated stories, each its own family.

Every family and every unrelated article uses its own Reuters story; the sample
stories share no word 8-gram with each other, so any 8-gram two articles of
different families share is template or stock text.

The result is a pure function of the seed. Article ids are random-looking (so that
no detector can get the origin right by sorting ids) and the article order is
shuffled; ``kind`` says what each article is.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from benchmarks.generate import SAMPLE_PATH, SiteTemplate
from benchmarks.textops import (
    Story,
    is_light_editable,
    light_edit,
    load_stories,
    sentence_pairs,
    split_sentences,
    unused_id,
)

__all__ = [
    "KINDS",
    "SAMPLE_PATH",
    "SITE_TEMPLATES",
    "STOCK_SENTENCES",
    "PlantedCorpus",
    "load_sample",
    "make_planted_corpus",
    "split_sentences",
]

WIRE_SOURCE = "reuters.example"
STOCK_SOURCES = ("eveningledger-d.example", "valleytimes-e.example")
BASE_DATE = date(2024, 1, 1)

KINDS = (
    "origin",
    "verbatim",
    "trimmed",
    "light-edit",
    "embedded",
    "unrelated-template",
    "unrelated-stock",
    "unrelated",
)


SITE_TEMPLATES: tuple[SiteTemplate, ...] = (
    SiteTemplate(
        site="dailywire-a.example",
        masthead="THE DAILY WIRE | Independent news since 1998",
        ad_marker="ADVERTISEMENT",
        share="Share this article: Facebook | Twitter | Email",
        footer="Compiled by the Daily Wire newsdesk from agency reports.",
        disclaimer=(
            "Disclaimer: The information in this article is provided for general "
            "information only and does not constitute financial, legal or investment "
            "advice. The Daily Wire accepts no liability for any loss arising from "
            "reliance on it. Readers should seek independent professional advice "
            "before making any decision based on this content."
        ),
        related=(
            "Related: Harbour authority approves long-delayed container terminal plan",
            "Related: Regional airline adds three routes for the summer season",
            "Related: City council votes to extend late-night bus services",
        ),
    ),
    SiteTemplate(
        site="metroherald-b.example",
        masthead="Metro Herald - Your city, your stories",
        ad_marker="- Advertisement -",
        share="Spread the word: share on Facebook, post to X or send by email",
        footer="Written for the Metro Herald business pages; tips to our editors welcome.",
        disclaimer=(
            "Legal notice: Metro Herald republishes third-party agency copy under "
            "licence. Views expressed are those of the original authors and not of "
            "the publisher. Nothing here is a recommendation to buy or sell any "
            "security, and past performance is not a guide to future returns. "
            "Reproduction without written permission is prohibited."
        ),
        related=(
            "Read more: Suburban rail upgrade faces fresh budget overrun",
            "Read more: Local bakery chain opens its twentieth branch",
            "Read more: Museum reopens east wing after two-year restoration",
        ),
    ),
    SiteTemplate(
        site="coastalgazette-c.example",
        masthead="Coastal Gazette Online :: News for the shoreline communities",
        ad_marker="[ Sponsored content ]",
        share="Found this useful? Pass it on via Facebook, WhatsApp or email.",
        footer="Story filed by Coastal Gazette staff with wire agency material.",
        disclaimer=(
            "Terms of use: All content on Coastal Gazette Online is for personal, "
            "non-commercial reading. While our staff check every report, we make no "
            "warranty as to its accuracy or completeness and will not be responsible "
            "for errors or omissions. Please contact the editor to report a mistake."
        ),
        related=(
            "See also: Fishing fleet welcomes new quota agreement",
            "See also: Lighthouse restoration appeal passes its target",
            "See also: Storm damage bill for seafront businesses still rising",
        ),
    ),
)

STOCK_SENTENCES: tuple[str, ...] = (
    "The move comes amid growing uncertainty over the outlook for the global economy.",
    "Analysts said it was still too early to judge what the long-term impact would be.",
    "The development is likely to be closely watched by investors in the coming weeks.",
    "Market participants will be looking for further clues about the direction of policy.",
    "The decision underlines the pressure facing decision-makers on both sides.",
)

@dataclass
class PlantedCorpus:
    """Articles plus the truth about them.

    ``family`` maps every article id to its family id (unrelated articles are
    alone in theirs); ``origin`` maps every family id to the id of its origin
    article; ``kind`` is one of ``KINDS`` per article. ``template_lines`` gives
    each templated site's boilerplate lines, ``stock_sentences`` the cliches
    planted in unrelated articles, ``embedded`` the passage each "embedded"
    article took from its family's origin, and ``reuters_ids`` the sample
    stories whose text each article contains.
    """

    articles: list[dict[str, Any]]
    family: dict[str, str]
    origin: dict[str, str]
    kind: dict[str, str]
    template_lines: dict[str, list[str]]
    stock_sentences: list[str]
    embedded: dict[str, str] = field(default_factory=dict)
    reuters_ids: dict[str, list[str]] = field(default_factory=dict)

    def article(self, article_id: str) -> dict[str, Any]:
        """The article with this id."""
        for art in self.articles:
            if art["id"] == article_id:
                return art
        raise KeyError(article_id)

    def members(self, family_id: str) -> list[str]:
        """Ids of a family's articles, in article order."""
        return [a["id"] for a in self.articles if self.family[a["id"]] == family_id]

    def of_kind(self, kind: str) -> list[str]:
        """Ids of the articles of one kind, in article order."""
        return [a["id"] for a in self.articles if self.kind[a["id"]] == kind]

    def to_jsonl(self, path: str | Path) -> None:
        """Write the articles (not the truth) as JSONL, one article per line."""
        with Path(path).open("w", encoding="utf-8", newline="\n") as out:
            for art in self.articles:
                out.write(json.dumps(art, ensure_ascii=False) + "\n")


@cache
def load_sample(path: Path = SAMPLE_PATH) -> tuple[Story, ...]:
    """The Reuters sample, in file order."""
    return tuple(load_stories(path))


def _more_paragraphs_than(n: int) -> Callable[[Story], bool]:
    return lambda story: len(story.paragraphs) > n


class _Builder:
    """Accumulates articles and truth while the cases are planted."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.articles: list[dict[str, Any]] = []
        self.family: dict[str, str] = {}
        self.origin: dict[str, str] = {}
        self.kind: dict[str, str] = {}
        self.embedded: dict[str, str] = {}
        self.reuters_ids: dict[str, list[str]] = {}
        self._ids: set[str] = set()

    def new_id(self) -> str:
        """A random-looking, unused article id."""
        return unused_id(self.rng, self._ids)

    def day0(self) -> date:
        return BASE_DATE + timedelta(days=self.rng.randrange(330))

    def add(
        self,
        family: str | None,
        kind: str,
        text: str,
        title: str,
        source: str,
        day: date | None,
        stories: list[Story],
    ) -> str:
        """Add one article; ``family=None`` makes it the origin of a new family."""
        article_id = self.new_id()
        if family is None:
            family = f"family-{article_id}"
            self.origin[family] = article_id
        elif kind == "origin":
            self.origin[family] = article_id
        self.articles.append(
            {
                "id": article_id,
                "text": text,
                "date": day.isoformat() if day else None,
                "source": source,
                "title": title,
            }
        )
        self.family[article_id] = family
        self.kind[article_id] = kind
        self.reuters_ids[article_id] = [s.id for s in stories]
        return article_id


def make_planted_corpus(seed: int = 0) -> PlantedCorpus:
    """Plant the syndication cases in Reuters text; a pure function of ``seed``."""
    rng = random.Random(seed)
    pool = list(load_sample())
    rng.shuffle(pool)

    def take(ok: Callable[[Story], bool] | None = None) -> Story:
        """The next unused story (satisfying ``ok``); never reused."""
        for i, story in enumerate(pool):
            if ok is None or ok(story):
                return pool.pop(i)
        raise ValueError("sample has no suitable story left")

    # Stories with requirements first, so that the others cannot use them up.
    story_b = take(lambda s: len(s.paragraphs) >= 3 and is_light_editable(s))
    story_c = take(lambda s: bool(sentence_pairs(s)))
    story_c_host = take(lambda s: len(s.paragraphs) >= 3)
    story_a = take()

    templates = {t.site: t for t in SITE_TEMPLATES}
    sites = list(templates)
    b = _Builder(rng)

    # Family A: wire original, republished verbatim by two sites.
    day = b.day0()
    text_a = "\n".join(story_a.paragraphs)
    b.add("family-A", "origin", text_a, story_a.title, WIRE_SOURCE, day, [story_a])
    for offset, site in enumerate(rng.sample(sites, 2), start=1):
        wrapped = templates[site].wrap(list(story_a.paragraphs), rng).text
        b.add(
            "family-A", "verbatim", wrapped, story_a.title, site,
            day + timedelta(days=offset), [story_a],
        )

    # Family B: the wire original carries no date; its trimmed copy and light edit
    # are dated. Date-based attribution alone cannot find the origin, but the
    # expected origin is still the undated original: both copies derive from it
    # (the trimmed copy lies inside it, the light edit is a near-duplicate of it).
    day = b.day0()
    text_b = "\n".join(story_b.paragraphs)
    b.add("family-B", "origin", text_b, story_b.title, WIRE_SOURCE, None, [story_b])
    trim_site, edit_site = rng.sample(sites, 2)
    b.add(
        "family-B", "trimmed",
        templates[trim_site].wrap(list(story_b.paragraphs[:2]), rng).text,
        story_b.title, trim_site, day + timedelta(days=1), [story_b],
    )
    b.add(
        "family-B", "light-edit",
        templates[edit_site].wrap(light_edit(story_b, rng), rng).text,
        story_b.title, edit_site, day + timedelta(days=2), [story_b],
    )

    # Family C: two consecutive sentences of the wire story, embedded as a
    # paragraph in the middle of an otherwise unrelated site story.
    day = b.day0()
    text_c = "\n".join(story_c.paragraphs)
    b.add("family-C", "origin", text_c, story_c.title, WIRE_SOURCE, day, [story_c])
    passage = rng.choice(sentence_pairs(story_c))
    host = list(story_c_host.paragraphs)
    host.insert(len(host) // 2, passage)
    host_site = rng.choice(sites)
    embedder = b.add(
        "family-C", "embedded", templates[host_site].wrap(host, rng).text,
        story_c_host.title, host_site, day + timedelta(days=3), [story_c_host, story_c],
    )
    b.embedded[embedder] = passage

    # Unrelated stories wearing the site templates, two per site.
    for site in sites:
        for _ in range(2):
            story = take()
            b.add(
                None, "unrelated-template",
                templates[site].wrap(list(story.paragraphs), rng).text,
                story.title, site, b.day0(), [story],
            )

    # Unrelated stories sharing stock sentences. A stock phrase is one that turns up
    # across the corpus, so each sentence goes to three of five articles (article k
    # carries sentences k, k+1 and k+2, cyclically): no two articles share a story.
    stock = list(STOCK_SENTENCES)
    rng.shuffle(stock)
    carried = [[stock[(k + j) % len(stock)] for j in range(3)] for k in range(len(stock))]
    for i, sentences in enumerate(carried):
        story = take(_more_paragraphs_than(len(sentences)))
        paragraphs = list(story.paragraphs)
        gaps = sorted(rng.sample(range(1, len(paragraphs)), len(sentences)), reverse=True)
        for gap, sentence in zip(gaps, sentences, strict=True):
            paragraphs.insert(gap, sentence)
        b.add(
            None, "unrelated-stock", "\n".join(paragraphs), story.title,
            STOCK_SOURCES[i % len(STOCK_SOURCES)], b.day0(), [story],
        )

    # Plain unrelated wire stories.
    for _ in range(4):
        story = take()
        b.add(
            None, "unrelated", "\n".join(story.paragraphs), story.title,
            WIRE_SOURCE, b.day0(), [story],
        )

    rng.shuffle(b.articles)
    return PlantedCorpus(
        articles=b.articles,
        family=b.family,
        origin=b.origin,
        kind=b.kind,
        template_lines={t.site: t.lines for t in SITE_TEMPLATES},
        stock_sentences=list(STOCK_SENTENCES),
        embedded=b.embedded,
        reuters_ids=b.reuters_ids,
    )
