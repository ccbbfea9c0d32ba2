"""Text operations on Reuters stories shared by the benchmark generator and the tests.

A ``Story`` is one Reuters story as paragraphs. ``split_sentences`` cuts a
paragraph at boundaries it trusts; ``sentence_pairs``, ``droppable_sentences`` and
``swappable_words`` find the places the planted edits use; ``light_edit`` makes a
light edit (a sentence dropped, a short one added, a few words swapped); and
``word_grams`` gives the normalised word 8-grams by which stories are "unrelated".
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SHINGLE_WORDS = 8

# Short sentences the light edit adds (never occur in Reuters text or in templates).
ADDED_SENTENCES: tuple[str, ...] = (
    "A spokesperson confirmed the account on Monday.",
    "Further details are expected later this week.",
    "The report was first published overnight.",
)

# Word swaps for the light edit: common newswire words and a plausible substitute.
WORD_SWAPS: dict[str, str] = {
    "said": "stated",
    "company": "firm",
    "mln": "million",
    "dlrs": "dollars",
    "pct": "percent",
    "also": "additionally",
    "expected": "anticipated",
    "about": "roughly",
    "officials": "authorities",
    "government": "administration",
    "increase": "rise",
    "would": "could",
}

# Wire leftovers at the end of a body that the extractor's signature pattern misses
# ("REUTER...", "Reuter^M", "MORE"): shared by unrelated stories, so they are cut.
_LEFTOVER_RE = re.compile(r"(?i)reuter\b.*|more")
_WORD_RE = re.compile(r"[A-Za-z]+")
_NON_WORD_RE = re.compile(r"[^a-z0-9]+")
# A sentence boundary we trust: a lowercase letter or a digit, a full stop, a
# space and a capital letter (so "U.S. Money" never splits), unless the word
# before the stop is a known abbreviation ("Sen. Smith", "Corp. Chairman").
_BOUNDARY_RE = re.compile(r"(?<=[a-z0-9][.?!])\s+(?=[A-Z\"])")
_ABBREVIATIONS = frozenset(
    {
        "Mr", "Mrs", "Ms", "Dr", "Prof", "Sen", "Sens", "Rep", "Reps", "Gov", "Gen",
        "Lt", "Col", "Capt", "St", "Messrs", "Co", "Corp", "Inc", "Ltd", "Bros", "Jr",
        "Sr", "No", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept",
        "Oct", "Nov", "Dec",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Story:
    """One Reuters story: ``reuters-<NEWID>``, headline, ISO date and paragraphs."""

    id: str
    title: str
    date: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        """The story, one paragraph per line."""
        return "\n".join(self.paragraphs)


def unused_id(rng: random.Random, taken: set[str]) -> str:
    """A random-looking article id (``doc-3fa9c1``) not in ``taken``, which it joins."""
    while True:
        candidate = f"doc-{rng.getrandbits(24):06x}"
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def load_stories(path: Path) -> list[Story]:
    """Stories from a JSONL file in the ``tests/data/reuters_sample.jsonl`` format, in order.

    Trailing wire leftovers are cut (see ``strip_leftovers``).
    """
    stories: list[Story] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            paragraphs = strip_leftovers(row["text"].split("\n"))
            stories.append(Story(row["id"], row["title"], row["date"], paragraphs))
    return stories


def strip_leftovers(paragraphs: Sequence[str]) -> tuple[str, ...]:
    """The paragraphs without trailing wire leftovers such as "REUTER...^M" or "MORE"."""
    end = len(paragraphs)
    while end and _LEFTOVER_RE.fullmatch(paragraphs[end - 1]):
        end -= 1
    return tuple(paragraphs[:end])


def normalise_words(text: str) -> list[str]:
    """Lower-cased runs of letters and digits (what 8-grams are made of)."""
    return _NON_WORD_RE.sub(" ", text.lower()).split()


def word_grams(text: str, size: int = SHINGLE_WORDS) -> set[tuple[str, ...]]:
    """The normalised word ``size``-grams of ``text`` (across line breaks)."""
    words = normalise_words(text)
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def split_sentences(paragraph: str) -> list[str]:
    """Split at trusted boundaries only (under-splitting is harmless here)."""
    sentences: list[str] = []
    for piece in _BOUNDARY_RE.split(paragraph):
        if sentences and sentences[-1].split()[-1].rstrip(".") in _ABBREVIATIONS:
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return sentences


def story_sentences(story: Story) -> list[str]:
    """Every sentence of the story, in order."""
    return [s for paragraph in story.paragraphs for s in split_sentences(paragraph)]


def sentence_pairs(story: Story) -> list[str]:
    """Two consecutive sentences of one paragraph, 20-40 words together."""
    pairs: list[str] = []
    for paragraph in story.paragraphs:
        sentences = split_sentences(paragraph)
        for first, second in itertools.pairwise(sentences):
            passage = f"{first} {second}"
            if 20 <= len(passage.split()) <= 40 and passage in paragraph:
                pairs.append(passage)
    return pairs


def droppable_sentences(story: Story) -> list[tuple[int, int]]:
    """(paragraph, sentence) positions of sentences that can be dropped."""
    positions: list[tuple[int, int]] = []
    for p, paragraph in enumerate(story.paragraphs):
        sentences = split_sentences(paragraph)
        if len(sentences) >= 2:
            positions += [(p, s) for s, x in enumerate(sentences) if len(x.split()) <= 40]
    return positions


def swappable_words(paragraphs: list[str]) -> list[tuple[int, re.Match[str]]]:
    """(paragraph, match) of every word the light edit may swap."""
    return [
        (p, m)
        for p, paragraph in enumerate(paragraphs)
        for m in _WORD_RE.finditer(paragraph)
        if m.group().lower() in WORD_SWAPS
    ]


def is_light_editable(story: Story) -> bool:
    """Whether ``light_edit`` can work on the story."""
    paragraphs = list(story.paragraphs)
    return bool(droppable_sentences(story)) and len(swappable_words(paragraphs)) >= 6


def light_edit(story: Story, rng: random.Random) -> list[str]:
    """Drop one sentence, add one short sentence, swap 3-4 words.

    Raises:
        ValueError: if the story is not ``is_light_editable``.
    """
    if not is_light_editable(story):
        raise ValueError(f"{story.id} has too few droppable sentences or swappable words")
    paragraphs = list(story.paragraphs)
    p, s = rng.choice(droppable_sentences(story))
    sentences = split_sentences(paragraphs[p])
    del sentences[s]
    paragraphs[p] = " ".join(sentences)

    words = swappable_words(paragraphs)  # the dropped sentence may have taken some
    swaps = rng.sample(words, min(len(words), rng.choice((3, 4))))
    # Apply right to left so earlier offsets stay valid.
    for p, match in sorted(swaps, key=lambda pm: (pm[0], pm[1].start()), reverse=True):
        word = match.group()
        new = WORD_SWAPS[word.lower()]
        if word[0].isupper():
            new = new.capitalize()
        paragraphs[p] = paragraphs[p][: match.start()] + new + paragraphs[p][match.end() :]

    q = rng.randrange(len(paragraphs))
    paragraphs[q] = f"{paragraphs[q]} {rng.choice(ADDED_SENTENCES)}"
    return paragraphs
