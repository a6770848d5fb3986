"""PDF parsing on the real shared PDFs: ligatures, running headers and footers, footnotes."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest

from cartagena.errors import DocumentParseError
from ingest.models import ParsedDocument
from ingest.parse import parse_file
from tests.utils import pdfs
from tests.utils.shared import CONSULTATION, DOC_IDS, HEADERS, LIGATURES, PAGE_LINE, PLEDGE

# Footnotes of the consultation, by number: the page they are printed on and how they start.
FOOTNOTES = {
    "1": ("1", "Representatives of GAR-PAC"),
    "2": ("1", "Intendency of Montevideo"),
    "3": ("1", "From Brazil, ACCOR and Foundever"),
    "4": ("2", "The Resident Coordinator of the United Nations System in Brazil"),
    "5": ("2", "PDD, ICRC, IFRC"),
    "6": ("2", "World Bank, IMF, CAF"),
    "7": ("2", "IACHR, CLARCIEV"),
    "8": ("2", "Canada, European Union, Germany"),
}
# A footnote reference glued to the word before it, as plain extraction gives "persons)1".
GLUED_MARKER = re.compile(r"[A-Za-z)\]][1-8]\b")


def raw_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def body_text(doc: ParsedDocument) -> str:
    return "\n".join(b.text for b in doc.blocks if b.kind != "footnote")


def test_the_shared_pdfs_have_the_defects_the_parser_removes(pdf_dir: Path) -> None:
    """Guards the tests below against a corpus change that would make them pass vacuously."""
    consultation = raw_text(pdf_dir / f"{CONSULTATION}.pdf")
    pledge = raw_text(pdf_dir / f"{PLEDGE}.pdf")
    assert any(c in consultation for c in LIGATURES)
    assert any(c in pledge for c in LIGATURES)
    assert consultation.count(HEADERS[CONSULTATION]) == 12
    assert pledge.count(HEADERS[PLEDGE]) == 3
    assert "Page 12 of 12" in consultation and "Page 3 of 3" in pledge
    assert "persons)1" in consultation


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_ligatures_are_folded(parsed_pdfs: dict[str, ParsedDocument], doc_id: str) -> None:
    doc = parsed_pdfs[doc_id]
    bad = [b.text for b in doc.blocks if any(c in b.text for c in LIGATURES)]
    assert not bad, f"ligatures left in {len(bad)} blocks, e.g. {bad[0][:120]!r}"
    assert "reunification" in " ".join(b.text for b in doc.blocks)


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_no_running_header_or_page_line_is_left(
    parsed_pdfs: dict[str, ParsedDocument], doc_id: str
) -> None:
    header = HEADERS[doc_id]
    for block in parsed_pdfs[doc_id].blocks:
        assert header not in block.text, f"running header in {block.kind}: {block.text[:120]!r}"
        assert " | " not in block.text, f"part of a running header: {block.text[:120]!r}"
        assert not PAGE_LINE.search(block.text), f"page line in: {block.text[:120]!r}"


def test_pages_are_the_printed_pages(parsed_pdfs: dict[str, ParsedDocument]) -> None:
    for doc_id, n_pages in ((CONSULTATION, 12), (PLEDGE, 3)):
        doc = parsed_pdfs[doc_id]
        assert doc.n_pages == n_pages
        seen = {b.page_start for b in doc.blocks} | {b.page_end for b in doc.blocks}
        assert seen == {str(n) for n in range(1, n_pages + 1)}


def test_footnotes_are_separate_blocks_with_their_number_and_page(
    parsed_pdfs: dict[str, ParsedDocument],
) -> None:
    doc = parsed_pdfs[CONSULTATION]
    notes = {b.footnote: b for b in doc.blocks if b.kind == "footnote"}
    assert sorted(notes) == sorted(FOOTNOTES)
    for number, (page, opening) in FOOTNOTES.items():
        assert notes[number].text.startswith(opening), (number, notes[number].text)
        assert notes[number].page_start == page, (number, notes[number].page_start)
    assert all(b.footnote is None for b in doc.blocks if b.kind != "footnote")
    assert not any(b.kind == "footnote" for b in parsed_pdfs[PLEDGE].blocks)


def test_body_text_holds_no_footnote_text_and_no_glued_markers(
    parsed_pdfs: dict[str, ParsedDocument],
) -> None:
    doc = parsed_pdfs[CONSULTATION]
    body = body_text(doc)
    for _page, opening in FOOTNOTES.values():
        assert opening not in body, f"footnote text in the body: {opening!r}"
    glued = [body[max(0, m.start() - 30) : m.end()] for m in GLUED_MARKER.finditer(body)]
    assert not glued, f"footnote markers glued to words: {glued}"
    # the sentences that carried the markers are still whole
    assert "Civil Society Organizations (five persons), two Municipalities" in body
    assert "Private Sector (five representatives) as well as eleven" in body
    assert "the presence of ten cooperating countries was noted." in body


def test_a_paragraph_broken_by_footnotes_and_a_page_is_one_block(
    parsed_pdfs: dict[str, ParsedDocument],
) -> None:
    """Page 1 ends mid-sentence, footnotes 1-3 follow, page 2 opens with footnotes 4-8."""
    blocks = [b for b in parsed_pdfs[CONSULTATION].blocks if b.kind != "footnote"]
    block = next(b for b in blocks if b.text.startswith("During this Consultation"))
    assert "social cohesion between displaced persons and host communities" in block.text
    assert (block.page_start, block.page_end) == ("1", "2")


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("truncated", "unreadable PDF|damaged PDF"),
        ("random", "not a PDF"),
        ("empty", "empty file"),
        ("encrypted", "encrypted PDF"),
        ("blank", "no extractable text"),
    ],
)
def test_unusable_pdfs_raise_a_parse_error_with_a_reason(
    tmp_path: Path, pdf_dir: Path, kind: str, reason: str
) -> None:
    broken = pdfs.broken_pdfs(tmp_path, pdf_dir / f"{PLEDGE}.pdf")
    with pytest.raises(DocumentParseError, match=reason):
        parse_file(broken[kind])
