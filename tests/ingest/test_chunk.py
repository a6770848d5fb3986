"""Passages as indexed from the shared PDFs: where each is cited, and that nothing leaked in."""

from __future__ import annotations

import pytest

from index.models import Hit
from search.engine import Searcher
from tests.utils.shared import (
    CONSULTATION,
    DOC_IDS,
    FAMILY_REUNIFICATION,
    HEADERS,
    LABOR_VISA,
    LIGATURES,
    PAGE_LINE,
    PLEDGE,
)

pytestmark = pytest.mark.slow

PRIVATE_SPONSORSHIP = "Consider private sponsorship as a means to reduce the cost of resettlement"


@pytest.fixture(scope="module")
def passages(searcher: Searcher) -> dict[str, list[Hit]]:
    return {doc_id: searcher.store.document_passages(doc_id) for doc_id in DOC_IDS}


def only(passages: list[Hit], needle: str) -> Hit:
    found = [p for p in passages if needle in p.text]
    assert len(found) == 1, f"{len(found)} passages contain {needle!r}"
    return found[0]


def test_both_documents_are_cut_into_passages(passages: dict[str, list[Hit]]) -> None:
    assert len(passages[CONSULTATION]) > 50
    assert len(passages[PLEDGE]) > 10
    for doc_passages in passages.values():
        ids = [p.passage_id for p in doc_passages]
        assert len(set(ids)) == len(ids)
        assert all(p.text.strip() for p in doc_passages)


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_no_passage_holds_a_running_header_a_page_line_or_a_ligature(
    passages: dict[str, list[Hit]], doc_id: str
) -> None:
    for p in passages[doc_id]:
        assert HEADERS[doc_id] not in p.text, p.passage_id
        assert " | " not in p.text, (p.passage_id, p.text[:120])
        assert not PAGE_LINE.search(p.text), (p.passage_id, p.text[:120])
        assert not any(c in p.text for c in LIGATURES), p.passage_id


def test_family_reunification_recommendation_is_cited_to_segment_iii_page_9(
    passages: dict[str, list[Hit]],
) -> None:
    p = only(passages[CONSULTATION], FAMILY_REUNIFICATION)
    assert p.doc_id == CONSULTATION
    assert (p.page_start, p.page_end) == ("9", "9")
    assert p.section.startswith("V. SEGMENT III"), p.section
    assert "V. Segment III" in p.citation and "p. 9" in p.citation, p.citation
    assert not p.is_footnote


def test_private_sponsorship_is_on_page_9(passages: dict[str, list[Hit]]) -> None:
    p = only(passages[CONSULTATION], PRIVATE_SPONSORSHIP)
    assert (p.page_start, p.page_end) == ("9", "9")
    assert p.section.startswith("V. SEGMENT III")
    assert "p. 9" in p.citation


def test_a_passage_across_a_page_break_spans_both_pages(passages: dict[str, list[Hit]]) -> None:
    p = only(passages[CONSULTATION], LABOR_VISA)
    assert (p.page_start, p.page_end) == ("9", "10")
    assert "pp. 9-10" in p.citation, p.citation
    # the sentence that crosses the page break is whole, without a header or page line in it
    assert "Although initially designed for migrants" in p.text


def test_footnotes_are_their_own_passages_with_number_and_page(
    passages: dict[str, list[Hit]],
) -> None:
    notes = {p.citation.rsplit("n. ", 1)[-1]: p for p in passages[CONSULTATION] if p.is_footnote}
    assert sorted(notes, key=int) == [str(n) for n in range(1, 9)]
    eighth = only(passages[CONSULTATION], "Canada, European Union, Germany")
    assert eighth.is_footnote
    assert (eighth.page_start, eighth.page_end) == ("2", "2")
    assert eighth.citation.endswith("p. 2, n. 8"), eighth.citation
    first = only(passages[CONSULTATION], "Representatives of GAR-PAC")
    assert first.is_footnote and first.page_start == "1"
    for p in passages[CONSULTATION]:
        if not p.is_footnote:
            assert "Representatives of GAR-PAC" not in p.text, p.passage_id
            assert "Canada, European Union, Germany" not in p.text, p.passage_id


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_offsets_index_the_document_text(
    searcher: Searcher, passages: dict[str, list[Hit]], doc_id: str
) -> None:
    _doc, text = searcher.store.document(doc_id)
    for p in passages[doc_id]:
        assert 0 <= p.char_start < p.char_end <= len(text)
        assert text[p.char_start : p.char_end] == p.text, p.passage_id
