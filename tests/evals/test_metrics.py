"""Metric maths on hand-worked examples, and an independent check of nDCG."""

from __future__ import annotations

import math
import random

import pytest

from evals.metrics import (
    beir_gains,
    dcg,
    mean_scores,
    median_length,
    ndcg,
    recall,
    reciprocal_rank,
    score_query,
    success,
)


def test_ndcg_hand_worked() -> None:
    # gains at ranks 1..4: 0, 2, 0, 1; the query has spans graded 2, 2, 1.
    # DCG  = 2/log2(3) + 1/log2(5)            = 1.26186 + 0.43068 = 1.69254
    # IDCG = 2/log2(2) + 2/log2(3) + 1/log2(4) = 2 + 1.26186 + 0.5 = 3.76186
    # nDCG = 1.69254 / 3.76186                = 0.44992
    gains = [0, 2, 0, 1]
    assert dcg(gains, 10) == pytest.approx(1.69254, abs=1e-5)
    assert ndcg(gains, [2, 2, 1], 10) == pytest.approx(0.44992, abs=1e-5)


def test_ndcg_cut_at_k() -> None:
    # the gain at rank 11 is ignored: nDCG@10 of [0]*10 + [2] is 0
    assert ndcg([0] * 10 + [2], [2], 10) == 0.0
    # a perfect order scores 1 whatever the grades
    assert ndcg([2, 1, 1], [1, 2, 1], 10) == pytest.approx(1.0)


def test_ndcg_without_relevant_is_zero() -> None:
    assert ndcg([1, 1], [], 10) == 0.0


def test_reciprocal_rank_and_success() -> None:
    gains = [0, 0, 1, 2]
    assert reciprocal_rank(gains, 10) == pytest.approx(1 / 3)
    assert reciprocal_rank(gains, 2) == 0.0
    assert success(gains, 1) == 0.0
    assert success(gains, 5) == 1.0
    assert success([2], 1) == 1.0


def test_recall_counts_spans_credited_within_k() -> None:
    # three spans: credited at rank 2, at rank 12, never
    assert recall([2, 12, 0], 10) == pytest.approx(1 / 3)
    assert recall([2, 12, 0], 100) == pytest.approx(2 / 3)
    assert recall([], 10) == 0.0


def test_score_query_and_mean() -> None:
    # query A: first gain at rank 2 (grade 2 of spans [2]) -> mrr 0.5, ndcg 1/log2(3) = 0.63093
    a = score_query([0, 2], [2], [2])
    # query B: perfect at rank 1 -> 1 everywhere
    b = score_query([2], [2], [1])
    assert a.ndcg10 == pytest.approx(0.63093, abs=1e-5)
    assert (a.mrr10, a.success1, a.success5, a.recall10) == (0.5, 0.0, 1.0, 1.0)
    mean = mean_scores([a, b])
    assert mean["mrr10"] == pytest.approx(0.75)
    assert mean["success1"] == pytest.approx(0.5)
    assert mean["ndcg10"] == pytest.approx((0.63093 + 1) / 2, abs=1e-5)


def test_beir_gains_count_each_document_once() -> None:
    assert beir_gains(["a", "x", "a", "b"], {"a": 1, "b": 2}) == [1, 0, 0, 2]


def test_median_length() -> None:
    assert median_length(["aa", "aaaa", "a"]) == 2.0
    assert median_length([]) == 0.0


def _ndcg_reference(ranked: list[str], qrels: dict[str, int], k: int) -> float:
    """Textbook nDCG, written independently: sum over positions i (0-based) of rel/log(i+2)."""
    score = sum(qrels.get(d, 0) / math.log(i + 2, 2) for i, d in enumerate(ranked[:k]))
    best = sorted(qrels.values(), reverse=True)[:k]
    ideal = sum(r / math.log(i + 2, 2) for i, r in enumerate(best))
    return score / ideal


def test_ndcg_matches_an_independent_reference() -> None:
    rng = random.Random(7)
    docs = [f"d{i}" for i in range(40)]
    for _ in range(200):
        qrels = {d: rng.choice([1, 2]) for d in rng.sample(docs, rng.randint(1, 6))}
        ranked = rng.sample(docs, 15)
        ours = ndcg(beir_gains(ranked, qrels), qrels.values(), 10)
        assert ours == pytest.approx(_ndcg_reference(ranked, qrels, 10))
