"""A thread-safe LRU of vectors by text: query embeddings and sentence embeddings both use it."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

import numpy as np


class VectorCache:
    """At most ``size`` vectors; the least recently used goes first."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = Lock()

    def get(self, text: str) -> np.ndarray | None:
        with self._lock:
            vec = self._items.get(text)
            if vec is not None:
                self._items.move_to_end(text)
            return vec

    def put(self, text: str, vec: np.ndarray) -> None:
        with self._lock:
            self._items[text] = vec
            self._items.move_to_end(text)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
