"""How much of a query the best lexical match actually holds: the lexical list's confidence.

Fusion standardises each list on its own, so a BM25 list whose best passage shares two common
words with a reworded query ("do firms keep their staff longer when they employ displaced
people?") looks as sure as one whose best passage holds every term of a topic query. The share
of the query's IDF mass found in the top lexical passage tells them apart: near 1 for topics and
quoted wording, 0.3-0.5 for paraphrases and many questions. Hybrid fusion scales the lexical
weight by ``confidence ** hybrid_confidence_power`` (cross-validated in evals/REPORT.md).
"""

from __future__ import annotations

import math

import numpy as np

from search.store import IndexStore
from text.tokens import lexical_tokens


def idf(store: IndexStore, terms: list[str]) -> dict[str, float]:
    """IDF of each stemmed term over the index's passages (BM25's own document frequencies)."""
    n = max(int(store.bm25.scores.get("num_docs", store.size)), 1)
    indptr = np.asarray(store.bm25.scores["indptr"])
    vocab = store.bm25.vocab_dict
    out = {}
    for t in terms:
        i = vocab.get(t)
        df = int(indptr[i + 1] - indptr[i]) if i is not None and i + 1 < len(indptr) else 0
        out[t] = math.log(1 + (n - df + 0.5) / (df + 0.5))
    return out


def confidence(store: IndexStore, query: str, row: int) -> float:
    """IDF-weighted share of the query's indexed terms that passage ``row`` (text and section
    heading, as BM25 reads it, in the passage's language) contains; 0..1."""
    language = str(store.rows.languages[row]) if len(store.rows.languages) else "en"
    vocab = store.bm25.vocab_dict
    terms = [t for t in dict.fromkeys(lexical_tokens(query, language=language)) if t in vocab]
    weights = idf(store, terms)
    total = sum(weights.values())
    if not total:
        return 0.0
    found = store.query("SELECT text, section FROM passages WHERE row = ?", (int(row),))
    if not found:
        return 0.0
    text, section = found[0]
    held = set(lexical_tokens(f"{section or ''}\n{text}", language=language))
    return sum(w for t, w in weights.items() if t in held) / total
