"""Query parsing: "double-quoted" parts are exact phrases, the rest is free text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cartagena.errors import InvalidQueryError
from text.markup import strip_inline
from text.tokens import words

# A whole paragraph pasted in quotes must be searchable: the same cap as a /similar draft.
MAX_QUERY_CHARS = 10_000
_PHRASE = re.compile(
    r"[\"\u201c\u201d\u00ab\u00bb]([^\"\u201c\u201d\u00ab\u00bb]*)[\"\u201c\u201d\u00ab\u00bb]"
)


# What a PDF viewer copies that the document's text does not hold: a footnote mark with the
# words it follows ("five persons)1," or "persons¹"), the number a footnote starts with ("1
# Representatives of ..."), and a word hyphenated at a line end ("reset-\ntlement"); and what
# a Markdown source holds around the words (footnote references "<sup>6</sup>" and "[^6]",
# other tags, link targets). A quote not found as typed is tried again without them.
_LEADING_MARK = re.compile(r"^\s*\d{1,2}\s+(?=[^\W\d])")
_SUPERSCRIPTS = re.compile(r"[\u00b9\u00b2\u00b3\u2070-\u2079]+")
_GLUED_MARK = re.compile(r"(?<=[a-z)\]])\d{1,2}(?=[\s,;:!?)\]]|\.(?!\d)|$)")
_LINE_END_HYPHEN = re.compile(r"(?<=[a-z])-[ \t]*\n\s*(?=[a-z])")


@dataclass(frozen=True)
class ParsedQuery:
    raw: str
    text: str  # the query with phrase quotes removed: what the models read
    phrases: tuple[tuple[str, ...], ...]  # each phrase as folded word tokens
    # each phrase as the document's text would hold it: without the footnote marks and
    # line-end hyphens it may have been pasted with (the same when none)
    unmarked: tuple[tuple[str, ...], ...] = ()

    def variants(self) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """(phrase, phrase as the document's text would hold it) pairs."""
        return list(zip(self.phrases, self.unmarked or self.phrases, strict=True))


def without_marks(text: str) -> str:
    """``text`` without footnote marks and markup, words hyphenated at a line end joined."""
    text = _LEADING_MARK.sub("", strip_inline(text))
    return _LINE_END_HYPHEN.sub("", _GLUED_MARK.sub("", _SUPERSCRIPTS.sub("", text)))


def parse_query(raw: str) -> ParsedQuery:
    query = raw.strip()
    if not query:
        raise InvalidQueryError("query is empty")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidQueryError(f"query is longer than {MAX_QUERY_CHARS} characters")
    phrases = []
    unmarked = []
    for match in _PHRASE.finditer(query):
        toks = tuple(words(match.group(1)))
        if not toks:
            raise InvalidQueryError(f"phrase {match.group(0)} has no words to match")
        phrases.append(toks)
        unmarked.append(tuple(words(without_marks(match.group(1)))) or toks)
    text = " ".join(_PHRASE.sub(lambda m: f" {m.group(1)} ", query).split())
    if not words(text):
        raise InvalidQueryError("query has no words to search for")
    return ParsedQuery(raw=query, text=text, phrases=tuple(phrases), unmarked=tuple(unmarked))


def occurrences(tokens: list[str], phrase: tuple[str, ...]) -> list[int]:
    """Token positions where ``phrase`` starts in ``tokens``."""
    n = len(phrase)
    first = phrase[0]
    return [i for i, t in enumerate(tokens) if t == first and tuple(tokens[i : i + n]) == phrase]


def contains_phrase(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    return bool(occurrences(tokens, phrase))
