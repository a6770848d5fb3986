"""The names of a country's people and things lead back to the country."""

from __future__ import annotations

import pytest

from text.places import demonym_place


@pytest.mark.parametrize(
    ("word", "place"),
    [
        ("Mexican", "mexico"),
        ("Brazilian", "brazil"),
        ("Chilean", "chile"),
        ("Peruvian", "peru"),
        ("Colombian", "colombia"),
        ("Asian", "asia"),
        ("Canadian", "canada"),
        ("Venezuelan", "venezuela"),
    ],
)
def test_a_demonym_names_its_country(word: str, place: str) -> None:
    assert demonym_place(word) == place


@pytest.mark.parametrize("word", ["Mexico", "meeting", "Brasilia", "Caribbean", "median", "Latin"])
def test_other_words_name_no_country(word: str) -> None:
    assert demonym_place(word) is None
