"""Acronyms read off the documents (text/acronyms.py)."""

from __future__ import annotations

from text.acronyms import find_acronyms, written_acronyms

TEXTS = [
    "Prior to the Consultation, the Inter-American Development Bank presented a study.",
    "### Presentation of the Inter-American Development Bank – BID/IADB",
    "According to studies conducted by the World Bank (WB), several areas demonstrate ...",
    "the Global Refugee Forum in 2023; the Global Compact on Refugees (GCR)",
]


def test_initials_with_and_without_hyphen_parts_and_acronyms_written_after_the_name() -> None:
    found = find_acronyms(TEXTS)
    bank = ("inter", "american", "develop", "bank")
    assert found["idb"] == bank and found["iadb"] == bank  # a heading's longer name yields
    assert found["wb"] == ("world", "bank")
    assert found["grf"] == ("global", "refuge", "forum")
    assert found["gcr"] == ("global", "compact", "refuge")


def test_an_acronym_of_two_unrelated_names_is_dropped() -> None:
    found = find_acronyms(["the Global Refugee Forum", "the Green Roof Foundation"])
    assert "grf" not in found


def test_only_capitals_are_read_as_an_acronym() -> None:
    found = find_acronyms(TEXTS)
    assert written_acronyms("pledges submitted in the 2023 GRF", found) == [
        "global",
        "refuge",
        "forum",
    ]
    assert written_acronyms("the wb of the grf", found) == []
