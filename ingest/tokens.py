"""Lexical tokenisation, shared by the index builder and the query side so they always agree."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

TOKENIZER_VERSION = "1"
# letters and digits of any script; punctuation and "_" separate words (as in FTS5 unicode61)
_TOKEN = re.compile(r"[^\W_]+")

# English function words; kept short on purpose: "non", "not" and "without" carry meaning here.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "his",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "ours",
        "she",
        "so",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "too",
        "us",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "you",
        "your",
        "de",
        "la",
        "el",
        "los",
        "las",
        "del",
        "y",
        "en",
    ]
)


@lru_cache(maxsize=4)
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(language)


def fold(text: str) -> str:
    """Lower case without accents: 'Refugiados', 'refugiados' and 'refugíados' meet."""
    if text.isascii():  # nothing to decompose; this runs per word of every highlighted hit
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Folded word tokens, in order, nothing removed: what exact phrase matching compares."""
    return _TOKEN.findall(fold(text))


def stem_words(toks: list[str]) -> list[str]:
    """The stems of already folded words, one call to the stemmer for the whole list."""
    return list(_stemmer("english").stemWords(toks))


def lexical_tokens(text: str, stem: bool = True, stopwords: bool = True) -> list[str]:
    toks = words(text)
    if stopwords:
        toks = [t for t in toks if t not in STOPWORDS]
    if stem:
        toks = stem_words(toks)
    return toks
