"""Extractive answers: the few sentences of the best passages that answer a question.

Each sentence of the top passages is scored by the embedding model (cosine to the question)
and by lexical overlap (the share of the question's terms, weighted by IDF, that it contains).
The best sentences within a margin of the top one are returned in reading order: documents in
order of their best sentence, sentences in document order. When even the best sentence scores
below ``answer_min_score`` the question is refused with a reason instead of answered with noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from cartagena.settings import Settings
from ingest.spans import split_sentences
from ingest.tokens import lexical_tokens, words
from search.engine import Searcher
from search.models import Filters, Hit
from search.query import parse_query
from search.sentence_vectors import sentence_vectors
from search.store import IndexStore

# Question words that say nothing about the topic ("What did ... find about ...?").
QUESTION_WORDS = frozenset(
    lexical_tokens(
        "how does did do about describe described which kind find found say said tell whose",
        stopwords=False,
    )
)
MIN_SENTENCE_WORDS = 4


@dataclass
class AnswerSentence:
    text: str
    passage_id: str
    doc_id: str
    citation: str
    year: int | None
    start: int  # offsets in the passage text
    end: int
    doc_start: int  # offsets in the document's normalised text
    doc_end: int
    score: float
    cosine: float
    overlap: float


@dataclass
class Answer:
    question: str
    sentences: list[AnswerSentence]
    passages: list[Hit]
    best_score: float
    reason: str | None = None
    threshold: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def answered(self) -> bool:
        return bool(self.sentences)

    @property
    def text(self) -> str | None:
        return " ".join(s.text for s in self.sentences) or None


def term_weights(store: IndexStore, terms: list[str]) -> dict[str, float]:
    """IDF of each stemmed term over the index's passages (BM25's own document frequencies)."""
    n = max(int(store.bm25.scores.get("num_docs", store.size)), 1)
    indptr = np.asarray(store.bm25.scores["indptr"])
    vocab = store.bm25.vocab_dict
    out = {}
    for t in terms:
        i = vocab.get(t)
        df = int(indptr[i + 1] - indptr[i]) if i is not None and i + 1 < len(indptr) else 0
        out[t] = math.log(1 + (n - df + 0.5) / (df + 0.5))
    return out


def overlap(sentence: str, weights: dict[str, float]) -> float:
    """Weighted share of the question's terms that the sentence contains (0..1)."""
    total = sum(weights.values())
    if not total:
        return 0.0
    present = set(lexical_tokens(sentence))
    return sum(w for t, w in weights.items() if t in present) / total


def score_sentences(searcher: Searcher, question: str, hits: list[Hit]) -> list[AnswerSentence]:
    """Every sentence of ``hits`` worth reading, scored; duplicates from overlapping chunks once."""
    text = parse_query(question).text
    terms = [t for t in dict.fromkeys(lexical_tokens(text)) if t not in QUESTION_WORDS]
    weights = term_weights(searcher.store, terms)
    seen: set[tuple[str, ...]] = set()
    found: list[tuple[Hit, int, int, str]] = []
    for hit in hits:
        for s in split_sentences(hit.text):
            key = tuple(words(s.text))
            if len(key) < MIN_SENTENCE_WORDS or key in seen:
                continue
            seen.add(key)
            found.append((hit, s.start, s.end, s.text))
    if not found:
        return []
    cosines = sentence_vectors(searcher.embedder).encode([f[3] for f in found], searcher.store) @ (
        searcher.embed_query(text)
    )
    w = searcher.settings.answer_lexical_weight
    out = []
    for (hit, start, end, sentence), cos in zip(found, cosines, strict=True):
        lex = overlap(sentence, weights)
        out.append(
            AnswerSentence(
                text=sentence,
                passage_id=hit.passage_id,
                doc_id=hit.doc_id,
                citation=hit.citation,
                year=hit.year,
                start=start,
                end=end,
                doc_start=hit.char_start + start,
                doc_end=hit.char_start + end,
                score=round((1 - w) * float(cos) + w * lex, 4),
                cosine=round(float(cos), 4),
                overlap=round(lex, 4),
            )
        )
    return out


def choose(scored: list[AnswerSentence], settings: Settings) -> list[AnswerSentence]:
    """The best sentences within the margin of the top one, in reading order."""
    ranked = sorted(scored, key=lambda s: -s.score)
    floor = max(settings.answer_min_score, ranked[0].score - settings.answer_margin)
    chosen = [s for s in ranked if s.score >= floor][: settings.answer_max_sentences]
    doc_order = list(dict.fromkeys(s.doc_id for s in chosen))
    return sorted(chosen, key=lambda s: (doc_order.index(s.doc_id), s.doc_start))


def answer_question(
    searcher: Searcher,
    question: str,
    k: int | None = None,
    filters: Filters | None = None,
) -> Answer:
    settings = searcher.settings
    threshold = settings.answer_min_score
    hits = searcher.search(question, k=k or settings.answer_passages, filters=filters)
    scored = score_sentences(searcher, question, hits)
    if not scored:
        reason = "no passage matches the question" + (" and the filters" if filters else "")
        return Answer(question, [], hits, 0.0, reason, threshold)
    best = max(s.score for s in scored)
    if best < threshold:
        reason = (
            f"nothing in the documents answers this closely enough: the best sentence scores "
            f"{best:.2f}, below the threshold {threshold:.2f}"
        )
        return Answer(question, [], [], best, reason, threshold)  # its passages would be noise
    chosen = choose(scored, settings)
    cited = list(dict.fromkeys(s.passage_id for s in chosen))
    passages = sorted(hits, key=lambda h: (h.passage_id not in cited, h.rank))
    return Answer(question, chosen, passages, best, None, threshold)
