"""Plain typed records passed between the pipeline stages.

Every stage takes and returns these frozen dataclasses (or numpy arrays hanging
off them), so a stage can be tested, replaced or run elsewhere (the Spark engine,
the ingest index) without dragging the others along.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property


@dataclass(frozen=True)
class Article:
    """One input document.

    ``text`` is the article body exactly as read (minus a leading ``date`` prefix in
    text files); every character offset the scan reports indexes into it.
    ``date`` is normalised ISO 8601 (``YYYY-MM-DD`` or a full timestamp) or None.
    ``where`` says where the record came from (``file`` or ``file:line``), for messages.
    """

    id: str
    text: str
    date: str | None = None
    source: str | None = None
    url: str | None = None
    title: str | None = None
    where: str = ""

    @property
    def timestamp(self) -> datetime | None:
        """The date as an aware UTC datetime (date-only values are midnight UTC)."""
        return parse_date(self.date) if self.date else None


@dataclass(frozen=True)
class Skip:
    """An input record that was not scanned, and why."""

    where: str
    reason: str


@dataclass(frozen=True)
class Passage:
    """A stretch of text shared by two documents.

    ``a`` and ``b`` are ``(start, end)`` character offsets into each document's
    ``text``; ``rare_shingles`` counts the shingles in it that are neither template
    nor stock phrase, i.e. how much the passage weighs as evidence.
    """

    a: tuple[int, int]
    b: tuple[int, int]
    text: str
    rare_shingles: int


@dataclass(frozen=True)
class Pair:
    """A verified relation between two documents (``a`` sorts before ``b``)."""

    a: str
    b: str
    relation: str  # duplicate | near-duplicate | contains | reuse
    jaccard: float
    containment: tuple[float, float]  # (a inside b, b inside a)
    passages: tuple[Passage, ...] = ()
    headings: tuple[str, ...] = ()
    strength: float = 0.0

    @cached_property
    def evidence(self) -> str:
        """One line saying why the two documents are linked (made once: the report and
        the clusters' links both show it)."""
        parts: list[str] = []
        if self.relation == "duplicate":
            parts.append("same text after normalisation")
            if self.passages and not any(p.rare_shingles for p in self.passages):
                # (only copies that share no content have a passage that weighs nothing)
                parts.append("nothing outside template lines to weigh")
        elif self.relation == "near-duplicate":
            parts.append(f"near-duplicate (Jaccard {self.jaccard:.2f})")
        elif self.relation == "contains":
            inner = self.a if self.containment[0] >= self.containment[1] else self.b
            parts.append(f"{inner} lies {max(self.containment):.0%} inside the other")
        rare = sum(p.rare_shingles for p in self.passages)
        if self.relation == "reuse" and self.passages:
            parts.append(
                f"{len(self.passages)} reused passage(s), {rare} rare shingles"
            )
        if self.headings:
            quoted = "; ".join(f"'{h}'" for h in self.headings)
            parts.append(f"shared heading {quoted}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Boilerplate:
    """A line or phrase that recurs across documents: template, heading or stock phrase."""

    text: str
    kind: str  # template | heading | stock-phrase
    docs: tuple[str, ...]
    sources: tuple[str, ...] = ()
    families: int = 0  # distinct document families carrying it


@dataclass(frozen=True)
class Link:
    """An edge inside a cluster, with the evidence for it."""

    a: str
    b: str
    evidence: str
    strength: float


@dataclass(frozen=True)
class Cluster:
    """Documents that likely share an origin."""

    id: int
    members: tuple[str, ...]
    origin: str
    origin_rule: str
    confidence: float
    links: tuple[Link, ...] = field(default=())


@dataclass(frozen=True)
class Match:
    """An admitted document that a checked article is related to.

    ``containment`` is (article inside the match, match inside the article);
    passages' ``a`` spans index the article's text, ``b`` spans the match's.
    """

    id: str
    relation: str  # duplicate | near-duplicate | contains | reuse
    jaccard: float
    containment: tuple[float, float]
    strength: float
    passages: tuple[Passage, ...] = ()
    headings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """What the pre-ingest index says about one article.

    ``decision`` is ``new`` or how the article repeats admitted text:
    ``duplicate``, ``near-duplicate``, ``contained`` (one text lies inside the other)
    or ``reuses-passages``. ``matches`` are strongest first; ``origin`` is the likely
    original among the article and its matches, chosen by ``origin_rule``.
    ``template_lines`` and ``stock_spans`` are the character spans of the article
    that were not evidence.
    """

    id: str
    decision: str
    matches: tuple[Match, ...]
    origin: str
    origin_rule: str
    template_lines: tuple[tuple[int, int], ...] = ()
    stock_spans: tuple[tuple[int, int], ...] = ()

    @property
    def is_new(self) -> bool:
        """Whether nothing admitted is repeated (decision ``new``). Whether the article
        is held back is the hold policy's call (``dedupe.index.HOLD``): by default an
        article that only reuses passages passes too."""
        return self.decision == "new"


def parse_date(value: str) -> datetime:
    """Parse ISO 8601 (``2024-03-25``, ``2024-03-25T10:00:00Z``) as an aware UTC datetime.

    Raises:
        ValueError: if ``value`` is not ISO 8601.
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)
