"""The quality gate: a small labelled benchmark must stay above pinned floors.

The corpus comes from ``benchmarks.generate`` on the committed 300-story Reuters
sample (60 families and 180 unrelated articles per profile, seed 1; a few seconds).
Floors live in ``tests/quality_floors.json``. They only move up: a score that
falls below its floor fails, and so does one that rises more than ``RATCHET``
above it, asking for the floor to be raised in the same change. Lowering a floor
is a visible edit of that file, never a silent one.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

import pytest

from benchmarks.baselines import MINHASH_PRESETS, minhash_components, rare_ngram_components
from benchmarks.generate import SAMPLE_PATH, generate, load_pool
from benchmarks.quality import articles_of, components_method, truth_of
from dedupe import Article, scan
from dedupe.evaluate import METRICS, Scores, TruthRow, prediction_of, score

FLOORS_PATH = Path(__file__).resolve().parent / "quality_floors.json"
FLOORS: dict[str, dict[str, float]] = json.loads(FLOORS_PATH.read_text(encoding="utf-8"))
PROFILES = ("calibration", "holdout")
#: How far a score may rise above its floor before the floor must be raised.
RATCHET = 0.03



@cache
def corpus(profile: str) -> tuple[list[Article], dict[str, TruthRow]]:
    bench = generate(load_pool(SAMPLE_PATH), families=60, unrelated=180, seed=1,
                     profile=profile)
    return articles_of(bench), truth_of(bench)


@cache
def dedupe_scores(profile: str) -> Scores:
    articles, truth = corpus(profile)
    return score(truth, prediction_of(scan(articles)))


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("metric", sorted(METRICS))
def test_quality_stays_above_its_floor(profile: str, metric: str) -> None:
    value = METRICS[metric](dedupe_scores(profile))
    floor = FLOORS[profile][metric]
    assert value is not None
    assert value >= floor, (
        f"{metric} on the {profile} gate corpus fell to {value:.4f}, below its floor "
        f"{floor}: find the regression (python -m benchmarks.quality shows where)"
    )
    assert value <= floor + RATCHET, (
        f"{metric} on the {profile} gate corpus rose to {value:.4f}: raise its floor in "
        f"{FLOORS_PATH.name} to {math.floor(value * 100) / 100}"
    )


def test_floors_cover_every_metric_and_profile() -> None:
    assert set(FLOORS) == set(PROFILES)
    for profile in PROFILES:
        assert set(FLOORS[profile]) == set(METRICS)
        assert all(0.0 <= v <= 1.0 for v in FLOORS[profile].values())


@pytest.mark.parametrize("profile", PROFILES)
def test_dedupe_beats_the_baselines_on_ari(profile: str) -> None:
    articles, truth = corpus(profile)
    ours = dedupe_scores(profile).ari
    baselines = {
        "text-dedup@0.5": lambda a: minhash_components(a, **MINHASH_PRESETS["text-dedup@0.5"]),
        "datatrove-14x8": lambda a: minhash_components(a, **MINHASH_PRESETS["datatrove-14x8"]),
        "passim-style": rare_ngram_components,
    }
    for name, find in baselines.items():
        theirs = score(truth, components_method(find)(articles)).ari
        assert ours > theirs + 0.2, f"{name}: ARI {theirs:.3f} vs dedupe {ours:.3f}"
