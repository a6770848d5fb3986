"""What a footnote is a note *to*: the words its mark follows in the text that cites it.

A footnote often means nothing alone. In the Brasilia consultation, note 3 reads "From Brazil,
ACCOR and Foundever ... From Mexico: Mabe and FEMSA."; only the sentence that cites it says
these are the private sector's representatives ("... Private Sector (five representatives)³
..."). A question about the companies of the private sector, or a search for the civil society
organisations that took part, must find the note, so ingest keeps the cited words (the
*anchor*) with it: the note's passage is embedded and BM25-indexed with its anchor before its
own text (``ingest/chunk.py``), while its wording and offsets stay the note's own.

The anchor is the clause the mark closes: the words since the previous mark in the same block
or the start of the sentence, of which the last comma-separated clause, widened leftwards
clause by clause until it holds ``MIN_WORDS`` words.
"""

from __future__ import annotations

import re

from text.tokens import words

MIN_WORDS = 4
MAX_WORDS = 30
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z\"\u201c(\u00c0-\u00dd])")
_CLAUSE = re.compile(r"[,;:]\s+")


def anchor_clause(before: str) -> str:
    """The clause that ``before`` (the text up to a footnote mark) ends with."""
    text = before.rstrip()
    starts = [m.end() for m in _SENTENCE_END.finditer(text)]
    sentence = text[starts[-1] :] if starts else text
    clause = sentence
    for start in [m.end() for m in reversed(list(_CLAUSE.finditer(sentence)))]:
        if len(words(sentence[start:])) >= MIN_WORDS:
            clause = sentence[start:]
            break
    return " ".join(clause.split()[-MAX_WORDS:]).strip(" ,;:(")


def anchors(befores: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """(mark, anchor) for each (mark, text of the block up to that mark), in reading order:
    each anchor starts after the previous mark, so "Academia (...)², Private Sector (...)³"
    gives note 3 "Private Sector (...)" alone."""
    out = []
    previous = ""
    for mark, before in befores:
        own = before[len(previous) :] if before.startswith(previous) else before
        clause = anchor_clause(own)
        if clause:
            out.append((mark, clause))
        previous = before
    return tuple(out)
