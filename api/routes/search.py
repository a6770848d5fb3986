"""GET and POST /search: ranked, cited passages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SearcherDep
from api.schemas import FilterParams, SearchHit, SearchRequest, SearchResponse, Span
from cartagena.errors import InvalidQueryError
from search import highlight
from search.engine import Searcher
from search.models import Filters, Hit

router = APIRouter(tags=["search"])


def to_hit(hit: Hit, spans: list[highlight.Span] | None = None) -> SearchHit:
    """The API view of a hit; ``spans`` (with their kinds) override ``hit.highlights``."""
    fields = {name: getattr(hit, name) for name in SearchHit.model_fields if name != "highlights"}
    marks = (
        [Span(start=s.start, end=s.end, kind=s.kind) for s in spans]
        if spans is not None
        else [Span(start=a, end=b) for a, b in hit.highlights]
    )
    return SearchHit(**fields, highlights=marks)


def to_filters(searcher: Searcher, req: FilterParams) -> Filters | None:
    """Request filters as the engine's; an unknown document id is the caller's mistake (422)."""
    unknown = [d for d in req.doc if d not in searcher.store.rows.doc_ids]
    if unknown:
        raise InvalidQueryError(
            f"unknown document id(s): {', '.join(unknown)}; see GET /documents for the list"
        )
    filters = Filters(
        doc_ids=tuple(req.doc),
        year_from=req.year_from,
        year_to=req.year_to,
        kinds=tuple(req.kind),
        include_footnotes=req.include_footnotes,
        languages=tuple(req.lang),
    )
    return None if filters.is_empty() else filters


def run_search(searcher: Searcher, req: SearchRequest) -> SearchResponse:
    hits = searcher.search(req.q, k=req.k, mode=req.mode, filters=to_filters(searcher, req))
    marks = highlight.highlight_hits(searcher, req.q, hits, req.mode)
    return SearchResponse(
        query=req.q,
        mode=req.mode,
        k=req.k,
        index_version=searcher.store.version,
        results=[to_hit(h, m) for h, m in zip(hits, marks, strict=True)],
    )


@router.get("/search", response_model=SearchResponse)
def search_get(searcher: SearcherDep, params: Annotated[SearchRequest, Query()]) -> SearchResponse:
    """Search with query parameters; `doc` and `kind` may repeat."""
    return run_search(searcher, params)


@router.post("/search", response_model=SearchResponse)
def search_post(searcher: SearcherDep, body: SearchRequest) -> SearchResponse:
    """The same search with a JSON body."""
    return run_search(searcher, body)
