"""Content terms of a text for comparing two wordings of one idea, and their IDF weights.

A reworded precedent keeps the idea's content words but not their spelling or surface form:
"regularisation" for "regularization", "labour" for "labor", "programmes" for "programs",
"States" for "countries". Terms are therefore the stems of the folded content words after two
cheap normalisations: British spellings to American by rule (-ise/-isation, -our, -tre,
programme), and a small table of words used interchangeably in policy texts. Each term weighs
its inverse document frequency in the index (BM25's own counts), so "naturalization" outweighs
"policies".
"""

from __future__ import annotations

import re
from collections.abc import Container

from text.tokens import STOPWORDS, stem_words, words

_ISE = re.compile(r"^(\w{3,})is(e|es|ed|ing|ation|ations|er|ers)$")
_OUR = re.compile(r"^(\w{2,})our(s|ed|ing|able|ably|ite|ites)?$")
_TRE = re.compile(r"^(\w{3,})tre(s|d)?$")
# Words a drafter swaps without changing the meaning, in the sense policy texts use them
# ("States" are the countries that sign). Keys and values are folded words, before stemming.
SYNONYMS = {
    "state": "country",
    "states": "countries",
    "nation": "country",
    "nations": "countries",
}


def american(word: str) -> str:
    """The American spelling of a folded British one ("regularisation" -> "regularization");
    other words unchanged. A rule, so it also rewrites words that are the same on both sides of
    the Atlantic ("promise"): :func:`content_terms` asks the index which form it knows."""
    if word.startswith("programme"):
        return "program" + word[len("programme") :]
    if m := _ISE.match(word):
        return f"{m.group(1)}iz{m.group(2)}"
    if m := _OUR.match(word):
        return f"{m.group(1)}or{m.group(2) or ''}"
    if m := _TRE.match(word):
        return f"{m.group(1)}ter{m.group(2) or ''}"
    return word


def content_terms(text: str, known: Container[str] = frozenset()) -> list[str]:
    """Stems of the content words of ``text``, spelling and synonyms normalised, in order.

    ``known`` is the index's vocabulary of stems: a word is respelt unless the index knows its
    own stem and not the respelt one ("promise" stays, "regularisation" becomes
    "regularization"). The choice depends on the word alone, so a draft and a passage that
    share a word always share its term."""
    plain = [w for w in words(text) if w not in STOPWORDS]
    spelt = [american(w) for w in plain]
    changed = [n for n, (w, a) in enumerate(zip(plain, spelt, strict=True)) if w != a]
    if changed:
        before = stem_words([plain[n] for n in changed])
        after = stem_words([spelt[n] for n in changed])
        for n, b, a in zip(changed, before, after, strict=True):
            if b in known and a not in known:
                spelt[n] = plain[n]
    return stem_words([SYNONYMS.get(w, w) for w in spelt])


def overlap_f1(draft: dict[str, float], window: set[str], weights: dict[str, float]) -> float:
    """Weighted F1 of two term sets: the share of the draft's weight the window holds
    (coverage) against the share of the window's weight the draft holds (precision), so a
    window that says the draft's idea and little else scores highest."""
    shared = window.intersection(draft)
    if not shared:
        return 0.0
    coverage = sum(draft[t] for t in shared) / sum(draft.values())
    precision = sum(weights[t] for t in shared) / sum(weights[t] for t in window)
    return 2 * coverage * precision / (coverage + precision)
