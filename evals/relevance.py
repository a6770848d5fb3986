"""The span relevance rule of ``shared/evals/README.md``, exactly as written there.

1. Both strings are normalised (:func:`normalize`).
2. A passage *hits* a span when it comes from the span's document and the longest common
   contiguous substring of the two normalised strings is at least half the span's length.
3. Each span is credited once, at the first passage in rank order that hits it; a passage's
   gain is the highest grade of the spans credited to it (0 when none).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from evals.gold import Span

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": "-",
    }
)
_LINE_HYPHEN = re.compile(r"(\w)-[ \t]*\r?\n\s*(\w)")
_TAG = re.compile(r"<[^<>\n]*>")
_MARKUP = re.compile(r"[*_`#>]")
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC, straight quotes, '-' for en/em dashes, line-end hyphens joined, markup dropped,
    lower case, whitespace collapsed to one space."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _LINE_HYPHEN.sub(r"\1\2", text)
    text = _TAG.sub("", text)
    text = _MARKUP.sub("", text)
    return _SPACE.sub(" ", text.lower()).strip()


def longest_common_substring(a: str, b: str) -> int:
    """Length of the longest string that occurs contiguously in both ``a`` and ``b``."""
    if not a or not b:
        return 0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return matcher.find_longest_match(0, len(a), 0, len(b)).size


@dataclass(frozen=True)
class Passage:
    """A returned passage as the scorer sees it: its document and its text."""

    doc: str
    text: str


def hits(passage: Passage, span: Span, normalized: tuple[str, str] | None = None) -> bool:
    """Rule 2; ``normalized`` = (passage, span) already normalised, to avoid doing it twice."""
    if passage.doc != span.doc:
        return False
    p, s = normalized or (normalize(passage.text), normalize(span.text))
    if not s:
        return False
    return 2 * longest_common_substring(s, p) >= len(s)


def credit(passages: Sequence[Passage], spans: Sequence[Span]) -> tuple[list[int], list[int]]:
    """Rule 3: (gain of each passage in rank order, rank (1-based) crediting each span or 0)."""
    norm_spans = [normalize(s.text) for s in spans]
    credited_at = [0] * len(spans)
    gains = [0] * len(passages)
    for rank, passage in enumerate(passages, start=1):
        norm_passage: str | None = None
        for i, span in enumerate(spans):
            if credited_at[i] or passage.doc != span.doc:
                continue
            if norm_passage is None:
                norm_passage = normalize(passage.text)
            if hits(passage, span, (norm_passage, norm_spans[i])):
                credited_at[i] = rank
                gains[rank - 1] = max(gains[rank - 1], span.grade)
    return gains, credited_at
