"""The HTTP contract: request and response models, named by role."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from corpus.catalog import KINDS, LANGUAGES
from search.query import MAX_QUERY_CHARS

ModeName = Literal["dense", "lexical", "hybrid"]
KindName = Literal[KINDS]  # type: ignore[valid-type]
LanguageName = Literal[LANGUAGES]  # type: ignore[valid-type]
# the schema says what validation checks: a query needs a letter or a digit somewhere
HAS_WORD = r"[^\W_]"
Query = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        pattern=HAS_WORD,
        description='Free text with at least one letter or digit; "quoted" = exact phrase',
    ),
]


class FilterParams(BaseModel):
    """The search filters, shared by requests that retrieve passages."""

    model_config = ConfigDict(extra="forbid")

    doc: list[str] = Field(default_factory=list, description="only these document ids")
    year_from: int | None = Field(None, ge=1900, le=2200)
    year_to: int | None = Field(None, ge=1900, le=2200)
    kind: list[KindName] = Field(default_factory=list, description="only these document kinds")
    include_footnotes: bool = True
    lang: list[LanguageName] = Field(
        default_factory=list, description="only documents in these languages (en, es, pt)"
    )

    @model_validator(mode="after")
    def _years_in_order(self) -> FilterParams:
        if (
            self.year_from is not None
            and self.year_to is not None
            and self.year_from > self.year_to
        ):
            raise ValueError("year_from must not be after year_to")
        return self


class SearchRequest(FilterParams):
    q: Query
    k: int = Field(10, ge=1, le=100, description="number of passages to return")
    mode: ModeName = "hybrid"


class Span(BaseModel):
    start: int = Field(description="character offset in the passage text")
    end: int
    kind: Literal["term", "phrase", "sentence", "shared"] = Field(
        "term",
        description="term/phrase: matched query words; sentence: the best-matching sentence; "
        "shared: wording shared with the source text (/similar)",
    )


class SearchHit(BaseModel):
    rank: int
    passage_id: str
    doc_id: str
    title: str
    year: int | None
    kind: str | None
    page_start: str | None = Field(description="printed page label where the PDF defines one")
    page_end: str | None
    section: str
    text: str
    score: float = Field(
        description="the ranking score of the mode; results follow it, except that a question "
        "asking for a date, number, place, name, duration or frequency lists first the "
        "passages that hold one (and, for 'which <noun>', a footnote listing them)"
    )
    citation: str = Field(description="ready to paste: title (place, year), section, page")
    is_footnote: bool
    char_start: int = Field(description="offset of the passage in the document's normalised text")
    char_end: int
    highlights: list[Span] = Field(default_factory=list, description="what matched, as offsets")
    language: str = Field("en", description="the document's language: en, es or pt")
    anchor: str = Field(
        "",
        description="for a footnote: the words its mark follows in the text that cites it "
        "(what the note is a note to); empty otherwise",
    )


class SearchResponse(BaseModel):
    query: str
    mode: ModeName
    k: int
    index_version: str
    results: list[SearchHit]


class DocumentSummary(BaseModel):
    doc_id: str
    title: str
    year: int | None
    kind: str | None
    language: str | None
    place: str | None
    source: str | None
    format: str
    n_pages: int
    n_passages: int


class PassageRef(BaseModel):
    passage_id: str
    page_start: str | None
    page_end: str | None
    section: str
    char_start: int
    char_end: int
    is_footnote: bool


class DocumentDetail(DocumentSummary):
    text: str = Field(description="the whole normalised text; passages index into it")
    passages: list[PassageRef]


class PassageDetail(SearchHit):
    previous_id: str | None
    next_id: str | None
    section_path: list[str]
    paragraph_index: int
    context: list[SearchHit] = Field(default_factory=list, description="neighbours, in order")


class Health(BaseModel):
    status: Literal["ok"]
    index_version: str
    documents: int
    passages: int
    manifest: dict


class ErrorBody(BaseModel):
    detail: str | list
    message: str = Field(description="what went wrong, readable as it is")


ERROR_DESCRIPTIONS = {
    401: "missing or wrong X-API-Key",
    403: "admin endpoints disabled (no key configured)",
    404: "unknown document or passage",
    409: "the change would leave an index that cannot be built",
    413: "upload larger than the configured limit",
    415: "upload that is neither PDF, Markdown nor text",
    422: "invalid request; `message` says which field and why",
    429: "rate limit exceeded",
    503: "no index to serve yet, or the request timed out",
}


def error_responses(*codes: int) -> dict[int | str, dict]:
    """OpenAPI entries for the error statuses a route can answer (all with ErrorBody)."""
    return {c: {"model": ErrorBody, "description": ERROR_DESCRIPTIONS[c]} for c in codes}


class SkippedFile(BaseModel):
    path: str
    reason: str


class BuildSummary(BaseModel):
    version: str
    documents: int
    passages: int
    embedded: int = Field(description="passages that went through the model (others: cache)")
    seconds: float
    skipped: list[SkippedFile]


class UploadResult(BaseModel):
    doc_id: str
    build: BuildSummary


class AskRequest(FilterParams):
    question: Query
    k: int = Field(5, ge=1, le=20, description="passages to draw the answer from")
    mode: Literal["extractive", "generative"] = Field(
        "extractive", description="generative needs CARTAGENA_LLM_BASE_URL; extractive never"
    )


class AnswerSentenceOut(BaseModel):
    text: str
    passage_id: str
    doc_id: str
    citation: str
    year: int | None
    start: int = Field(description="offset of the sentence in the passage text")
    end: int
    doc_start: int = Field(description="offset of the sentence in the document's text")
    doc_end: int
    score: float
    cosine: float
    overlap: float


class GeneratedAnswerOut(BaseModel):
    text: str | None
    model: str
    citations: list[str] = Field(description="passage ids cited that were retrieved")
    dropped_citations: list[str] = Field(
        description="ids cited that are not among the retrieved passages: removed from the text"
    )
    error: str | None = None


class AskResponse(BaseModel):
    question: str
    answered: bool
    answer: list[AnswerSentenceOut] | None = Field(
        description="the answering sentences in reading order, or null when nothing answers"
    )
    answer_text: str | None
    reason: str | None = Field(description="why there is no answer, when there is none")
    missing: list[str] = Field(
        default_factory=list,
        description="what a refusal found missing: terms, numbers or names the documents do not "
        'hold together, or the answer type asked for (e.g. "a number")',
    )
    best_score: float
    threshold: float
    language: str = Field(
        "en",
        description="the question's language as read (en, es, pt); answers are extracted for "
        "English questions only, others get the passages search finds",
    )
    mode: Literal["extractive", "generative"]
    generated: GeneratedAnswerOut | None = None
    index_version: str
    passages: list[SearchHit] = Field(description="the supporting passages, cited ones first")


class SimilarRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        min_length=1, max_length=10_000, pattern=HAS_WORD, description="a draft formulation"
    )
    k: int = Field(10, ge=1, le=50)


class SimilarHitOut(SearchHit):
    match: Literal["reuse", "semantic"] = Field(
        description="reuse: near-verbatim shared wording; semantic: close in meaning"
    )
    reuse: float = Field(description="share of the source's word trigrams found here (0..1)")
    cosine: float = Field(
        description="meaning: best cosine of the passage or a run of its sentences to the text"
    )
    wording: float = Field(
        description="weighted F1 of the content words shared with the text (0..1); "
        "score = (1 - w) * cosine + w * wording ranks the results"
    )
    longest_shared_words: int
    shared: list[Span] = Field(description="shared phrases, as offsets in this passage's text")


class SimilarResponse(BaseModel):
    source_passage_id: str | None
    text: str
    k: int
    index_version: str
    results: list[SimilarHitOut]
