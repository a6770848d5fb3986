"""Precedent finder: POST /similar (a draft) and GET /passages/{id}/similar (a stored passage)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SearcherDep
from api.routes.search import to_hit
from api.schemas import SimilarHitOut, SimilarRequest, SimilarResponse, Span
from search.similar import SimilarHit, find_similar, similar_to_passage

router = APIRouter(tags=["similar"])


def to_similar(s: SimilarHit) -> SimilarHitOut:
    shared = [Span(start=a, end=b, kind="shared") for a, b in s.shared]
    base = to_hit(s.hit).model_dump(exclude={"highlights"})
    return SimilarHitOut(
        **base,
        highlights=shared,
        match=s.match,
        reuse=s.reuse,
        cosine=s.cosine,
        wording=s.wording,
        longest_shared_words=s.longest_shared_words,
        shared=shared,
    )


@router.post("/similar", response_model=SimilarResponse)
def similar_text(searcher: SearcherDep, body: SimilarRequest) -> SimilarResponse:
    """Passages whose wording is closest to a draft: near-verbatim reuse first, then meaning."""
    found = find_similar(searcher, body.text, body.k)
    return SimilarResponse(
        source_passage_id=None,
        text=body.text,
        k=body.k,
        index_version=searcher.store.version,
        results=[to_similar(s) for s in found],
    )


@router.get("/passages/{passage_id}/similar", response_model=SimilarResponse)
def similar_passage(
    passage_id: str,
    searcher: SearcherDep,
    k: Annotated[int, Query(ge=1, le=50, description="number of passages")] = 10,
) -> SimilarResponse:
    """Passages in all documents worded like this one (itself and its overlapping chunks left
    out)."""
    source = searcher.store.passage(passage_id).hit
    found = similar_to_passage(searcher, passage_id, k)
    return SimilarResponse(
        source_passage_id=passage_id,
        text=source.text,
        k=k,
        index_version=searcher.store.version,
        results=[to_similar(s) for s in found],
    )
