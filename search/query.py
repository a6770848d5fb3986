"""Query parsing: "double-quoted" parts are exact phrases, the rest is free text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cartagena.errors import InvalidQueryError
from text.tokens import words

MAX_QUERY_CHARS = 1000
_PHRASE = re.compile(
    r"[\"\u201c\u201d\u00ab\u00bb]([^\"\u201c\u201d\u00ab\u00bb]*)[\"\u201c\u201d\u00ab\u00bb]"
)


@dataclass(frozen=True)
class ParsedQuery:
    raw: str
    text: str  # the query with phrase quotes removed: what the models read
    phrases: tuple[tuple[str, ...], ...]  # each phrase as folded word tokens


def parse_query(raw: str) -> ParsedQuery:
    query = raw.strip()
    if not query:
        raise InvalidQueryError("query is empty")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidQueryError(f"query is longer than {MAX_QUERY_CHARS} characters")
    phrases = []
    for match in _PHRASE.finditer(query):
        toks = tuple(words(match.group(1)))
        if not toks:
            raise InvalidQueryError(f"phrase {match.group(0)} has no words to match")
        phrases.append(toks)
    text = " ".join(_PHRASE.sub(lambda m: f" {m.group(1)} ", query).split())
    if not words(text):
        raise InvalidQueryError("query has no words to search for")
    return ParsedQuery(raw=query, text=text, phrases=tuple(phrases))


def contains_phrase(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    first = phrase[0]
    return any(tokens[i : i + n] == list(phrase) for i, t in enumerate(tokens) if t == first)
