"""Precedent finder: reused wording first, then semantic neighbours; the source left out."""

from __future__ import annotations

import pytest

from cartagena.settings import Settings
from ingest.build import build_index
from ingest.embed import Embedder
from ingest.spans import tokens
from search.engine import Searcher
from search.loader import load_searcher
from search.similar import Exclusion, find_similar, shared_runs, shingles, similar_to_passage, stems
from tests.conftest import (
    CONSULTATION,
    HIRING_TEXT,
    PLEDGE,
    SPONSORSHIP_TEXT,
    passage_containing,
)

SPONSORSHIP = SPONSORSHIP_TEXT
HIRING = HIRING_TEXT


def test_shared_runs_mark_reused_wording_not_stop_words() -> None:
    source = "Consider private sponsorship as a way to cut the cost of resettlement programs"
    target = "States should reduce the cost of resettlement programs through private sponsorship."
    toks = tokens(target)
    spans, longest = shared_runs(toks, stems(toks), stems(tokens(source)), 3)
    assert [target[a:b] for a, b in spans] == [
        "the cost of resettlement programs",
        "private sponsorship",
    ]
    assert longest == 5
    assert not shingles(["of", "the", "and"], 3)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("draft", "original", "phrase"),
    [
        (
            "To contribute to social cohesion and peaceful coexistence, consider private "
            "sponsorship as a way to reduce the cost of resettlement programmes for States.",
            SPONSORSHIP,
            "reduce the cost of resettlement",
        ),
        (
            "To prevent labor exploitation and human trafficking, set up mechanisms that "
            "facilitate, streamline and promote the hiring of migrants and refugees within "
            "countries.",
            HIRING,
            "prevent labor exploitation and human trafficking",
        ),
    ],
)
def test_a_reworded_draft_finds_its_original_first(
    searcher: Searcher, draft: str, original: str, phrase: str
) -> None:
    original = passage_containing(searcher, original)
    found = find_similar(searcher, draft, k=8)
    top = found[0]
    assert top.hit.passage_id == original
    assert top.match == "reuse" and top.hit.year == 2024
    marked = [top.hit.text[a:b] for a, b in top.shared]
    assert any(phrase in m for m in marked), marked
    assert [s.hit.rank for s in found] == list(range(1, len(found) + 1))
    assert len(found) > 1 and all(s.hit.passage_id != original for s in found[1:])
    # reuse before meaning; each group in its own order
    kinds = [s.match for s in found]
    assert kinds == sorted(kinds, key=lambda k: k != "reuse")
    semantic = [s.cosine for s in found if s.match == "semantic"]
    assert semantic == sorted(semantic, reverse=True)


@pytest.mark.slow
def test_similar_language_spans_documents(searcher: Searcher) -> None:
    found = find_similar(
        searcher,
        "expanding opportunities for resettlement and family "
        "reunification through complementary pathways",
        k=10,
    )
    assert {s.hit.doc_id for s in found} == {CONSULTATION, PLEDGE}
    assert found[0].match == "reuse" and found[0].hit.doc_id == PLEDGE


@pytest.mark.slow
def test_a_passage_is_never_its_own_precedent(searcher: Searcher) -> None:
    store = searcher.store
    overlapping = store.query(
        "SELECT a.passage_id FROM passages a JOIN passages b ON a.doc_id = b.doc_id "
        "AND a.row <> b.row AND a.char_start < b.char_end AND b.char_start < a.char_end"
    )
    ids = [r[0] for r in overlapping][:1] + [passage_containing(searcher, HIRING)]
    for pid in ids:
        source = store.passage(pid).hit
        found = similar_to_passage(searcher, pid, k=20)
        exclusion = Exclusion(source.doc_id, source.char_start, source.char_end)
        assert found and not any(exclusion.covers(s.hit) for s in found)


@pytest.fixture(scope="module")
def twin_searcher(
    tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder
) -> Searcher:
    """Two documents that share one recommendation word for word."""
    corpus = tmp_path_factory.mktemp("twins")
    shared = "Strengthen policies on student visas as innovative and adapted protection solutions."
    for name, other in (("alpha-2020", "Fisheries and coastal towns."), ("beta-2022", "Rail.")):
        (corpus / f"{name}.md").write_text(
            f"# {name}\n\n## Part\n\n{shared}\n\n## Other\n\n{other}\n"
        )
    index = tmp_path_factory.mktemp("twins-index")
    build_index(corpus, index, settings, embedder)
    return load_searcher(index, settings, embedder)


@pytest.mark.slow
def test_identical_wording_in_two_documents_is_two_results(twin_searcher: Searcher) -> None:
    found = find_similar(
        twin_searcher, "Strengthen policies on student visas as innovative and adapted solutions"
    )
    top = found[:2]
    assert {s.hit.doc_id for s in top} == {"alpha-2020", "beta-2022"}
    assert {s.hit.year for s in top} == {2020, 2022}
    assert all(s.match == "reuse" for s in top)
