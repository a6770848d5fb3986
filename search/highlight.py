"""What matched in a result: query terms and phrases (lexical), the best sentence (semantic).

Spans are character offsets into the passage text; rendering (``<mark>``) happens at the edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np

from index.models import Hit
from search.engine import Searcher
from search.query import ParsedQuery, occurrences, parse_query
from search.sentence_vectors import sentence_vectors
from text.spans import Sentence, Token, split_sentences, tokens
from text.tokens import STOPWORDS, STOPWORDS_BY_LANGUAGE, lexical_tokens, stem_words

SpanKind = Literal["term", "phrase", "sentence", "shared"]


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: SpanKind = "term"


# The same passages come back for many queries: their words, stems and sentences are kept
# for the most recent ones instead of being recomputed for every hit (bounded in entries).
PASSAGE_CACHE = 1024


@lru_cache(maxsize=PASSAGE_CACHE)
def _words_and_stems(text: str, language: str = "en") -> tuple[tuple[Token, ...], tuple[str, ...]]:
    toks = tuple(tokens(text))
    return toks, tuple(stem_words([t.word for t in toks], language))


@lru_cache(maxsize=PASSAGE_CACHE)
def _sentences(text: str) -> tuple[Sentence, ...]:
    return tuple(split_sentences(text))


def term_spans(text: str, query: ParsedQuery, language: str = "en") -> list[Span]:
    """Words of ``text`` whose stem is a query term, and each exact phrase occurrence; both
    stemmed as the passage's language is (as BM25 matched them)."""
    wanted = set(lexical_tokens(query.text, language=language))
    stop = STOPWORDS_BY_LANGUAGE.get(language, STOPWORDS)
    toks, stems = _words_and_stems(text, language)
    spans = [
        Span(t.start, t.end, "term")
        for t, stem in zip(toks, stems, strict=True)
        if stem in wanted and t.word not in stop
    ]
    for phrase, bare in query.variants():
        spans += phrase_spans(toks, phrase) or phrase_spans(toks, bare)
    return sorted(spans, key=lambda s: (s.start, s.end))


def phrase_spans(toks: Sequence[Token], phrase: tuple[str, ...]) -> list[Span]:
    n = len(phrase)
    return [
        Span(toks[i].start, toks[i + n - 1].end, "phrase")
        for i in occurrences([t.word for t in toks], phrase)
    ]


def best_sentences(
    searcher: Searcher, query_vec: np.ndarray, texts: list[str]
) -> list[tuple[Span, float] | None]:
    """Per text, its sentence closest to the query (cosine), or None when it has none."""
    sentences = [_sentences(t) for t in texts]
    flat = [s.text for group in sentences for s in group]
    if not flat:
        return [None] * len(texts)
    sims = sentence_vectors(searcher.embedder).encode(flat, searcher.store) @ query_vec
    out: list[tuple[Span, float] | None] = []
    i = 0
    for group in sentences:
        if not group:
            out.append(None)
            continue
        j = int(np.argmax(sims[i : i + len(group)]))
        best = group[j]
        out.append((Span(best.start, best.end, "sentence"), float(sims[i + j])))
        i += len(group)
    return out


def highlight_hits(searcher: Searcher, query: str, hits: list[Hit], mode: str) -> list[list[Span]]:
    """Per hit, what matched: terms and phrases for lexical and hybrid, the best sentence for
    dense and hybrid; also stored as offsets in ``hit.highlights``.

    A passage of a single sentence gets no sentence span: it would mark everything.
    """
    parsed = parse_query(query)
    semantic: list[tuple[Span, float] | None] = [None] * len(hits)
    if mode in ("dense", "hybrid") and hits:
        vec = searcher.embed_query(parsed.text)
        semantic = best_sentences(searcher, vec, [h.text for h in hits])
    out = []
    for hit, best in zip(hits, semantic, strict=True):
        spans = term_spans(hit.text, parsed, hit.language) if mode in ("lexical", "hybrid") else []
        if mode in ("lexical", "hybrid"):
            spans = sorted(spans + crossing_phrases(searcher, hit, parsed), key=_order)
        if best is not None and (best[0].end - best[0].start) < len(hit.text.strip()):
            spans.append(best[0])
        hit.highlights = [(s.start, s.end) for s in spans]
        out.append(spans)
    return out


def _order(span: Span) -> tuple[int, int]:
    return span.start, span.end


def crossing_phrases(searcher: Searcher, hit: Hit, parsed: ParsedQuery) -> list[Span]:
    """The part of a quoted phrase that this passage holds when the phrase runs across a
    passage boundary (search/phrases.py found it in the document, not in one passage), or
    the phrase without the running header a copy across a page break brought along: marked
    so the reader sees where the quote begins or ends."""
    out = []
    toks = _words_and_stems(hit.text, hit.language)[0] if parsed.phrases else ()
    for phrase, bare in parsed.variants():
        if phrase_spans(toks, phrase) or phrase_spans(toks, bare):
            continue  # whole in this passage: term_spans marked it
        form, _ = searcher.phrases.resolve(phrase, bare)  # as the search found it
        for start, end in searcher.phrases.document_spans(hit.doc_id, form):
            a, b = max(start, hit.char_start), min(end, hit.char_end)
            if a < b:
                out.append(Span(a - hit.char_start, b - hit.char_start, "phrase"))
    return out
