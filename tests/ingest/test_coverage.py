"""No text is lost on the way from a file to passages.

Three checks, each on the real shared corpus: pypdf's raw words are all in the normalised
document text (cleaning takes only running headers, page lines and footnote marks); every
non-space character of the normalised text lies in a passage or in a heading a passage carries
(the coverage invariant ingest itself checks); and every sentence of a document's text twin is
found by exact-phrase search in the index built from its PDF.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pypdf
import pytest

from cartagena.settings import Settings
from corpus.catalog import load_catalog, metadata_for
from embedding.base import Embedder
from index.models import ChunkedDocument, Filters
from ingest.chunk import ChunkConfig, _locate, chunk_document
from ingest.coverage import LostRun, Span, document_lost_runs, lost_runs
from ingest.models import Block
from ingest.parse import parse_file
from ingest.pdf import parse_pdf
from ingest.structure import demote_empty_headings
from search.engine import Searcher
from tests.utils import pdfs
from tests.utils.shared import CONSULTATION, DOC_IDS, PLEDGE, TWINS, BuiltIndex

_TOKEN = re.compile(r"[^\W\d_]+|\d+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).lower())


def chunked(path: Path, settings: Settings, embedder: Embedder) -> ChunkedDocument:
    """One file parsed and cut exactly as ``build_index`` does it."""
    doc = parse_file(path)
    meta = metadata_for(doc.doc_id, load_catalog(), doc.file_title)
    config = ChunkConfig(
        max_tokens=settings.chunk_tokens,
        overlap_tokens=settings.chunk_overlap_tokens,
        min_chars=settings.min_passage_chars,
        embed_prefix=settings.embed_prefix,
        model_max_tokens=embedder.max_tokens,
    )
    return chunk_document(doc, meta, embedder.count_tokens, config)


# -- coverage.py on hand-made text --------------------------------------------------------------

TEXT = "Heading\n\nFirst paragraph, kept.\n\nSecond paragraph; its end is lost.\n\nClosing"


def test_a_run_no_passage_holds_is_reported_with_its_offsets() -> None:
    first = TEXT.index("First")
    second = TEXT.index("Second")
    cut = TEXT.index(" its end")
    spans = [Span(first, first + 22, "First paragraph, kept."), Span(second, cut, TEXT[second:cut])]
    runs = lost_runs("doc", TEXT, spans, headings={"Heading"})
    assert runs == [
        LostRun("doc", cut + 1, TEXT.index("\n\nClosing"), "its end is lost."),
        LostRun("doc", len(TEXT) - len("Closing"), len(TEXT), "Closing"),
    ]
    assert all(TEXT[r.start : r.end] == r.text for r in runs)


def test_a_heading_counts_only_when_a_passage_carries_it() -> None:
    spans = [Span(TEXT.index("First"), len(TEXT), TEXT[TEXT.index("First") :])]
    assert lost_runs("doc", TEXT, spans, headings={"Heading"}) == []
    assert lost_runs("doc", TEXT, spans, headings=()) == [LostRun("doc", 0, 7, "Heading")]


def test_a_passage_whose_offsets_point_elsewhere_covers_nothing() -> None:
    """The failure that lost the ILO priorities: a piece put one character before its text."""
    text = "alpha beta; gamma delta."
    misplaced = [Span(0, 11, "alpha beta;"), Span(11, 23, "gamma delta.")]
    assert lost_runs("d", text, misplaced) == [LostRun("d", 12, 24, "gamma delta.")]
    placed = [Span(0, 11, "alpha beta;"), Span(12, 24, "gamma delta.")]
    assert lost_runs("d", text, placed) == []


def test_pieces_are_located_after_the_previous_piece_and_cover_the_span() -> None:
    span = "one two; three four; five six; seven eight."
    pieces = ["one two; three four;", "three four; five six;", "seven eight."]
    assert _locate(span, pieces) == [(0, 20), (9, 30), (31, 43)]
    # a piece the splitter rewrote (not verbatim): the next one is widened over its text
    assert _locate(span, ["one two;", "three  four;", "five six; seven eight."]) == [
        (0, 8),
        (9, 43),
    ]


def test_a_heading_with_nothing_under_it_becomes_a_paragraph() -> None:
    blocks = [
        Block("heading", "Leadership", level=1),
        Block("paragraph", "Government of Chile"),
        Block("heading", "Contact details", level=1),
        Block("heading", "Secretariat: someone@example.org", level=1),
        Block("heading", "Calendar", level=1),
        Block("item", "July 2025: First meeting."),
        Block("heading", "Annex", level=1),
        Block("footnote", "1 A note.", footnote="1"),
    ]
    kinds = [(b.kind, b.text) for b in demote_empty_headings(blocks)]
    assert kinds == [
        ("heading", "Leadership"),
        ("paragraph", "Government of Chile"),
        ("heading", "Contact details"),  # now heads the line below it
        ("paragraph", "Secretariat: someone@example.org"),
        ("heading", "Calendar"),
        ("item", "July 2025: First meeting."),
        ("paragraph", "Annex"),  # closes the document: nothing under it
        ("footnote", "1 A note."),
    ]
    # a heading followed by a deeper one is carried by the deeper one's passages
    nested = [Block("heading", "Part", level=1), Block("heading", "Sub", level=2)]
    nested.append(Block("paragraph", "Body."))
    assert [b.kind for b in demote_empty_headings(nested)] == ["heading", "heading", "paragraph"]


# -- the shared corpus --------------------------------------------------------------------------


def raw_pages(path: Path) -> list[list[str]]:
    return [page.extract_text().splitlines() for page in pypdf.PdfReader(path).pages]


def _masked(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_every_raw_pdf_word_is_in_the_normalised_text(
    pdf_dir: Path, settings: Settings, embedder: Embedder, doc_id: str
) -> None:
    """What pypdf extracts, word for word (as a multiset), is in the document text, except:

    - lines that recur, digits masked, on every page: the running header and "Page N of M";
    - footnote numbers, once per footnote and once per reference the parser recognised by its
      superscript ("persons)1"): a mark is not wording.
    """
    path = pdf_dir / f"{doc_id}.pdf"
    pages = raw_pages(path)
    running = set.intersection(*({_masked(ln) for ln in lines} for lines in pages))
    assert len(running) == 2, running  # the header and the page line, nothing else
    kept = [ln for lines in pages for ln in lines if _masked(ln) not in running]
    need = Counter(t for ln in kept for t in tokens(ln))
    parsed = parse_file(path)
    marks = Counter([b.footnote for b in parsed.blocks if b.footnote])
    marks.update(r for b in parsed.blocks for r in b.refs)
    have = Counter(tokens(chunked(path, settings, embedder).text))
    lost = {w: n - have[w] for w, n in need.items() if n > have[w] + marks[w]}
    assert not lost, f"words pypdf extracts but the normalised text lacks: {lost}"
    assert sum(need.values()) > 800


@pytest.mark.parametrize("name", [f"{d}.pdf" for d in DOC_IDS] + [TWINS[d] for d in DOC_IDS])
def test_no_text_is_lost_between_the_document_and_its_passages(
    pdf_dir: Path, text_dir: Path, settings: Settings, embedder: Embedder, name: str
) -> None:
    path = (pdf_dir if name.endswith(".pdf") else text_dir) / name
    doc = chunked(path, settings, embedder)
    assert len(doc.passages) > 10
    assert document_lost_runs(doc) == []
    lengths = sorted(len(p.text) for p in doc.passages)
    assert lengths[len(lengths) // 2] <= 1000, "coverage must not come from giant passages"


def test_the_closing_blocks_once_lost_are_in_passages(
    pdf_dir: Path, settings: Settings, embedder: Embedder
) -> None:
    consultation = chunked(pdf_dir / f"{CONSULTATION}.pdf", settings, embedder)
    pledge = chunked(pdf_dir / f"{PLEDGE}.pdf", settings, embedder)
    for doc, wording in [
        (consultation, "company or union-supported childcare to enhance women's inclusion"),
        (consultation, "7) fostering equitable hiring policies."),
        (pledge, "C+40 Secretariat:"),
        (pledge, "Contact details / Contacto"),
    ]:
        holders = [p for p in doc.passages if wording in p.text or wording in p.section_path]
        assert holders, wording
        for p in holders:
            assert doc.text[p.char_start : p.char_end] == p.text


@pytest.mark.slow
def test_the_session_build_reports_no_lost_run(built_index: BuiltIndex) -> None:
    assert built_index.report.lost == []


# -- across formats -----------------------------------------------------------------------------

_MARKUP = [
    (re.compile(r"<sup>\s*[\w*]{1,3}\s*</sup>"), " "),  # footnote references
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"^\s*#{1,6}\s*", re.MULTILINE), ""),  # heading marks
    (re.compile(r"^\s*(?:[-*+\u2022]|\d{1,3}[.)])\s+", re.MULTILINE), ""),  # list marks
    (re.compile(r"(\*\*|__|[*_`])"), ""),  # emphasis
]
# a sentence ends at . ! ? followed by a space and a capital, an opening quote or bracket
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\u00c0-\u00dd\"\u201c(])")


_ITEM_START = re.compile(r"\n(?=\s*(?:[-*+\u2022]|\d{1,3}[.)])\s)")


def twin_blocks(text: str) -> list[str]:
    """Blocks (paragraphs, list items, headings) of a Markdown or text twin, markup stripped."""
    out = []
    for block in re.split(r"\n\s*\n", text):
        for unit in _ITEM_START.split(block):  # each list item is a block of its own
            plain = unit
            for pattern, repl in _MARKUP:
                plain = pattern.sub(repl, plain)
            if tokens(plain):
                out.append(" ".join(plain.split()))
    return out


def found(searcher: Searcher, doc_id: str, phrase: str) -> bool:
    quoted = phrase.replace('"', " ")
    hits = searcher.search(f'"{quoted}"', k=1, mode="lexical", filters=Filters(doc_ids=(doc_id,)))
    return bool(hits)


@pytest.mark.slow
@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_every_sentence_of_the_text_twin_is_found_by_phrase_search_in_the_pdf_index(
    searcher: Searcher, text_dir: Path, doc_id: str
) -> None:
    """The index is built from the PDFs; the sentences come from the Markdown / text twin.

    Each is found whole: a heading (carried by the section path of the passages beneath it)
    and a sentence longer than a passage's token budget (the ILO's one-sentence list of seven
    priorities, cut between two passages) included, since phrases are matched on the
    document's text wherever passage boundaries fall (search/phrases.py)."""
    blocks = twin_blocks((text_dir / TWINS[doc_id]).read_text(encoding="utf-8"))
    sentences = [s for b in blocks for s in _SENTENCE_END.split(b) if tokens(s)]
    assert len(sentences) > 25
    missing = [s for s in sentences if not found(searcher, doc_id, s)]
    assert not missing, f"{len(missing)} of {len(sentences)} sentences not found:\n" + "\n".join(
        f"  - {m[:160]!r}" for m in missing
    )


