"""The embedding model, loaded once and only when there is something to embed."""

from __future__ import annotations

import json
import logging
import os
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from cartagena.errors import CartagenaError
from cartagena.settings import Settings
from ingest.onnx_backend import BACKENDS

log = logging.getLogger(__name__)


class Embedder:
    """Wraps a sentence-transformers model: unit-length float32 vectors, inner product = cosine."""

    def __init__(
        self,
        model: str,
        device: str = "cpu",
        batch_size: int = 32,
        backend: str = "torch",
        cache_dir: Path = Path(".cache"),
        threads: int = 0,
        fallback: bool = False,
        serving: bool = False,
        half: bool = False,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        if backend not in BACKENDS:
            raise CartagenaError(
                f"unknown embedding backend {backend!r}: use one of {', '.join(BACKENDS)}"
            )
        self.model_ref = model
        self.device = device
        self.batch_size = batch_size
        self.backend = backend
        self.cache_dir = cache_dir
        self.threads = threads
        # an ONNX model that cannot be exported falls back to torch (queries, backend "auto")
        self.fallback = fallback
        # a server embeds one query at a time between other work: its threads must not spin
        self.serving = serving
        # fp16 weights, for accelerators (cosine >= 0.999 to fp32: tests/ingest/test_pipelined.py)
        self.half = half

    @classmethod
    def for_ingest(cls, settings: Settings) -> Embedder:
        """The embedder ingest uses: the configured backend (``CARTAGENA_EMBED_BACKEND``),
        in half precision on an accelerator (``CARTAGENA_DEVICE``)."""
        return cls(
            settings.model,
            settings.device,
            settings.batch_size,
            backend=settings.embed_backend,
            cache_dir=settings.cache_dir,
            threads=settings.torch_threads,
            half=settings.device != "cpu",
        )

    @classmethod
    def for_queries(cls, settings: Settings) -> Embedder:
        """The embedder the server uses for queries: fp32 ONNX on CPU when it is installed.

        A lone dev-set query costs ~25 ms in torch and ~10 ms in onnxruntime on one core of
        our machine (``python -m benchmarks.query_encoding``): torch's fixed cost per call
        dwarfs the arithmetic of a ten-token text.
        """
        backend: str = settings.query_backend
        if backend == "auto":
            backend = "onnx" if settings.device == "cpu" and onnx_installed() else "torch"
        return cls(
            settings.model,
            settings.device,
            settings.batch_size,
            backend=backend,
            cache_dir=settings.cache_dir,
            threads=settings.torch_threads,
            fallback=settings.query_backend == "auto",
            serving=True,
        )

    @cached_property
    def model(self):
        log.info("loading embedding model %s (%s) on %s", self.model_ref, self.backend, self.device)
        if self.backend != "torch":
            from ingest.onnx_backend import OnnxEncoder

            try:
                return OnnxEncoder(
                    self.model_ref,
                    self.cache_dir,
                    onnx_variant(self.backend, self.serving),
                    self.threads,
                    spinning=not self.serving,
                )
            except (OSError, CartagenaError) as exc:
                if not self.fallback:
                    raise
                log.warning("ONNX query model unavailable (%s): using torch", exc)
                self.backend = "torch"
        from sentence_transformers import SentenceTransformer

        if self.threads > 0:
            import torch

            torch.set_num_threads(self.threads)
        model = SentenceTransformer(self.model_ref, device=self.device)
        return model.half() if self.half else model

    @cached_property
    def tokenizer(self):
        """The tokenizer alone: counting tokens must not cost a model load."""
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(self.model_ref)

    @cached_property
    def max_tokens(self) -> int:
        """Tokens the model reads before it truncates, known without loading the model."""
        config = Path(self.model_ref) / "sentence_bert_config.json"
        if config.is_file():
            seq = json.loads(config.read_text()).get("max_seq_length")
            if seq:
                return int(seq)
        if "model" in self.__dict__:  # already loaded: ask it
            return int(self.model.max_seq_length)
        return int(min(self.tokenizer.model_max_length, 512))

    def count_tokens(self, text: str) -> int:
        return _count(self.tokenizer, text)

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        if self.backend == "torch" and self.device != "cpu":
            from ingest.pipelined import encode_pipelined

            return encode_pipelined(self.model, texts, self.batch_size)
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def onnx_variant(backend: str, serving: bool) -> str:
    """int8 when asked for; else fp32, packed for a server, whose batches are short queries of
    uneven length: packing skips the padding (``benchmarks.query_encoding``, onnx vs
    onnx-padded)."""
    if backend == "onnx-int8":
        return "int8"
    return "packed" if serving else "fp32"


def onnx_installed() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in ("onnx", "onnxruntime"))


def cache_name(embedder: object, model_name: str) -> str:
    """Key prefix for the embedding cache: another backend's vectors are not the same ones.

    torch in fp16 on an accelerator shares fp32's key: its vectors agree to a cosine of 0.999
    (``tests/ingest/test_pipelined.py``), closer than the ONNX int8 ones kept apart here."""
    backend = getattr(embedder, "backend", "torch")
    return model_name if backend == "torch" else f"{model_name}+{backend}"


@lru_cache(maxsize=200_000)
def _count(tokenizer, text: str) -> int:
    return len(tokenizer.tokenize(text))
