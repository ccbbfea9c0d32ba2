"""Baselines a user would otherwise reach for, to score ``dedupe`` against.

Two document-level clusterers, each returning the corpus as sorted lists of article ids
(singletons included):

* :func:`minhash_components`: whole-document MinHash LSH + connected components, as
  ChenghaoMou/text-dedup (``text_dedup/minhash.py``) and huggingface/datatrove
  (``MinhashDedupSignature`` / ``MinhashDedupBuckets`` / ``MinhashDedupCluster``) run it.
  :data:`MINHASH_PRESETS` holds ready-made settings (text-dedup at thresholds 0.5, 0.7
  and 0.8, datatrove's fixed 14 x 8 bands).
* :func:`rare_ngram_components`: passim-style (dasmiq/passim) candidate linking on rare
  word n-grams + connected components.

Usage::

    from benchmarks.baselines import MINHASH_PRESETS, minhash_components
    for name, settings in MINHASH_PRESETS.items():
        clusters = minhash_components(articles, **settings)
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, Final, Literal, Protocol

import numpy as np
import numpy.typing as npt
import xxhash
from datasketch import MinHash
from datasketch.lsh import _optimal_param
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

__all__ = ["MINHASH_PRESETS", "minhash_components", "rare_ngram_components"]


class _Doc(Protocol):
    """Anything with an ``id`` and a ``text`` (``dedupe.Article`` among others)."""

    @property
    def id(self) -> str: ...

    @property
    def text(self) -> str: ...


Normalisation = Literal["text-dedup", "datatrove"]

#: Ready-made keyword arguments for :func:`minhash_components`, by name.
#: ``text-dedup@T`` is text-dedup's ``minhash`` script with every default but the
#: threshold (its default is 0.7); ``datatrove-14x8`` is datatrove's ``MinhashConfig()``
#: (14 buckets x 8 hashes, 112 permutations, seed 1, its text normalisation). Its
#: ``threshold`` is only the nominal one, (1/14)**(1/8) ~ 0.72 as datatrove's
#: comment puts it: the bands are fixed, not derived from it.
MINHASH_PRESETS: Final[dict[str, dict[str, Any]]] = {
    "text-dedup@0.5": {"threshold": 0.5},
    "text-dedup@0.7": {"threshold": 0.7},
    "text-dedup@0.8": {"threshold": 0.8},
    "datatrove-14x8": {
        "threshold": 0.72,
        "bands": (14, 8),
        "num_perm": 112,
        "seed": 1,
        "normalisation": "datatrove",
    },
}


# --------------------------------------------------------------------------- MinHash


def minhash_components(
    articles: Sequence[_Doc],
    *,
    threshold: float,
    num_perm: int = 256,
    ngram: int = 5,
    seed: int = 42,
    bands: tuple[int, int] | None = None,
    normalisation: Normalisation = "text-dedup",
    min_length: int = 5,
) -> list[list[str]]:
    """Cluster whole documents by MinHash LSH band collisions + connected components.

    Follows ChenghaoMou/text-dedup's ``text_dedup/minhash.py`` (defaults from
    ``text_dedup/utils/add_args.py::add_minhash_args``): ``--ngram 5``,
    ``--num_perm 256``, ``--seed 42``, ``--min_length 5``, ``--threshold 0.7`` (here a
    required argument), bands x rows from ``optimal_param(threshold, num_perm,
    false_positive_weight=0.5, false_negative_weight=0.5)`` unless ``--b``/``--r`` are
    given (text-dedup's ``optimal_param`` is "taken from datasketch"; this calls
    datasketch's ``_optimal_param``: (42, 6) at 0.5, (25, 10) at 0.7, (17, 15) at 0.8
    for 256 permutations).
    Tokenisation: ``re.split(r"\\W", text)`` (one split per non-word character, so
    runs of punctuation/space leave empty tokens, as in text-dedup), word 5-grams
    joined by a space and lower-cased; documents with fewer than ``min_length``
    tokens get no signature (text-dedup: "shorter documents will be filtered out") and
    stay singletons.

    With ``normalisation="datatrove"`` the shingles are those of huggingface/datatrove's
    ``MinhashDedupSignature.get_shingles``: ``simplify_text`` with its default
    ``TextNormConfig`` (lower-case, collapse whitespace, strip datatrove's
    ``PUNCTUATION`` set, drop combining marks after NFD, every digit run -> ``0``),
    then word 5-grams; NLTK's English ``word_tokenize`` is approximated by a whitespace
    split, which on text already stripped of punctuation splits the same way for
    English prose. Documents with fewer than ``ngram`` words get no signature
    (datatrove skips empty shingle sets). ``MINHASH_PRESETS["datatrove-14x8"]`` pairs
    it with ``MinhashConfig``'s defaults: ``n_grams=5``, ``num_buckets=14``,
    ``hashes_per_bucket=8`` (so 112 permutations), ``seed=1``.

    Signatures are datasketch ``MinHash`` objects with the ``legacy`` scheme: SHA-1
    32-bit shingle hashes and ``(a * h + b) mod (2**61 - 1)`` permutations masked to 32
    bits, which is the scheme both tools copied from datasketch (text-dedup's default
    ``--hash_func sha1``; datatrove's hash before its ``HashConfig`` switched to
    xxhash/64-bit, a change that does not alter collision probabilities). The
    permutation parameters are datasketch's draws from ``seed``, not the tools' own
    generators: same distribution, different draws. Band ``i``
    is rows ``[i*r, (i+1)*r)`` of the signature; two documents whose rows are equal
    in any band are linked. Neither tool verifies candidates by default (text-dedup
    unions every member of a bucket; datatrove writes every equal-signature pair to
    its ``.dups`` files and unions them), so neither does this.

    Args:
        articles: Documents with ``.id`` (unique) and ``.text``.
        threshold: Jaccard threshold the bands and rows are tuned for; ignored when
            ``bands`` is given.
        num_perm: Number of MinHash permutations.
        ngram: Shingle size in words.
        seed: Seed of the permutation parameters.
        bands: Fixed ``(bands, rows_per_band)`` instead of the optimised ones
            (text-dedup's ``--b``/``--r``; datatrove's ``num_buckets``/
            ``hashes_per_bucket``); ``bands * rows`` must not exceed ``num_perm``.
        normalisation: ``"text-dedup"`` or ``"datatrove"`` shingling, as above.
        min_length: Minimum token count for the text-dedup shingling.

    Returns:
        Clusters of article ids: members sorted, clusters sorted by first member, every
        article exactly once (singletons as one-element lists).

    Raises:
        ValueError: On duplicate ids, an unknown normalisation or bands that do not
            fit in ``num_perm``.
    """
    ids = _ids(articles)
    if bands is None:
        b, r = _bands_rows(threshold, num_perm)
    else:
        b, r = bands
    if b < 1 or r < 1 or b * r > num_perm:
        raise ValueError(f"bands {b} x rows {r} do not fit in num_perm={num_perm}")
    if normalisation not in ("text-dedup", "datatrove"):
        raise ValueError(f"unknown normalisation {normalisation!r}")

    template = MinHash(num_perm=num_perm, seed=seed, scheme="legacy")
    signed: list[int] = []
    signatures: list[npt.NDArray[np.uint64]] = []
    for index, article in enumerate(articles):
        if normalisation == "text-dedup":
            shingles = _textdedup_shingles(article.text, ngram, min_length)
        else:
            shingles = _datatrove_shingles(article.text, ngram)
        if not shingles:
            continue
        sketch = MinHash(
            num_perm=num_perm, seed=seed, scheme="legacy", permutations=template.permutations
        )
        sketch.update_batch(list(shingles))
        signed.append(index)
        signatures.append(np.asarray(sketch.hashvalues[: b * r], dtype=np.uint64))

    rows: list[npt.NDArray[np.int64]] = []
    cols: list[npt.NDArray[np.int64]] = []
    if signatures:
        matrix = np.vstack(signatures)
        members = np.asarray(signed, dtype=np.int64)
        for band in range(b):
            block = np.ascontiguousarray(matrix[:, band * r : (band + 1) * r])
            _, first, inverse = np.unique(block, axis=0, return_index=True, return_inverse=True)
            # Link every document to the first one in its bucket (a star per bucket,
            # the same components as text-dedup's union with the bucket minimum).
            head = first[np.ravel(inverse)]
            linked = head != np.arange(len(members))
            rows.append(members[linked])
            cols.append(members[head[linked]])
    return _components(ids, rows, cols)


@lru_cache(maxsize=64)
def _bands_rows(threshold: float, num_perm: int) -> tuple[int, int]:
    """text-dedup's bands x rows: datasketch's optimum with equal FP/FN weights (cached)."""
    b, r = _optimal_param(threshold, num_perm, 0.5, 0.5)
    return int(b), int(r)


_NON_ALPHA: Final = re.compile(r"\W", re.UNICODE)


def _textdedup_shingles(text: str, ngram: int, min_length: int) -> set[bytes]:
    """text-dedup's shingles: ``\\W``-split tokens, n-grams joined by a space, lower-cased."""
    tokens = _NON_ALPHA.split(text)
    if len(tokens) < min_length:
        return set()
    if len(tokens) < ngram:
        return {" ".join(tokens).lower().encode("utf-8")}
    return {
        " ".join(tokens[i : i + ngram]).lower().encode("utf-8")
        for i in range(len(tokens) - ngram + 1)
    }


