"""Lexical pseudo-relevance feedback (search/feedback.py) on the real corpus: a reworded query
whose words BM25 cannot match is found through the top dense passage's words, and a query
BM25 already holds is ranked exactly as without feedback."""

from __future__ import annotations

import pytest

from index.models import Filters
from search.engine import Searcher
from search.feedback import expansion_terms
from search.lexical_confidence import confidence
from tests.utils.shared import HIRING_TEXT
from text.tokens import lexical_tokens

pytestmark = pytest.mark.slow

# extra-33 of evals/data/cartagena-extra.jsonl: its evidence shares none of its content words
REWORDED = "do firms keep their staff longer when they employ displaced people?"
EVIDENCE = "associated with notably lower turnover rates"
EVIDENCE_DOC = "cartagena40-brasilia-consultation-2024"


def _with_terms(searcher: Searcher, terms: int) -> Searcher:
    settings = searcher.settings.model_copy(update={"hybrid_prf_terms": terms})
    return Searcher(searcher.store, searcher.embedder, settings, searcher.crosslingual)


def test_feedback_puts_the_evidence_of_a_reworded_query_first(searcher: Searcher) -> None:
    on, off = _with_terms(searcher, 10), _with_terms(searcher, 0)
    assert EVIDENCE in on.search(REWORDED, k=1)[0].text
    # without feedback the stray-word BM25 list outvotes the dense side's first passage
    assert EVIDENCE not in off.search(REWORDED, k=1)[0].text
    assert EVIDENCE in off.search(REWORDED, k=1, mode="dense")[0].text


def test_a_query_bm25_holds_is_ranked_as_without_feedback(searcher: Searcher) -> None:
    query = f"{HIRING_TEXT} of refugees"
    on, off = _with_terms(searcher, 10), _with_terms(searcher, 0)
    top = searcher.lexical(query, 1, None)[0][0]
    assert confidence(searcher.store, query, top) >= on.settings.hybrid_prf_confidence
    assert [h.passage_id for h in on.search(query)] == [h.passage_id for h in off.search(query)]


def test_expansion_terms_are_new_words_of_the_passage_best_first(searcher: Searcher) -> None:
    row = searcher.dense(REWORDED, 1, None)[0][0]
    terms = expansion_terms(searcher.store, REWORDED, row, 10)
    assert 0 < len(terms) <= 10
    assert max(terms.values()) == pytest.approx(1.0)
    assert not set(terms) & set(lexical_tokens(REWORDED))
    text, section = searcher.store.passage_fields(row)
    assert set(terms) <= set(lexical_tokens(f"{section}\n{text}"))


def test_feedback_ranks_within_the_filters(searcher: Searcher) -> None:
    other = [d for d in searcher.store.doc_ids if d != EVIDENCE_DOC]
    hits = _with_terms(searcher, 10).search(REWORDED, filters=Filters(doc_ids=tuple(other)))
    assert hits and all(h.doc_id in other for h in hits)
