"""Precedent finder: POST /similar (a draft) and GET /passages/{id}/similar (a stored passage)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SearcherDep
from api.schemas import SimilarRequest, SimilarResponse
from api.views import similar_response
from service import queries as usecases

router = APIRouter(tags=["similar"])


@router.post("/similar", response_model=SimilarResponse)
def similar_text(searcher: SearcherDep, body: SimilarRequest) -> SimilarResponse:
    """Passages whose wording is closest to a draft: near-verbatim reuse first, then meaning."""
    result = usecases.similar_to_text(searcher, body.text, body.k)
    return similar_response(result, body.k, body.text)


@router.get("/passages/{passage_id}/similar", response_model=SimilarResponse)
def similar_passage(
    passage_id: str,
    searcher: SearcherDep,
    k: Annotated[int, Query(ge=1, le=50, description="number of passages")] = 10,
) -> SimilarResponse:
    """Passages in all documents worded like this one (itself and its overlapping chunks left
    out)."""
    source, result = usecases.similar_to_stored(searcher, passage_id, k)
    return similar_response(result, k, source.text, passage_id)
