"""How well the pre-ingest index's checks agree with the truth and with a batch scan.

On a labelled corpus (``benchmarks.generate``) two ways of feeding the index:

* **warm**: every article is checked against an index holding all the others (remove,
  check, add back), as in an index that has seen the corpus;
* **stream**: articles are added in date order (undated last), each checked against
  the ones before it, as in a fresh index;
* **ingest**: the same order through ``check_and_add`` with the default ``HOLD``
  (copies held back, passage reuse admitted), as a pre-ingest filter runs; and
  **ingest, hold reuse** with ``reuses-passages`` held back too. Links are those of
  every verdict, held or not. ``copies held`` is the share of the truth's whole copies
  (verbatim, trimmed, light edits) held back, ``others held`` the share of origins,
  rewrites and unrelated articles held back (embedded copies, a story inside a longer
  article, are in neither).

Scores: the share of the truth's same-group pairs that a check links (``found``),
the checks that link an article of another group (``false``), and, for scale, the
batch scan's direct links on the same corpus.

    python -m benchmarks.ingest_quality                # gate-sized corpora, both profiles
    python -m benchmarks.ingest_quality --families 100 --unrelated 300
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Collection, Sequence
from itertools import combinations

from tabulate import tabulate

from benchmarks.generate import SAMPLE_PATH, generate, load_pool
from benchmarks.quality import articles_of, truth_of
from dedupe import Article, scan
from dedupe.index import HOLD, Index


def same_group_pairs(group: dict[str, str]) -> set[tuple[str, str]]:
    """Every pair of ids (sorted) that the truth puts in one group."""
    members: dict[str, list[str]] = {}
    for doc_id, g in group.items():
        members.setdefault(g, []).append(doc_id)
    return {(a, b) for ids in members.values() for a, b in combinations(sorted(ids), 2)}


def warm(articles: Sequence[Article]) -> list[tuple[str, str]]:
    """Links ``(article, match)`` when each article is checked against all the others."""
    links = []
    with Index(":memory:") as index:
        for article in by_date(articles):
            index.add(article)
        for article in articles:
            index.remove(article.id)
            links += [(article.id, m.id) for m in index.check(article).matches]
            index.add(article)
    return links


def stream(articles: Sequence[Article]) -> list[tuple[str, str]]:
    """Links ``(article, match)`` when articles are added in date order."""
    with Index(":memory:") as index:
        return [(a.id, m.id) for a in by_date(articles) for m in index.add(a).matches]


#: A way of feeding the index: the links its checks give, and the ids held back (if any).
Feed = Callable[[Sequence[Article]], tuple[list[tuple[str, str]], "set[str] | None"]]
#: Kinds of the truth that copy a story as a whole, and kinds that do not.
COPIES = ("verbatim", "trimmed", "light-edit")
OTHERS = ("origin", "rewrite", "unrelated", "unrelated-template", "unrelated-stock",
          "unrelated-farm")


def ingest(articles: Sequence[Article], hold: Collection[str] = HOLD
           ) -> tuple[list[tuple[str, str]], set[str]]:
    """Links ``(article, match)`` and the ids held back when articles go through
    ``check_and_add`` in date order."""
    links, held = [], set()
    with Index(":memory:") as index:
        for article in by_date(articles):
            verdict = index.check_and_add(article, hold)
            if verdict.decision in hold:
                held.add(article.id)
            links += [(article.id, m.id) for m in verdict.matches]
    return links, held


def held_shares(held: set[str] | None, kind: dict[str, str | None]) -> tuple[str, str]:
    """(share of whole copies held, share of the others held), or dashes."""
    if held is None:
        return "-", "-"
    copies, others = (sum(i in held for i, k in kind.items() if k in kinds)
                      / max(1, sum(k in kinds for k in kind.values()))
                      for kinds in (COPIES, OTHERS))
    return f"{copies:.3f}", f"{others:.3f}"


def by_date(articles: Sequence[Article]) -> list[Article]:
    """Dated articles first, by date; then undated ones; ties by id."""
    return sorted(articles, key=lambda a: (a.date is None, a.date or "", a.id))


def scores(links: list[tuple[str, str]], group: dict[str, str],
           truth_pairs: set[tuple[str, str]]) -> tuple[float, int]:
    """(share of same-group pairs linked, links between groups)."""
    found = {(min(a, b), max(a, b)) for a, b in links if group[a] == group[b]}
    false = sum(group[a] != group[b] for a, b in links)
    return len(found & truth_pairs) / max(1, len(truth_pairs)), false


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=60)
    parser.add_argument("--unrelated", type=int, default=180)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profiles", nargs="+", default=["calibration", "holdout"])
    args = parser.parse_args(argv)
    pool = load_pool(SAMPLE_PATH)
    rows = []
    for profile in args.profiles:
        bench = generate(pool, families=args.families, unrelated=args.unrelated,
                         seed=args.seed, profile=profile)
        articles = articles_of(bench)
        group = {i: r.group for i, r in truth_of(bench).items()}
        kind = {i: r.kind for i, r in truth_of(bench).items()}
        truth_pairs = same_group_pairs(group)
        started = time.perf_counter()
        result = scan(articles)
        scan_time = time.perf_counter() - started
        scan_links = [(p.a, p.b) for p in result.pairs]
        rows.append((profile, "batch scan", len(articles),
                     *scores(scan_links, group, truth_pairs), "-", "-", scan_time))
        feeds: list[tuple[str, Feed]] = [
            ("index, warm", lambda a: (warm(a), None)),
            ("index, stream", lambda a: (stream(a), None)),
            ("index, ingest", ingest),
            ("index, ingest, hold reuse", lambda a: ingest(a, (*HOLD, "reuses-passages")))]
        for name, feed in feeds:
            started = time.perf_counter()
            links, held = feed(articles)
            rows.append((profile, name, len(articles), *scores(links, group, truth_pairs),
                         *held_shares(held, kind), time.perf_counter() - started))
    print(tabulate(rows, headers=["profile", "method", "articles", "same-group pairs linked",
                                  "links across groups", "copies held", "others held",
                                  "seconds"], floatfmt=".3f"))


if __name__ == "__main__":
    main()
