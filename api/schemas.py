"""The HTTP contract: request and response models, named by role."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from corpus.catalog import KINDS
from search.query import MAX_QUERY_CHARS

ModeName = Literal["dense", "lexical", "hybrid"]
KindName = Literal[KINDS]  # type: ignore[valid-type]
Query = Annotated[
    str,
    Field(
        min_length=1, max_length=MAX_QUERY_CHARS, description='Free text; "quoted" = exact phrase'
    ),
]


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: Query
    k: int = Field(10, ge=1, le=100, description="number of passages to return")
    mode: ModeName = "hybrid"
    doc: list[str] = Field(default_factory=list, description="only these document ids")
    year_from: int | None = Field(None, ge=1900, le=2200)
    year_to: int | None = Field(None, ge=1900, le=2200)
    kind: list[KindName] = Field(default_factory=list, description="only these document kinds")
    include_footnotes: bool = True

    @model_validator(mode="after")
    def _years_in_order(self) -> SearchRequest:
        if (
            self.year_from is not None
            and self.year_to is not None
            and self.year_from > self.year_to
        ):
            raise ValueError("year_from must not be after year_to")
        if not self.q.strip():
            raise ValueError("q must contain something to search for")
        return self


class Span(BaseModel):
    start: int
    end: int


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
    score: float
    citation: str = Field(description="ready to paste: title (place, year), section, page")
    is_footnote: bool
    char_start: int = Field(description="offset of the passage in the document's normalised text")
    char_end: int


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
    message: str
