"""POST /ask: an extractive answer with citations, or a reasoned refusal."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import SearcherDep
from api.routes.search import to_filters, to_hit
from api.schemas import AnswerSentenceOut, AskRequest, AskResponse, GeneratedAnswerOut
from cartagena.errors import InvalidQueryError
from search import generate
from search.answer import Answer, answer_question
from search.engine import Searcher

router = APIRouter(tags=["ask"])


def to_response(answer: Answer, req: AskRequest, version: str) -> AskResponse:
    sentences = [
        AnswerSentenceOut.model_validate(s, from_attributes=True) for s in answer.sentences
    ]
    return AskResponse(
        question=req.question,
        answered=answer.answered,
        answer=sentences or None,
        answer_text=answer.text,
        reason=answer.reason,
        missing=answer.missing,
        best_score=round(answer.best_score, 4),
        threshold=answer.threshold,
        mode=req.mode,
        index_version=version,
        passages=[to_hit(h) for h in answer.passages],
    )


def ask(searcher: Searcher, req: AskRequest) -> AskResponse:
    if req.mode == "generative" and not generate.enabled(searcher.settings):
        raise InvalidQueryError(
            "generative answers are off: set CARTAGENA_LLM_BASE_URL (and CARTAGENA_LLM_API_KEY, "
            "CARTAGENA_LLM_MODEL) to an OpenAI-compatible endpoint, or ask in extractive mode"
        )
    answer = answer_question(searcher, req.question, req.k, to_filters(searcher, req))
    response = to_response(answer, req, searcher.store.version)
    if req.mode == "generative" and answer.passages:
        made = generate.generate_answer(searcher.settings, req.question, answer.passages)
        response.generated = GeneratedAnswerOut.model_validate(made, from_attributes=True)
    return response


@router.post("/ask", response_model=AskResponse)
def ask_post(searcher: SearcherDep, body: AskRequest) -> AskResponse:
    """Answer a question from the documents: the sentences that answer it, each cited."""
    return ask(searcher, body)
