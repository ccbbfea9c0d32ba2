"""Tests of round-1 families (dedupe/relations.py)."""

from __future__ import annotations

import numpy as np

from dedupe.relations import Overlaps, loose_families


def table(rows: list[tuple[int, int, float, float, float]]) -> Overlaps:
    pairs = np.array([(a, b) for a, b, *_ in rows], dtype=np.int64)
    return Overlaps(pairs=pairs, shared=np.ones(len(rows)),
                    jaccard=np.array([r[2] for r in rows]),
                    a_in_b=np.array([r[3] for r in rows]), b_in_a=np.array([r[4] for r in rows]))


def test_containment_into_one_family_joins_it() -> None:
    # 0 and 1 are copies; 2 (a trimmed copy) lies inside both.
    full = table([(0, 1, 0.9, 0.9, 0.9), (0, 2, 0.3, 0.3, 0.9), (1, 2, 0.3, 0.3, 0.9)])
    family = loose_families(3, full, 0.4, 0.6)
    assert family[0] == family[1] == family[2]


def test_containment_into_several_families_joins_none() -> None:
    # 2 is mostly its site's template: it lies inside unrelated articles 0 and 1.
    full = table([(0, 2, 0.3, 0.2, 0.7), (1, 2, 0.3, 0.2, 0.7)])
    family = loose_families(3, full, 0.4, 0.6)
    assert len(set(family.tolist())) == 3
