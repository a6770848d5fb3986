"""Embedding through a content-hash cache: unchanged text is never embedded twice.

The key covers the model (``Embedder.cache_key``: its name and runtime) and the exact text the
model reads, so changing either re-embeds only what changed. Where the vectors are kept is the
caller's (``index.embedding_cache`` beside the index versions).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from typing import Protocol

import numpy as np
from tqdm import tqdm

from embedding.base import Embedder

log = logging.getLogger(__name__)


class VectorCache(Protocol):
    def get_many(self, keys: Iterable[str]) -> dict[str, np.ndarray]: ...

    def put_many(self, items: Iterable[tuple[str, np.ndarray]]) -> None: ...


def content_key(model_name: str, text: str) -> str:
    return hashlib.sha256(f"{model_name}\x00{text}".encode()).hexdigest()


def embed_passages(
    texts: list[str], embedder: Embedder, cache: VectorCache, model_name: str
) -> tuple[np.ndarray, int]:
    """Vectors for ``texts`` in order, and how many were embedded; only texts missing from the
    cache reach the model."""
    keys = [content_key(model_name, t) for t in texts]
    found = cache.get_many(keys)
    missing = list(dict.fromkeys(k for k in keys if k not in found))
    if missing:
        by_key = dict(zip(keys, texts, strict=True))
        log.info("embedding %d passages (%d cached)", len(missing), len(keys) - len(missing))
        batch = 512
        for i in tqdm(
            range(0, len(missing), batch), desc="embed", unit="batch", disable=len(missing) <= batch
        ):
            chunk = missing[i : i + batch]
            vectors = embedder.encode([by_key[k] for k in chunk])
            cache.put_many(zip(chunk, vectors, strict=True))
            found.update(zip(chunk, vectors, strict=True))
    if not keys:
        return np.zeros((0, 0), dtype=np.float32), 0
    return np.stack([found[k] for k in keys]).astype(np.float32), len(missing)
