"""Acronyms and the names they stand for, read off the documents themselves.

A question says "the IDB" where the report says "the Inter-American Development Bank", and a
pledge says "the 2023 GRF" where the question says "the 2023 Global Refugee Forum". Every name
of two or more capitalised words in the documents gives its initials, with and without the
parts of hyphenated words ("Inter-American Development Bank": IADB and IDB), and, where the
documents write one right after the name, the acronym in brackets or after a dash or slash
("... Bank - BID/IADB", "World Bank (WB)"). An acronym two names share is dropped (it names neither
for sure), unless one name holds the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

from text.tokens import STOPWORDS, fold, lexical_tokens

# a capitalised word, hyphenated parts included ("Inter-American", "Cartagena+40")
_WORD = r"[A-Z][\w'+]*(?:-[A-Z][\w'+]*)*"
_NAME = re.compile(rf"{_WORD}(?:\s+(?:(?:of|on|for|and|the|de|del|in)\s+)*{_WORD})+")
# an acronym written right after the name: "(UNHCR)", "- BID/IADB", "– GCR"
_AFTER = re.compile(r"^\s*(?:\(|[-\u2013\u2014]\s*)([A-Z]{2,8}(?:/[A-Z]{2,8})*)\)?")
_ACRONYM = re.compile(r"^[A-Z]{2,8}$")


def _initials(name: str, split_hyphens: bool) -> str:
    parts = []
    for word in name.split():
        if word.lower() in STOPWORDS or not word[:1].isupper():
            continue
        parts += word.split("-") if split_hyphens else [word]
    return "".join(p[0] for p in parts if p[:1].isupper()).upper()


def find_acronyms(texts: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Acronym (folded) -> the BM25 stems of the name it stands for."""
    found: dict[str, set[tuple[str, ...]]] = {}
    for text in texts:
        for match in _NAME.finditer(text):
            name = match.group(0)
            stems = tuple(lexical_tokens(name))
            if len(stems) < 2:
                continue
            written = _AFTER.match(text[match.end() :])
            acronyms = {_initials(name, True), _initials(name, False)}
            if written:
                acronyms |= set(written.group(1).split("/"))
            for acronym in acronyms:
                if _ACRONYM.match(acronym):
                    found.setdefault(fold(acronym), set()).add(stems)
    out = {}
    for acronym, names in found.items():
        # "Presentation of the Inter-American Development Bank - BID/IADB" in a heading and
        # "the Inter-American Development Bank" in the text are one name: the shorter one
        shortest = min(names, key=len)
        if all(set(shortest) <= set(n) for n in names):
            out[acronym] = shortest
    return out


class _Passage(Protocol):
    @property
    def section(self) -> str: ...

    @property
    def text(self) -> str: ...


def document_acronyms(
    titles: Iterable[str], passages: Iterable[_Passage]
) -> dict[str, tuple[str, ...]]:
    """:func:`find_acronyms` over what an index holds: document titles, passage sections and
    texts (ingest writes it; an index written before reads it from its rows)."""
    rows = list(passages)
    return find_acronyms([*titles, *(r.section for r in rows), *(r.text for r in rows)])


_WRITTEN = re.compile(r"\b[A-Z]{2,8}\b")


def written_acronyms(text: str, acronyms: dict[str, tuple[str, ...]]) -> list[str]:
    """The stems of the names that the acronyms written in capitals in ``text`` stand for
    ("the 2023 GRF": global, refuge, forum). Words in lower case are never read as one."""
    out: dict[str, None] = {}
    for match in _WRITTEN.finditer(text):
        out.update(dict.fromkeys(acronyms.get(fold(match.group(0)), ())))
    return list(out)
