"""What a reader can do with the index, one function per use case: search, ask, find similar
wording, read documents and passages, see what is served.

The API routes, the web page and the CLI call these alike and only translate: request fields
in, response fields (``api/schemas.py``) or HTML or text out. Nothing here knows HTTP; errors
are domain errors (``cartagena.errors``) that each edge turns into its own form.
"""

from __future__ import annotations

from dataclasses import dataclass

from cartagena.errors import InvalidQueryError
from index.models import Document, Filters, Hit, PassageView
from search import generate, highlight
from search.answer import Answer, answer_question
from search.engine import Searcher
from search.similar import SimilarHit, find_similar, similar_to_passage


@dataclass
class SearchResult:
    hits: list[Hit]
    # per hit, what matched (terms, phrases, the best sentence), with its kind
    marks: list[list[highlight.Span]]
    index_version: str


@dataclass
class AskResult:
    answer: Answer
    index_version: str
    # the generated answer (generative mode), when one was asked for
    generated: generate.Generated | None = None


@dataclass
class SimilarResult:
    hits: list[SimilarHit]
    index_version: str


@dataclass
class IndexStatus:
    index_version: str
    documents: int
    passages: int
    manifest: dict


def checked_filters(searcher: Searcher, filters: Filters) -> Filters | None:
    """``filters`` as the engine takes them (None when they filter nothing); an unknown
    document id is the caller's mistake."""
    known = set(searcher.store.doc_ids)
    unknown = [d for d in filters.doc_ids if d not in known]
    if unknown:
        raise InvalidQueryError(
            f"unknown document id(s): {', '.join(unknown)}; see GET /documents for the list"
        )
    return None if filters.is_empty() else filters


def search(
    searcher: Searcher,
    query: str,
    k: int,
    mode: str,
    filters: Filters,
    *,
    marks: bool = True,
) -> SearchResult:
    """Ranked, cited passages; with ``marks``, what matched in each (``hit.highlights`` too)."""
    hits = searcher.search(query, k=k, mode=mode, filters=checked_filters(searcher, filters))
    found = highlight.highlight_hits(searcher, query, hits, mode) if marks else [[] for _ in hits]
    return SearchResult(hits, found, searcher.store.version)


def ask(
    searcher: Searcher, question: str, k: int, filters: Filters, mode: str = "extractive"
) -> AskResult:
    """The sentences that answer ``question``, each cited, or a reasoned refusal; in
    generative mode also a model's answer from the same passages (when one is configured)."""
    if mode == "generative" and not generate.enabled(searcher.settings):
        raise InvalidQueryError(
            "generative answers are off: set CARTAGENA_LLM_BASE_URL (and CARTAGENA_LLM_API_KEY, "
            "CARTAGENA_LLM_MODEL) to an OpenAI-compatible endpoint, or ask in extractive mode"
        )
    answer = answer_question(searcher, question, k, checked_filters(searcher, filters))
    result = AskResult(answer, searcher.store.version)
    if mode == "generative" and answer.passages:
        result.generated = generate.generate_answer(searcher.settings, question, answer.passages)
    return result


def similar_to_text(searcher: Searcher, text: str, k: int) -> SimilarResult:
    """Passages worded like a draft: near-verbatim reuse first, then meaning."""
    return SimilarResult(find_similar(searcher, text, k), searcher.store.version)


def similar_to_stored(searcher: Searcher, passage_id: str, k: int) -> tuple[Hit, SimilarResult]:
    """The stored passage, and the passages in all documents worded like it (itself and its
    overlapping chunks left out); an unknown id raises ``UnknownPassageError``."""
    source = searcher.store.passage(passage_id).hit
    found = similar_to_passage(searcher, passage_id, k)
    return source, SimilarResult(found, searcher.store.version)


def documents(searcher: Searcher) -> list[Document]:
    return searcher.store.documents()


def document(searcher: Searcher, doc_id: str) -> tuple[Document, str, list[Hit]]:
    """A document, its whole normalised text and its passages in order."""
    doc, text = searcher.store.document(doc_id)
    return doc, text, searcher.store.document_passages(doc_id)


def passage(searcher: Searcher, passage_id: str, context: int = 0) -> tuple[PassageView, list[Hit]]:
    """A passage with its place in the document, and up to ``context`` neighbours each side
    (the passage itself left out)."""
    view = searcher.store.passage(passage_id)
    around = searcher.store.neighbours(passage_id, context) if context else []
    return view, [h for h in around if h.passage_id != passage_id]


def status(searcher: Searcher) -> IndexStatus:
    """Which index version is served, and how big it is."""
    store = searcher.store
    return IndexStatus(store.version, len(store.doc_ids), store.size, store.manifest)


def document_ids(searcher: Searcher) -> list[str]:
    return list(searcher.store.doc_ids)
