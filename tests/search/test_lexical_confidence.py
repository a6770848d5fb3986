"""Lexical confidence: how much of the query the best BM25 passage holds, and what fusion does
with it."""

from __future__ import annotations

import pytest

from search.engine import Searcher
from search.lexical_confidence import confidence
from tests.utils.shared import HIRING_TEXT

pytestmark = pytest.mark.slow

# extra-33 of evals/data/cartagena-extra.jsonl: the evidence says "labor inclusion of refugees
# ... lower turnover rates", with none of these content words
REWORDED = "do firms keep their staff longer when they employ displaced people?"


def test_a_query_made_of_a_passages_words_is_fully_held(searcher: Searcher) -> None:
    row = searcher.lexical(HIRING_TEXT, 1, None)[0][0]
    assert confidence(searcher.store, HIRING_TEXT, row) == pytest.approx(1.0)


def test_a_reworded_query_is_weakly_held_by_its_best_lexical_passage(searcher: Searcher) -> None:
    best = searcher.lexical(REWORDED, 1, None)
    assert best, "the reworded query shares some words with the corpus"
    assert confidence(searcher.store, REWORDED, best[0][0]) < 0.5


def test_unknown_words_carry_no_weight(searcher: Searcher) -> None:
    assert confidence(searcher.store, "zzyzx qwertyuiop", 0) == 0.0
    weights = searcher.store.idf(["refuge", "zzyzx"])
    assert weights["refuge"] < weights["zzyzx"], "a word no passage has is the rarest"


def test_fusion_trusts_the_lexical_list_by_its_confidence(searcher: Searcher) -> None:
    settings = searcher.settings.model_copy(update={"hybrid_confidence_power": 4.0})
    tuned = Searcher(searcher.store, searcher.embedder, settings)
    full = tuned.lexical_share(HIRING_TEXT, tuned.lexical(HIRING_TEXT, 10, None))
    weak = tuned.lexical_share(REWORDED, tuned.lexical(REWORDED, 10, None))
    assert full == pytest.approx(1.0)
    assert weak < 0.1
    off = searcher.settings.model_copy(update={"hybrid_confidence_power": 0.0})
    plain = Searcher(searcher.store, searcher.embedder, off)
    assert plain.lexical_share(REWORDED, plain.lexical(REWORDED, 10, None)) == 1.0
