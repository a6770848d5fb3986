"""Encoding on an accelerator: batches sorted by length, tokenised ahead of the model.

``SentenceTransformer.encode`` tokenises a batch, runs the model, copies the vectors back, and
only then tokenises the next batch, so a GPU waits on the CPU between batches. Here threads
tokenise the next batches (fast tokenizers release the GIL) while the device runs the current
one, batches hold texts of similar lengths so little padding is computed, and vectors stay
on the device until the end. The model runs in whatever dtype it was given (``Embedder`` halves
it on accelerators). On CPU it gives ``encode``'s vectors, which is what the tests check.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import Any

import numpy as np


def length_batches(lengths: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """Row numbers in batches of similar length, longest first (the padding is the waste)."""
    order = np.argsort(-lengths, kind="stable")
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def _pinned(value: Any) -> Any:
    return value.pin_memory() if hasattr(value, "pin_memory") else value


def _moved(value: Any, device: Any) -> Any:
    """Tensors to the device (asynchronously from pinned memory); other features as they are."""
    return value.to(device, non_blocking=True) if hasattr(value, "pin_memory") else value


def encode_pipelined(model: Any, texts: list[str], batch_size: int, workers: int = 4) -> np.ndarray:
    """Unit-length float32 vectors of ``texts``, in their order.

    ``workers`` threads tokenise up to ``2 * workers`` batches ahead: on two CPU cores the
    tokenizer manages about a thousand SciFact abstracts a second, far below what a GPU embeds
    (``benchmarks/gpu_throughput.py``, ``tokenise only``)."""
    import torch

    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    device = model.device

    def tokenise(rows: np.ndarray) -> dict[str, Any]:
        features = model.preprocess([texts[i] for i in rows])
        if device.type == "cuda":
            features = {k: _pinned(v) for k, v in features.items()}
        return features

    batches = iter(length_batches(np.array([len(t) for t in texts]), batch_size))
    done: list[tuple[np.ndarray, Any]] = []
    with ThreadPoolExecutor(workers, thread_name_prefix="tokenise") as pool:
        ahead = deque((rows, pool.submit(tokenise, rows)) for rows in islice(batches, 2 * workers))
        with torch.inference_mode():
            while ahead:
                rows, pending = ahead.popleft()
                features = {k: _moved(v, device) for k, v in pending.result().items()}
                if (following := next(batches, None)) is not None:
                    ahead.append((following, pool.submit(tokenise, following)))
                vectors = model(features)["sentence_embedding"].float()
                done.append((rows, torch.nn.functional.normalize(vectors, dim=1)))
    out = np.empty((len(texts), done[0][1].shape[1]), dtype=np.float32)
    for rows, vectors in done:
        out[rows] = vectors.cpu().numpy()
    return out
