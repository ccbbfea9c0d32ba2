"""A seeded, labelled syndication benchmark built from real Reuters-21578 text.

``generate(pool, families=..., unrelated=..., seed=...)`` plants *families* of
articles with one common origin in real newswire text, plus unrelated articles
that look like them, and returns the corpus with its ground truth:

* origin: a wire story as a wire source published it (no template);
* verbatim: the whole story inside a news site's template;
* trimmed: its first 1-2 paragraphs only;
* light-edit: a few words swapped, one sentence dropped, one short sentence added;
* embedded: two consecutive sentences (20-40 words) inserted as a paragraph into
  another Reuters story that is used nowhere else;
* rewrite: a content-farm rewrite keeping 40-70% of the sentences, shuffled, some
  cut to a fragment behind a stock lead-in ("According to reports, ..."), with
  generic farm headings, stock sentences and one distinctive heading that all the
  family's rewrites share;
* unrelated, unrelated-template, unrelated-stock, unrelated-farm: stories of their
  own, plain, in a site template, with stock sentences, or as a farm article.

Site and farm templates are made from word parts (masthead, dateline, ad markers,
share, newsletter and footer lines, a long disclaimer and a related-links block
drawn per article from the site's pool), so any number of sites can exist. The
"calibration" and "holdout" profiles use disjoint vocabularies and different
template shapes, so defaults tuned on one can be checked on the other.

Every family and every unrelated article uses its own Reuters story, and the pool
stories share no word 8-gram, so text shared across groups is template or stock
text (stock sentences, farm headings and lead-ins, the light edit's added
sentences). The result is a pure function of the arguments; article ids are
random-looking and the article order is shuffled.

Example::

    python -m benchmarks.generate --families 400 --unrelated 1200 --seed 1 -o /tmp/bench

The text is from "Reuters-21578, Distribution 1.0" (research use only; see
tests/data/README.md).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from benchmarks.extract_reuters_sample import MIN_PARAGRAPHS, candidates, iter_stories
from benchmarks.textops import (
    Story,
    is_light_editable,
    light_edit,
    load_stories,
    sentence_pairs,
    story_sentences,
    strip_leftovers,
    unused_id,
    word_grams,
)

ROOT = Path(__file__).resolve().parent.parent
REUTERS_DIR = Path("/work/shared/corpora/reuters21578")
SAMPLE_PATH = ROOT / "tests" / "data" / "reuters_sample.jsonl"
#: The Reuters collection if present, else the 300-story test sample.
DEFAULT_POOL = REUTERS_DIR if REUTERS_DIR.is_dir() else SAMPLE_PATH

ORIGIN_KIND = "origin"
DERIVED_KINDS = ("verbatim", "trimmed", "light-edit", "embedded", "rewrite")
UNRELATED_KINDS = ("unrelated", "unrelated-template", "unrelated-stock", "unrelated-farm")
KINDS = (ORIGIN_KIND, *DERIVED_KINDS, *UNRELATED_KINDS)

MAX_DERIVED = 7
ARTICLES_PER_SITE = 40
MIN_NEWS_SITES = 8
MIN_FARM_SITES = 3
RELATED_POOL = 8
STOCK_COPIES = 3  # a stock sentence goes to at least this many unrelated articles
BASE_TIME = datetime(2024, 1, 1, tzinfo=timezone.utc)
ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
UNDATED_ORIGIN = 0.15
UNDATED_OTHER = 0.10

T = TypeVar("T")

# --- vocabularies ---------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateParts:
    """Word parts and line patterns from which site templates are made.

    Patterns may use ``{name}``, ``{NAME}``, ``{year}`` and ``{count}``; datelines
    are ``strftime`` formats with digits only, so they differ between articles in
    their digits alone. ``layout`` orders the blocks of a page.
    """

    first_words: tuple[str, ...]
    second_words: tuple[str, ...]
    joiner: str
    mastheads: tuple[str, ...]
    datelines: tuple[str, ...]
    ad_markers: tuple[str, ...]
    shares: tuple[str, ...]
    newsletters: tuple[str, ...]
    footers: tuple[str, ...]
    disclaimer_prefixes: tuple[str, ...]
    disclaimer_sentences: tuple[str, ...]
    related_prefixes: tuple[str, ...]
    related_subjects: tuple[str, ...]
    related_actions: tuple[str, ...]
    related_count: int
    layout: tuple[str, ...]


@dataclass(frozen=True)
class Profile:
    """Everything wording-related one benchmark uses: templates, farm text, stock text."""

    name: str
    news: TemplateParts
    farm: TemplateParts
    wire_sources: tuple[str, ...]
    plain_sources: tuple[str, ...]
    farm_headings: tuple[str, ...]
    heading_patterns: tuple[str, ...]
    lead_ins: tuple[str, ...]
    stock_sentences: tuple[str, ...]


_CALIBRATION_NEWS = TemplateParts(
    first_words=("Daily", "Metro", "Coastal", "Valley", "Harbour", "Capital", "Northern",
                 "Evening", "County", "Western"),
    second_words=("Wire", "Herald", "Gazette", "Post", "Ledger", "Times", "Courier",
                  "Chronicle", "Mercury", "Echo"),
    joiner=" ",
    mastheads=(
        "{NAME} | Independent news since {year}",
        "{name} - Your city, your stories",
        "{name} Online :: News for the shoreline communities",
        "Welcome to {name}, trusted reporting since {year}",
        "{NAME} :: Business, Politics, Sport",
    ),
    datelines=(
        "Published %H:%M GMT, %d/%m/%Y",
        "Posted on %d.%m.%Y at %H:%M",
        "Last updated %H:%M, %d/%m/%Y",
        "First published %d/%m/%Y %H:%M GMT",
    ),
    ad_markers=("ADVERTISEMENT", "- Advertisement -", "[ Sponsored content ]",
                "Advertisement - scroll to continue", "Ad | Content continues below"),
    shares=(
        "Share this article: Facebook | Twitter | Email",
        "Spread the word: share on Facebook, post to X or send by email",
        "Found this useful? Pass it on via Facebook, WhatsApp or email.",
        "Share on Facebook - Share on Twitter - Copy link",
        "Tell a friend: email this story or share it on social media",
    ),
    newsletters=(
        "Sign up for the {name} morning briefing, delivered free to your inbox.",
        "Get {name} headlines by email every weekday - subscribe now",
        "Never miss a story: join the {name} newsletter today.",
        "Subscribe to {name} Plus for unlimited access to every article.",
    ),
    footers=(
        "Compiled by the {name} newsdesk from agency reports.",
        "Written for the {name} business pages; tips to our editors welcome.",
        "Story filed by {name} staff with wire agency material.",
        "Reporting by {name} correspondents; editing by the night desk.",
        "Copyright {year} {name}. All rights reserved.",
    ),
    disclaimer_prefixes=("Disclaimer: ", "Legal notice: ", "Terms of use: "),
    disclaimer_sentences=(
        "The information in this article is provided for general information only and "
        "does not constitute financial, legal or investment advice.",
        "{name} accepts no liability for any loss arising from reliance on it.",
        "Readers should seek independent professional advice before making any decision "
        "based on this content.",
        "{name} republishes third-party agency copy under licence.",
        "Views expressed are those of the original authors and not of the publisher.",
        "Nothing here is a recommendation to buy or sell any security, and past "
        "performance is not a guide to future returns.",
        "Reproduction without written permission is prohibited.",
        "While our staff check every report, we make no warranty as to its accuracy or "
        "completeness.",
        "Please contact the editor to report a mistake.",
    ),
    related_prefixes=("Related: ", "Read more: ", "See also: ", "More from us: "),
    related_subjects=("Harbour authority", "Regional airline", "City council",
                      "Suburban rail operator", "Local bakery chain", "Museum trustees",
                      "Fishing fleet", "Lighthouse appeal", "Seafront traders",
                      "School governors", "Hospital trust", "Football club",
                      "Library service", "Farmers' market"),
    related_actions=("approves long-delayed expansion plan",
                     "adds three routes for the summer season",
                     "votes to extend late-night services", "faces fresh budget overrun",
                     "opens its twentieth branch", "reopens east wing after restoration",
                     "welcomes new quota agreement", "passes its fundraising target",
                     "counts the cost of storm damage",
                     "unveils plans for a new community hall", "names new chief executive",
                     "celebrates its hundredth anniversary", "warns of rising running costs",
                     "wins national award"),
    related_count=3,
    layout=("masthead", "dateline", "body", "share", "newsletter", "footer", "related",
            "disclaimer"),
)

CALIBRATION = Profile(
    name="calibration",
    news=_CALIBRATION_NEWS,
    farm=replace(
        _CALIBRATION_NEWS,
        first_words=("Trending", "Viral", "Buzz", "Hot", "Newsy", "Quick"),
        second_words=("Now", "Feed", "Hub", "Today", "Digest", "Spot"),
        joiner="",
        mastheads=(
            "{name} - All the news that is trending right now",
            "{name}: The stories everyone is talking about",
            "{NAME} | Hot stories, every hour",
        ),
        footers=(
            "Content curated by the {name} team from around the web.",
            "{name} brings you the stories that matter, as they happen.",
            "Copyright {year} {name} Media. All rights reserved.",
        ),
    ),
    wire_sources=("wire-a.example", "wire-b.example", "wire-c.example"),
    plain_sources=("commentary-d.example", "newsletter-e.example", "briefing-f.example"),
    farm_headings=("Background", "What We Know So Far", "Key Takeaways", "Why It Matters",
                   "Conclusion", "The Bottom Line", "What Happens Next", "The Big Picture",
                   "Final Word", "Here Is What Happened"),
    heading_patterns=("{title}: What It Means For Markets",
                      "{title} - Everything You Need To Know",
                      "Explainer: {title}", "{title}: The Full Story"),
    lead_ins=("According to reports, ", "It has been reported that ", "Reports suggest that ",
              "As reported earlier, ", "Sources say that ", "It is understood that "),
    stock_sentences=(
        "The move comes amid growing uncertainty over the outlook for the global economy.",
        "Analysts said it was still too early to judge what the long-term impact would be.",
        "The development is likely to be closely watched by investors in the coming weeks.",
        "Market participants will be looking for further clues about the direction of policy.",
        "The decision underlines the pressure facing decision-makers on both sides.",
        "Observers say the coming months will be crucial in determining the outcome.",
        "Critics have long argued that more needs to be done to address the underlying "
        "problems.",
        "The announcement was broadly in line with what most observers had expected.",
        "It remains to be seen whether the measures will be enough to restore confidence.",
        "Industry insiders say the situation remains fluid and could change quickly.",
        "The news sent ripples through an already nervous market on the day.",
        "Experts warn that there are no easy answers to the questions now being raised.",
        "Supporters of the plan say it will deliver lasting benefits for ordinary people.",
        "The episode has raised fresh questions about oversight and accountability.",
        "Many will be watching closely to see how the other side responds.",
        "The latest figures paint a mixed picture of the health of the sector.",
        "Few expect a quick resolution to a dispute that has dragged on for months.",
        "The story is a reminder of how quickly sentiment can shift in uncertain times.",
        "Both sides have so far declined to comment on the details of the talks.",
        "The coming days are expected to bring further announcements on the matter.",
        "For now, the focus remains firmly on what happens next.",
        "Some commentators described the outcome as a turning point for everyone involved.",
        "The broader implications are likely to become clearer over time.",
        "Officials have stressed that the situation is being monitored closely.",
        "It is not the first time the issue has made headlines this year.",
        "The question now is whether the momentum can be sustained.",
        "Investors have been bracing for this kind of news for some time.",
        "There was no immediate reaction from the other parties involved.",
        "The full consequences may not be felt for several months.",
        "What happens next will depend on a number of factors outside anyone's control.",
    ),
)

_HOLDOUT_NEWS = TemplateParts(
    first_words=("Summit", "River", "Prairie", "Lakeside", "Granite", "Civic", "Frontier",
                 "Meridian", "Upland", "Bayside"),
    second_words=("Observer", "Dispatch", "Tribune", "Sentinel", "Bulletin", "Journal",
                  "Record", "Star", "Examiner", "Beacon"),
    joiner=" ",
    mastheads=(
        "{name} - Reporting from the heart of the region",
        "{NAME} / Est. {year} / Local and national news",
        "You are reading {name}",
        "{name} | Serving readers every day since {year}",
    ),
    datelines=(
        "Updated %Y-%m-%d at %H.%M UTC",
        "%Y-%m-%d %H:%M (UTC)",
        "Story posted %Y.%m.%d, %H%M hrs",
    ),
    ad_markers=("--- Story continues below ---", "(Sponsored)", "Promoted content",
                "*** Paid partnership ***", "Continue reading after the ad"),
    shares=(
        "Like this story? Send it to someone who would enjoy it",
        "SHARE: LinkedIn / Reddit / Print",
        "Copy the link to pass this report along",
        "Post it / Pin it / Mail it",
    ),
    newsletters=(
        "Join {count} readers who get {name} in their inbox each morning.",
        "The {name} weekly digest lands every Friday. Register here.",
        "Want more stories like this? Follow {name} for daily alerts.",
    ),
    footers=(
        "Additional reporting by the {name} regional team.",
        "This report was produced by {name} with agency input.",
        "(c) {year} {name}, a member of the independent press group.",
        "Questions about this article? Contact the {name} readers' editor.",
    ),
    disclaimer_prefixes=("Important: ", "Please note: ", "Editorial policy: "),
    disclaimer_sentences=(
        "{name} sources some reports from external news agencies and does not verify "
        "every detail independently.",
        "Opinions quoted belong to the people named and should not be read as the view of "
        "the publication.",
        "No content on this page should be treated as a personal recommendation of any kind.",
        "Figures and forecasts may change after publication without notice.",
        "Copying, redistribution or commercial use of this material requires a written "
        "licence from {name}.",
        "We correct significant errors promptly and note the change at the end of the report.",
        "By continuing to read you accept the terms set out in our reader agreement.",
        "Links to third-party websites are provided for convenience and imply no endorsement.",
    ),
    related_prefixes=("\u2022 ",),
    related_subjects=("Town planners", "Ferry operator", "Riverside festival",
                      "Community orchestra", "Mountain rescue team", "Allotment society",
                      "Tram extension", "Cycling club", "Youth theatre", "Water utility",
                      "Nature reserve", "Chamber of commerce", "Village pharmacy",
                      "Bus depot workers"),
    related_actions=("unveils a ten-year vision for the old docks", "restores its winter timetable",
                     "draws record crowds", "secures funding for another season",
                     "trains a new intake of volunteers", "celebrates a bumper harvest",
                     "gets the green light from councillors", "launches a membership drive",
                     "stages its first show in a decade", "announces price freeze",
                     "welcomes rare migrating birds", "elects a new president",
                     "extends its opening hours", "ends strike after pay deal"),
    related_count=4,
    layout=("masthead", "disclaimer", "dateline", "body", "related", "newsletter", "share",
            "footer"),
)

HOLDOUT = Profile(
    name="holdout",
    news=_HOLDOUT_NEWS,
    farm=replace(
        _HOLDOUT_NEWS,
        first_words=("Insta", "Mega", "Smart", "Zoom", "Snap", "Fresh"),
        second_words=("Stories", "Scoop", "Wave", "Pulse", "Trends", "Zone"),
        joiner="",
        mastheads=(
            "{name} >> What everyone is reading today",
            "{NAME} - Stories worth your scroll",
            "{name}: Fresh takes on the day's news",
        ),
        footers=(
            "Put together by {name} editors using publicly available sources.",
            "{name} - because you deserve to know first.",
            "(c) {year} {name} Digital, a viral content network.",
        ),
    ),
    wire_sources=("agency-x.example", "agency-y.example", "agency-z.example"),
    plain_sources=("roundup-p.example", "column-q.example", "digest-r.example"),
    farm_headings=("Overview", "The Details", "In Brief", "Looking Ahead", "Final Thoughts",
                   "Quick Facts", "Context", "What Comes Next", "Main Points", "Summing Up"),
    heading_patterns=("{title}, Explained", "Inside The Story: {title}",
                      "{title} And What Comes After", "Deep Dive - {title}"),
    lead_ins=("Sources indicate that ", "As per the latest information, ", "Word is that ",
              "Insiders claim that ", "Early accounts suggest that ", "Per initial coverage, "),
    stock_sentences=(
        "Only time will tell whether the gamble pays off for those involved.",
        "The episode highlights the delicate balancing act facing policymakers everywhere.",
        "Onlookers were quick to point out that similar promises had been made before.",
        "The outcome could set an important precedent for years to come.",
        "Few industries have been left untouched by the shifting landscape.",
        "The timing of the announcement caught many people by surprise.",
        "Behind the headlines lies a more complicated and nuanced story.",
        "Stakeholders across the board are now weighing their next steps carefully.",
        "The ripple effects are expected to be felt well beyond the immediate region.",
        "Not everyone is convinced that the numbers add up.",
        "Skeptics remain unconvinced that the promised changes will materialise.",
        "The situation continues to evolve as more information comes to light.",
        "This latest twist adds another layer of complexity to an already tangled picture.",
        "Seasoned watchers have seen this pattern play out many times before.",
        "The stakes could hardly be higher for everyone with a seat at the table.",
        "Pressure is mounting on all parties to find common ground.",
        "Plenty of questions remain unanswered at this stage.",
        "Whatever the final outcome, the debate is far from over.",
        "Ordinary households are likely to feel the effects sooner rather than later.",
        "The mood among those closest to the matter was described as cautious.",
        "Momentum appears to be building behind calls for a fresh approach.",
        "Longer-term trends suggest the shift has been years in the making.",
        "Those hoping for a clear signal were left disappointed once again.",
        "The debate has exposed deep divisions over the best way forward.",
        "Much will hinge on how quickly confidence can be rebuilt.",
        "The figures tell only part of the story.",
        "Voices on both sides of the argument have welcomed the clarity.",
        "Confidence has been shaken, but few are predicting a collapse.",
        "The development marks a notable departure from the approach taken so far.",
        "Attention will now turn to the next round of negotiations.",
    ),
)

PROFILES: dict[str, Profile] = {p.name: p for p in (CALIBRATION, HOLDOUT)}

# Words that may start a farm fragment in lower case ("According to reports, the ...").
_LOWER_STARTS = frozenset({"The", "A", "An", "It", "Its", "This", "These", "They", "He",
                           "She", "In", "But", "And", "Under"})

# --- site templates ---------------------------------------------------------------------


class Page(NamedTuple):
    """A story wrapped in a template: the text, and its template lines in text order."""

    text: str
    template_lines: list[str]


@dataclass(frozen=True)
class SiteTemplate:
    """The boilerplate one site wraps around every story it publishes.

    ``related`` is the site's pool of related-story lines; an article carries the
    ``related`` lines ``wrap`` is given (all of them by default). ``dateline`` is a
    ``strftime`` format filled with the article's time, ``layout`` the order of the
    blocks ("body" is the story, with 1-2 ad markers between paragraphs).
    """

    site: str
    masthead: str
    ad_marker: str
    share: str
    footer: str
    disclaimer: str
    related: tuple[str, ...]
    dateline: str | None = None
    newsletter: str | None = None
    layout: tuple[str, ...] = ("masthead", "body", "share", "footer", "related", "disclaimer")

    @property
    def lines(self) -> list[str]:
        """The fixed template lines (not the dateline, whose digits vary)."""
        lines = [self.masthead, self.ad_marker, self.share, self.footer, self.disclaimer]
        lines += self.related
        return [*lines, self.newsletter] if self.newsletter else lines

    def wrap(
        self,
        paragraphs: Sequence[str],
        rng: random.Random,
        *,
        related: Sequence[str] | None = None,
        when: datetime | None = None,
    ) -> Page:
        """The page: the layout's blocks around the paragraphs, 1-2 ad markers in the body."""
        # Ads go between paragraphs; a lone paragraph gets its ad after it, so that every
        # page carries the site's ad marker.
        gaps = list(range(1, len(paragraphs))) or [len(paragraphs)]
        ads_before = set(rng.sample(gaps, min(rng.choice((1, 2)), len(gaps))))
        body: list[tuple[str, bool]] = []
        for i, paragraph in enumerate(paragraphs):
            if i in ads_before:
                body.append((self.ad_marker, True))
            body.append((paragraph, False))
        if len(paragraphs) in ads_before:
            body.append((self.ad_marker, True))
        blocks: dict[str, list[str]] = {
            "masthead": [self.masthead],
            "dateline": [when.strftime(self.dateline)] if self.dateline and when else [],
            "share": [self.share],
            "newsletter": [self.newsletter] if self.newsletter else [],
            "footer": [self.footer],
            "related": list(self.related if related is None else related),
            "disclaimer": [self.disclaimer],
        }
        lines: list[tuple[str, bool]] = []
        for block in self.layout:
            lines += body if block == "body" else [(line, True) for line in blocks[block]]
        return Page("\n".join(line for line, _ in lines), [x for x, tpl in lines if tpl])


