"""Tests of the settings object (dedupe/config.py): validation, fingerprint, LSH bands."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from typing import Any

import pytest
from datasketch.lsh import _optimal_param

from dedupe import config as config_module
from dedupe.config import Config

TWO_FAMILIES = (
    "template_min_families and stock_min_families must be at least 2: "
    "a line in one family only is that family's own text"
)
NAMES = [name for name, *_ in Config.settings()]

INVALID = [
    ({"lsh_threshold": -0.1}, "lsh_threshold must be in [0.0, 1.0], got -0.1"),
    ({"near_duplicate": 1.5}, "near_duplicate must be in [0.0, 1.0], got 1.5"),
    ({"contains": 2.0}, "contains must be in [0.0, 1.0], got 2.0"),
    ({"family_jaccard": -1.0}, "family_jaccard must be in [0.0, 1.0], got -1.0"),
    ({"family_containment": 1.01}, "family_containment must be in [0.0, 1.0], got 1.01"),
    ({"stock_min_fraction": 1.1}, "stock_min_fraction must be in [0.0, 1.0], got 1.1"),
    ({"heading_similarity": -0.5}, "heading_similarity must be in [0.0, 1.0], got -0.5"),
    ({"link_min_strength": 3.0}, "link_min_strength must be in [0.0, 1.0], got 3.0"),
    ({"cluster_max_distance": 1.2}, "cluster_max_distance must be in [0.0, 1.0], got 1.2"),
    ({"shingle_size": 0}, "shingle_size must be a positive integer"),
    ({"num_perm": -3}, "num_perm must be a positive integer"),
    ({"template_min_families": 0}, "template_min_families must be a positive integer"),
    ({"source_template_min_families": 0},
     "source_template_min_families must be a positive integer"),
    ({"stock_min_families": 0}, "stock_min_families must be a positive integer"),
    ({"heading_max_words": 0}, "heading_max_words must be a positive integer"),
    ({"min_passage_words": 0}, "min_passage_words must be a positive integer"),
    ({"max_postings": 0}, "max_postings must be a positive integer"),
    ({"template_min_families": 1}, TWO_FAMILIES),
    ({"stock_min_families": 1}, TWO_FAMILIES),
]


@pytest.mark.parametrize(("settings", "message"), INVALID, ids=[m for _, m in INVALID])
def test_invalid_setting_is_rejected_with_message(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as raised:
        Config(**settings)
    assert str(raised.value) == message


@pytest.mark.parametrize("value", [0.0, 1.0])
@pytest.mark.parametrize("name", ["lsh_threshold", "near_duplicate", "link_min_strength",
                                  "cluster_max_distance"])
def test_bounds_of_shares_are_allowed(name: str, value: float) -> None:
    settings: dict[str, Any] = {name: value}
    assert getattr(Config(**settings), name) == value


def test_config_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Config().near_duplicate = 0.5  # type: ignore[misc]


def test_settings_lists_every_field_with_type_default_and_help() -> None:
    fields = {f.name: f for f in dataclasses.fields(Config)}
    assert list(fields) == NAMES
    for name, kind, default, help_text in Config.settings():
        assert default == fields[name].default
        assert kind in (int, float) and isinstance(default, kind)
        assert help_text.strip(), f"{name} has no help text"


def test_as_dict_is_plain_json() -> None:
    values = Config().as_dict()
    assert list(values) == NAMES
    assert json.loads(json.dumps(values)) == values


def changed(name: str) -> Any:
    """A valid value for setting ``name`` that differs from its default."""
    default = getattr(Config(), name)
    return default + 1 if isinstance(default, int) else default / 2


def test_fingerprint_is_stable_for_equal_settings() -> None:
    config = Config()
    first = config.fingerprint
    assert config.lsh_bands  # computing the cached bands must not change it
    assert config.fingerprint == first == Config(**Config().as_dict()).fingerprint
    assert len(first) == 12 and int(first, 16) >= 0


@pytest.mark.parametrize("name", NAMES)
def test_fingerprint_changes_with_every_setting(name: str) -> None:
    other = dataclasses.replace(Config(), **{name: changed(name)})
    assert other.fingerprint != Config().fingerprint


def test_fingerprint_changes_with_algorithm_version(monkeypatch: pytest.MonkeyPatch) -> None:
    before = Config().fingerprint
    monkeypatch.setattr(config_module, "ALGORITHM_VERSION", config_module.ALGORITHM_VERSION + 1)
    assert Config().fingerprint != before


def test_fingerprint_does_not_depend_on_hash_seed() -> None:
    code = "from dedupe.config import Config; print(Config().fingerprint)"
    prints = {
        subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout.strip()
        for seed in ("0", "4242")
    }
    assert prints == {Config().fingerprint}


def test_default_lsh_bands_match_datasketch() -> None:
    assert Config().lsh_bands == tuple(_optimal_param(0.5, 128, 0.5, 0.5))


@pytest.mark.parametrize(("threshold", "num_perm"), [(0.3, 128), (0.8, 128), (0.5, 64),
                                                     (0.5, 256)])
def test_lsh_bands_match_datasketch(threshold: float, num_perm: int) -> None:
    bands, rows = Config(lsh_threshold=threshold, num_perm=num_perm).lsh_bands
    assert (bands, rows) == tuple(_optimal_param(threshold, num_perm, 0.5, 0.5))
    assert bands * rows <= num_perm
