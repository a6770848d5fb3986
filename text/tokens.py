"""Lexical tokenisation, shared by the index builder and the query side so they always agree."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

TOKENIZER_VERSION = "3"  # 2: Spanish and Portuguese documents tokenised in their language;
# 3: English "take part" read as "participate"
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


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Spanish and Portuguese function words, folded (accents off) as tokens are when compared.
# "no"/"nao" and "sin"/"sem" stay: "no devolución" is non-refoulement.
STOPWORDS_ES = _word_set(
    """a al ante con contra de del desde e el ella ellas ellos en entre era es esa esas ese eso
    esos esta estas este esto estos fue fueron ha han hasta la las le les lo los mas me mi mis
    nos o para pero por que se ser si sobre son su sus te tu u un una unas uno unos y ya"""
)
STOPWORDS_PT = _word_set(
    """a ao aos as com da das de do dos e ela elas ele eles em entre era essa essas esse esses
    esta estas este estes foi foram ha isso isto mais mas me na nas no nos o os ou para pela
    pelas pelo pelos por que se ser seu seus sua suas sobre tambem te um uma umas uns"""
)
STOPWORDS_BY_LANGUAGE = {"en": STOPWORDS, "es": STOPWORDS_ES, "pt": STOPWORDS_PT}
_STEMMER_NAME = {"en": "english", "es": "spanish", "pt": "portuguese"}
# folded Portuguese plurals in -ões/-ães stem apart from their singular in -ão ("migracoes" ->
# "migraco", "migracao" -> "migraca"); one rewrite before stemming joins them
_PT_PLURAL = re.compile(r"(?:oes|aes)$")


def tokenizer_language(language: str | None) -> str:
    """The tokeniser for a document or query language: its own for en/es/pt, else English."""
    return language if language in _STEMMER_NAME else "en"


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


# English verbs of two words read as their one-word synonym: "which organisations took part"
# asks who participated; its "part" is not the noun of "as part of the Secretariat", which was
# the only "part" of the corpus and ranked first for such questions.
_TWO_WORD_VERBS = {
    (take, "part"): "participate" for take in ("take", "takes", "took", "taken", "taking")
}


def join_verbs(toks: list[str]) -> list[str]:
    """Folded English words with each two-word verb of ``_TWO_WORD_VERBS`` made one word."""
    if "part" not in toks:
        return toks
    out: list[str] = []
    for tok in toks:
        joined = _TWO_WORD_VERBS.get((out[-1], tok)) if out else None
        if joined:
            out[-1] = joined
        else:
            out.append(tok)
    return out


def stem_words(toks: list[str], language: str = "en") -> list[str]:
    """The stems of already folded words, one call to the stemmer for the whole list.

    Words are folded before stemming in every language, so a query typed without accents
    ("migracion") stems as the accented text does ("migración")."""
    language = tokenizer_language(language)
    if language == "pt":
        toks = [_PT_PLURAL.sub("ao", t) for t in toks]
    return list(_stemmer(_STEMMER_NAME[language]).stemWords(toks))


def lexical_tokens(
    text: str, stem: bool = True, stopwords: bool = True, language: str = "en"
) -> list[str]:
    """BM25 terms of ``text`` read as ``language`` (en, es or pt): folded, stop words of that
    language removed, stemmed by its Snowball stemmer. English is what it always was."""
    language = tokenizer_language(language)
    toks = words(text)
    if language == "en":
        toks = join_verbs(toks)
    if stopwords:
        stop = STOPWORDS_BY_LANGUAGE[language]
        toks = [t for t in toks if t not in stop]
    if stem:
        toks = stem_words(toks, language)
    return toks
