"""Quality benchmark: dedupe and the baselines on labelled Reuters corpora, side by side.

For every profile and seed it generates a labelled corpus (``benchmarks.generate``),
runs ``dedupe`` with its documented defaults and the baselines a user would
otherwise reach for (``benchmarks.baselines``) on the same articles in the same
process, scores each with ``dedupe.evaluate.score`` and prints the tables. With
``--write FILE`` the tables go to a Markdown file (docs/quality-results.md).

    python -m benchmarks.quality                      # 2 profiles x 3 seeds, ~3,000 articles each
    python -m benchmarks.quality --families 40 --unrelated 80 --seeds 1

Baselines have no notion of an origin; they get the rule a user would add (the
earliest dated member, undated members last, ties by id) so that origin accuracy
can be compared at all. They find no template lines (shown as -).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from tabulate import tabulate

from benchmarks.baselines import MINHASH_PRESETS, minhash_components, rare_ngram_components
from benchmarks.generate import DEFAULT_POOL, Benchmark, generate, load_pool
from dedupe import Article, Config, __version__, scan
from dedupe.evaluate import Prediction, Scores, TruthRow, prediction_of, score, table

#: The issue's targets: (metric, attribute of Scores, at least / at most, value).
TARGETS: tuple[tuple[str, str, str, float], ...] = (
    ("ARI", "ari", ">=", 0.95),
    ("pairwise precision", "precision", ">=", 0.97),
    ("pairwise recall", "recall", ">=", 0.95),
    ("origin accuracy", "origin_accuracy", ">=", 0.95),
    ("unrelated merged", "unrelated_merged_share", "<=", 0.01),
    ("template-line recall", "template_recall", ">=", 0.9),
)

Method = Callable[[Sequence[Article]], Prediction]


def dedupe_method(config: Config | None = None) -> Method:
    """dedupe's scan with ``config`` (the documented defaults when None)."""
    return lambda articles: prediction_of(scan(articles, config))


def components_method(find: Callable[[Sequence[Article]], list[list[str]]]) -> Method:
    """A baseline's connected components, with the earliest-dated member as origin."""

    def predict(articles: Sequence[Article]) -> Prediction:
        by_id = {a.id: a for a in articles}
        clusters = [c for c in find(articles) if len(c) > 1]
        return Prediction(clusters=clusters,
                          origins=[earliest_dated(c, by_id) for c in clusters])

    return predict


def earliest_dated(members: Sequence[str], by_id: dict[str, Article]) -> str:
    """The member with the earliest timestamp; undated members last; ties by id."""
    def key(i: str) -> tuple[int, str, str]:
        stamp = by_id[i].timestamp
        return (stamp is None, stamp.isoformat() if stamp else "", i)
    return min(members, key=key)


def methods() -> dict[str, Method]:
    """dedupe and the baselines, in table order."""
    chosen: dict[str, Method] = {"dedupe": dedupe_method()}
    for name in ("text-dedup@0.5", "text-dedup@0.8", "datatrove-14x8"):
        chosen[name] = components_method(partial(minhash_components, **MINHASH_PRESETS[name]))
    chosen["passim-style"] = components_method(rare_ngram_components)
    return chosen


@dataclass(frozen=True)
class Run:
    """One method on one corpus."""

    profile: str
    seed: int
    method: str
    scores: Scores
    seconds: float


def articles_of(bench: Benchmark) -> list[Article]:
    """The generated articles as records."""
    return [Article(id=a["id"], text=a["text"], date=a["date"], source=a["source"],
                    title=a["title"]) for a in bench.articles]


def truth_of(bench: Benchmark) -> dict[str, TruthRow]:
    """The generated truth as rows."""
    return {t["id"]: TruthRow(id=t["id"], group=t["group"], origin=t["origin"], kind=t["kind"],
                              template_lines=tuple(t["template_lines"])) for t in bench.truth}


def run(pool_path: Path, families: int, unrelated: int, seeds: Sequence[int],
        profiles: Sequence[str], chosen: dict[str, Method] | None = None) -> list[Run]:
    """Every method on every (profile, seed) corpus."""
    pool = load_pool(pool_path)
    runs: list[Run] = []
    for profile in profiles:
        for seed in seeds:
            bench = generate(pool, families=families, unrelated=unrelated, seed=seed,
                             profile=profile)
            articles, truth = articles_of(bench), truth_of(bench)
            for name, method in (chosen or methods()).items():
                start = time.perf_counter()
                prediction = method(articles)
                seconds = time.perf_counter() - start
                runs.append(Run(profile, seed, name, score(truth, prediction), seconds))
    return runs


