"""How much of a query the best lexical match actually holds: the lexical list's confidence.

Fusion standardises each list on its own, so a BM25 list whose best passage shares two common
words with a reworded query ("do firms keep their staff longer when they employ displaced
people?") looks as sure as one whose best passage holds every term of a topic query. The share
of the query's IDF mass found in the top lexical passage tells them apart: near 1 for topics and
quoted wording, 0.3-0.5 for paraphrases and many questions. Hybrid fusion scales the lexical
weight by ``confidence ** hybrid_confidence_power`` (cross-validated in evals/REPORT.md).
"""

from __future__ import annotations

from index.reader import IndexStore
from text.tokens import lexical_tokens


def confidence(store: IndexStore, query: str, row: int) -> float:
    """IDF-weighted share of the query's indexed terms that passage ``row`` (text and section
    heading, as BM25 reads it, in the passage's language) contains; 0..1."""
    language = str(store.rows.languages[row]) if len(store.rows.languages) else "en"
    vocab = store.vocabulary
    terms = [t for t in dict.fromkeys(lexical_tokens(query, language=language)) if t in vocab]
    weights = store.idf(terms)
    total = sum(weights.values())
    if not total:
        return 0.0
    text, section = store.passage_fields(row)
    held = set(lexical_tokens(f"{section}\n{text}", language=language))
    return sum(w for t, w in weights.items() if t in held) / total
