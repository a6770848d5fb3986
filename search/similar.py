"""Precedent finder: passages across all documents whose wording is closest to a text.

Candidates are the union of the lexical and the dense top-N over the whole index (identical text
in two documents stays two results). A reworded precedent rarely resembles a whole passage: it
restates one or two of its sentences in other words ("States" for "countries", passive for
active, a noun for a verb). So each candidate is compared with the text where the idea sits:

- *meaning*: the best cosine between the text and the passage, any run of up to one sentence
  more than the text has of the passage's consecutive sentences (their sentence vectors,
  stored at ingest, summed), or the mean over the text's sentences of each one's closest
  sentence of the passage;
- *wording*: the best weighted F1, over the same runs of sentences, of the content terms they
  share with the text (stems, British spelling and a few interchangeable words normalised,
  IDF weights: :mod:`search.wording`).

The score is ``(1 - w) * meaning + w * wording`` (``similar_lexical_weight``, cross-validated on
the paraphrase sets in evals/REPORT.md). Results are in score order; a text that reuses a
passage near-verbatim scores close to 1 on both and so comes first.

Independently, each candidate is compared with the text on word n-grams (shingles of folded,
stemmed words: "programmes" meets "programs"): the share of the text's word trigrams it holds
is its *reuse*; the runs of words covered by shared n-grams are its *shared phrases*, marked by
offsets; a passage with enough of them is labelled ``reuse``, the others ``semantic``. Shingles
made only of stop words ("of the") count for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from cartagena.errors import InvalidQueryError
from index.models import Hit
from search.engine import Searcher
from search.sentence_vectors import sentence_vectors
from search.wording import content_terms, overlap_f1
from text.language import query_language
from text.spans import Token, split_sentences, tokens
from text.tokens import STOPWORDS, stem_words

MatchKind = Literal["reuse", "semantic"]


@dataclass
class SimilarHit:
    hit: Hit
    match: MatchKind
    reuse: float  # share of the source's shingles found in this passage (0..1)
    cosine: float  # meaning: best cosine of the passage or a run of its sentences
    shared: list[tuple[int, int]] = field(default_factory=list)  # offsets in hit.text
    longest_shared_words: int = 0
    wording: float = 0.0  # best weighted F1 of shared content terms (0..1)
    score: float = 0.0  # what the results are ranked by


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


def crosslingual(searcher: Searcher, text: str) -> bool:
    """Whether a draft is compared through the cross-lingual model: one not in English, over
    an index holding that model's vectors. The primary model (English MiniLM) does not read a
    Spanish draft, and its words share no stem with the English passages: source first for 4
    of 16 Spanish and Portuguese drafts (evals/REPORT.md, "/similar in Spanish and
    Portuguese")."""
    return searcher.crosslingual is not None and query_language(text) != "en"


def candidates(searcher: Searcher, text: str, n: int, other_language: bool = False) -> list[int]:
    """Rows from the lexical and the dense top-``n``, in first-seen order, no filters."""
    dense = searcher.dense_crosslingual if other_language else searcher.dense
    rows = [r for r, _ in dense(text, n, None)]
    rows += [r for r, _ in searcher.lexical(text, n, None)]
    return list(dict.fromkeys(rows))


def cosines(
    searcher: Searcher, text: str, rows: list[int], other_language: bool = False
) -> np.ndarray:
    if other_language:
        vectors = searcher.store.crosslingual_vectors
        assert vectors is not None  # crosslingual() checked the searcher has them
        return vectors.reconstruct_many(rows) @ searcher.embed_crosslingual(text)
    return searcher.store.vectors.reconstruct_many(rows) @ searcher.embed_query(text)


@dataclass(frozen=True)
class Draft:
    """The text being compared: its vector, its sentences' vectors and its weighted terms."""

    vector: np.ndarray
    sentences: np.ndarray  # one row per sentence
    terms: dict[str, float]


def runs(n: int, longest: int) -> list[tuple[int, int]]:
    """Every run [a, b) of 1..``longest`` consecutive items out of ``n`` (the whole when
    shorter)."""
    longest = max(1, min(longest, n))
    return [(a, a + size) for size in range(1, longest + 1) for a in range(n - size + 1)]


def meaning_and_wording(
    draft: Draft,
    passage_cosine: float,
    sentence_matrix: np.ndarray | None,
    sentence_terms: list[set[str]],
    weights: dict[str, float],
) -> tuple[float, float]:
    """(meaning, wording) of one passage, each the best over runs of its sentences of up to
    one more sentence than the draft has; ``sentence_matrix`` is None when the index holds no
    sentence vectors (meaning is then the passage cosine alone)."""
    spans = runs(len(sentence_terms), len(draft.sentences) + 1)
    meaning = passage_cosine
    if sentence_matrix is not None and len(sentence_matrix):
        sums = np.stack([sentence_matrix[a:b].sum(axis=0) for a, b in spans])
        sums /= np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-9)
        aligned = float((draft.sentences @ sentence_matrix.T).max(axis=1).mean())
        meaning = max(meaning, float((sums @ draft.vector).max()), aligned)
    wording = 0.0
    if draft.terms:
        for a, b in spans:
            window = set().union(*sentence_terms[a:b])
            wording = max(wording, overlap_f1(draft.terms, window, weights))
    return meaning, wording


