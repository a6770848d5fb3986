"""A question asking for a date, number, place or name ranks the passages that hold one first
(search/typed_order.py), on the shared corpus."""

from __future__ import annotations

import pytest

from search.engine import Searcher
from search.question import read_question
from search.typed_order import asks_for_type, typed_first


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("When did Caribbean states first take part in a Cartagena declaration?", True),
        ("How many participants attended the Brasilia consultation?", True),
        ("In which year was the Brazil Plan of Action adopted", True),
        ("Which UN agencies attended the consultation?", True),
        # statements that contain a question's words, and questions asking for no type
        ("Participants stressed how much complementary admission routes could offer", False),
        ("the number of refugees resettled in 2023", False),
        ("What is the purpose of the multi-stakeholder pledge?", False),
        ("Why did participants propose mapping the regional mechanisms?", False),
        ("family reunification recommendations", False),
    ],
)
def test_only_a_question_asking_for_a_type_is_reordered(text: str, asks: bool) -> None:
    assert asks_for_type(text) is asks


@pytest.mark.slow
def test_a_when_question_ranks_first_the_passage_that_gives_a_date(searcher: Searcher) -> None:
    """Ranked by words alone, a passage with no date came before the one that says when the
    consultation was held."""
    question = "When was the Second Thematic Consultation held?"
    hits = searcher.search(question, k=5)
    assert "was held in the city of Brasilia on May 16 and 17, 2024" in hits[0].text
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    untyped = searcher.rank(question, 20, "hybrid", None)
    rows = [h.passage_id for h in searcher.store.hits([r for r, _ in untyped], [0.0] * 20)]
    assert rows.index(hits[0].passage_id) > 0  # it was not first before reordering


@pytest.mark.slow
def test_reordering_keeps_every_passage_and_each_group_in_its_order(searcher: Searcher) -> None:
    question = "How many participants attended the Brasilia consultation?"
    ranked = searcher.rank(question, 20, "hybrid", None)
    hits = searcher.store.hits([r for r, _ in ranked], [s for _, s in ranked])
    q = read_question(question, searcher.store.vocabulary)
    ordered = typed_first(q, list(hits))
    assert sorted(h.passage_id for h in ordered) == sorted(h.passage_id for h in hits)
    scores = [h.score for h in ordered]
    cut = next(i for i in range(len(scores)) if i + 1 == len(scores) or scores[i + 1] > scores[i])
    # two runs, each by descending score: those with a number, then those without
    assert scores[: cut + 1] == sorted(scores[: cut + 1], reverse=True)
    assert scores[cut + 1 :] == sorted(scores[cut + 1 :], reverse=True)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "note"),
    [
        ("Which UN agencies attended the Brasilia consultation?", "UNODC, UN Women, FAO"),
        ("Which civil society organisations took part in the Brasilia consultation?", "GAR-PAC"),
        ("Which municipalities or local governments were represented at the meeting?", "Pacaraima"),
    ],
)
def test_a_which_question_ranks_first_the_footnote_that_lists_what_it_asks_for(
    searcher: Searcher, question: str, note: str
) -> None:
    """The paragraph that counts them ("eleven United Nations Agencies, Funds, and Programs")
    or the opening that names a few came first; the note to that count lists them."""
    hits = searcher.search(question, k=5)
    assert hits[0].is_footnote and note in hits[0].text


@pytest.mark.slow
def test_a_footnote_that_shares_only_the_asked_noun_is_not_promoted(searcher: Searcher) -> None:
    """The note listing "ten cooperating countries" names countries but says nothing of
    regularization: the passage on the advances in regularization stays first."""
    hits = searcher.search(
        "In which countries were advances in regularization processes noted?", k=3
    )
    assert "advances in regularization processes in countries such as Ecuador" in hits[0].text
