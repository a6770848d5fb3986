"""Dense, lexical and hybrid retrieval over one index version, with filters and exact phrases.

- dense: FAISS inner product of unit vectors (cosine), the query embedded by the same model;
- lexical: BM25 (bm25s, stemmed, stop words removed) over passage text and section heading;
- hybrid: both candidate lists fused (see ``search.fusion``).

Filters and phrases become one boolean mask over rows; both retrievers honour it, so a filtered
query ranks within the filtered set instead of filtering a truncated list.
"""

from __future__ import annotations

import logging
from functools import cached_property

import numpy as np

from cartagena.errors import InvalidQueryError
from cartagena.settings import Settings
from embedding.base import Embedder
from index.models import Filters, Hit
from index.reader import IndexStore, top_rows
from search import feedback, fusion, lexical_confidence
from search.batching import batcher_for
from search.cognates import CognateFinder
from search.models import MODES
from search.phrases import PhraseFinder
from search.query import ParsedQuery, parse_query
from search.question import read_question
from search.sentence_dense import SentenceMatrix, best_of
from search.typed_order import TYPED_DEPTH, asks_for_type, typed_first
from search.vector_cache import VectorCache
from text.language import query_language
from text.tokens import lexical_tokens

log = logging.getLogger(__name__)
Ranked = list[tuple[int, float]]
# passages ranked by their own vector before their best sentences are weighed in
SENTENCE_RESCORE_DEPTH = 100


_EXACT_DEPTH = 100  # at least this many stemmed BM25 rows are re-scored with the words as written


def _with_number(words: list[str]) -> list[str]:
    """``words`` with their singular or plural: "chapters" is written "Chapter 1" too. Only
    the inflection of number: "naturalization" still does not match "nature"."""
    out: list[str] = []
    for w in words:
        out.append(w)
        if w.endswith("ies") and len(w) > 4:
            out.append(w[:-3] + "y")
        elif w.endswith("s") and not w.endswith("ss") and len(w) > 3:
            out.append(w[:-1])
        elif w.endswith("y") and len(w) > 3:
            out.append(w[:-1] + "ies")
        elif w.isalpha() and len(w) > 2:
            out.append(w + "s")
    return list(dict.fromkeys(out))


