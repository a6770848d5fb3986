"""GET and POST /search: ranked, cited passages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SearcherDep
from api.schemas import SearchRequest, SearchResponse
from api.views import filters_of, search_response
from search.engine import Searcher
from service import queries as usecases

router = APIRouter(tags=["search"])


def run_search(searcher: Searcher, req: SearchRequest) -> SearchResponse:
    result = usecases.search(searcher, req.q, req.k, req.mode, filters_of(req))
    return search_response(result, req)


@router.get("/search", response_model=SearchResponse)
def search_get(searcher: SearcherDep, params: Annotated[SearchRequest, Query()]) -> SearchResponse:
    """Search with query parameters; `doc` and `kind` may repeat."""
    return run_search(searcher, params)


@router.post("/search", response_model=SearchResponse)
def search_post(searcher: SearcherDep, body: SearchRequest) -> SearchResponse:
    """The same search with a JSON body."""
    return run_search(searcher, body)
