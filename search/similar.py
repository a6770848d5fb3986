"""Precedent finder: passages across all documents whose wording is closest to a text.

Candidates are the union of the lexical and dense top-N over the whole index (identical text in
two documents stays two results). Each candidate is compared with the text on word n-grams
(shingles of folded, stemmed words: "programmes" meets "programs"): the share of the text's
word trigrams it holds is its *reuse*; the runs of words covered by shared bigrams are its
*shared phrases*. Near-verbatim reuse ranks first (by reuse), then semantic neighbours (by
cosine of the embeddings). Shingles made only of stop words ("of the") count for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from cartagena.errors import InvalidQueryError
from ingest.spans import Token, tokens
from ingest.tokens import STOPWORDS, stem_words
from search.engine import Searcher
from search.models import Hit

MatchKind = Literal["reuse", "semantic"]


@dataclass
class SimilarHit:
    hit: Hit
    match: MatchKind
    reuse: float  # share of the source's shingles found in this passage (0..1)
    cosine: float
    shared: list[tuple[int, int]] = field(default_factory=list)  # offsets in hit.text
    longest_shared_words: int = 0


@dataclass(frozen=True)
class Exclusion:
    """A source passage: itself and any chunk of its document overlapping its range."""

    doc_id: str
    char_start: int
    char_end: int

    def covers(self, hit: Hit) -> bool:
        return (
            hit.doc_id == self.doc_id
            and hit.char_start < self.char_end
            and self.char_start < hit.char_end
        )


def stems(toks: list[Token]) -> list[str]:
    """Each token's stem; stop words kept as they are, so positions still line up."""
    plain = [t.word for t in toks]
    return [w if w in STOPWORDS else stem for w, stem in zip(plain, stem_words(plain), strict=True)]


def shingles(words: list[str], n: int) -> set[tuple[str, ...]]:
    """Word n-grams that carry content: at least one word is not a stop word."""
    return {
        gram
        for gram in (tuple(words[i : i + n]) for i in range(len(words) - n + 1))
        if any(w not in STOPWORDS for w in gram)
    }


def shared_runs(
    toks: list[Token], words: list[str], source_words: list[str], n: int
) -> tuple[list[tuple[int, int]], int]:
    """Character spans of the runs of ``toks`` that the source shares: covered by a shared
    content n-gram, or by a shared bigram of two content words ("private sponsorship").
    Also the longest run, in words."""
    grams = shingles(source_words, n)
    pairs = {p for p in shingles(source_words, 2) if not (set(p) & STOPWORDS)}
    covered = [False] * len(toks)
    for size, wanted in ((n, grams), (2, pairs)):
        for i in range(len(toks) - size + 1):
            if tuple(words[i : i + size]) in wanted:
                covered[i : i + size] = [True] * size
    spans: list[tuple[int, int]] = []
    longest = run = 0
    for i, on in enumerate(covered):
        run = run + 1 if on else 0
        longest = max(longest, run)
        if run == 1:
            spans.append((toks[i].start, toks[i].end))
        elif run > 1:
            spans[-1] = (spans[-1][0], toks[i].end)
    return spans, longest


def candidates(searcher: Searcher, text: str, n: int) -> list[int]:
    """Rows from the lexical and the dense top-``n``, in first-seen order, no filters."""
    rows = [r for r, _ in searcher.dense(text, n, None)]
    rows += [r for r, _ in searcher.lexical(text, n, None)]
    return list(dict.fromkeys(rows))


def cosines(searcher: Searcher, text: str, rows: list[int]) -> np.ndarray:
    query = searcher.embed_query(text)
    vectors = np.stack([searcher.store.vectors.reconstruct(int(r)) for r in rows])
    return vectors @ query


def find_similar(
    searcher: Searcher, text: str, k: int = 10, exclude: Exclusion | None = None
) -> list[SimilarHit]:
    """Up to ``k`` passages closest in wording to ``text``: reuse first, then semantic."""
    settings = searcher.settings
    n = settings.similar_ngram
    if not tokens(text):
        raise InvalidQueryError("text has no words to compare")
    source_words = stems(tokens(text))
    source = shingles(source_words, n)
    rows = candidates(searcher, text, settings.similar_candidates)
    if not rows:
        return []
    hits = searcher.store.hits(rows, cosines(searcher, text, rows).tolist())
    out = []
    for hit in hits:
        if exclude is not None and exclude.covers(hit):
            continue
        toks = tokens(hit.text)
        words = stems(toks)
        spans, longest = shared_runs(toks, words, source_words, n)
        reuse = len(source & shingles(words, n)) / len(source) if source else 0.0
        is_reuse = (reuse >= settings.similar_reuse_min and longest >= n + 1) or longest >= 8
        out.append(
            SimilarHit(
                hit=hit,
                match="reuse" if is_reuse else "semantic",
                reuse=round(reuse, 4),
                cosine=round(hit.score, 4),
                shared=spans,
                longest_shared_words=longest,
            )
        )
    out.sort(key=lambda s: (s.match != "reuse", -s.reuse if s.match == "reuse" else 0, -s.cosine))
    for rank, s in enumerate(out[:k], start=1):
        s.hit.rank = rank
        s.hit.highlights = list(s.shared)
    return out[:k]


def similar_to_passage(searcher: Searcher, passage_id: str, k: int = 10) -> list[SimilarHit]:
    """Passages closest to a stored passage, the passage and its overlapping chunks left out."""
    source = searcher.store.passage(passage_id).hit
    exclusion = Exclusion(source.doc_id, source.char_start, source.char_end)
    return find_similar(searcher, source.text, k, exclude=exclusion)
