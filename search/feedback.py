"""Lexical pseudo-relevance feedback: the dense side's best passage lends BM25 its words.

A reworded query ("do firms keep their staff longer when they employ displaced people?")
shares no content word with its evidence ("labor inclusion of refugees ... lower turnover
rates"): BM25 ranks passages on stray words, and z-score fusion lets that list outvote a
dense ranking that had the evidence first. Where the lexical list is weak by
``search.lexical_confidence`` (the best BM25 passage holds under ``hybrid_prf_confidence`` of
the query's IDF mass), the top dense passage's most distinctive terms (tf x IDF, query terms
left out) are added to the BM25 query at a fraction of a query term's weight, and BM25
re-scores every row: the passage the dense side found, and those worded like it, rise in the
lexical list too. Queries BM25 already holds well (topics, quoted wording) are untouched.

Measured in memory (``python -m evals.prf``, evals/REPORT.md): cross-validated on 101 tuning
queries and scored on the blind set, it was the only feedback variant (of RM3-like expansion
from the hybrid or dense top passages, dense Rocchio, neighbour smoothing, with or without
this gate) that lost no tuning query and kept SciFact at or above 0.73.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from index.reader import IndexStore, top_rows
from text.tokens import lexical_tokens

Ranked = list[tuple[int, float]]


def expansion_terms(store: IndexStore, query: str, row: int, n: int) -> dict[str, float]:
    """The ``n`` terms of passage ``row`` (text and heading, as BM25 reads them) with the
    highest tf x IDF that are not query terms, weighted relative to the best (1.0)."""
    vocab = store.vocabulary
    asked = {t for t in lexical_tokens(query) if t in vocab}
    text, section = store.passage_fields(row)
    counts = Counter(t for t in lexical_tokens(f"{section}\n{text}") if t not in asked)
    idf = store.idf(list(counts))
    # stable: equal weights keep the passage's word order
    top = sorted(((t, c * idf[t]) for t, c in counts.items()), key=lambda i: -i[1])[:n]
    if not top or top[0][1] <= 0:
        return {}
    best = top[0][1]
    return {t: w / best for t, w in top}


def expanded_lexical(
    store: IndexStore,
    query: str,
    row: int,
    n: int,
    weight: float,
    k: int,
    mask: np.ndarray | None,
) -> Ranked | None:
    """BM25 of ``query`` plus ``weight`` x the expansion terms of passage ``row``: the top
    ``k`` rows within ``mask``, ties in row order. None when nothing can be added."""
    terms = expansion_terms(store, query, row, n)
    base = store.bm25_scores(query)
    if not terms or base is None:
        return None
    scores = base + store.bm25_term_scores({t: weight * w for t, w in terms.items()})
    return top_rows(scores, k, mask)
