"""Documents and passages: what the index holds, and a passage read in its context."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SearcherDep
from api.schemas import DocumentDetail, DocumentSummary, PassageDetail, PassageRef
from api.views import to_hit
from service import queries as usecases

router = APIRouter(tags=["documents"])


@router.get("/documents", response_model=list[DocumentSummary])
def list_documents(searcher: SearcherDep) -> list[DocumentSummary]:
    return [
        DocumentSummary.model_validate(d, from_attributes=True)
        for d in usecases.documents(searcher)
    ]


@router.get("/documents/{doc_id}", response_model=DocumentDetail)
def get_document(doc_id: str, searcher: SearcherDep) -> DocumentDetail:
    doc, text, passages = usecases.document(searcher, doc_id)
    return DocumentDetail(
        **DocumentSummary.model_validate(doc, from_attributes=True).model_dump(),
        text=text,
        passages=[PassageRef.model_validate(h, from_attributes=True) for h in passages],
    )


@router.get("/passages/{passage_id}", response_model=PassageDetail)
def get_passage(
    passage_id: str,
    searcher: SearcherDep,
    context: Annotated[int, Query(ge=0, le=20, description="neighbours each side")] = 0,
) -> PassageDetail:
    view, around = usecases.passage(searcher, passage_id, context)
    return PassageDetail(
        **to_hit(view.hit).model_dump(),
        previous_id=view.previous_id,
        next_id=view.next_id,
        section_path=view.section_path,
        paragraph_index=view.paragraph_index,
        context=[to_hit(h) for h in around],
    )
