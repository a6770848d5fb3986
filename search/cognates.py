"""Cognates: the index's words that a Spanish or Portuguese query word shares its stem with.

BM25 cannot match across languages: over English documents a Spanish query's lexical list was
ranked on the names and numbers it shares with them ("Chile", "2024"), so hybrid fusion leaned
on the cross-lingual model alone. Yet the region's languages and English share most of this
domain's vocabulary through Latin: "repatriación voluntaria" / "voluntary repatriation",
"documentación" / "documentation", "solidaridad" / "solidarity", "reunificación familiar" /
"family reunification". Each content word of a query not in English is matched to the index
stems it begins with, or shares a long prefix with: at least 5 letters (a whole stem of 4,
"educ" for "educación", counts), covering at least 3/4 of the stem; the longest match wins,
two at most. Those stems join the BM25 query. Words that only look alike ("actual",
"current" in Spanish) can slip in; the dense side and fusion weigh them.

The prefix and share are settings (``CARTAGENA_LEXICAL_COGNATE_PREFIX``, ``_SHARE``), set
before measuring; evals/REPORT.md, "Cognates", has the figures and a sweep around them.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from text.tokens import STOPWORDS, STOPWORDS_ES, STOPWORDS_PT, words

MAX_PER_WORD = 2
_FUNCTION_WORDS = STOPWORDS | STOPWORDS_ES | STOPWORDS_PT


def common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class CognateFinder:
    """Prefix matches of query words against one index's vocabulary of stems."""

    def __init__(self, vocabulary: Iterable[str], min_prefix: int = 5, min_share: float = 0.75):
        """``min_prefix``: letters a word and a stem must share from the start (a whole stem
        one letter shorter counts); ``min_share``: of the stem's length."""
        self.min_prefix = max(2, min_prefix)
        self.min_share = min_share
        self.stems = sorted(s for s in vocabulary if s.isalpha() and len(s) >= self.min_prefix - 1)

    def of_word(self, word: str) -> list[str]:
        """The stems ``word`` (folded) is a cognate of, longest shared prefix first."""
        head = word[: self.min_prefix - 1]
        lo = bisect_left(self.stems, head)
        best, found = 0, []
        for stem in self.stems[lo:]:
            if not stem.startswith(head):
                break
            n = common_prefix(word, stem)
            if n < self.min_prefix and n != len(stem):
                continue
            if n < self.min_share * len(stem):
                continue
            if n > best:
                best, found = n, [stem]
            elif n == best:
                found.append(stem)
        return found[:MAX_PER_WORD]

    def of_text(self, text: str) -> list[str]:
        """The cognate stems of the content words of ``text``, each once, in query order."""
        out: dict[str, None] = {}
        for word in words(text):
            if len(word) < self.min_prefix or word in _FUNCTION_WORDS or not word.isalpha():
                continue
            out.update(dict.fromkeys(self.of_word(word)))
        return list(out)
