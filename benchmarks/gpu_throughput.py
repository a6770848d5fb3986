"""Ingest embedding on an accelerator: passages/s of each step, and what bounds the total.

    python -m benchmarks.gpu_throughput [--device cuda] [--repeat 10] [--batch-sizes 128 256 512]

Rows, each over the SciFact abstracts repeated ``--repeat`` times (so a fast GPU runs for
seconds, not milliseconds):
- ``encode fp32``: plain ``SentenceTransformer.encode`` at batch 32, the usual recipe;
- ``encode fp16``: the same with the model halved;
- ``pipelined fp16``: what ``cartagena ingest`` runs with ``CARTAGENA_DEVICE`` set to an
  accelerator (``embedding.factory`` -> ``embedding.pipelined``): length-sorted batches,
  tokenised by a thread ahead of the model;
- ``tokenise only``: the tokenizer alone over the same batches, with the pipeline's threads;
- ``model only fp16``: the model alone over batches tokenised and moved to the device
  beforehand.
The pipelined rate can reach the lower of the last two, never more: that says what bounds it.
Each row's vectors of the first copy of the corpus are scored (SciFact nDCG@10, queries
encoded by the fp32 model) and compared with the first row's, fp32 ``encode`` when it runs
(lowest cosine). ``--steps`` runs a subset. On CPU (the smoke
test) the fp16 rows run the fp32 model: CPU half precision is slow and not what this measures.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import report
from benchmarks.ingest_throughput import SCIFACT, scifact_ndcg
from cartagena.settings import get_settings
from embedding import factory
from embedding.pipelined import encode_pipelined, length_batches
from evals.beir import load_beir, passage_text

log = logging.getLogger("benchmarks.gpu_throughput")
STEPS = ("encode", "pipelined", "tokenise", "model")


def _sync(device: str) -> None:
    import torch

    if device.startswith("cuda"):
        torch.cuda.synchronize()


def timed(device: str, run: Callable[[], Any]) -> tuple[float, Any]:
    _sync(device)
    started = time.perf_counter()
    result = run()
    _sync(device)
    return time.perf_counter() - started, result


def model_only(model: Any, texts: list[str], batch_size: int, device: str) -> Callable[[], None]:
    """Batches tokenised and on the device beforehand: the model's own rate."""
    import torch

    ready = []
    for rows in length_batches(np.array([len(t) for t in texts]), batch_size):
        features = model.preprocess([texts[i] for i in rows])
        ready.append({k: v.to(device) if hasattr(v, "to") else v for k, v in features.items()})

    def run() -> None:
        with torch.inference_mode():
            for features in ready:
                model(features)

    return run


def tokenise_only(
    model: Any, texts: list[str], batch_size: int, workers: int
) -> Callable[[], None]:
    """The tokenizer over the same batches with as many threads as the pipeline has."""

    def run() -> None:
        batches = length_batches(np.array([len(t) for t in texts]), batch_size)
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(lambda rows: model.preprocess([texts[i] for i in rows]), batches))

    return run


def main(argv: list[str] | None = None) -> int:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default_device = "cuda" if torch.cuda.is_available() else "cpu"
    parser.add_argument("--device", default=default_device)
    parser.add_argument("--data", type=Path, default=SCIFACT)
    parser.add_argument("--limit", type=int, default=0, help="only the first N abstracts")
    parser.add_argument("--repeat", type=int, default=10, help="copies of the corpus to encode")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[128, 256, 512])
    parser.add_argument("--workers", type=int, default=4, help="tokenizer threads")
    parser.add_argument("--steps", nargs="+", choices=STEPS, default=list(STEPS))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    settings = get_settings()
    accelerated = args.device != "cpu"

    data = load_beir(args.data)
    doc_ids = list(data.corpus)[: args.limit or None]
    unique = [passage_text(*data.corpus[d]) for d in doc_ids]
    texts = unique * args.repeat
    kept = set(doc_ids)
    qids = [q for q in data.queries if any(d in kept for d in data.qrels[q])]
    qrels = [data.qrels[q] for q in qids]

    fp32 = factory.create(settings.model, device=args.device)
    half = factory.create(settings.model, device=args.device, half=accelerated)
    query_vecs = fp32.model.encode([data.queries[q] for q in qids], normalize_embeddings=True)
    fp32.model.encode(unique[:64])  # load and warm up both
    half.model.encode(unique[:64])
    reference: np.ndarray | None = None
    rows: list[dict[str, Any]] = []

    def row(step: str, batch: int, seconds: float, vectors: np.ndarray | None) -> None:
        nonlocal reference
        entry: dict[str, Any] = {
            "step": step,
            "batch": batch,
            "passages": len(texts),
            "seconds": round(seconds, 2),
            "passages_per_s": round(len(texts) / seconds, 1),
        }
        if vectors is not None:
            first = vectors[: len(unique)]
            reference = first if reference is None else reference
            entry["scifact_ndcg10"] = round(scifact_ndcg(doc_ids, first, query_vecs, qrels), 4)
            entry["min_cosine_vs_first"] = round(float(np.min(np.sum(first * reference, 1))), 5)
        rows.append(entry)
        log.info("%s", entry)

    precision = "fp16" if accelerated else "fp32 (cpu)"
    steps = set(args.steps)
    if "encode" in steps:
        encode = partial(fp32.model.encode, texts, batch_size=32, normalize_embeddings=True)
        seconds, vectors = timed(args.device, encode)
        row("encode fp32", 32, seconds, vectors)
    for batch in args.batch_sizes:
        if "encode" in steps:
            encode = partial(half.model.encode, texts, batch_size=batch, normalize_embeddings=True)
            seconds, vectors = timed(args.device, encode)
            row(f"encode {precision}", batch, seconds, vectors)
        if "pipelined" in steps:
            pipelined = partial(encode_pipelined, half.model, texts, batch, args.workers)
            seconds, vectors = timed(args.device, pipelined)
            row(f"pipelined {precision}", batch, seconds, vectors)
        if "tokenise" in steps:
            seconds, _ = timed(args.device, tokenise_only(half.model, texts, batch, args.workers))
            row("tokenise only", batch, seconds, None)
        if "model" in steps:
            seconds, _ = timed(args.device, model_only(half.model, texts, batch, args.device))
            row(f"model only {precision}", batch, seconds, None)

    gpu = torch.cuda.get_device_name() if args.device.startswith("cuda") else "none"
    report("gpu_throughput", rows, {"device": args.device, "gpu_name": gpu}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
