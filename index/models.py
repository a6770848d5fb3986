"""The index's records: what a passage and a document are once indexed, what a search may
filter on, and what the reader returns. Ingest writes these, search and the API read them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceFile:
    """What the index records of the file a document came from. Ingest passes its parsed
    documents (which carry these fields); corpora that arrive already cut into passages (BEIR
    datasets) pass this."""

    path: str
    format: str
    n_pages: int = 0


@dataclass
class Passage:
    passage_id: str
    doc_id: str
    ordinal: int
    text: str
    section: str
    section_path: list[str]
    page_start: str | None
    page_end: str | None
    paragraph_index: int
    char_start: int
    char_end: int
    is_footnote: bool = False
    footnote: str | None = None
    citation: str = ""
    embed_text: str = ""
    # a footnote's anchor: the words its mark follows in the text that cites it
    # (ingest/footnotes.py); embedded and BM25-indexed with the note, never part of its text
    anchor: str = ""


@dataclass
class ChunkedDocument:
    """A document's normalised text and the passages cut from it (offsets index into ``text``)."""

    doc_id: str
    text: str
    passages: list[Passage] = field(default_factory=list)
    # running headers, footers and page lines its pages carried, which ``text`` does not
    furniture: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Filters:
    doc_ids: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    kinds: tuple[str, ...] = ()
    include_footnotes: bool = True
    # document languages (en, es, pt); empty: all
    languages: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return (
            not self.doc_ids
            and self.year_from is None
            and self.year_to is None
            and not self.kinds
            and self.include_footnotes
            and not self.languages
        )


@dataclass
class Hit:
    passage_id: str
    doc_id: str
    title: str
    year: int | None
    kind: str | None
    page_start: str | None
    page_end: str | None
    section: str
    text: str
    score: float
    citation: str
    is_footnote: bool
    char_start: int
    char_end: int
    rank: int = 0
    highlights: list[tuple[int, int]] = field(default_factory=list)
    # the document's language: a passage keeps it (stemming, highlights, citation words)
    language: str = "en"
    # for a footnote, the words its mark follows in the text that cites it (index.models.Passage)
    anchor: str = ""


@dataclass
class Document:
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


@dataclass
class PassageView:
    hit: Hit
    previous_id: str | None
    next_id: str | None
    section_path: list[str]
    paragraph_index: int
