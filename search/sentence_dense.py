"""Dense scores that see a passage's best sentence, not only the passage as a whole.

A passage vector blends its sentences: a question answered by one sentence of a long intro
paragraph, or a paraphrase of one clause of a recommendation, scores low against the blend and
high against that sentence. So a passage's dense score is the higher of its own cosine and its
best sentence's (MaxP in the passage-ranking literature). On the blind held-out set
(evals/data/cartagena-extra.jsonl) dense MRR@10 rose from 0.59 to 0.77 with all-MiniLM-L6-v2;
evals/REPORT.md has the figures and the command.

Sentence vectors are the ones ingest stored for highlights and answers, so no model runs here;
an index without them (or with more than ``limit`` of them) keeps passage-only scores.
"""

from __future__ import annotations

import logging

import numpy as np

from index.reader import IndexStore
from text.spans import split_sentences

log = logging.getLogger(__name__)
_BATCH = 900  # SQLite host parameters per lookup


class SentenceMatrix:
    """Every passage's sentence vectors in one matrix, grouped by passage row."""

    def __init__(self, vectors: np.ndarray, owners: np.ndarray, n_rows: int) -> None:
        # owners is sorted: row r's sentences are one contiguous block starting at starts[r]
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.owners = owners.astype(np.int64)
        self.n_rows = n_rows
        self.rows_with, self.starts = np.unique(self.owners, return_index=True)

    @classmethod
    def from_store(cls, store: IndexStore, limit: int) -> SentenceMatrix | None:
        if not store.has_sentence_vectors or store.size == 0:
            return None
        owners: list[int] = []
        texts: list[str] = []
        for passage in store.passages():
            for sentence in split_sentences(passage.text):
                owners.append(passage.row)
                texts.append(sentence.text)
                if len(texts) > limit:
                    log.info("over %d sentences: dense search uses passage vectors only", limit)
                    return None
        found: dict[str, np.ndarray] = {}
        distinct = list(dict.fromkeys(texts))
        for i in range(0, len(distinct), _BATCH):
            found.update(store.sentence_vectors(distinct[i : i + _BATCH]))
        keep = [i for i, t in enumerate(texts) if t in found]
        if not keep:
            return None
        vectors = np.stack([found[texts[i]] for i in keep])
        return cls(vectors, np.array([owners[i] for i in keep]), store.size)

    def best(self, query: np.ndarray) -> np.ndarray:
        """Per passage row, the highest cosine of one of its sentences (-inf: none stored)."""
        out = np.full(self.n_rows, -np.inf, dtype=np.float32)
        out[self.rows_with] = np.maximum.reduceat(self.vectors @ query, self.starts)
        return out


def best_of(
    passage_top: list[tuple[int, float]],
    sentences: np.ndarray,
    k: int,
    mask: np.ndarray | None,
) -> list[tuple[int, float]]:
    """Top ``k`` rows by max(passage cosine, best sentence cosine), within ``mask``.

    Rows outside ``passage_top`` are scored by their sentences alone: a passage that the
    passage index did not rank that high lives or dies by its best sentence.
    """
    combined = sentences.copy()
    for row, score in passage_top:
        combined[row] = max(combined[row], score)
    if mask is not None:
        combined[~mask] = -np.inf
    candidates = np.flatnonzero(np.isfinite(combined))
    top = candidates[np.argsort(-combined[candidates], kind="stable")[:k]]
    return [(int(r), float(combined[r])) for r in top]
