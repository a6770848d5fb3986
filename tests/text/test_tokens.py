"""BM25 terms (text/tokens.py): what the index and the query side both read."""

from __future__ import annotations

import pytest

from text.tokens import lexical_tokens


@pytest.mark.parametrize(
    "text",
    [
        "Which local governments took part in the consultation?",
        "States that take part in the platform",
        "taking part in the meeting",
    ],
)
def test_take_part_is_read_as_participate(text: str) -> None:
    terms = lexical_tokens(text)
    assert "particip" in terms and "part" not in terms
    assert lexical_tokens("participated")[0] == "particip"


def test_part_as_a_noun_stays_part() -> None:
    """ "as part of the Technical Secretariat" was the corpus's only "part": no participation."""
    assert lexical_tokens("Supported by UNHCR as part of the Technical Secretariat") == [
        "support",
        "unhcr",
        "part",
        "technic",
        "secretariat",
    ]


def test_spanish_is_not_read_for_english_verbs() -> None:
    assert "part" in lexical_tokens("took part", language="es")
