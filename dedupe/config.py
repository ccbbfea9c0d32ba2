"""Every threshold and size the scan uses, in one frozen object.

The defaults are general rules about text reuse, not fitted to any corpus; the
README explains each. The fingerprint names the settings in report headers and in
persistent indexes so that results made with different settings cannot be mixed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from functools import cached_property
from typing import Any


def _setting(default: Any, help_text: str) -> Any:
    """A setting with its default and the one-line help the CLI and README show."""
    return field(default=default, metadata={"help": help_text})


@dataclass(frozen=True)
class Config:
    """Scan settings with documented defaults.

    Shingling and MinHash:
        shingle_size: words per shingle (word n-gram). 5 is the usual choice for
            news text (long enough that chance matches are rare, short enough that a
            changed word spoils only 5 shingles).
        num_perm: MinHash permutations; the signature error is about 1/sqrt(num_perm).
        seed: MinHash permutation seed (datasketch-compatible).
        lsh_threshold: Jaccard at which two documents become LSH candidates. Lower
            than ``near_duplicate`` so that verification, not banding, decides.

    Whole-document relations (verified on exact shingle sets):
        near_duplicate: Jaccard at or above which two documents are near-duplicates.
        contains: share of the smaller document's shingles found in the larger one at
            or above which the larger *contains* it (excerpt, trimmed copy).
        family_jaccard, family_containment: looser bars, applied to the full text
            (templates included), that group documents into families before template
            lines are known. Families are what template and stock-phrase frequencies
            are counted over, so that 30 copies of one wire story do not make the
            story look like a template.

    Boilerplate:
        template_min_families: a line carried by documents of at least this many
            different families is template (ad markers, share lines, footers,
            generic section headings). Two carriers can never be told from reuse...
        source_template_min_families: ...unless both name the same source: a line
            that documents of this many families of one site share, and nothing
            outside that site carries, is that site's template.
        stock_min_families, stock_min_fraction: a shingle carried by at least
            ``max(stock_min_families, stock_min_fraction * families)`` families is a
            stock phrase: listed, never evidence.
        boilerplate_words_per_family: long text needs more carriers to be boilerplate:
            a line or a run of stock shingles of ``w`` words needs at least
            ``w / boilerplate_words_per_family`` families (and never fewer than the
            bars above). A 40-word paragraph in three unrelated articles is a quote
            that travelled, not a template; a site's disclaimer in forty is a template.
        heading_max_words: a line of at most this many words that does not end like
            a sentence is a heading.
        heading_similarity: Jaro-Winkler similarity at or above which two headings
            count as the same heading (catches small edits, plural, punctuation).

    Passages and links:
        min_passage_words: shortest shared passage (counted in rare words) that is
            evidence of reuse. 8 words of rare text is far beyond chance matching.
        passage_max_gap: a gap of up to this many words (a changed or inserted word
            spoils ``shingle_size`` shingles) does not split a passage.
        max_postings: shingles carried by more documents than this are not used to
            propose pairs (LSH proposes such heavily copied documents anyway).
        passage_scale, heading_strength: how much evidence passages and headings give.
            Passages give ``1 - exp(-rare / passage_scale)`` for ``rare`` rare shingles
            (one 12-word sentence ~ 0.6, two ~ 0.85); each shared distinctive heading
            gives ``heading_strength``. Evidence combines as a noisy-or.
        link_min_strength: evidence strength (0..1) a pair needs to be a link.

    Clusters:
        cluster_max_distance: average-linkage cut on link distances (1 - strength):
            two groups merge only when their members are linked on average.
    """

    shingle_size: int = _setting(5, "words per shingle (word n-gram)")
    num_perm: int = _setting(128, "MinHash permutations (signature error about 1/sqrt(num_perm))")
    seed: int = _setting(1, "MinHash permutation seed (datasketch-compatible)")
    lsh_threshold: float = _setting(0.5, "Jaccard at which two documents become LSH candidates")
    near_duplicate: float = _setting(
        0.7, "Jaccard (content shingles) at or above which documents are near-duplicates"
    )
    contains: float = _setting(
        0.8, "share of the smaller document inside the larger for 'contains'"
    )
    family_jaccard: float = _setting(
        0.4, "Jaccard on full text that puts two documents in one family (round 1)"
    )
    family_containment: float = _setting(
        0.6, "containment on full text that puts two documents in one family (round 1)"
    )
    template_min_families: int = _setting(
        3, "families that must carry a line for it to be template"
    )
    source_template_min_families: int = _setting(
        2, "families of one source that make a line that source's template"
    )
    stock_min_families: int = _setting(
        3, "families that must carry a shingle for it to be a stock phrase"
    )
    stock_min_fraction: float = _setting(
        0.001, "share of all families that must carry a shingle for it to be stock"
    )
    boilerplate_words_per_family: int = _setting(
        10, "a line or stock run of w words needs w / this many families to be boilerplate"
    )
    heading_max_words: int = _setting(12, "longest line, in words, that can be a heading")
    heading_similarity: float = _setting(
        0.92, "Jaro-Winkler similarity at which two headings are the same"
    )
    min_passage_words: int = _setting(8, "shortest passage, in words, that is evidence of reuse")
    passage_max_gap: int = _setting(8, "words of difference that do not split a passage")
    max_postings: int = _setting(64, "shingles in more documents than this do not propose pairs")
    passage_scale: float = _setting(
        8.0, "rare shingles at which passage evidence reaches strength 1 - 1/e (0.63)"
    )
    heading_strength: float = _setting(
        0.5, "evidence strength of one shared distinctive heading"
    )
    link_min_strength: float = _setting(0.35, "evidence strength a pair needs to be a link")
    cluster_max_distance: float = _setting(0.65, "average-linkage cut on 1 - strength")

    def __post_init__(self) -> None:
        for name in ("lsh_threshold", "near_duplicate", "contains", "family_jaccard",
                     "family_containment", "stock_min_fraction", "heading_similarity",
                     "heading_strength", "link_min_strength", "cluster_max_distance"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0.0, 1.0], got {value}")
        for name in ("shingle_size", "num_perm", "template_min_families",
                     "source_template_min_families", "stock_min_families",
                     "heading_max_words", "min_passage_words", "max_postings",
                     "boilerplate_words_per_family"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be a positive integer")
        if self.passage_scale <= 0:
            raise ValueError("passage_scale must be positive")
        if self.template_min_families < 2 or self.stock_min_families < 2:
            raise ValueError(
                "template_min_families and stock_min_families must be at least 2: "
                "a line in one family only is that family's own text"
            )

    @cached_property
    def lsh_bands(self) -> tuple[int, int]:
        """(bands, rows) that minimise false positives + negatives at ``lsh_threshold``."""
        from datasketch.lsh import _optimal_param  # datasketch's import pulls in scipy

        bands, rows = _optimal_param(self.lsh_threshold, self.num_perm, 0.5, 0.5)
        return int(bands), int(rows)

    def as_dict(self) -> dict[str, Any]:
        """The settings as plain JSON-able values."""
        return asdict(self)

    @property
    def fingerprint(self) -> str:
        """Short stable hash of every setting (and the algorithm version)."""
        payload = json.dumps({"algorithm": ALGORITHM_VERSION, **self.as_dict()}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    @classmethod
    def settings(cls) -> list[tuple[str, type, Any, str]]:
        """``(name, type, default, help)`` of every setting, in declaration order."""
        return [(f.name, type(f.default), f.default, f.metadata["help"]) for f in fields(cls)]


# Bump when a change to the algorithm changes results for the same settings.
ALGORITHM_VERSION = 3