def make_sites(parts: TemplateParts, count: int, rng: random.Random) -> list[SiteTemplate]:
    """``count`` sites with distinct names, each with its own template from ``parts``."""
    names = list(itertools.product(parts.first_words, parts.second_words))
    rng.shuffle(names)
    sites: list[SiteTemplate] = []
    for i in range(count):
        first, second = names[i % len(names)]
        suffix = "" if i < len(names) else str(i // len(names) + 1)
        domain = f"{first}{second}{suffix}".lower().replace("'", "") + ".example"
        name = f"{first}{parts.joiner}{second} {suffix}".strip()
        sites.append(_make_site(parts, domain, name, rng))
    return sites


def _make_site(parts: TemplateParts, domain: str, name: str, rng: random.Random) -> SiteTemplate:
    """One site's template: a pattern drawn for each line, filled with the site's name."""
    values = {"name": name, "NAME": name.upper(), "year": rng.randint(1948, 2016),
              "count": f"{rng.randint(12, 240)},000"}

    def fill(patterns: Sequence[str]) -> str:
        return rng.choice(patterns).format(**values)

    prefix = rng.choice(parts.related_prefixes)
    pairs = zip(rng.sample(parts.related_subjects, RELATED_POOL),
                rng.sample(parts.related_actions, RELATED_POOL), strict=True)
    return SiteTemplate(
        site=domain,
        masthead=fill(parts.mastheads),
        ad_marker=rng.choice(parts.ad_markers),
        share=rng.choice(parts.shares),
        footer=fill(parts.footers),
        disclaimer=_disclaimer(parts, values, rng),
        related=tuple(f"{prefix}{subject} {action}" for subject, action in pairs),
        dateline=rng.choice(parts.datelines),
        newsletter=fill(parts.newsletters),
        layout=parts.layout,
    )


def _disclaimer(parts: TemplateParts, values: dict[str, Any], rng: random.Random) -> str:
    """A prefix and shuffled disclaimer sentences, 40-80 words in all."""
    sentences = [s.format(**values) for s in parts.disclaimer_sentences]
    rng.shuffle(sentences)
    text = rng.choice(parts.disclaimer_prefixes).strip()
    for sentence in sentences:
        if len(text.split()) >= 40:
            break
        if len(text.split()) + len(sentence.split()) <= 80:
            text = f"{text} {sentence}"
    return text


# --- the story pool ---------------------------------------------------------------------


def load_pool(path: Path | str) -> list[Story]:
    """Mutually unrelated Reuters stories, in a deterministic order.

    Args:
        path: a directory holding ``reut2-*.sgm`` (the Reuters-21578 collection) or a
            JSONL file in the ``tests/data/reuters_sample.jsonl`` format.

    Returns:
        From a directory, the usable stories of ``extract_reuters_sample.candidates``
        (no re-sends or templated reports) by NEWID; from a JSONL file, its stories
        in file order. Trailing wire leftovers ("REUTER...") are cut, stories left
        with fewer than 3 paragraphs dropped, and so is any story sharing a
        normalised word 8-gram with an earlier one (none in the sample, which was
        picked that way).

    Raises:
        ValueError: if ``path`` is neither.

    Example:
        >>> len(load_pool(SAMPLE_PATH))
        300
    """
    path = Path(path)
    if path.is_dir() and any(path.glob("reut2-*.sgm")):
        stories = [
            Story(f"reuters-{s.newid}", s.title, s.date, strip_leftovers(s.paragraphs))
            for s in candidates(iter_stories(path))
        ]
    elif path.is_file() and path.suffix == ".jsonl":
        stories = load_stories(path)
    else:
        raise ValueError(f"{path} is neither a directory with reut2-*.sgm nor a .jsonl file")
    stories = [s for s in stories if len(s.paragraphs) >= MIN_PARAGRAPHS]
    return _mutually_unrelated(stories)


def _mutually_unrelated(stories: Sequence[Story]) -> list[Story]:
    """Greedily drop every story that shares a word 8-gram with an earlier kept one."""
    used: set[tuple[str, ...]] = set()
    kept: list[Story] = []
    for story in stories:
        grams = word_grams(story.text)
        if not grams & used:
            kept.append(story)
            used |= grams
    return kept


def is_rewritable(story: Story) -> bool:
    """At least 5 sentences, two of them of 12 words or more (for farm fragments)."""
    sentences = story_sentences(story)
    return len(sentences) >= 5 and sum(len(s.split()) >= 12 for s in sentences) >= 2


_NEEDS: dict[str, Callable[[Story], bool]] = {
    "light-edit": is_light_editable,
    "embedded": lambda story: bool(sentence_pairs(story)),
    "rewrite": is_rewritable,
    "unrelated-farm": is_rewritable,
}


class _Stories:
    """The unused stories of the pool, shuffled; each is handed out once."""

    def __init__(self, pool: Sequence[Story], rng: random.Random, avoid: set[Any]) -> None:
        self.unused = list(pool)
        rng.shuffle(self.unused)
        self.avoid = avoid

    def require(self, need: int) -> None:
        """Raise unless ``need`` stories are left."""
        if len(self.unused) < need:
            raise ValueError(
                f"pool has only {len(self.unused)} unused stories; need {need}: "
                "lower --families/--unrelated"
            )

    def take(self, kinds: Sequence[str] = ()) -> Story:
        """The next story every kind in ``kinds`` can be made from."""
        for i, story in enumerate(self.unused):
            if all(_NEEDS.get(k, bool)(story) for k in kinds) and not (
                word_grams(story.text) & self.avoid
            ):
                return self.unused.pop(i)
        raise ValueError(
            f"pool has no unused story left for {', '.join(kinds) or 'an article'} "
            f"({len(self.unused)} unused): lower --families/--unrelated"
        )


# --- planting ---------------------------------------------------------------------------


@dataclass
class _Draft:
    """One article before its site template is put on."""

    id: str
    group: str
    origin: str
    kind: str
    title: str
    paragraphs: list[str]
    when: datetime
    dated: bool
    outlet: str  # "wire" or "plain" (source set), "news" or "farm" (site assigned later)
    source: str = ""
    site: SiteTemplate | None = None
    related: list[str] = field(default_factory=list)


@dataclass
class Benchmark:
    """Articles in dedupe's JSONL input format and one truth row per article.

    ``truth[i]`` describes ``articles[i]``: ``id``, ``group`` (shared by a family,
    unique for an unrelated article), ``origin`` (the id of the group's origin),
    ``kind`` (one of ``KINDS``) and ``template_lines`` (this article's site or farm
    template lines, in text order, once per occurrence). ``profile`` names the
    wording used (see ``PROFILES``).
    """

    articles: list[dict[str, Any]]
    truth: list[dict[str, Any]]
    profile: str = "calibration"

    def counts(self) -> Counter[str]:
        """Number of articles of each kind."""
        return Counter(row["kind"] for row in self.truth)

    def write(self, directory: Path | str) -> None:
        """Write ``corpus.jsonl`` and ``truth.jsonl`` (same benchmark -> same bytes)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for name, rows in (("corpus.jsonl", self.articles), ("truth.jsonl", self.truth)):
            with (directory / name).open("w", encoding="utf-8", newline="\n") as out:
                for row in rows:
                    out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")


def generate(
    pool: Sequence[Story],
    *,
    families: int,
    unrelated: int,
    seed: int,
    profile: str = "calibration",
) -> Benchmark:
    """Plant ``families`` families and ``unrelated`` unrelated articles in Reuters text.

    A pure function of its arguments. Each family has an origin and 1-7 derived
    members (a mix drawn with the seed); the unrelated articles are about a quarter
    of each unrelated kind. See the module docstring for what each kind is.

    Args:
        pool: mutually unrelated stories, e.g. from ``load_pool``; each is used once.
        families: number of families (groups with one common origin).
        unrelated: number of unrelated articles (each its own group).
        seed: the random seed.
        profile: "calibration" or "holdout" (disjoint template and stock wording).

    Returns:
        The articles, shuffled, and their truth rows.

    Raises:
        ValueError: if a count is negative, the profile unknown or the pool too small.

    Example:
        >>> bench = generate(load_pool(SAMPLE_PATH), families=3, unrelated=4, seed=0)
        >>> bench.counts()["origin"], len(bench.articles) == len(bench.truth)
        (3, True)
    """
    if families < 0 or unrelated < 0:
        raise ValueError("families and unrelated must be >= 0")
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}, not {profile!r}")
    words = PROFILES[profile]
    rng = random.Random(f"{profile}:{seed}")
    plans = [_plan_family(rng) for _ in range(families)]
    others = [UNRELATED_KINDS[i % len(UNRELATED_KINDS)] for i in range(unrelated)]
    rng.shuffle(others)

    stories = _Stories(pool, rng, avoid=word_grams("\n".join(words.stock_sentences)))
    stories.require(families + sum(plan.count("embedded") for plan in plans) + unrelated)
    # Stories with requirements first, so that the others cannot use them up.
    order = sorted(range(families), key=lambda i: not set(plans[i]) & set(_NEEDS))
    family_story = {i: stories.take(plans[i]) for i in order}
    hosts = {i: [stories.take() for _ in range(plans[i].count("embedded"))] for i in order}
    other_order = sorted(range(unrelated), key=lambda i: others[i] not in _NEEDS)
    other_story = {i: stories.take([others[i]]) for i in other_order}

    builder = _Builder(rng, words)
    stock_hands = _deal_stock(others, words, rng)
    dealt = {s for hand in stock_hands.values() for s in hand}
    # Rewrites carry stock sentences that unrelated articles carry too, so that no
    # stock sentence is peculiar to one family.
    builder.stock_used = [s for s in words.stock_sentences if s in dealt] or rng.sample(
        words.stock_sentences, 5)
    for i in range(families):
        builder.family(f"g{i + 1:04d}", family_story[i], plans[i], hosts[i])
    for i, kind in enumerate(others):
        builder.unrelated(f"u{i + 1:04d}", kind, other_story[i], stock_hands.get(i, []))
    return builder.finish()


def _plan_family(rng: random.Random) -> list[str]:
    """The kinds of one family's derived members: 1-7, drawn with ``rng``."""
    kinds = ["verbatim"] * rng.choice((0, 0, 1, 1, 1, 2, 3))
    if rng.random() < 0.5:
        kinds.append("trimmed")
    if rng.random() < 0.35:
        kinds.append("light-edit")
    kinds += ["embedded"] * rng.choices((0, 1, 2), weights=(60, 30, 10))[0]
    if rng.random() < 0.4:
        kinds += ["rewrite"] * rng.choice((1, 1, 2, 3))
    if not kinds:
        kinds.append(rng.choice(DERIVED_KINDS))
    if len(kinds) > MAX_DERIVED:
        kinds = sorted(rng.sample(kinds, MAX_DERIVED), key=DERIVED_KINDS.index)
    return kinds


def _deal_stock(others: Sequence[str], words: Profile, rng: random.Random) -> dict[int, list[str]]:
    """Stock sentences for the unrelated-stock (2-4) and unrelated-farm (1-3) articles."""
    receivers = [i for i, kind in enumerate(others) if kind in ("unrelated-stock",
                                                                "unrelated-farm")]
    counts = [rng.randint(2, 4) if others[i] == "unrelated-stock" else rng.randint(1, 3)
              for i in receivers]
    hands = deal(words.stock_sentences, counts, rng, STOCK_COPIES)
    return dict(zip(receivers, hands, strict=True))


def deal(items: Sequence[T], counts: Sequence[int], rng: random.Random,
         copies: int) -> list[list[T]]:
    """Hand ``counts[j]`` distinct items to receiver ``j`` so that each item handed out
    goes to at least ``copies`` receivers (when the counts add up to that many).

    A random subset of ``sum(counts) // copies`` items is dealt round-robin, in a
    random receiver order; a hand never holds more items than the subset.
    """
    width = max(1, min(len(items), sum(counts) // copies))
    chosen = rng.sample(list(items), width)
    order = list(range(len(counts)))
    rng.shuffle(order)
    hands: list[list[T]] = [[] for _ in counts]
    position = 0
    for j in order:
        size = min(counts[j], width)
        hands[j] = [chosen[(position + t) % width] for t in range(size)]
        position += size
    return hands


def _title_case(title: str) -> str:
    """Title case with tickers and numbers kept: "JAPAN'S VIEW" -> "Japan's View"."""
    return " ".join(
        w if any(c.isdigit() or c in ".<>&" for c in w) else w.capitalize()
        for w in title.split()
    )


def _fragment(sentence: str, rng: random.Random) -> str:
    """10-20 consecutive words of the sentence, ending in a full stop."""
    words = sentence.split()
    size = rng.randint(10, max(10, min(20, len(words) - 2)))
    start = rng.randint(0, len(words) - size)
    piece = words[start : start + size]
    if piece[0] in _LOWER_STARTS:
        piece[0] = piece[0].lower()
    return " ".join(piece).rstrip(",;:.'\"") + "."


def _paragraphs(sentences: Sequence[str], rng: random.Random) -> list[str]:
    """Sentences grouped into paragraphs of 1-3, at least two paragraphs from two sentences."""
    largest = max(1, len(sentences) // 2)
    paragraphs: list[str] = []
    position = 0
    while position < len(sentences):
        size = min(largest, rng.choice((1, 2, 2, 3)))
        paragraphs.append(" ".join(sentences[position : position + size]))
        position += size
    return paragraphs


def _sprinkle(paragraphs: list[str], sentences: Sequence[str], rng: random.Random) -> list[str]:
    """Each sentence as a paragraph of its own or appended to one, at random."""
    paragraphs = list(paragraphs)
    for sentence in sentences:
        if rng.random() < 0.5:
            paragraphs.insert(rng.randint(1, len(paragraphs)), sentence)
        else:
            p = rng.randrange(len(paragraphs))
            paragraphs[p] = f"{paragraphs[p]} {sentence}"
    return paragraphs


def farm_rewrite(
    story: Story, heading: str, stock: Sequence[str], words: Profile, rng: random.Random
) -> list[str]:
    """A content-farm rewrite of ``story`` (see the module docstring), as paragraphs.

    Keeps 40-70% of the sentences (at least 3, two of them long), shuffled; cuts a
    third or so of the long ones to a fragment behind a lead-in; adds the stock
    sentences, 1-3 generic headings and ``heading`` on lines of their own.
    """
    sentences = story_sentences(story)
    long = [i for i, s in enumerate(sentences) if len(s.split()) >= 12]
    keep = min(len(sentences), max(3, round(len(sentences) * rng.uniform(0.4, 0.7))))
    must = rng.sample(long, 2)
    rest = [i for i in range(len(sentences)) if i not in must]
    chosen = must + rng.sample(rest, keep - 2)
    rng.shuffle(chosen)
    pieces = [sentences[i] for i in chosen]
    cuttable = [k for k, i in enumerate(chosen) if i in long]
    n_cut = max(1, round(len(cuttable) * rng.uniform(0.2, 0.5)))
    for k in rng.sample(cuttable, n_cut):
        pieces[k] = rng.choice(words.lead_ins) + _fragment(pieces[k], rng)
    paragraphs = _sprinkle(_paragraphs(pieces, rng), stock, rng)
    headings = [heading, *rng.sample(words.farm_headings, rng.randint(1, 3))]
    slots = rng.sample(range(len(paragraphs)), min(len(headings), len(paragraphs)))
    for slot, line in sorted(zip(slots, headings, strict=False), reverse=True):
        paragraphs.insert(slot, line)
    return paragraphs


class _Builder:
    """Accumulates drafts while the cases are planted, then puts on the templates."""

    def __init__(self, rng: random.Random, words: Profile) -> None:
        self.rng = rng
        self.words = words
        self.drafts: list[_Draft] = []
        self.stock_used: list[str] = []
        self._ids: set[str] = set()
        self._heading_grams: set[tuple[str, ...]] = set()

    def new_id(self) -> str:
        """A random-looking, unused article id."""
        return unused_id(self.rng, self._ids)

    def time(self) -> datetime:
        """A random time in 2024 (5-minute steps)."""
        return BASE_TIME + timedelta(minutes=5 * self.rng.randrange(330 * 24 * 12))

    def later(self, when: datetime) -> datetime:
        """1 hour to 5 days after ``when``."""
        return when + timedelta(minutes=self.rng.randint(60, 5 * 24 * 60))

    def add(self, group: str, origin: str | None, kind: str, title: str,
            paragraphs: list[str], when: datetime, outlet: str) -> _Draft:
        """Add one draft; ``origin=None`` makes it its own origin."""
        article_id = self.new_id()
        undated = UNDATED_ORIGIN if origin is None else UNDATED_OTHER
        draft = _Draft(article_id, group, origin or article_id, kind, title, list(paragraphs),
                       when, self.rng.random() >= undated, outlet)
        if outlet == "wire":
            draft.source = self.rng.choice(self.words.wire_sources)
        elif outlet == "plain":
            draft.source = self.rng.choice(self.words.plain_sources)
        self.drafts.append(draft)
        return draft

    def heading(self, story: Story) -> str:
        """A heading built from the story's title that shares no 8-gram with another."""
        patterns = list(self.words.heading_patterns)
        self.rng.shuffle(patterns)
        for pattern in patterns:
            heading = pattern.format(title=_title_case(story.title))
            grams = word_grams(heading)
            if not grams & self._heading_grams:
                break
        self._heading_grams |= grams
        return heading

    def family(self, group: str, story: Story, plan: list[str], hosts: list[Story]) -> None:
        """The origin and the derived members of one family."""
        origin = self.add(group, None, ORIGIN_KIND, story.title, list(story.paragraphs),
                          self.time(), "wire")
        hosts = list(hosts)
        heading = self.heading(story) if "rewrite" in plan else ""
        for kind in plan:
            when = self.later(origin.when)
            if kind == "rewrite":
                stock = self.rng.sample(self.stock_used, min(len(self.stock_used),
                                                             self.rng.randint(1, 3)))
                body = farm_rewrite(story, heading, stock, self.words, self.rng)
                self.add(group, origin.id, kind, heading, body, when, "farm")
                continue
            title = story.title
            if kind == "verbatim":
                body = list(story.paragraphs)
            elif kind == "trimmed":
                body = list(story.paragraphs[: self.rng.choice((1, 2))])
            elif kind == "light-edit":
                body = light_edit(story, self.rng)
            else:  # embedded
                host = hosts.pop()
                body = list(host.paragraphs)
                passage = self.rng.choice(sentence_pairs(story))
                body.insert(self.rng.randint(1, len(body) - 1), passage)
                title = host.title
            self.add(group, origin.id, kind, title, body, when, "news")

    def unrelated(self, group: str, kind: str, story: Story, stock: list[str]) -> None:
        """One unrelated article of the given kind."""
        body = list(story.paragraphs)
        if kind == "unrelated":
            self.add(group, None, kind, story.title, body, self.time(), "wire")
        elif kind == "unrelated-template":
            self.add(group, None, kind, story.title, body, self.time(), "news")
        elif kind == "unrelated-stock":
            self.add(group, None, kind, story.title, _sprinkle(body, stock, self.rng),
                     self.time(), "plain")
        else:
            heading = self.heading(story)
            body = farm_rewrite(story, heading, stock, self.words, self.rng)
            self.add(group, None, kind, heading, body, self.time(), "farm")

    def finish(self) -> Benchmark:
        """Assign sites and related lines, render the pages and shuffle the articles."""
        for outlet, parts, least in (("news", self.words.news, MIN_NEWS_SITES),
                                     ("farm", self.words.farm, MIN_FARM_SITES)):
            drafts = [d for d in self.drafts if d.outlet == outlet]
            count = max(least, len(drafts) // ARTICLES_PER_SITE)
            count = max(1, min(count, len(drafts) // 2))
            if drafts:
                self._assign_sites(drafts, make_sites(parts, count, self.rng), parts)
        articles: list[dict[str, Any]] = []
        truth: list[dict[str, Any]] = []
        for draft in self.drafts:
            article, row = self._render(draft)
            articles.append(article)
            truth.append(row)
        order = list(range(len(articles)))
        self.rng.shuffle(order)
        return Benchmark([articles[i] for i in order], [truth[i] for i in order],
                         self.words.name)

    def _assign_sites(self, drafts: list[_Draft], sites: list[SiteTemplate],
                      parts: TemplateParts) -> None:
        """Deal sites evenly (each to at least two articles), then related lines per site."""
        stream = [site for _ in range(-(-len(drafts) // len(sites)))
                  for site in self.rng.sample(sites, len(sites))][: len(drafts)]
        # Even dealing leaves each site floor(n / sites) >= 2 articles; swaps keep
        # that count while giving one family's members different sites if they can.
        members: dict[str, list[int]] = {}
        for i, draft in enumerate(drafts):
            members.setdefault(draft.group, []).append(i)
        for i, draft in enumerate(drafts):
            taken = {stream[k].site for k in members[draft.group] if k < i}
            if stream[i].site not in taken:
                continue
            for j in range(i + 1, len(drafts)):
                others = {stream[k].site for k in members[drafts[j].group] if k < j}
                if stream[j].site not in taken and stream[i].site not in others:
                    stream[i], stream[j] = stream[j], stream[i]
                    break
        for draft, site in zip(drafts, stream, strict=True):
            draft.site = site
            draft.source = site.site
        for site in sites:
            mine = [d for d in drafts if d.site is site]
            counts = [parts.related_count] * len(mine)
            for draft, hand in zip(mine, deal(site.related, counts, self.rng, 2), strict=True):
                draft.related = sorted(hand, key=site.related.index)

    def _render(self, draft: _Draft) -> tuple[dict[str, Any], dict[str, Any]]:
        """The article and its truth row."""
        if draft.site is None:
            page = Page("\n".join(draft.paragraphs), [])
        else:
            page = draft.site.wrap(draft.paragraphs, self.rng, related=draft.related,
                                   when=draft.when)
        article = {
            "id": draft.id,
            "text": page.text,
            "date": draft.when.strftime(ISO_FORMAT) if draft.dated else None,
            "source": draft.source,
            "title": draft.title,
        }
        row = {"id": draft.id, "group": draft.group, "origin": draft.origin,
               "kind": draft.kind, "template_lines": page.template_lines}
        return article, row


# --- command line -----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Generate a benchmark and write corpus.jsonl and truth.jsonl to a directory."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.generate", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--pool", type=Path, default=DEFAULT_POOL,
                        help=f"reut2-*.sgm directory or JSONL sample (default {DEFAULT_POOL})")
    parser.add_argument("--families", type=int, default=100)
    parser.add_argument("--unrelated", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="calibration")
    parser.add_argument("-o", "--output", type=Path, required=True, help="directory to write")
    args = parser.parse_args(argv)
    try:
        pool = load_pool(args.pool)
        bench = generate(pool, families=args.families, unrelated=args.unrelated,
                         seed=args.seed, profile=args.profile)
    except ValueError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    bench.write(args.output)
    counts = bench.counts()
    per_kind = ", ".join(f"{kind} {counts[kind]}" for kind in KINDS)
    print(f"{len(bench.articles)} articles ({per_kind}) from {len(pool)} pool stories "
          f"-> {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