class Searcher:
    def __init__(
        self,
        store: IndexStore,
        embedder: Embedder,
        settings: Settings,
        crosslingual: Embedder | None = None,
    ) -> None:
        self.store = store
        self.phrases = PhraseFinder(store)
        self.embedder = embedder
        self.settings = settings
        self.query_cache = VectorCache(settings.query_cache_size)
        # the cross-lingual model (CARTAGENA_CROSSLINGUAL_MODEL), used only where the index
        # holds its vectors: its own query cache (vectors are keyed by model) and the fusion
        # settings calibrated for it
        self.crosslingual = crosslingual if store.crosslingual_vectors is not None else None
        if crosslingual is not None and self.crosslingual is None:
            log.warning(
                "index version %s holds no cross-lingual vectors: queries not in English use "
                "the primary model (rebuild with `cartagena ingest` to add them)",
                store.version,
            )
        self.crosslingual_cache = VectorCache(settings.query_cache_size)
        self.crosslingual_settings = settings.crosslingual_settings()
        self.crosslingual_batcher = (
            batcher_for(
                self.crosslingual,
                self.crosslingual.encode_queries,
                settings.query_batch_max,
                settings.query_batch_wait_ms / 1000,
            )
            if self.crosslingual is not None
            else None
        )
        self.mixed_languages = any(lang != "en" for lang in store.languages)
        self.batcher = batcher_for(
            embedder,
            embedder.encode_queries,
            settings.query_batch_max,
            settings.query_batch_wait_ms / 1000,
        )
        self.sentences = (
            SentenceMatrix.from_store(store, settings.dense_sentences_max)
            if settings.dense_sentences
            else None
        )

    # --- the two retrievers -------------------------------------------------------------
    def embed_query(self, text: str) -> np.ndarray:
        """Cached; otherwise encoded together with concurrent requests' queries."""
        vec = self.query_cache.get(text)
        if vec is None:
            vec = self.batcher.embed(text)
            self.query_cache.put(text, vec)
        return vec

    def crosslingual_route(self, text: str) -> bool:
        """Whether ``text`` ranks its dense side with the cross-lingual model: a query not in
        English, or any query over an index holding Spanish or Portuguese documents. English
        over English takes exactly the primary model's path."""
        if self.crosslingual is None:
            return False
        return self.mixed_languages or query_language(text) != "en"

    def embed_crosslingual(self, text: str) -> np.ndarray:
        vec = self.crosslingual_cache.get(text)
        if vec is None:
            assert self.crosslingual_batcher is not None
            vec = self.crosslingual_batcher.embed(text)
            self.crosslingual_cache.put(text, vec)
        return vec

    def dense_crosslingual(
        self, text: str, k: int, mask: np.ndarray | None, filters: Filters | None = None
    ) -> Ranked:
        """Rows by the cross-lingual model's passage cosine (no sentence rescoring: it hurt
        e5's dense ranking, evals/REPORT.md)."""
        if self.store.size == 0:
            return []
        query = self.embed_crosslingual(text).reshape(1, -1)
        k = min(k, self.store.size)
        if mask is not None:
            allowed = int(np.count_nonzero(mask))
            if allowed == 0:
                return []
            k = min(k, allowed)
        return self.store.vector_search(query, k, mask, filters, crosslingual=True)

    def dense(
        self, text: str, k: int, mask: np.ndarray | None, filters: Filters | None = None
    ) -> Ranked:
        """Rows by max(passage cosine, best sentence cosine): see ``search.sentence_dense``."""
        if self.sentences is None:
            return self.dense_passages(text, k, mask, filters)
        passages = self.dense_passages(text, max(k, SENTENCE_RESCORE_DEPTH), mask, filters)
        return best_of(passages, self.sentences.best(self.embed_query(text)), k, mask)

    def dense_passages(
        self, text: str, k: int, mask: np.ndarray | None, filters: Filters | None = None
    ) -> Ranked:
        """Rows by passage cosine; ``filters``, when given, are those ``mask`` was made from
        (a vector store that filters by metadata runs them itself: index/vectors.py)."""
        if self.store.size == 0:
            return []
        query = self.embed_query(text).reshape(1, -1)
        k = min(k, self.store.size)
        if mask is not None:
            allowed = int(np.count_nonzero(mask))
            if allowed == 0:
                return []
            k = min(k, allowed)
        return self.store.vector_search(query, k, mask, filters)

    def lexical(self, text: str, k: int, mask: np.ndarray | None) -> Ranked:
        if self.settings.lexical_backend == "fts5":
            # the FTS5 table is not stemmed (phrases need the words as written): query words
            words_only = lexical_tokens(text, stem=False)
            found = self.store.fts_bm25(words_only, k if mask is None else self.store.size)
            return [(r, s) for r, s in found if mask is None or mask[r]][:k]
        english = query_language(text) == "en"
        if self.settings.lexical_cognates and not english:
            cognates = self.cognate_terms(text)
            if cognates:
                base = self.store.bm25_scores(text)
                extra = self.store.bm25_term_scores(dict.fromkeys(cognates, 1.0))
                return top_rows(extra if base is None else base + extra, k, mask)
        weight = self.settings.lexical_exact_weight
        if not weight or not english:
            # measured on English (evals/REPORT.md, "Blind rounds seven and eight"); a Spanish
            # "refugiado" must still find "personas refugiadas" by its Spanish stem
            return self.store.bm25_top(text, k, mask)
        found = self.store.bm25_top(text, max(k, _EXACT_DEPTH), mask)
        if not found:
            return found
        # Stems conflate words the documents use apart ("naturalization" and "nature" are both
        # "natur", "regularization" and "regular" both "regular"): the words as written, in
        # the unstemmed full-text table, add their own BM25 at ``weight`` to the rows the stems
        # found (the best of them by that BM25: a row below twice their number adds nothing).
        exact = dict(
            self.store.fts_bm25(_with_number(lexical_tokens(text, stem=False)), 2 * len(found))
        )
        scores = [(row, score + weight * exact.get(row, 0.0)) for row, score in found]
        return sorted(scores, key=lambda rs: (-rs[1], rs[0]))[:k]

    @cached_property
    def cognates(self) -> CognateFinder:
        s = self.settings
        return CognateFinder(
            self.store.vocabulary, s.lexical_cognate_prefix, s.lexical_cognate_share
        )

    def cognate_terms(self, text: str) -> list[str]:
        """The index stems the words of ``text`` (not English) are cognates of, less those
        BM25 already reads in it."""
        own = {
            t
            for lang in self.store.languages or ["en"]
            for t in lexical_tokens(text, language=lang)
        }
        return [t for t in self.cognates.of_text(text) if t not in own]

    # --- the public entry point ---------------------------------------------------------
    def search(
        self,
        query: str | ParsedQuery,
        k: int = 10,
        mode: str = "hybrid",
        filters: Filters | None = None,
    ) -> list[Hit]:
        if mode not in MODES:
            raise InvalidQueryError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
        parsed = query if isinstance(query, ParsedQuery) else parse_query(query)
        mask = self._mask(parsed, filters or Filters())
        if mask is not None and not mask.any():
            return []
        # a question asking for a date, number, place or name: passages holding one first
        typed = asks_for_type(parsed.text)
        depth = max(k, TYPED_DEPTH) if typed else k
        ranked = self.rank(parsed.text, depth, mode, mask, filters)
        if parsed.phrases and mask is not None and len(ranked) < depth:
            # every passage that holds the quote is a result, also where BM25 scores none of
            # its words (a quote of stop words: "I.", "in the"), after those it does score
            seen = {r for r, _ in ranked}
            rest = [(int(r), 0.0) for r in np.flatnonzero(mask) if int(r) not in seen]
            ranked = ranked + rest[: depth - len(ranked)]
        hits = self.store.hits([r for r, _ in ranked], [s for _, s in ranked])
        if typed:
            hits = typed_first(read_question(parsed.text, self.store.vocabulary), hits)
        return hits[:k]

    def rank(
        self,
        text: str,
        k: int,
        mode: str,
        mask: np.ndarray | None,
        filters: Filters | None = None,
    ) -> Ranked:
        if mode == "lexical":
            return self.lexical(text, k, mask)
        crosslingual = mode != "lexical" and self.crosslingual_route(text)
        settings = self.crosslingual_settings if crosslingual else self.settings
        dense = self.dense_crosslingual if crosslingual else self.dense
        if mode == "dense":
            return dense(text, k, mask, filters)
        depth = max(k, settings.hybrid_candidates)
        lexical = self.lexical(text, depth, mask)
        dense_ranked = dense(text, depth, mask, filters)
        share = self.lexical_share(text, lexical, settings)
        if not crosslingual:
            # feedback from the primary model's top passage, as it was tuned (evals/prf.py)
            lexical = self.lexical_feedback(text, lexical, dense_ranked, depth, mask)
        second = None
        if not crosslingual and self.crosslingual is not None:
            if settings.hybrid_dense_max:
                # English over English: both models vouch for the dense side (settings.py)
                dense_ranked = fusion.dense_max(
                    dense_ranked, self.dense_crosslingual(text, depth, mask, filters)
                )
            elif self.second_model_joins(text, lexical):
                second = self.dense_crosslingual(text, depth, mask, filters)
        return fusion.fuse(
            dense_ranked,
            lexical,
            k=k,
            method=settings.fusion,
            weight_dense=settings.hybrid_weight_dense,
            rrf_k=settings.rrf_k,
            share=share,
            second=second,
            second_weight=settings.hybrid_crosslingual_weight,
        )

    def second_model_joins(self, text: str, lexical: Ranked) -> bool:
        """Whether an English query's hybrid fusion takes the cross-lingual model's list as a
        third (at ``hybrid_crosslingual_weight``): e5 reads questions and
        rewordings better than MiniLM, at one more query embedding; with
        ``hybrid_crosslingual_below`` < 1, only where the BM25 list holds the query weakly."""
        s = self.settings
        if s.hybrid_crosslingual_weight <= 0:
            return False
        if s.hybrid_crosslingual_below >= 1.0:
            return True
        if not lexical or s.lexical_backend == "fts5":
            return True
        held = lexical_confidence.confidence(self.store, text, lexical[0][0])
        return held < s.hybrid_crosslingual_below

    def lexical_feedback(
        self, text: str, lexical: Ranked, dense: Ranked, depth: int, mask: np.ndarray | None
    ) -> Ranked:
        """The lexical list, re-scored with the top dense passage's terms where BM25 holds the
        query weakly (``search.feedback``); as it was otherwise, on the FTS5 backend and over
        an index in several languages (the terms are stemmed as English)."""
        s = self.settings
        if (
            s.hybrid_prf_terms <= 0
            or not lexical
            or not dense
            or s.lexical_backend == "fts5"
            or self.store.languages != ["en"]
            or lexical_confidence.confidence(self.store, text, lexical[0][0])
            >= s.hybrid_prf_confidence
        ):
            return lexical
        expanded = feedback.expanded_lexical(
            self.store, text, dense[0][0], s.hybrid_prf_terms, s.hybrid_prf_weight, depth, mask
        )
        return lexical if expanded is None else expanded

    def lexical_share(self, text: str, lexical: Ranked, settings: Settings | None = None) -> float:
        """How much of its configured weight the lexical list keeps in hybrid fusion: less when
        the index does not know the query's words (another language), and less when its best
        passage holds little of the query (a rewording): ``search.lexical_confidence``.
        ``settings``: those of the model that ranked the dense side (this searcher's own)."""
        settings = settings or self.settings
        share = fusion.lexical_share(self.lexical_coverage(text), settings.hybrid_coverage_power)
        power = settings.hybrid_confidence_power
        if power > 0 and lexical and self.settings.lexical_backend != "fts5":
            share *= lexical_confidence.confidence(self.store, text, lexical[0][0]) ** power
        return share

    def lexical_coverage(self, text: str) -> float:
        """Share of the query's distinct lexical terms that occur in the index at all.

        Near 1 for an English query over English text, near 0 for a Spanish one: hybrid fusion
        trusts the lexical list that much (``search.fusion.lexical_share``). Must read the
        query as :meth:`lexical` does."""
        if self.settings.lexical_backend == "fts5":
            return 1.0  # no vocabulary to consult; FTS5 ranks on what it matched
        vocab = self.store.vocabulary
        best = 0.0
        # as the store's BM25 reads it: once per language the index holds (English alone: once)
        for lang in self.store.languages or ["en"]:
            terms = set(lexical_tokens(text, language=lang))
            if terms:
                best = max(best, sum(t in vocab for t in terms) / len(terms))
        return best

    def _mask(self, parsed: ParsedQuery, filters: Filters) -> np.ndarray | None:
        mask = self.store.mask(filters)
        for phrase, bare in parsed.variants():
            _, rows = self.phrases.resolve(phrase, bare)
            allowed = np.zeros(self.store.size, dtype=bool)
            allowed[rows] = True
            mask = allowed if mask is None else (mask & allowed)
        return mask
