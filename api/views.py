"""Domain results (``service.queries``) as the API's response models (``api/schemas.py``):
the one place that maps one onto the other, for the API routes and the web page alike."""

from __future__ import annotations

from api.schemas import (
    AnswerSentenceOut,
    AskRequest,
    AskResponse,
    FilterParams,
    GeneratedAnswerOut,
    SearchHit,
    SearchRequest,
    SearchResponse,
    SimilarHitOut,
    SimilarResponse,
    Span,
)
from index.models import Filters, Hit
from search import highlight
from search.similar import SimilarHit
from service.queries import AskResult, SearchResult, SimilarResult


def filters_of(req: FilterParams) -> Filters:
    """The request's filter fields as the engine's filters."""
    return Filters(
        doc_ids=tuple(req.doc),
        year_from=req.year_from,
        year_to=req.year_to,
        kinds=tuple(req.kind),
        include_footnotes=req.include_footnotes,
        languages=tuple(req.lang),
    )


def to_hit(hit: Hit, spans: list[highlight.Span] | None = None) -> SearchHit:
    """The API view of a hit; ``spans`` (with their kinds) override ``hit.highlights``."""
    fields = {name: getattr(hit, name) for name in SearchHit.model_fields if name != "highlights"}
    marks = (
        [Span(start=s.start, end=s.end, kind=s.kind) for s in spans]
        if spans is not None
        else [Span(start=a, end=b) for a, b in hit.highlights]
    )
    return SearchHit(**fields, highlights=marks)


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


def similar_response(
    result: SimilarResult, k: int, text: str, source_passage_id: str | None = None
) -> SimilarResponse:
    return SimilarResponse(
        source_passage_id=source_passage_id,
        text=text,
        k=k,
        index_version=result.index_version,
        results=[to_similar(s) for s in result.hits],
    )


def ask_response(result: AskResult, req: AskRequest) -> AskResponse:
    answer = result.answer
    sentences = [
        AnswerSentenceOut.model_validate(s, from_attributes=True) for s in answer.sentences
    ]
    response = AskResponse(
        question=req.question,
        answered=answer.answered,
        answer=sentences or None,
        answer_text=answer.text,
        reason=answer.reason,
        missing=answer.missing,
        best_score=round(answer.best_score, 4),
        threshold=answer.threshold,
        language=answer.language,
        mode=req.mode,
        index_version=result.index_version,
        passages=[to_hit(h) for h in answer.passages],
    )
    if result.generated is not None:
        response.generated = GeneratedAnswerOut.model_validate(
            result.generated, from_attributes=True
        )
    return response


def search_response(result: SearchResult, req: SearchRequest) -> SearchResponse:
    return SearchResponse(
        query=req.q,
        mode=req.mode,
        k=req.k,
        index_version=result.index_version,
        results=[to_hit(h, m) for h, m in zip(result.hits, result.marks, strict=True)],
    )