# datatrove.utils.text.PUNCTUATION: this set of symbols plus the control characters
# 0-8, 11-31 and 127-159.
_DATATROVE_PUNCTUATION: Final = (
    "!/—”:％１〈&(、━\\【#%「」，】；+^]~“《„';’{|∶´[=-`*．（–？！：$～«〉,><》)?）。…@_.\"}►»"  # noqa: RUF001
    + "".join(chr(c) for lo, hi in ((0, 9), (11, 13), (13, 32), (127, 160)) for c in range(lo, hi))
)
_DATATROVE_STRIP: Final = str.maketrans("", "", _DATATROVE_PUNCTUATION)
_WHITESPACE: Final = re.compile(r"\s+")
_DIGITS: Final = re.compile(r"\d+")


def _datatrove_simplify(text: str) -> str:
    """datatrove's ``simplify_text`` with the default ``TextNormConfig``."""
    text = _WHITESPACE.sub(" ", text.lower().strip())
    text = text.translate(_DATATROVE_STRIP)
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return _DIGITS.sub("0", text).strip()


def _datatrove_shingles(text: str, ngram: int) -> set[bytes]:
    """datatrove's shingles: word n-grams of the simplified text, joined by a space."""
    words = _datatrove_simplify(text).split()
    return {" ".join(words[i : i + ngram]).encode("utf-8") for i in range(len(words) - ngram + 1)}


