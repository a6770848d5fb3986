"""Run a retriever over a gold set or a BEIR dataset and score every query."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from evals.beir import BeirDataset
from evals.gold import GoldQuery
from evals.metrics import (
    QueryScores,
    beir_gains,
    median_length,
    ndcg,
    reciprocal_rank,
    score_query,
)
from evals.metrics import recall as recall_at
from evals.relevance import Passage, credit
from evals.retrievers import Result, Retriever

log = logging.getLogger(__name__)


@dataclass
class GoldResult:
    query: GoldQuery
    results: list[Result]
    gains: list[int]
    credited_at: list[int]
    scores: QueryScores


@dataclass
class BeirResult:
    query_id: str
    query: str
    results: list[Result]
    ndcg10: float
    mrr10: float
    recall10: float
    recall100: float


@dataclass
class Run:
    """One system in one mode over one query set."""

    system: str
    mode: str
    k: int
    seconds: float
    gold: list[GoldResult] = field(default_factory=list)
    beir: list[BeirResult] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.system}/{self.mode}"

    def rankings(self) -> list[tuple[str, list[Result]]]:
        if self.gold:
            return [(g.query.id, g.results) for g in self.gold]
        return [(b.query_id, b.results) for b in self.beir]

    def median_chars(self) -> float:
        """Median length of the returned passages, each occurrence counted."""
        return median_length(r.text for _, results in self.rankings() for r in results)


def score_gold(query: GoldQuery, results: list[Result]) -> GoldResult:
    gains, credited_at = credit([Passage(r.doc, r.text) for r in results], query.relevant)
    scores = score_query(gains, [s.grade for s in query.relevant], credited_at)
    return GoldResult(query, results, gains, credited_at, scores)


def run_gold(retriever: Retriever, queries: list[GoldQuery], mode: str, k: int = 10) -> Run:
    started = time.perf_counter()
    scored = [score_gold(q, retriever.search(q.query, k, mode)[:k]) for q in queries]
    seconds = time.perf_counter() - started
    log.info("%s/%s: %d queries in %.1fs", retriever.name, mode, len(queries), seconds)
    return Run(retriever.name, mode, k, seconds, gold=scored)


def score_beir(
    query_id: str, query: str, results: list[Result], qrels: dict[str, int]
) -> BeirResult:
    gains = beir_gains([r.doc for r in results], qrels)
    relevant_at = [i + 1 for i, g in enumerate(gains) if g > 0]
    credited = relevant_at + [0] * (sum(1 for g in qrels.values() if g > 0) - len(relevant_at))
    return BeirResult(
        query_id,
        query,
        results[:10],
        ndcg10=ndcg(gains, qrels.values(), 10),
        mrr10=reciprocal_rank(gains, 10),
        recall10=recall_at(credited, 10),
        recall100=recall_at(credited, 100),
    )


def run_beir(retriever: Retriever, data: BeirDataset, mode: str, k: int = 10) -> Run:
    """Scores nDCG@10 and MRR@10 on the top 10, recall on the top ``max(k, 100)``."""
    started = time.perf_counter()
    depth = max(k, 100)
    scored = [
        score_beir(qid, text, retriever.search(text, depth, mode)[:depth], data.qrels[qid])
        for qid, text in data.queries.items()
    ]
    seconds = time.perf_counter() - started
    log.info("%s/%s: %d queries in %.1fs", retriever.name, mode, len(scored), seconds)
    return Run(retriever.name, mode, min(k, 10), seconds, beir=scored)
