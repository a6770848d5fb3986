"""The span relevance rule: normalisation, longest common substring, crediting."""

from __future__ import annotations

import random

import pytest

from evals.gold import Span
from evals.relevance import Passage, credit, hits, longest_common_substring, normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("The \ufb01rst e\ufb00ort", "the first effort"),  # NFKC folds ligatures
        ("\u201cquoted\u201d and \u2018single\u2019", "\"quoted\" and 'single'"),
        ("2024\u20132034 \u2014 plan", "2024-2034 - plan"),
        ("refoule-\nment", "refoulement"),  # hyphenated across a line break
        ("non-refoulement", "non-refoulement"),  # a real hyphen stays
        ("**Bold** _it_ `code` # Head > quote", "bold it code head quote"),
        ("<b>tag</b> <br/>text", "tag text"),
        ("  many \n\t spaces  ", "many spaces"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def _lcs_reference(a: str, b: str) -> int:
    """O(n*m) dynamic programme: the definition of the longest common substring."""
    best = 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, start=1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def test_longest_common_substring_matches_the_dynamic_programme() -> None:
    rng = random.Random(3)
    for _ in range(300):
        a = "".join(rng.choice("ab c") for _ in range(rng.randint(0, 40)))
        b = "".join(rng.choice("ab c") for _ in range(rng.randint(0, 300)))
        assert longest_common_substring(a, b) == _lcs_reference(a, b)


SPAN = Span("doc-a", "ease access to the financial system and the opening of bank accounts", 2)


def test_hit_needs_half_the_span_in_one_piece() -> None:
    # the span is 68 characters; 34 contiguous characters are enough, 33 are not
    text = SPAN.text
    assert len(normalize(text)) == 68
    assert hits(Passage("doc-a", "xx " + text[:34] + " yy"), SPAN)
    assert not hits(Passage("doc-a", "xx " + text[:33] + " yy"), SPAN)


def test_hit_requires_the_same_document() -> None:
    assert not hits(Passage("doc-b", SPAN.text), SPAN)


def test_hit_survives_formatting_differences() -> None:
    pdf_text = "Ease access to the \ufb01nancial system and the open-\ning of bank accounts."
    assert hits(Passage("doc-a", pdf_text), SPAN)


def test_each_span_is_credited_once_at_its_first_hit() -> None:
    s1 = Span("d", "alpha beta gamma delta", 2)
    s2 = Span("d", "epsilon zeta eta theta", 1)
    ranked = [
        Passage("d", "nothing relevant here"),
        Passage("d", "epsilon zeta eta theta"),  # credited with s2 -> gain 1
        Passage("d", "alpha beta gamma delta and epsilon zeta eta theta"),  # s1 only -> gain 2
        Passage("d", "alpha beta gamma delta"),  # s1 already credited -> 0
    ]
    gains, credited_at = credit(ranked, [s1, s2])
    assert gains == [0, 1, 2, 0]
    assert credited_at == [3, 2]


def test_a_passage_takes_the_highest_grade_it_is_credited_with() -> None:
    s1, s2 = Span("d", "first span text", 1), Span("d", "second span text", 2)
    gains, credited_at = credit([Passage("d", "first span text; second span text")], [s1, s2])
    assert gains == [2]
    assert credited_at == [1, 1]
