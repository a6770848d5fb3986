"""Dense scores with a passage's best sentence: checked against a brute-force oracle."""

from __future__ import annotations

import numpy as np
import pytest

from search.engine import Searcher
from search.sentence_dense import SentenceMatrix, best_of
from text.spans import split_sentences

pytestmark = pytest.mark.slow


def test_best_of_matches_brute_force_with_a_mask() -> None:
    rng = np.random.default_rng(7)
    sentences = rng.normal(size=12).astype(np.float32)
    sentences[3] = -np.inf  # a passage with no stored sentence
    passage_top = [(3, 0.9), (5, 0.1), (8, 2.0)]
    mask = np.ones(12, dtype=bool)
    mask[8] = False
    got = best_of(passage_top, sentences, 4, mask)
    expected = sentences.copy()
    for row, score in passage_top:
        expected[row] = max(expected[row], score)
    order = [r for r in np.argsort(-expected) if mask[r] and np.isfinite(expected[r])][:4]
    assert [r for r, _ in got] == [int(r) for r in order]
    assert dict(got)[3] == pytest.approx(0.9)


def test_every_stored_sentence_is_in_the_matrix(searcher: Searcher) -> None:
    matrix = searcher.sentences
    assert isinstance(matrix, SentenceMatrix)
    rows = searcher.store.passages()
    assert len(matrix.owners) == sum(len(split_sentences(p.text)) for p in rows)
    assert matrix.vectors.shape[0] == len(matrix.owners)


def test_a_sentence_of_a_long_passage_finds_that_passage_first(searcher: Searcher) -> None:
    """The answer hidden in a long paragraph: its sentence alone finds the paragraph."""
    rows = [(p.row, p.text) for p in searcher.store.passages() if not p.is_footnote]
    row, text = max(rows, key=lambda r: len(split_sentences(r[1])))
    sentences = split_sentences(text)
    assert len(sentences) >= 4, "no long passage to test with"
    middle = sentences[len(sentences) // 2].text
    ranked = searcher.dense(middle, 5, None)
    assert ranked[0][0] == row
    best = searcher.sentences.best(searcher.embed_query(middle)) if searcher.sentences else None
    assert best is not None and ranked[0][1] == pytest.approx(float(best[row]))
    # the passage's own vector scores it lower than its sentence does
    passage_only = dict(searcher.dense_passages(middle, searcher.store.size, None))
    assert passage_only[row] < ranked[0][1]
