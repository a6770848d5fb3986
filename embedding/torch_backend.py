"""A sentence-transformers checkpoint run by torch (all-MiniLM-L6-v2 by default).

Symmetric: queries and passages are embedded alike. On an accelerator, passages go through
:func:`embedding.pipelined.encode_pipelined` in half precision (cosine >= 0.999 to fp32,
``tests/embedding/test_pipelined.py``), so its vectors share fp32's cache key.
"""

from __future__ import annotations

import json
import logging
import os
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from embedding.base import Embedder

log = logging.getLogger(__name__)


def offline() -> None:
    """Models load from local paths only: the hub is unreachable at run time, and asking it
    would hang until its time-out."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class TransformersTokens:
    """Token counting with the checkpoint's own tokenizer, without loading the model."""

    model_ref: str

    @cached_property
    def tokenizer(self) -> Any:
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(self.model_ref)

    @cached_property
    def max_tokens(self) -> int:
        config = Path(self.model_ref) / "sentence_bert_config.json"
        if config.is_file():
            seq = json.loads(config.read_text()).get("max_seq_length")
            if seq:
                return int(seq)
        if "model" in self.__dict__:  # already loaded: ask it
            return int(self.__dict__["model"].max_seq_length)
        return int(min(self.tokenizer.model_max_length, 512))

    def count_tokens(self, text: str) -> int:
        return _count(self.tokenizer, text)


class TorchEmbedder(TransformersTokens, Embedder):
    backend = "torch"

    def __init__(
        self,
        model_ref: str,
        device: str = "cpu",
        batch_size: int = 32,
        threads: int = 0,
        half: bool = False,
    ) -> None:
        offline()
        self.model_ref = model_ref
        self.device = device
        self.batch_size = batch_size
        self.threads = threads
        self.half = half

    @cached_property
    def model(self) -> Any:
        from sentence_transformers import SentenceTransformer

        log.info("loading embedding model %s (torch) on %s", self.model_ref, self.device)
        if self.threads > 0:
            import torch

            torch.set_num_threads(self.threads)
        model = SentenceTransformer(self.model_ref, device=self.device)
        return model.half() if self.half else model

    def _encode_documents(self, texts: list[str], progress: bool) -> np.ndarray:
        if self.device != "cpu":
            from embedding.pipelined import encode_pipelined

            return encode_pipelined(self.model, texts, self.batch_size)
        return encode_with(self.model, texts, self.batch_size, progress)

    def _encode_queries(self, texts: list[str]) -> np.ndarray:
        return encode_with(self.model, texts, self.batch_size, progress=False)


def encode_with(model: Any, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
    """Unit vectors from anything with ``SentenceTransformer.encode``'s signature (the torch
    model, or ``OnnxEncoder``), as contiguous float32."""
    vectors = model.encode(
        texts,
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=progress,
    )
    return np.ascontiguousarray(vectors, dtype=np.float32)


@lru_cache(maxsize=200_000)
def _count(tokenizer: Any, text: str) -> int:
    return len(tokenizer.tokenize(text))
