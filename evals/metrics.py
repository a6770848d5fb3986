"""Ranking metrics over graded gains, as defined in ``shared/evals/README.md``.

Every function reads the gains of the returned passages in rank order (index 0 = rank 1);
DCG uses linear gains and a log2(rank + 1) discount, the convention of pytrec_eval.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

METRICS = ("ndcg10", "mrr10", "success1", "success5", "recall10")


def dcg(gains: Sequence[float], k: int) -> float:
    return sum(g / math.log2(rank + 1) for rank, g in enumerate(gains[:k], start=1))


def ndcg(gains: Sequence[float], ideal_grades: Iterable[float], k: int = 10) -> float:
    """DCG@k of ``gains`` over the DCG@k of the best possible order of ``ideal_grades``."""
    ideal = dcg(sorted((g for g in ideal_grades if g > 0), reverse=True), k)
    return dcg(gains, k) / ideal if ideal > 0 else 0.0


def reciprocal_rank(gains: Sequence[float], k: int = 10) -> float:
    for rank, g in enumerate(gains[:k], start=1):
        if g > 0:
            return 1.0 / rank
    return 0.0


def success(gains: Sequence[float], k: int) -> float:
    return 1.0 if any(g > 0 for g in gains[:k]) else 0.0


def recall(credited_at: Sequence[int], k: int = 10) -> float:
    """Share of the spans credited at a rank within the top ``k`` (0 = never credited)."""
    if not credited_at:
        return 0.0
    return sum(1 for r in credited_at if 0 < r <= k) / len(credited_at)


@dataclass(frozen=True)
class QueryScores:
    ndcg10: float
    mrr10: float
    success1: float
    success5: float
    recall10: float

    def as_dict(self) -> dict[str, float]:
        return {m: getattr(self, m) for m in METRICS}


def score_query(
    gains: Sequence[float], ideal_grades: Sequence[float], credited_at: Sequence[int]
) -> QueryScores:
    return QueryScores(
        ndcg10=ndcg(gains, ideal_grades, 10),
        mrr10=reciprocal_rank(gains, 10),
        success1=success(gains, 1),
        success5=success(gains, 5),
        recall10=recall(credited_at, 10),
    )


def mean_scores(scores: Sequence[QueryScores]) -> dict[str, float]:
    """Each metric averaged over queries; all zeros for no queries."""
    if not scores:
        return dict.fromkeys(METRICS, 0.0)
    return {m: statistics.fmean(getattr(s, m) for s in scores) for m in METRICS}


def beir_gains(ranked_docs: Sequence[str], qrels: dict[str, int]) -> list[int]:
    """Document-level gains for BEIR: each judged document counts once, at its first rank."""
    seen: set[str] = set()
    gains = []
    for doc in ranked_docs:
        gains.append(qrels.get(doc, 0) if doc not in seen else 0)
        seen.add(doc)
    return gains


def median_length(texts: Iterable[str]) -> float:
    lengths = [len(t) for t in texts]
    return float(statistics.median(lengths)) if lengths else 0.0
