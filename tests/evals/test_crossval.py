"""Cross-validated selection: each query is scored by a choice made without it."""

from __future__ import annotations

import pytest

from evals.crossval import assign_folds, cross_validate


def test_folds_are_stratified_by_tag_and_balanced() -> None:
    ids = [f"q{i}" for i in range(7)]
    tags = ["topic", "topic", "topic", "phrase", "phrase", "question", "question"]
    folds = assign_folds(ids, tags, 3)
    assert sorted(folds.count(f) for f in range(3)) == [2, 2, 3]
    for tag in set(tags):
        members = [folds[i] for i, t in enumerate(tags) if t == tag]
        assert len(set(members)) == len(members), f"{tag} queries share a fold"
    with pytest.raises(ValueError):
        assign_folds(ids, tags, 1)


def test_held_out_figure_is_the_choice_of_the_other_folds() -> None:
    # Four queries, two folds: fold 0 = queries 0, 1; fold 1 = queries 2, 3.
    # "a" wins on fold 0 (1 + 1 vs 0 + 0) and "b" on fold 1 (1 + 1 vs 0 + 0).
    # Choosing on fold 1 picks "b", scored on fold 0: 0, 0.
    # Choosing on fold 0 picks "a", scored on fold 1: 0, 0. Held-out mean 0, though each
    # setting scores 0.5 on all four queries: an overfit choice is exposed.
    results = {"a": {"mrr10": [1.0, 1.0, 0.0, 0.0]}, "b": {"mrr10": [0.0, 0.0, 1.0, 1.0]}}
    cv = cross_validate(results, [0, 0, 1, 1], ["mrr10"])
    assert cv.held_out == {"mrr10": 0.0}
    assert [c.setting for c in cv.choices] == ["b", "a"]
    assert not cv.stable


def test_ties_keep_the_preferred_default() -> None:
    results = {"a": {"mrr10": [1.0, 0.5]}, "b": {"mrr10": [1.0, 0.5]}}
    cv = cross_validate(results, [0, 1], ["mrr10"], prefer="b")
    assert cv.stable and cv.choices[0].setting == "b"
    assert cv.held_out["mrr10"] == pytest.approx(0.75)
