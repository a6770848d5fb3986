"""Which of the corpus languages a text is written in: English, Spanish or Portuguese.

Used at ingest (a document's language when the catalog does not give one) and on the query
path (how to stem a query, how to weigh lexical search for it). Two signals, cheapest first:

1. function words and spelling that belong to one language only ("the", "los", "não", "ñ",
   "ç", "¿"). On documents and on most queries of three words or more they decide alone.
2. lingua's character n-gram models restricted to the three languages, for what the first
   signal leaves open ("programa Ciudades Solidarias", "solicitudes de visa digitales").

English is the answer whenever neither is confident: the corpus is English, and calling an
English query Spanish costs more (it loses its stemmer) than the reverse.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from corpus.catalog import LANGUAGES

DEFAULT: Final = "en"

_CODE = {Language.ENGLISH: "en", Language.SPANISH: "es", Language.PORTUGUESE: "pt"}
_WORD = re.compile(r"[^\W\d_]+")
# a document is judged on its first characters: enough for thousands of function words
_SAMPLE_CHARS = 20_000
_LINGUA_CHARS = 1_000


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words that occur in one of the three languages only (lower case, with accents).
# Words shared by two of them ("de", "que", "para", "por", "a", "no", "como") are left out.
_FUNCTION_WORDS: Final[dict[str, frozenset[str]]] = {
    "en": _words(
        """the of and to is are was were be been being what which who whom whose how when
        where why with from by that this these those has have had it its their they them we our
        an or not does did should would could can about between after into than there also
        any all must shall may will on at for"""
    ),
    "es": _words(
        """el los las del al lo y con una un unos unas su sus es son fue fueron ser está están
        qué cuál cuáles cuándo cuánto cuántos quién quiénes dónde cómo cuando donde pero más
        muy también ya esto eso ese esa esos esas estos estas según hay han sobre ante
        desde hasta hacia ni les le nos"""
    ),
    "pt": _words(
        """o os do da dos das na nas ao aos à às pelo pela pelos pelas e em com um uma
        uns umas seu sua seus suas é são foi foram ser está estão quê qual quais quando quem
        onde mas mais muito também já isso isto esse essa esses essas deste desta
        neste nesta num numa não há sobre"""
    ),
}
# a word listed under two languages ("sobre", "ser", "está") drops out: a hit means one only
_SHARED = (_FUNCTION_WORDS["es"] & _FUNCTION_WORDS["pt"]) | (
    _FUNCTION_WORDS["en"] & (_FUNCTION_WORDS["es"] | _FUNCTION_WORDS["pt"])
)
_UNIQUE: Final = {lang: ws - _SHARED for lang, ws in _FUNCTION_WORDS.items()}

# spellings found in one language only: ñ ¿ ¡ and -ción are Spanish, ã õ ç and -ção Portuguese
_SPELLING: Final = {
    "es": re.compile(r"[ñ¿¡]|ci[oó]n(es)?\b"),
    "pt": re.compile(r"[ãõç]|çõ|ções\b|lh[aeo]|nh[aeo]"),
    "en": re.compile(r"tions?\b|ing\b|ness|ship|ss\b|ck|sh|ph|ee|oo|\bth|w|k"),
}
# a lone hint ("of" in "Brazil Plan of Action") settles nothing; two do
_DECISIVE_MARGIN = 2.0
# lingua's confidence needed to call a text Spanish or Portuguese on its own
_LINGUA_MIN = 0.6
# one function word or spelling hint moves lingua's confidence this much
_HINT_WEIGHT = 0.15
# below this English confidence, with Spanish and Portuguese sharing the rest, the text is one
# of the two even when lingua cannot say which with _LINGUA_MIN ("refugiados": 0.56/0.43/0.00)
_NOT_ENGLISH = 0.1


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    """Built once; the three models (about 100 MB) load on the first call, ~50 ms."""
    return (
        LanguageDetectorBuilder.from_languages(
            Language.ENGLISH, Language.SPANISH, Language.PORTUGUESE
        )
        .with_preloaded_language_models()
        .build()
    )


def _hints(text: str) -> dict[str, float]:
    """Function words and spellings of one language only, counted per language."""
    lower = text.lower()
    toks = _WORD.findall(lower)
    scores = {lang: float(sum(t in _UNIQUE[lang] for t in toks)) for lang in LANGUAGES}
    for lang, pattern in _SPELLING.items():
        # spelling counts half a function word, and at most as many as there are words
        found = len(pattern.findall(lower))
        scores[lang] += 0.5 * min(found, max(len(toks), 1))
    return scores


@lru_cache(maxsize=4096)
def query_language(text: str) -> str:
    """:func:`detect_language` of a query, remembered: routing, cognates, /ask and /similar
    each ask it of the same text."""
    return detect_language(text)


def detect_language(text: str) -> str:
    """'en', 'es' or 'pt'; 'en' when the text is empty or gives no clear sign.

    Deterministic; a query of a few words takes well under a millisecond once the models are
    loaded. A long document is judged on its first 20,000 characters.
    """
    sample = text[:_SAMPLE_CHARS]
    if not _WORD.search(sample):
        return DEFAULT
    hints = _hints(sample)
    ranked = sorted(LANGUAGES, key=lambda lang: (-hints[lang], LANGUAGES.index(lang)))
    best, second = ranked[0], ranked[1]
    if hints[best] - hints[second] >= _DECISIVE_MARGIN:
        return best
    english_only = hints["en"] > 0 and hints["es"] == hints["pt"] == 0
    confidences = {
        _CODE[c.language]: c.value
        for c in _detector().compute_language_confidence_values(sample[:_LINGUA_CHARS])
    }
    combined = {lang: confidences.get(lang, 0.0) + _HINT_WEIGHT * hints[lang] for lang in LANGUAGES}
    winner = max(LANGUAGES, key=lambda lang: (combined[lang], -LANGUAGES.index(lang)))
    if winner == DEFAULT or (english_only and confidences.get(DEFAULT, 0.0) >= _NOT_ENGLISH):
        # "Quito Process": lingua leans Portuguese on the name, "-ss" is English only
        return DEFAULT
    if combined[winner] >= _LINGUA_MIN or combined[DEFAULT] < _NOT_ENGLISH:
        return winner
    return DEFAULT
