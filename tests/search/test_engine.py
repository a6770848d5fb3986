"""Search over the shared corpus: exact phrases in every mode, and filters that restrict.

Phrase results are checked against a brute-force oracle: a regular expression run over every
passage of the index, independent of the engine's FTS5 and token matching.
"""

from __future__ import annotations

import re

import pytest

from cartagena.errors import InvalidQueryError
from index.models import Filters, Hit
from search.engine import Searcher
from search.models import MODES
from tests.utils.shared import CONSULTATION, DOC_IDS, PLEDGE

pytestmark = pytest.mark.slow

PHRASES = {
    "non-refoulement": re.compile(r"\bnon[-\s]?refoulement\b", re.IGNORECASE),
    "family unity": re.compile(r"\bfamily\s+unity\b", re.IGNORECASE),
}


@pytest.fixture(scope="module")
def all_passages(searcher: Searcher) -> list[Hit]:
    return [p for doc_id in DOC_IDS for p in searcher.store.document_passages(doc_id)]


def oracle(passages: list[Hit], pattern: re.Pattern[str]) -> set[str]:
    return {p.passage_id for p in passages if pattern.search(p.text)}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("phrase", list(PHRASES))
def test_a_phrase_returns_exactly_the_passages_that_contain_it(
    searcher: Searcher, all_passages: list[Hit], mode: str, phrase: str
) -> None:
    expected = oracle(all_passages, PHRASES[phrase])
    assert 2 <= len(expected) < 20, "the corpus should hold the phrase a few times"
    hits = searcher.search(f'"{phrase}"', k=100, mode=mode)
    assert {h.passage_id for h in hits} == expected
    for h in hits:
        assert PHRASES[phrase].search(h.text), (h.passage_id, h.text[:200])


@pytest.mark.parametrize("mode", MODES)
def test_a_phrase_with_free_text_only_returns_passages_with_the_phrase(
    searcher: Searcher, mode: str
) -> None:
    hits = searcher.search('voluntary repatriation "non-refoulement"', k=10, mode=mode)
    assert hits
    assert all(PHRASES["non-refoulement"].search(h.text) for h in hits)


ABSENT = {
    # words that never occur together
    '"refugee protection on the moon"': [r"\brefugee\W+protection\W+on\W+the\W+moon\b"],
    # both words occur, never in this order (punctuation between words does not count)
    '"reunification family"': [r"\breunification\W+family\b"],
    # two phrases that each occur, never in the same passage
    '"private sponsorship" "non-refoulement"': [
        r"\bprivate\W+sponsorship\b",
        r"\bnon\W+refoulement\b",
    ],
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("query", list(ABSENT))
def test_a_phrase_that_does_not_occur_returns_nothing(
    searcher: Searcher, all_passages: list[Hit], mode: str, query: str
) -> None:
    patterns = [re.compile(p, re.IGNORECASE) for p in ABSENT[query]]
    assert not [p.passage_id for p in all_passages if all(r.search(p.text) for r in patterns)]
    assert searcher.search(query, k=10, mode=mode) == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("filters", "allowed"),
    [
        (Filters(kinds=("pledge",)), {PLEDGE}),
        (Filters(kinds=("consultation-conclusions",)), {CONSULTATION}),
        (Filters(doc_ids=(PLEDGE,)), {PLEDGE}),
        (Filters(doc_ids=(CONSULTATION,)), {CONSULTATION}),
        (Filters(year_to=2024), {CONSULTATION}),
        (Filters(year_from=2025), {PLEDGE}),
        (Filters(year_from=2024, year_to=2024), {CONSULTATION}),
        (Filters(year_from=2020, year_to=2030), {CONSULTATION, PLEDGE}),
    ],
    ids=lambda v: repr(v) if isinstance(v, set) else None,
)
def test_filters_restrict_the_results(
    searcher: Searcher, mode: str, filters: Filters, allowed: set[str]
) -> None:
    hits = searcher.search(
        "family reunification and resettlement", k=10, mode=mode, filters=filters
    )
    assert hits
    assert {h.doc_id for h in hits} <= allowed
    if mode == "dense":  # every passage gets a dense score: the filtered set fills the page
        assert len(hits) == 10
    if len(allowed) == 2:
        assert {
            h.doc_id for h in searcher.search("refugees", k=100, mode=mode, filters=filters)
        } == allowed


@pytest.mark.parametrize(
    "filters",
    [
        Filters(doc_ids=(CONSULTATION,), kinds=("pledge",)),
        Filters(year_from=2026),
        Filters(year_to=2023),
        Filters(doc_ids=("no-such-document",)),
    ],
)
def test_filters_that_exclude_everything_return_nothing(
    searcher: Searcher, filters: Filters
) -> None:
    for mode in MODES:
        assert searcher.search("family reunification", k=10, mode=mode, filters=filters) == []


def test_footnotes_can_be_left_out(searcher: Searcher) -> None:
    query = "Canada, European Union, Germany, Republic of Korea, Norway"
    with_notes = searcher.search(query, k=5, mode="lexical")
    assert any(h.is_footnote for h in with_notes)
    without = searcher.search(query, k=20, mode="lexical", filters=Filters(include_footnotes=False))
    assert without and not any(h.is_footnote for h in without)


@pytest.mark.parametrize("mode", MODES)
def test_hits_are_ranked_and_cited(searcher: Searcher, mode: str) -> None:
    hits = searcher.search("voluntary repatriation", k=5, mode=mode)
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for h in hits:
        assert h.citation.startswith(h.title) and h.page_start and h.doc_id in DOC_IDS


@pytest.mark.parametrize("query", ["", "   ", '""', '" "', "?!", "x" * 10_001])
def test_queries_without_words_are_refused(searcher: Searcher, query: str) -> None:
    with pytest.raises(InvalidQueryError):
        searcher.search(query)


def test_an_unknown_mode_is_refused(searcher: Searcher) -> None:
    with pytest.raises(InvalidQueryError, match="unknown mode"):
        searcher.search("asylum", mode="fuzzy")


def test_words_as_written_break_ties_the_stems_make(searcher: Searcher) -> None:
    """ "naturalization" and "nature" share the stem "natur": the passage that says
    "naturalization" ranks first, not the one on "the participatory nature" of the process."""
    first = searcher.search("naturalization of refugees", k=1, mode="lexical")[0]
    assert "naturalization" in first.text
    stems_only = searcher.settings.model_copy(update={"lexical_exact_weight": 0.0})
    plain = Searcher(searcher.store, searcher.embedder, stems_only)
    assert (
        "naturalization"
        not in plain.search("naturalization of refugees", k=1, mode="lexical")[0].text
    )
