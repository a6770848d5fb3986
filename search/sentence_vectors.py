"""Sentence vectors for highlights and answers: from the index when ingest stored them (the
normal case: no model run at query time), else from the model, behind an LRU."""

from __future__ import annotations

import weakref
from collections import OrderedDict
from threading import Lock

import numpy as np

from ingest.embed import Embedder
from search.store import IndexStore


class SentenceVectors:
    """Unit vectors for sentences, an LRU of ``size`` texts in front of the model."""

    def __init__(self, embedder: Embedder, size: int = 20_000) -> None:
        self.embedder = embedder
        self.size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = Lock()

    def encode(self, texts: list[str], store: IndexStore | None = None) -> np.ndarray:
        """Matrix with row i = embedding of texts[i]; only texts neither the LRU nor the
        index holds reach the model."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._items))
        fresh = store.sentence_vectors(missing) if store is not None and missing else {}
        unknown = [t for t in missing if t not in fresh]
        if unknown:
            fresh.update(zip(unknown, self.embedder.encode(unknown), strict=True))
        with self._lock:
            for text, vec in fresh.items():
                self._items[text] = vec
            found = {t: self._items[t] for t in texts if t in self._items}
            for text in found:
                self._items.move_to_end(text)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        late = [t for t in dict.fromkeys(texts) if t not in found and t not in fresh]
        if late:  # evicted by another thread meanwhile: rare
            fresh.update(zip(late, self.embedder.encode(late), strict=True))
        found.update((t, fresh[t]) for t in texts if t not in found)
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
