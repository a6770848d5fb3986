"""The embedding model, loaded once and only when there is something to embed."""

from __future__ import annotations

import logging
import os
from functools import cached_property, lru_cache

import numpy as np

log = logging.getLogger(__name__)


class Embedder:
    """Wraps a sentence-transformers model: unit-length float32 vectors, inner product = cosine."""

    def __init__(self, model: str, device: str = "cpu", batch_size: int = 32) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        self.model_ref = model
        self.device = device
        self.batch_size = batch_size

    @cached_property
    def model(self):
        from sentence_transformers import SentenceTransformer

        log.info("loading embedding model %s on %s", self.model_ref, self.device)
        return SentenceTransformer(self.model_ref, device=self.device)

    @cached_property
    def tokenizer(self):
        """The tokenizer alone: counting tokens must not cost a model load."""
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(self.model_ref)

    @cached_property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)

    @property
    def dimension(self) -> int:
        dim = self.model.get_sentence_embedding_dimension()
        return int(dim) if dim else int(self.encode(["x"]).shape[1])

    def count_tokens(self, text: str) -> int:
        return _count(self.tokenizer, text)

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


@lru_cache(maxsize=200_000)
def _count(tokenizer, text: str) -> int:
    return len(tokenizer.tokenize(text))