# --------------------------------------------------------------------------- passim


def rare_ngram_components(
    articles: Sequence[_Doc],
    *,
    n: int = 5,
    max_df: int = 100,
    min_match: int = 5,
    word_length: float = 2.0,
    ordered: bool = True,
) -> list[list[str]]:
    """Cluster documents linked by shared rare word n-grams (passim's candidate step).

    Follows dasmiq/passim's Scala implementation (``src/main/scala/PassimApp.scala``,
    the word-n-gram passim 1.x; its ``Config`` defaults and ``--help`` text):
    ``-n 5`` (word n-gram order), ``-u/--maxDF 100`` (an n-gram is a feature only if at
    most 100 documents contain it), ``-l/--minDF 2`` (implicit here: an n-gram in one
    document links nothing), ``-m/--min-match 5`` (a pair needs at least 5 shared
    features), ``-w/--word-length 2`` (``makeIndexer`` drops n-grams whose tokens
    total fewer than ``word_length * n`` characters). As in ``makeIndexer``, only
    n-grams occurring exactly once in a document (``tf === 1``) are indexed. As in the
    pair step, the shared features of a pair must also contain ``min_match`` matches
    in the same order in both documents (``PassFun.increasingMatches``: the longest
    chain with increasing positions on both sides); ``ordered=False`` skips that check
    and just counts. Tokens approximate passim's (galago's) ``PlainTokenizer``:
    lower-cased, apostrophes dropped, split on whitespace, control characters and
    ASCII ``;"&/:!#?$%()@^*+-,=><[]{}|`~_``, edge periods stripped, dotted acronyms
    joined (``U.S.`` -> ``us``), other dotted tokens split into parts longer than one
    character, tokens of 100+ bytes dropped.

    Passim then aligns each candidate pair (``gappedMatches``, Smith-Waterman edges,
    ``--min-align``) and clusters aligned *passages*; this baseline stops at candidate
    linking and clusters whole documents as connected components of the candidate
    graph. Passim's series filter (``--filterpairs "gid < gid2"``) is a no-op here:
    without a ``series`` field passim puts each document in its own group.

    Args:
        articles: Documents with ``.id`` (unique) and ``.text``.
        n: Word n-gram order.
        max_df: Highest document frequency of an n-gram that still links documents.
        min_match: Shared rare n-grams (in order, if ``ordered``) needed to link a pair.
        word_length: Minimum average token length, in characters, of an indexed n-gram.
        ordered: Require ``min_match`` of the shared n-grams in the same order in both
            documents, as passim's pair step does.

    Returns:
        Clusters of article ids: members sorted, clusters sorted by first member, every
        article exactly once (singletons as one-element lists).

    Raises:
        ValueError: On duplicate ids or non-positive ``n``, ``max_df`` or ``min_match``.
    """
    ids = _ids(articles)
    if n < 1 or max_df < 1 or min_match < 1:
        raise ValueError("n, max_df and min_match must be positive")

    feats: list[npt.NDArray[np.uint64]] = []
    docs: list[npt.NDArray[np.int64]] = []
    poss: list[npt.NDArray[np.int64]] = []
    for index, article in enumerate(articles):
        hashes, positions = _passim_features(article.text, n, word_length)
        feats.append(hashes)
        poss.append(positions)
        docs.append(np.full(len(hashes), index, dtype=np.int64))
    if not feats:
        return []
    feat = np.concatenate(feats)
    doc = np.concatenate(docs)
    pos = np.concatenate(poss)

    # Document frequency = number of postings (each document holds a feature once).
    order = np.lexsort((doc, feat))
    feat, doc, pos = feat[order], doc[order], pos[order]
    starts = np.flatnonzero(np.r_[True, feat[1:] != feat[:-1]])
    sizes = np.diff(np.r_[starts, len(feat)])

    # Every pair of documents in each posting list with 2 <= df <= max_df, grouped by
    # list size so that each size is one vectorised step.
    left: list[npt.NDArray[np.int64]] = []
    right: list[npt.NDArray[np.int64]] = []
    left_pos: list[npt.NDArray[np.int64]] = []
    right_pos: list[npt.NDArray[np.int64]] = []
    for size in np.unique(sizes[(sizes >= 2) & (sizes <= max_df)]):
        block = starts[sizes == size][:, None] + np.arange(size)
        i, j = np.triu_indices(int(size), k=1)
        left.append(doc[block[:, i]].ravel())
        right.append(doc[block[:, j]].ravel())
        left_pos.append(pos[block[:, i]].ravel())
        right_pos.append(pos[block[:, j]].ravel())
    if not left:
        return _components(ids, [], [])
    a = np.concatenate(left)
    b = np.concatenate(right)
    pa = np.concatenate(left_pos)
    pb = np.concatenate(right_pos)

    # Count shared features per pair; keep pairs with at least min_match of them.
    key = a * len(ids) + b
    order = np.lexsort((pa, key))
    key, pa, pb = key[order], pa[order], pb[order]
    bounds = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    counts = np.diff(np.r_[bounds, len(key)])
    keep = counts >= min_match
    pair_starts, pair_counts = bounds[keep], counts[keep]
    pair_keys = key[pair_starts]
    if ordered:
        chained = np.fromiter(
            (
                _has_increasing_run(pb[s : s + c], min_match)
                for s, c in zip(pair_starts.tolist(), pair_counts.tolist(), strict=True)
            ),
            dtype=bool,
            count=len(pair_starts),
        )
        pair_keys = pair_keys[chained]
    return _components(ids, [pair_keys // len(ids)], [pair_keys % len(ids)])


# galago's PlainTokenizer split characters (all of them ASCII; other punctuation stays
# inside tokens, as in passim) and control characters.
_PASSIM_SPLIT: Final = re.compile(r"[\x00-\x20;\"&/:!#?$%()@^*+\-,=><\[\]{}|`~_]+")
_MAX_TOKEN_BYTES: Final = 100


def _passim_tokens(text: str) -> list[str]:
    """Tokens roughly as galago's ``PlainTokenizer`` (used by passim) makes them."""
    tokens: list[str] = []
    for raw in _PASSIM_SPLIT.split(text.lower().replace("'", "")):
        if "." in raw:
            token = raw.strip(".")
            if "." in token:
                if all(token[k] == "." for k in range(1, len(token), 2)):
                    tokens.append(token.replace(".", ""))
                else:
                    tokens.extend(part for part in token.split(".") if len(part) > 1)
                continue
            raw = token
        if raw and len(raw.encode("utf-8")) < _MAX_TOKEN_BYTES:
            tokens.append(raw)
    return tokens


def _passim_features(
    text: str, n: int, word_length: float
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """Hashes and token positions of the n-grams passim would index in one document.

    An n-gram is kept if its tokens total at least ``word_length * n`` characters and
    it occurs exactly once in the document.
    """
    tokens = _passim_tokens(text)
    lengths = np.fromiter((len(t) for t in tokens), dtype=np.int64, count=len(tokens))
    if len(tokens) < n:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    window = np.convolve(lengths, np.ones(n, dtype=np.int64), mode="valid")
    starts = np.flatnonzero(window >= word_length * n)
    hashes = np.fromiter(
        (
            xxhash.xxh3_64_intdigest("~".join(tokens[s : s + n]).encode("utf-8"))
            for s in starts.tolist()
        ),
        dtype=np.uint64,
        count=len(starts),
    )
    unique, first, counts = np.unique(hashes, return_index=True, return_counts=True)
    once = counts == 1
    return unique[once], starts[first[once]].astype(np.int64)


def _has_increasing_run(values: npt.NDArray[np.int64], length: int) -> bool:
    """Whether ``values`` has a strictly increasing subsequence of ``length`` items."""
    if len(values) < length:
        return False
    if bool(np.all(np.diff(values) > 0)):
        return True
    tails: list[int] = []
    for value in values.tolist():
        at = bisect_left(tails, value)
        if at == len(tails):
            tails.append(value)
            if len(tails) >= length:
                return True
        else:
            tails[at] = value
    return False


# --------------------------------------------------------------------------- shared


def _ids(articles: Iterable[_Doc]) -> list[str]:
    """The article ids in input order; raises ValueError on a duplicate."""
    ids = [article.id for article in articles]
    seen: set[str] = set()
    for article_id in ids:
        if article_id in seen:
            raise ValueError(f"duplicate article id {article_id!r}")
        seen.add(article_id)
    return ids


def _components(
    ids: list[str],
    rows: list[npt.NDArray[np.int64]],
    cols: list[npt.NDArray[np.int64]],
) -> list[list[str]]:
    """Connected components of the undirected graph on ``ids`` with edges rows[k]-cols[k].

    Returns the components as sorted id lists, sorted by first member.
    """
    count = len(ids)
    if count == 0:
        return []
    src = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
    dst = np.concatenate(cols) if cols else np.empty(0, dtype=np.int64)
    graph = coo_matrix(
        (np.ones(len(src), dtype=np.int32), (src, dst)), shape=(count, count)
    ).tocsr()
    _, labels = connected_components(graph, directed=False)
    groups: dict[int, list[str]] = {}
    for article_id, label in zip(ids, labels.tolist(), strict=True):
        groups.setdefault(label, []).append(article_id)
    return sorted((sorted(group) for group in groups.values()), key=lambda group: group[0])
