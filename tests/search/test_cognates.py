"""Cognates lend a Spanish or Portuguese query's BM25 the index's English stems
(search/cognates.py): the lexical list stops ranking on names alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from cartagena.settings import Settings
from evals.gold import load_gold
from evals.retrievers import Result
from evals.runner import score_gold
from search.cognates import CognateFinder
from search.engine import Searcher

STEMS = ["repatri", "volunt", "educ", "document", "commun", "solidar", "nation", "region"]


@pytest.mark.parametrize(
    ("word", "stems"),
    [
        ("repatriacion", ["repatri"]),
        ("voluntaria", ["volunt"]),
        ("educacion", ["educ"]),  # a whole stem of four letters
        ("documentacao", ["document"]),
        ("solidaridad", ["solidar"]),
        ("regionales", ["region"]),
        ("comunidades", []),  # "comun" / "commun": four letters in common
        ("nacional", []),
    ],
)
def test_a_word_matches_the_stems_it_shares_a_long_prefix_with(word: str, stems: list[str]) -> None:
    assert CognateFinder(STEMS).of_word(word) == stems


def test_function_words_short_words_and_numbers_find_no_cognates() -> None:
    finder = CognateFinder([*STEMS, "para", "2024"])
    assert finder.of_text("para las regiones en 2024") == ["region"]
    assert finder.of_text("Repatriación voluntaria") == ["repatri", "volunt"]


@pytest.mark.slow
def test_a_spanish_query_finds_english_evidence_lexically_only_with_cognates(
    searcher: Searcher, settings: Settings, shared_dir: Path
) -> None:
    """BM25 alone, over the English documents: the Spanish dev queries' evidence in the top 5
    for far more of them with cognates than without (names and numbers only)."""
    gold = [
        q
        for q in load_gold(shared_dir / "evals" / "cartagena-dev-crosslingual.jsonl")
        if "es" in q.tags
    ]
    off = Searcher(
        searcher.store, searcher.embedder, settings.model_copy(update={"lexical_cognates": False})
    )

    def found(s: Searcher) -> int:
        return sum(
            any(
                g > 0
                for g in score_gold(
                    q, [Result(h.doc_id, h.text) for h in s.search(q.query, k=5, mode="lexical")]
                ).gains
            )
            for q in gold
        )

    with_cognates, without = found(searcher), found(off)
    assert with_cognates >= without + 5, (with_cognates, without)
    assert with_cognates >= 0.8 * len(gold)


@pytest.mark.slow
def test_english_queries_read_no_cognates(searcher: Searcher) -> None:
    """ "persons" would lend "persona" (a stem of the corpus): only a query not in English
    takes cognates, so English BM25 is what it was."""
    query = "protection of stateless persons"
    assert searcher.cognate_terms(query) == ["persona"]
    # BM25 of the stems alone, without the words as written that English queries add
    stems_only = searcher.settings.model_copy(update={"lexical_exact_weight": 0.0})
    plain = Searcher(searcher.store, searcher.embedder, stems_only)
    hits = plain.search(query, k=10, mode="lexical")
    bm25 = searcher.store.bm25_top(query, 10, None)
    assert [h.passage_id for h in hits] == [
        h.passage_id for h in searcher.store.hits([r for r, _ in bm25], [s for _, s in bm25])
    ]