# -- numbered items inside a paragraph ----------------------------------------------------------

ENUMERATION = [
    "The ILO stressed the following priorities: 1) sharing practices; 5) investing in",
    "public services, avoiding parallel systems;",
    "6) supporting inclusive public systems, such as union-supported childcare; 7) fostering",
    "equitable hiring policies.",
]


def test_a_numbered_marker_wrapped_inside_a_paragraph_does_not_start_an_item(
    tmp_path: Path,
) -> None:
    """As in CommonMark, only a list's first marker (1, a) may interrupt a paragraph; a list
    that is already open takes every marker as its next item."""
    whole = " ".join(ENUMERATION)
    pdf = pdfs.layout_pdf(tmp_path / "enum.pdf", [pdfs.paragraph(700, ENUMERATION)])
    assert [(b.kind, b.text) for b in parse_pdf(pdf).blocks] == [("paragraph", whole)]
    md = tmp_path / "enum.md"
    md.write_text("\n".join(ENUMERATION) + "\n\n1. first item\n2. second item\n")
    txt = tmp_path / "enum.txt"
    txt.write_text("\n".join(ENUMERATION) + "\n\n1. first item\n2. second item\n")
    for path in (md, txt):
        assert [(b.kind, b.text) for b in parse_file(path).blocks] == [
            ("paragraph", whole),
            ("item", "1. first item"),
            ("item", "2. second item"),
        ], path


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["lexical", "hybrid"])
def test_a_phrase_quoted_from_a_heading_finds_the_passages_beneath_it(
    searcher: Searcher, mode: str
) -> None:
    """A heading with passages under it is carried in their section, not in their text; the
    phrase path looks there too."""
    heading = "Discussion Panel - World Bank (WB), International Labour Organization (ILO)"
    beneath = [
        p
        for p in searcher.store.document_passages(CONSULTATION)
        if any(h.startswith(heading) for h in p.section.split(" > "))
    ]
    assert beneath and not any("Discussion Panel" in p.text for p in beneath)
    hits = searcher.search('"Discussion Panel"', k=50, mode=mode)
    assert {h.passage_id for h in hits} == {p.passage_id for p in beneath}
    # a heading followed by the first words of its text is wording of the document too:
    # it finds the passage that text opens
    hits = searcher.search('"ACCOR (Brazil) According to studies"', k=5, mode=mode)
    assert [h.text.startswith("According to studies") for h in hits] == [True]
