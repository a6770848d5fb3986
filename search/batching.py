"""Micro-batching of query embeddings: concurrent requests share one forward pass.

FastAPI runs plain ``def`` endpoints in a thread pool, so under load several threads want a
query vector at once. Encoding them one at a time makes the threads queue on the model (and
fight over its cores); encoding them together costs little more than encoding one.

The scheme is leader/follower, without a background thread:

- a caller that finds the model idle becomes the *leader*: it takes every queued text (its
  own first), encodes them in one call and hands each caller its vector;
- callers that arrive meanwhile queue up and wait; when the leader is done it promotes the
  oldest waiting caller, which leads the next batch.

A lone request therefore never waits for company (``wait_s`` = 0, the default): batches form
only when requests overlap, which is exactly when batching pays.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

log = logging.getLogger(__name__)
Encode = Callable[[list[str]], np.ndarray]


@dataclass(eq=False)
class _Pending:
    text: str
    ready: threading.Event = field(default_factory=threading.Event)
    vector: np.ndarray | None = None
    error: BaseException | None = None
    lead: bool = False


class QueryBatcher:
    """Thread-safe: ``embed(text)`` from any number of threads; ``encode`` sees batches."""

    def __init__(self, encode: Encode, max_batch: int = 32, wait_s: float = 0.0) -> None:
        self._encode = encode
        self.max_batch = max(1, max_batch)
        self.wait_s = max(0.0, wait_s)
        self._lock = threading.Lock()
        self._queue: list[_Pending] = []
        self._busy = False
        self.batches = 0  # forward passes run (for tests and benchmarks)
        self.texts = 0  # texts encoded

    def embed(self, text: str) -> np.ndarray:
        """The vector of ``text``, possibly computed in one batch with other callers' texts."""
        me = _Pending(text)
        with self._lock:
            self._queue.append(me)
            if not self._busy:
                self._busy = me.lead = True
        if not me.lead:
            me.ready.wait()
        if me.lead:  # first caller, or promoted by the previous leader
            self._run_batch()
        if me.error is not None:
            raise me.error
        assert me.vector is not None
        return me.vector

    def _run_batch(self) -> None:
        if self.wait_s:
            time.sleep(self.wait_s)
        with self._lock:
            batch = self._queue[: self.max_batch]
            del self._queue[: len(batch)]
        try:
            vectors = self._encode([p.text for p in batch])
        except BaseException as exc:  # noqa: BLE001 - every waiting caller gets the error
            for p in batch:
                p.error = exc
        else:
            for p, vec in zip(batch, vectors, strict=True):
                p.vector = vec
        with self._lock:
            self.batches += 1
            self.texts += len(batch)
            following = self._queue[0] if self._queue else None
            if following is None:
                self._busy = False
            else:
                following.lead = True
        for p in batch:
            p.lead = False
            p.ready.set()
        if following is not None:
            following.ready.set()


_BATCHERS: weakref.WeakKeyDictionary[object, QueryBatcher] = weakref.WeakKeyDictionary()
_BATCHERS_LOCK = threading.Lock()


def batcher_for(embedder: object, encode: Encode, max_batch: int, wait_s: float) -> QueryBatcher:
    """One batcher per embedder, so a Searcher swapped in on reload keeps batching with the
    requests still running on the old one (they share the model)."""
    with _BATCHERS_LOCK:
        found = _BATCHERS.get(embedder)
        if found is None:
            found = _BATCHERS[embedder] = QueryBatcher(encode, max_batch, wait_s)
        return found
