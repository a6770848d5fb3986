"""What every embedding backend offers: documents and queries in, unit vectors out.

Two entry points because asymmetric models (e5) read a query differently from a passage; for
symmetric ones (all-MiniLM-L6-v2) they are the same function. Token counting belongs here too:
the chunker sizes passages in the tokens of the model that will read them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np


class Embedder(ABC):
    """Unit-length float32 vectors, one row per text: inner product = cosine.

    ``model_ref`` is what ``CARTAGENA_MODEL`` (or ``CARTAGENA_CROSSLINGUAL_MODEL``) said;
    ``backend`` names the runtime, for logs, the cache key and the server's status.
    """

    model_ref: str
    backend: str

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """Document (passage or sentence) vectors."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return self._encode_documents(texts, progress)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Query vectors: what the server and the evals embed for users' text."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return self._encode_queries(texts)

    @abstractmethod
    def _encode_documents(self, texts: list[str], progress: bool) -> np.ndarray: ...

    @abstractmethod
    def _encode_queries(self, texts: list[str]) -> np.ndarray: ...

    @property
    @abstractmethod
    def model(self) -> Any:
        """The loaded runtime model (loads it on first use)."""

    @property
    @abstractmethod
    def max_tokens(self) -> int:
        """Tokens the model reads before it truncates, known without loading the model."""

    @abstractmethod
    def count_tokens(self, text: str) -> int: ...

    def cache_key(self, model_name: str) -> str:
        """Key prefix in the embedding cache: another runtime's vectors are not the same ones."""
        return model_name
