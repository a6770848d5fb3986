"""The typed reader of the index format (index/reader.py) on the index of the shared PDFs: its
BM25 top-k through bm25s' masked retrieval must rank exactly as sorting every score would,
ties broken by row, because every published figure was measured that way."""

from __future__ import annotations

import numpy as np
import pytest

from index.models import Filters
from index.reader import IndexStore
from search.engine import Searcher

QUERIES = [
    "family reunification recommendations",
    "labour inclusion of refugees in the private sector",
    "Chile Plan of Action chapters",
    "statelessness",
    "the the of",  # stop words only: nothing to score
    "zzyzx quux",  # words the index does not know
]


def sorted_scores(store: IndexStore, text: str, k: int, mask: np.ndarray | None) -> list:
    """The reference: every row's BM25, masked, positives sorted stably (row order in ties)."""
    scores = store.bm25_scores(text)
    if scores is None:
        return []
    if mask is not None:
        scores = np.where(mask, scores, 0.0)
    positive = np.flatnonzero(scores > 0)
    top = positive[np.argsort(-scores[positive], kind="stable")[:k]]
    return [(int(i), float(scores[i])) for i in top]


@pytest.mark.slow
@pytest.mark.parametrize("k", [1, 5, 200])
def test_bm25_top_ranks_as_a_full_stable_sort(searcher: Searcher, k: int) -> None:
    store = searcher.store
    footnotes_out = store.mask(Filters(include_footnotes=False))
    one_doc = store.mask(Filters(doc_ids=(store.doc_ids[0],)))
    for text in QUERIES:
        for mask in (None, footnotes_out, one_doc):
            got = store.bm25_top(text, k, mask)
            assert got == sorted_scores(store, text, k, mask), (text, k)
            if mask is not None:
                assert all(mask[r] for r, _ in got)


@pytest.mark.slow
def test_rows_are_typed_and_in_row_order(searcher: Searcher) -> None:
    rows = searcher.store.passages()
    assert [r.row for r in rows] == list(range(searcher.store.size))
    assert {r.doc_id for r in rows} == set(searcher.store.doc_ids)
    assert all(r.char_start < r.char_end for r in rows)
    first = rows[0]
    assert searcher.store.passage(first.passage_id).hit.text == first.text
    assert searcher.store.passage_fields(first.row) == (first.text, first.section)


@pytest.mark.slow
def test_idf_is_bm25s_own_and_rarer_terms_weigh_more(searcher: Searcher) -> None:
    store = searcher.store
    weights = store.idf(["refuge", "zzyzx"])
    # a term in no passage gets the highest IDF there is; a common one less
    assert weights["zzyzx"] > weights["refuge"] > 0
    assert "refuge" in store.vocabulary and "zzyzx" not in store.vocabulary
    assert store.lexical_documents == store.size


@pytest.mark.slow
def test_acronyms_are_read_at_ingest_and_match_a_scan_of_the_passages(searcher: Searcher) -> None:
    """Ingest writes them beside the passages, so no /ask reads every passage; an index
    written before reads the same from its passages."""
    from index import layout
    from text.acronyms import find_acronyms

    store = searcher.store
    assert (store.path / layout.ACRONYMS).is_file()
    assert store.acronyms["idb"] == ("inter", "american", "develop", "bank")
    rows = store.passages()
    titles = [d.title for d in store.documents()]
    scanned = find_acronyms(titles + [r.section for r in rows] + [r.text for r in rows])
    assert store.acronyms == scanned
