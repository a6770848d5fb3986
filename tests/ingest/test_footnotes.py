"""Footnotes keep what they are notes to (ingest/footnotes.py).

The consultation's participant lists are footnotes ("World Bank, IMF, CAF"); only the sentence
citing them says what they list ("... three International Financial Institutions⁶ ...").
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from cartagena.settings import Settings
from embedding.base import Embedder
from index import layout
from ingest.footnotes import anchor_clause, anchors
from ingest.parse import parse_file
from search.engine import Searcher
from search.loader import load_searcher
from tests.utils.shared import CONSULTATION, TWINS, BuiltIndex

EXPECTED = {
    "1": "Civil Society Organizations (five persons)",
    "2": "two Municipalities or local governments",
    "3": "Private Sector (five representatives)",
    "4": "as well as eleven United Nations Agencies, Funds, and Programs",
    "5": "three International and Intergovernmental Organizations",
    "6": "three International Financial Institutions",
    "7": "three Regional Organizations",
    "8": "the presence of ten cooperating countries was noted",
}


def test_the_anchor_is_the_clause_the_mark_closes() -> None:
    assert anchor_clause("It met in May. Finally, ten countries were noted") == (
        "ten countries were noted"
    )
    # a clause under four words takes the one before it too
    assert anchor_clause("Agencies of the UN, Funds, and Programs") == (
        "Agencies of the UN, Funds, and Programs"
    )
    assert anchor_clause("") == ""


def test_each_anchor_starts_after_the_previous_mark() -> None:
    first = "Academia (two from GAIN)"
    second = first + ", Private Sector (five representatives)"
    assert anchors([("2", first), ("3", second)]) == (
        ("2", "Academia (two from GAIN)"),
        ("3", "Private Sector (five representatives)"),
    )


@pytest.mark.parametrize("source", ["pdf", "text"])
def test_the_consultation_notes_get_the_same_anchors_from_the_pdf_and_its_twin(
    pdf_dir: Path, text_dir: Path, source: str
) -> None:
    path = pdf_dir / f"{CONSULTATION}.pdf" if source == "pdf" else text_dir / TWINS[CONSULTATION]
    found = dict(a for block in parse_file(path).blocks for a in block.anchors)
    assert found == EXPECTED


@pytest.mark.slow
def test_a_note_is_embedded_and_indexed_with_its_anchor_but_keeps_its_own_wording(
    searcher: Searcher,
) -> None:
    notes = [p for p in searcher.store.document_passages(CONSULTATION) if p.is_footnote]
    assert {h.anchor for h in notes} == set(EXPECTED.values())
    _, text = searcher.store.document(CONSULTATION)
    for note in notes:
        assert note.text == text[note.char_start : note.char_end]
        assert note.anchor not in note.text
    body = searcher.store.document_passages(CONSULTATION)[:5]
    assert all(h.anchor == "" and not h.is_footnote for h in body)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "note"),
    [
        ("international financial institutions at the meeting", "World Bank, IMF, CAF"),
        ("United Nations agencies present in Brasilia", "The Resident Coordinator"),
    ],
)
def test_a_search_for_what_a_note_lists_finds_the_note(
    searcher: Searcher, query: str, note: str
) -> None:
    """Neither note holds the query's words; its anchor does."""
    first = searcher.search(query, k=3)[0]
    assert first.is_footnote and first.text.startswith(note), first.text[:80]


@pytest.mark.slow
def test_an_index_written_before_anchors_still_serves(
    built_index: BuiltIndex, tmp_path: Path, settings: Settings, embedder: Embedder
) -> None:
    """A version without the ``anchor`` column reads every anchor as empty."""
    copy = tmp_path / "old"
    shutil.copytree(built_index.path, copy, ignore=shutil.ignore_patterns(".build.lock"))
    database = layout.current_version(copy) / layout.DATABASE
    with sqlite3.connect(database) as conn:
        conn.execute("ALTER TABLE passages DROP COLUMN anchor")
    old = load_searcher(copy, settings, embedder)
    hits = old.search("international financial institutions at the meeting", k=10)
    assert hits and all(h.anchor == "" for h in hits)
