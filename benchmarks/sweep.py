"""How the defaults were chosen: one setting varied at a time, the rest at their defaults.

Each value is scored on the *calibration* profile of the labelled generator
(``benchmarks.generate``); the *holdout* profile (other templates, stock wording,
headings) is kept for ``benchmarks.quality``, so the defaults are checked on text
they were not chosen on. Every row also scans the five seed articles and shows the
clusters found there (the README explains why {000, 001} and {003, 004} are right).

    python -m benchmarks.sweep --write docs/calibration.md
"""

from __future__ import annotations

import argparse
import platform
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from datasketch.lsh import _false_negative_probability, _false_positive_probability
from tabulate import tabulate

from benchmarks.generate import DEFAULT_POOL, generate, load_pool
from benchmarks.quality import articles_of, publish, truth_of
from dedupe import Config, __version__, read_inputs, scan
from dedupe.evaluate import prediction_of, score

ROOT = Path(__file__).resolve().parent.parent

#: The values tried per setting (the default is always among them).
GRID: dict[str, tuple[Any, ...]] = {
    "link_min_strength": (0.2, 0.3, 0.35, 0.45, 0.6),
    "cluster_max_distance": (0.4, 0.5, 0.65, 0.75, 0.85),
    "min_passage_words": (6, 8, 10, 14, 20),
    "passage_scale": (4.0, 8.0, 16.0),
    "heading_strength": (0.0, 0.3, 0.5, 0.7),
    "template_min_families": (2, 3, 4, 6),
    "source_template_min_families": (1, 2, 3, 5),
    "stock_min_families": (2, 3, 4, 6),
    "boilerplate_words_per_family": (5, 10, 20, 1000),
    "near_duplicate": (0.5, 0.7, 0.9),
    "contains": (0.6, 0.8, 0.95),
    "family_jaccard": (0.2, 0.4, 0.6),
    "family_containment": (0.4, 0.6, 0.8),
    "lsh_threshold": (0.3, 0.5, 0.7),
    "shingle_size": (3, 4, 5, 7),
    "heading_similarity": (0.85, 0.92, 1.0),
    "passage_max_gap": (0, 4, 8, 16),
}

_CORPORA: list[tuple[list[Any], dict[str, Any]]] = []
_SEEDS: list[Any] = []


def _load(pool_path: Path, families: int, unrelated: int, seeds: Sequence[int]) -> None:
    """Build the corpora once per worker process."""
    pool = load_pool(pool_path)
    for seed in seeds:
        bench = generate(pool, families=families, unrelated=unrelated, seed=seed,
                         profile="calibration")
        _CORPORA.append((articles_of(bench), truth_of(bench)))
    _SEEDS.extend(read_inputs([ROOT / "seeds"]).articles)


def evaluate_setting(name: str, value: Any) -> tuple[Any, ...]:
    """Mean scores over the calibration corpora, and the seed clusters, for one value."""
    config = replace(Config(), **{name: value})
    runs = [score(truth, prediction_of(scan(articles, config))) for articles, truth in _CORPORA]
    mean = [sum(getattr(r, m) for r in runs) / len(runs)
            for m in ("ari", "precision", "recall", "origin_accuracy", "unrelated_merged_share")]
    template = sum(r.template_recall or 0.0 for r in runs) / len(runs)
    kinds = {k: sum(r.recall_by_kind.get(k, (0, 0))[0] for r in runs)
             / max(1, sum(r.recall_by_kind.get(k, (0, 0))[1] for r in runs))
             for k in ("embedded", "trimmed", "rewrite")}
    seeds = scan(_SEEDS, config).clusters
    seed_text = " ".join("{" + ",".join(m[:3] for m in c.members) + "}" for c in seeds) or "none"
    return (*mean, template, kinds["embedded"], kinds["trimmed"], kinds["rewrite"], seed_text)


def lsh_table(config: Config) -> str:
    """Candidate probability by Jaccard, and the false positive/negative areas."""
    bands, rows = config.lsh_bands
    values = [(j, 1 - (1 - j**rows) ** bands) for j in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)]
    fp = _false_positive_probability(config.lsh_threshold, bands, rows)
    fn = _false_negative_probability(config.lsh_threshold, bands, rows)
    head = (f"At the defaults (`num_perm` {config.num_perm}, `lsh_threshold` "
            f"{config.lsh_threshold}: {bands} bands x {rows} rows, datasketch's optimum), "
            f"the false-positive area (integral of P(candidate) over Jaccard 0 to "
            f"{config.lsh_threshold}) is {fp:.4f} and the false-negative area (integral of "
            f"P(miss) over {config.lsh_threshold} to 1) is {fn:.4f}. "
            "P(candidate) at a given Jaccard, 1 - (1 - J^r)^b:")
    table = tabulate([(j, f"{p:.4f}", f"{1 - p:.4f}") for j, p in values],
                     headers=["Jaccard", "P(candidate)", "P(missed)"], tablefmt="github")
    return f"{head}\n\n{table}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pool", type=Path, default=DEFAULT_POOL)
    parser.add_argument("--families", type=int, default=100)
    parser.add_argument("--unrelated", type=int, default=300)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", nargs="+", help="sweep only these settings")
    parser.add_argument("--write", type=Path, help="also write the tables to this file")
    args = parser.parse_args(argv)
    grid = {k: v for k, v in GRID.items() if not args.only or k in args.only}
    defaults = {f.name: f.default for f in fields(Config)}
    tasks = [(name, value) for name, values in grid.items() for value in values]
    with ProcessPoolExecutor(args.jobs, initializer=_load,
                             initargs=(args.pool, args.families, args.unrelated,
                                       args.seeds)) as workers:
        results = list(workers.map(evaluate_setting, *zip(*tasks, strict=True)))
    scored = dict(zip(tasks, results, strict=True))
    command = (f"python -m benchmarks.sweep --families {args.families} --unrelated "
               f"{args.unrelated} --seeds {' '.join(map(str, args.seeds))}")
    parts = [
        "# Calibration sweep",
        f"Generated by `{command}` (calibration profile, {len(args.seeds)} corpora of "
        f"{args.families} families and {args.unrelated} unrelated articles each; "
        f"dedupe {__version__}, Python {platform.python_version()}). One setting varies, "
        "the others stay at their defaults; **bold** marks the default. Columns: adjusted "
        "Rand index, pairwise precision and recall, origin accuracy, share of unrelated "
        "articles merged, template-line recall, recall of embedded passages, trimmed "
        "copies and content-farm rewrites, and the clusters found in `seeds/`. "
        "Do not edit by hand; docs/quality.md explains the choices.",
        "## LSH at the defaults",
        lsh_table(Config()),
    ]
    headers = ["value", "ARI", "P", "R", "origin", "unrel.", "template", "embedded",
               "trimmed", "rewrite", "seed clusters"]
    for name, values in grid.items():
        rows = []
        for value in values:
            label = f"**{value}**" if value == defaults[name] else str(value)
            rows.append((label, *scored[(name, value)]))
        parts.append(f"## `{name}` (default {defaults[name]})")
        parts.append(tabulate(rows, headers=headers, floatfmt=".3f", tablefmt="github"))
    publish("\n\n".join(parts) + "\n", args.write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
