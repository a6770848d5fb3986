"""Word and sentence spans of a passage, as character offsets into its text.

Highlighting, answers and precedent search all need to say *where* in a passage something
matched; they share these two tokenisers so their offsets agree with ``text.tokens.words``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from text.tokens import words

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# A sentence ends at . ! ? (plus closing quotes/brackets) before a space and a capital, digit,
# quote or bullet; or at a line break. "e.g. the", "No. 5" and "U.N. Agencies" do not end one.
_END = re.compile(
    r"[.!?][\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[\u2022\-\u2013*]?[A-Z0-9¿¡])|\n+"
)
_ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "no",
        "nos",
        "p",
        "pp",
        "para",
        "art",
        "arts",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "vol",
        "cf",
        "etc",
        "inc",
        "ltd",
        "co",
        "n",
        "fig",
        "sr",
        "jr",
        "vs",
        "op",
        "ibid",
    ]
)


class Token(NamedTuple):
    """A word and where it is; a tuple because a highlighted page builds thousands of them."""

    start: int
    end: int
    word: str  # folded, as ``text.tokens.words`` spells it


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def tokens(text: str) -> list[Token]:
    """Folded word tokens with their offsets in ``text``; ``[t.word for t in tokens(x)]``
    equals ``words(x)`` for the texts the index holds."""
    if text.isascii():  # folding is lower-casing, and one match is one word
        return [Token(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text.lower())]
    out: list[Token] = []
    for match in _WORD.finditer(text):
        for word in words(match.group(0)):
            out.append(Token(match.start(), match.end(), word))
    return out


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the '.' at ``dot`` closes an abbreviation or an initial, not a sentence."""
    head = text[:dot].rsplit(None, 1)[-1] if text[:dot].strip() else ""
    head = head.lstrip("(\"'\u201c").lower()
    return head in _ABBREVIATIONS or (len(head) == 1 and head.isalpha()) or "." in head


def split_sentences(text: str, min_chars: int = 2) -> list[Sentence]:
    """Sentences of ``text`` with offsets, surrounding spaces trimmed, in order."""
    cuts = [0]
    for match in _END.finditer(text):
        if text[match.start()] == "." and _is_abbreviation(text, match.start()):
            continue
        cuts.append(match.end())
    cuts.append(len(text))
    out: list[Sentence] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = text[a:b]
        lead = len(piece) - len(piece.lstrip())
        body = piece.strip()
        if len(body) >= min_chars and words(body):
            out.append(Sentence(a + lead, a + lead + len(body), body))
    return out
