"""Sentence vectors for highlights and answers: from the index when ingest stored them (the
normal case: no model run at query time), else from the model, behind an LRU."""

from __future__ import annotations

import weakref
from threading import Lock

import numpy as np

from embedding.base import Embedder
from index.reader import IndexStore
from search.vector_cache import VectorCache


class SentenceVectors:
    """Unit vectors for sentences: an LRU of ``size`` texts, then the index, then the model."""

    def __init__(self, embedder: Embedder, size: int = 20_000) -> None:
        self.embedder = embedder
        self.cache = VectorCache(size)

    def encode(self, texts: list[str], store: IndexStore | None = None) -> np.ndarray:
        """Matrix with row i = embedding of texts[i]; only texts neither the LRU nor the
        index holds reach the model."""
        found: dict[str, np.ndarray] = {}
        for text in dict.fromkeys(texts):
            vec = self.cache.get(text)
            if vec is not None:
                found[text] = vec
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            fresh = store.sentence_vectors(missing) if store is not None else {}
            unknown = [t for t in missing if t not in fresh]
            if unknown:
                fresh.update(zip(unknown, self.embedder.encode(unknown), strict=True))
            for text, vec in fresh.items():
                self.cache.put(text, vec)
            found.update(fresh)
        return np.stack([found[t] for t in texts]).astype(np.float32)


_BY_EMBEDDER: weakref.WeakKeyDictionary[Embedder, SentenceVectors] = weakref.WeakKeyDictionary()
_GUARD = Lock()


def sentence_vectors(embedder: Embedder) -> SentenceVectors:
    """The one cache for this embedder (the service keeps one embedder across index reloads)."""
    with _GUARD:
        cache = _BY_EMBEDDER.get(embedder)
        if cache is None:
            cache = _BY_EMBEDDER[embedder] = SentenceVectors(embedder)
        return cache