def find_similar(
    searcher: Searcher, text: str, k: int = 10, exclude: Exclusion | None = None
) -> list[SimilarHit]:
    """Up to ``k`` passages closest in wording to ``text``, best first."""
    settings = searcher.settings
    n = settings.similar_ngram
    if not tokens(text):
        raise InvalidQueryError("text has no words to compare")
    source_words = stems(tokens(text))
    source = shingles(source_words, n)
    other = crosslingual(searcher, text)
    rows = candidates(searcher, text, settings.similar_candidates, other)
    if not rows:
        return []
    hits = searcher.store.hits(rows, cosines(searcher, text, rows, other).tolist())
    hits = [h for h in hits if exclude is None or not exclude.covers(h)]
    if not hits:
        return []
    store = searcher.store
    encoder = sentence_vectors(searcher.embedder)
    per_hit = [[s.text for s in split_sentences(h.text)] or [h.text] for h in hits]
    flat = [s for sentences in per_hit for s in sentences]
    known = store.vocabulary
    terms_of = {s: set(content_terms(s, known)) for s in dict.fromkeys(flat)}
    if other:
        # another language: meaning is the cross-lingual model's passage cosine (it stores
        # no sentence vectors), wording the index stems the draft's words are cognates of
        vector = searcher.embed_crosslingual(text)
        draft_matrix = vector.reshape(1, -1)
        matrix = None
        draft_terms = set(searcher.cognate_terms(text)) | {
            t for t in content_terms(text, known) if t in known
        }
    else:
        draft_sentences = [s.text for s in split_sentences(text)] or [text]
        vector = searcher.embed_query(text)
        draft_matrix = (
            vector.reshape(1, -1)
            if draft_sentences == [text.strip()]
            else encoder.encode(draft_sentences, store)
        )
        matrix = encoder.encode(flat, store) if store.has_sentence_vectors else None
        draft_terms = set(content_terms(text, known))
    weights = store.idf(list(draft_terms.union(*terms_of.values())))
    draft = Draft(vector, draft_matrix, {t: weights[t] for t in draft_terms})
    w = settings.similar_lexical_weight
    out = []
    at = 0
    for hit, sentences in zip(hits, per_hit, strict=True):
        block = None if matrix is None else matrix[at : at + len(sentences)]
        at += len(sentences)
        meaning, wording = meaning_and_wording(
            draft, hit.score, block, [terms_of[s] for s in sentences], weights
        )
        toks = tokens(hit.text)
        words = stems(toks)
        spans, longest = shared_runs(toks, words, source_words, n)
        reuse = len(source & shingles(words, n)) / len(source) if source else 0.0
        is_reuse = (reuse >= settings.similar_reuse_min and longest >= n + 1) or longest >= 8
        score = (1 - w) * meaning + w * wording
        hit.score = round(score, 4)
        out.append(
            SimilarHit(
                hit=hit,
                match="reuse" if is_reuse else "semantic",
                reuse=round(reuse, 4),
                cosine=round(meaning, 4),
                shared=spans,
                longest_shared_words=longest,
                wording=round(wording, 4),
                score=round(score, 4),
            )
        )
    out.sort(key=lambda s: (-s.score, -s.reuse))
    for rank, s in enumerate(out[:k], start=1):
        s.hit.rank = rank
        s.hit.highlights = list(s.shared)
    return out[:k]


def similar_to_passage(searcher: Searcher, passage_id: str, k: int = 10) -> list[SimilarHit]:
    """Passages closest to a stored passage, the passage and its overlapping chunks left out."""
    source = searcher.store.passage(passage_id).hit
    exclusion = Exclusion(source.doc_id, source.char_start, source.char_end)
    return find_similar(searcher, source.text, k, exclude=exclusion)
