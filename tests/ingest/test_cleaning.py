"""Cleaning must never eat content: what header and footer removal takes is only the margins.

Each shared PDF has a twin in ``corpus/text`` (Markdown or plain text) written from the same
source; every paragraph of the twin must be found, word for word, in the parsed PDF.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from ingest.models import ParsedDocument
from ingest.pdf import parse_pdf
from tests.utils import pdfs
from tests.utils.shared import CONSULTATION, HEADERS, PLEDGE, TWINS

_LIST_MARKER = re.compile(r"^\s*(?:[-*+\u2022]|\(?\d{1,3}[.)])\s+", re.MULTILINE)
_MARKUP = [
    (re.compile(r"<sup>\s*[\w*]{1,3}\s*</sup>"), " "),  # footnote references and numbers
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"^\s*#{1,6}\s*", re.MULTILINE), ""),  # heading marks
    (re.compile(r"[*_`]"), ""),  # emphasis
]


def words(text: str) -> list[str]:
    """Comparable words: NFKC (ligatures), lower case, no punctuation, dashes or spacing."""
    return re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKC", text).lower())


def twin_paragraphs(text: str) -> list[tuple[str, list[str]]]:
    """(paragraph as written, its words) for every paragraph of a Markdown or text twin."""
    out = []
    for para in re.split(r"\n\s*\n", text):
        plain = para
        for pattern, repl in _MARKUP:
            plain = pattern.sub(repl, plain)
        plain = _LIST_MARKER.sub("", plain)  # "1." / "•": markup in one format, text in the other
        if words(plain):
            out.append((para.strip(), words(plain)))
    return out


def parsed_words(doc: ParsedDocument) -> str:
    """All words of the parsed document, list markers dropped, as one space-delimited string."""
    return " " + " ".join(w for b in doc.blocks for w in words(_LIST_MARKER.sub("", b.text))) + " "


@pytest.mark.parametrize("doc_id", [CONSULTATION, PLEDGE])
def test_every_paragraph_of_the_text_twin_is_in_the_parsed_pdf(
    parsed_pdfs: dict[str, ParsedDocument], text_dir: Path, doc_id: str
) -> None:
    paragraphs = twin_paragraphs((text_dir / TWINS[doc_id]).read_text(encoding="utf-8"))
    assert len(paragraphs) > 20, "the twin should have been split into paragraphs"
    haystack = parsed_words(parsed_pdfs[doc_id])
    missing = [para for para, ws in paragraphs if f" {' '.join(ws)} " not in haystack]
    assert not missing, f"{len(missing)} of {len(paragraphs)} paragraphs missing:\n" + "\n".join(
        f"  - {m[:200]!r}" for m in missing
    )


REPEATED = "Member states reaffirmed the principle of non-refoulement in every case."
HEADER = "Synthetic Report | Running header"


def _three_pages(repeated_on: tuple[int, ...]) -> list[list[tuple[float, str]]]:
    pages: list[list[tuple[float, str]]] = []
    for n in (1, 2, 3):
        lines = pdfs.paragraph(
            700,
            [
                f"Paragraph {n} opens page {n} of the synthetic report and explains",
                f"why page {n} matters, in two lines of ordinary body text.",
            ],
        )
        if n in repeated_on:
            lines += [(500, REPEATED)]  # the same sentence at the same height, mid-page
        pages.append(lines)
    return pages


@pytest.mark.parametrize("repeated_on", [(1, 2), (1, 2, 3)])
def test_body_text_repeated_on_several_pages_is_kept(
    tmp_path: Path, repeated_on: tuple[int, ...]
) -> None:
    path = pdfs.layout_pdf(tmp_path / "synthetic.pdf", _three_pages(repeated_on), header=HEADER)
    doc = parse_pdf(path)
    texts = [b.text for b in doc.blocks]
    # the running lines in the margins go ...
    assert not any("Running header" in t or "Page " in t for t in texts), texts
    # ... the body stays, the repeated sentence once per page it is printed on
    assert texts.count(REPEATED) == len(repeated_on), texts
    assert [b.page_start for b in doc.blocks if b.text == REPEATED] == [str(n) for n in repeated_on]
    for n in (1, 2, 3):
        assert any(t.startswith(f"Paragraph {n} opens page {n}") for t in texts), texts


TOP_LINES = (
    "Opening remarks were made by the host government delegation.",
    "Participants then turned to the protection of stateless persons.",
    "The closing session adopted the conclusions by consensus.",
)


def test_lines_in_the_margin_band_that_do_not_recur_are_kept(tmp_path: Path) -> None:
    """Position alone never makes a line a running header: the band also holds body text."""
    pages = [
        pdfs.paragraph(760, [top]) + pdfs.paragraph(400, [f"Body line number {n}."])
        for n, top in enumerate(TOP_LINES, start=1)
    ]
    path = pdfs.layout_pdf(tmp_path / "plain.pdf", pages, header=HEADER)
    texts = [b.text for b in parse_pdf(path).blocks]
    assert texts == [
        TOP_LINES[0],
        "Body line number 1.",
        TOP_LINES[1],
        "Body line number 2.",
        TOP_LINES[2],
        "Body line number 3.",
    ]


def test_numbered_lines_at_the_foot_of_a_short_document_are_body_text(tmp_path: Path) -> None:
    """Digits are masked to find "Page 3 of 12", but masking alone must not make two different
    numbered lines at the same height a running footer: in a three-page document two pages are
    already half of them."""
    pages = []
    for n, number in ((1, 4), (2, 9), (3, None)):
        lines = pdfs.paragraph(700, [f"Paragraph {n} opens page {n} and explains why it matters."])
        if number is not None:
            lines.append((60.0, f"Recommendation {number} was adopted by consensus."))
        pages.append(lines)
    path = pdfs.layout_pdf(tmp_path / "short.pdf", pages, header=HEADER)
    texts = [b.text for b in parse_pdf(path).blocks]
    assert "Recommendation 4 was adopted by consensus." in texts, texts
    assert "Recommendation 9 was adopted by consensus." in texts, texts
    # the real running lines still go
    assert not any("Running header" in t or "Page " in t for t in texts), texts


@pytest.mark.parametrize("doc_id", [CONSULTATION, PLEDGE])
def test_the_running_lines_taken_out_are_kept_aside(
    parsed_pdfs: dict[str, ParsedDocument], doc_id: str
) -> None:
    """Phrase search takes them out of a quote copied across a page break (search/phrases.py)."""
    furniture = parsed_pdfs[doc_id].furniture
    assert HEADERS[doc_id] in furniture
    assert any(re.fullmatch(r"Page \d+ of \d+", line) for line in furniture)
    text = "\n".join(b.text for b in parsed_pdfs[doc_id].blocks)
    assert not any(line in text for line in furniture)