def mean_scores(runs: Sequence[Run]) -> Scores:
    """Metrics averaged over runs (counts summed), for one summary column."""
    kinds = sorted({k for r in runs for k in r.scores.recall_by_kind})
    by_kind = {k: (sum(r.scores.recall_by_kind.get(k, (0, 0))[0] for r in runs),
                   sum(r.scores.recall_by_kind.get(k, (0, 0))[1] for r in runs)) for k in kinds}
    found = [r.scores.template_found for r in runs]
    return Scores(
        articles=sum(r.scores.articles for r in runs), groups=sum(r.scores.groups for r in runs),
        ari=statistics.fmean(r.scores.ari for r in runs),
        precision=statistics.fmean(r.scores.precision for r in runs),
        recall=statistics.fmean(r.scores.recall for r in runs),
        f1=statistics.fmean(r.scores.f1 for r in runs),
        recall_by_kind=by_kind,
        origin_correct=sum(r.scores.origin_correct for r in runs),
        origins_scored=sum(r.scores.origins_scored for r in runs),
        unrelated_merged=sum(r.scores.unrelated_merged for r in runs),
        unrelated=sum(r.scores.unrelated for r in runs),
        template_found=None if any(f is None for f in found) else sum(f or 0 for f in found),
        template_total=sum(r.scores.template_total for r in runs),
    )


def targets_table(scores: Scores) -> str:
    """Each target with dedupe's value and whether it is met."""
    rows = []
    for label, attribute, op, bound in TARGETS:
        value = getattr(scores, attribute)
        met = value is not None and (value >= bound if op == ">=" else value <= bound)
        rows.append((label, f"{op} {bound}", value, "yes" if met else "NO"))
    return tabulate(rows, headers=["target", "bound", "dedupe", "met"], floatfmt=".3f")


def report(runs: Sequence[Run], header: str) -> str:
    """All tables as Markdown: per profile (mean over seeds), per run, targets, time."""
    parts = [header]
    names = list(dict.fromkeys(r.method for r in runs))
    for profile in dict.fromkeys(r.profile for r in runs):
        chosen = [r for r in runs if r.profile == profile]
        means = {m: mean_scores([r for r in chosen if r.method == m]) for m in names}
        seeds = sorted({r.seed for r in chosen})
        parts.append(f"## Profile `{profile}` (mean of seeds {', '.join(map(str, seeds))})")
        parts.append(_md(table(means)))
        parts.append(f"Targets, profile `{profile}`:")
        parts.append(_md(targets_table(means["dedupe"])))
        rows = [(r.seed, r.method, r.scores.articles, r.scores.ari, r.scores.precision,
                 r.scores.recall, r.scores.origin_accuracy, r.scores.unrelated_merged_share,
                 r.scores.template_recall, r.seconds) for r in chosen]
        parts.append("Per seed:")
        parts.append(_md(tabulate(rows, headers=["seed", "method", "articles", "ARI", "P", "R",
                                                 "origin", "unrel. merged", "template",
                                                 "seconds"],
                                  floatfmt=".3f", missingval="-", tablefmt="github")))
    return "\n\n".join(parts) + "\n"


def publish(text: str, path: Path | None) -> None:
    """Print ``text``, and write it to ``path`` when one is given."""
    print(text)
    if path:
        path.write_text(text, encoding="utf-8")


def _md(text: str) -> str:
    """A plain tabulate table as a fenced block (keeps alignment on GitHub)."""
    if text.lstrip().startswith("|"):
        return text
    return f"```text\n{text}\n```"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pool", type=Path, default=DEFAULT_POOL,
                        help="Reuters-21578 directory or a JSONL story sample")
    parser.add_argument("--families", type=int, default=400)
    parser.add_argument("--unrelated", type=int, default=1200)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--profiles", nargs="+", default=["calibration", "holdout"])
    parser.add_argument("--write", type=Path, help="also write the tables to this Markdown file")
    args = parser.parse_args(argv)
    runs = run(args.pool, args.families, args.unrelated, args.seeds, args.profiles)
    command = (f"python -m benchmarks.quality --families {args.families} --unrelated "
               f"{args.unrelated} --seeds {' '.join(map(str, args.seeds))} --profiles "
               f"{' '.join(args.profiles)}")
    header = (f"# Quality results\n\nGenerated by `{command}` (pool: {args.pool.name}; "
              f"dedupe {__version__}, config {Config().fingerprint}, Python "
              f"{platform.python_version()}). Do not edit by hand; see docs/quality.md.")
    publish(report(runs, header), args.write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
