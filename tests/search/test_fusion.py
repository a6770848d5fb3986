"""Fusion of the dense and the lexical list (search/fusion.py), on numbers worked by hand.

dense   = row 1: 0.9, row 2: 0.6, row 3: 0.3
lexical = row 2: 10,  row 4: 5,   row 1: 0
"""

from __future__ import annotations

import math

import pytest

from search.fusion import convex, fuse, lexical_share, rrf, zscore

DENSE = [(1, 0.9), (2, 0.6), (3, 0.3)]
LEXICAL = [(2, 10.0), (4, 5.0), (1, 0.0)]
Z = math.sqrt(1.5)  # each list's top and bottom standardise to +-sqrt(3/2) = 1.2247


def test_rrf_sums_weight_over_k_plus_rank() -> None:
    fused = rrf(DENSE, LEXICAL, weight_dense=0.5, rrf_k=60)
    assert fused[1] == pytest.approx(0.5 / 61 + 0.5 / 63)  # dense 1st, lexical 3rd
    assert fused[2] == pytest.approx(0.5 / 62 + 0.5 / 61)  # dense 2nd, lexical 1st
    assert fused[3] == pytest.approx(0.5 / 63)
    assert fused[4] == pytest.approx(0.5 / 62)
    assert [r for r, _ in fuse(DENSE, LEXICAL, 4, "rrf", 0.5, 60)] == [2, 1, 4, 3]


def test_convex_mixes_min_max_normalised_scores() -> None:
    # dense: 1 -> 1, 2 -> 0.5, 3 -> 0; lexical: 2 -> 1, 4 -> 0.5, 1 -> 0; missing -> 0
    fused = convex(DENSE, LEXICAL, weight_dense=0.4)
    assert fused == pytest.approx({1: 0.4, 2: 0.2 + 0.6, 3: 0.0, 4: 0.3})


def test_zscore_gives_a_missing_passage_the_lists_lowest_score() -> None:
    fused = zscore(DENSE, LEXICAL, weight_dense=0.4)
    assert fused[1] == pytest.approx(0.4 * Z - 0.6 * Z)
    assert fused[2] == pytest.approx(0.6 * Z)
    assert fused[3] == pytest.approx(-0.4 * Z - 0.6 * Z)  # not in lexical: its floor, -Z
    assert fused[4] == pytest.approx(-0.4 * Z)  # not in dense: its floor, -Z
    assert [r for r, _ in fuse(DENSE, LEXICAL, 2, "zscore", 0.4)] == [2, 1]


def test_the_lexical_share_scales_only_the_lexical_weight() -> None:
    fused = convex(DENSE, LEXICAL, weight_dense=0.4, share=0.5)
    assert fused == pytest.approx({1: 0.4, 2: 0.2 + 0.3, 3: 0.0, 4: 0.15})
    assert rrf(DENSE, LEXICAL, 0.5, 60, share=0.0) == pytest.approx(
        {1: 0.5 / 61, 2: 0.5 / 62, 3: 0.5 / 63, 4: 0.0}
    )


def test_lexical_share_is_coverage_to_the_power_clamped() -> None:
    assert lexical_share(0.5, 2.0) == pytest.approx(0.25)
    assert lexical_share(0.5, 0.0) == 1.0  # off
    assert lexical_share(1.7, 1.0) == 1.0
    assert lexical_share(-0.2, 1.0) == 0.0


def test_equal_lists_flat_scores_and_empty_lists() -> None:
    flat = [(5, 0.3), (6, 0.3)]
    # no spread: min-max gives every candidate 1, zscore 0; ties are broken by row
    assert fuse(flat, [], 2, "convex", 0.5) == [(5, 0.5), (6, 0.5)]
    assert fuse(flat, [], 2, "zscore", 0.5) == [(5, 0.0), (6, 0.0)]
    assert fuse([], [], 5, "zscore", 0.5) == []
    assert fuse(DENSE, LEXICAL, 1, "convex", 0.4) == [(2, pytest.approx(0.8))]


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="zscore"):
        fuse(DENSE, LEXICAL, 3, "borda")
