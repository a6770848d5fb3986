"""POST /ask: an extractive answer with citations, or a reasoned refusal."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import SearcherDep
from api.schemas import AskRequest, AskResponse
from api.views import ask_response, filters_of
from service import queries as usecases

router = APIRouter(tags=["ask"])


@router.post("/ask", response_model=AskResponse)
def ask_post(searcher: SearcherDep, body: AskRequest) -> AskResponse:
    """Answer a question from the documents: the sentences that answer it, each cited."""
    result = usecases.ask(searcher, body.question, body.k, filters_of(body), body.mode)
    return ask_response(result, body)
