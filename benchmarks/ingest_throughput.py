"""Ingest embedding throughput per backend, and SciFact nDCG@10 of each backend's vectors.

    python -m benchmarks.ingest_throughput [--limit N] [--backends torch onnx onnx-int8]

Encodes the SciFact abstracts (``title + " " + text``, one passage each) with every backend
(``embedding.factory`` exactly as ``cartagena ingest`` runs it), timing passages/second.
Then ranks the corpus for the 300 test queries by exact inner product; the queries are always
encoded by the default torch backend, as the server does, so the nDCG shows what a faster
ingest costs in quality. Vectors are kept in ``.cache/bench/`` to rerun the scoring cheaply.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import Timer, report
from cartagena.settings import get_settings
from embedding import factory
from evals.beir import load_beir, passage_text
from evals.metrics import beir_gains, ndcg

log = logging.getLogger("benchmarks.ingest_throughput")
SCIFACT = Path("../shared/datasets/scifact")


def scifact_ndcg(
    doc_ids: list[str], doc_vecs: np.ndarray, query_vecs: np.ndarray, qrels: list[dict[str, int]]
) -> float:
    """Mean nDCG@10 of exact inner-product rankings (one query vector per qrels entry)."""
    scores = query_vecs @ doc_vecs.T
    top = np.argsort(-scores, axis=1)[:, :10]
    values = [
        ndcg(beir_gains([doc_ids[i] for i in row], rel), rel.values(), 10)
        for row, rel in zip(top, qrels, strict=True)
    ]
    return float(np.mean(values))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=SCIFACT)
    parser.add_argument("--limit", type=int, default=0, help="only the first N abstracts")
    parser.add_argument("--backends", nargs="+", default=["torch", "onnx", "onnx-int8"])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--cache", type=Path, default=Path(".cache/bench"))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    settings = get_settings()

    data = load_beir(args.data)
    doc_ids = list(data.corpus)[: args.limit or None]
    texts = [passage_text(*data.corpus[d]) for d in doc_ids]
    kept = set(doc_ids)
    qids = [q for q in data.queries if any(d in kept for d in data.qrels[q])]
    args.cache.mkdir(parents=True, exist_ok=True)

    query_vecs = factory.create(settings.model, batch_size=args.batch_size).encode(
        [data.queries[q] for q in qids]
    )
    rows: list[dict[str, Any]] = []
    for backend in args.backends:
        embedder = factory.create(
            settings.model,
            batch_size=args.batch_size,
            backend=backend,
            cache_dir=settings.cache_dir,
        )
        embedder.encode(texts[:8])  # load, export if needed, warm up
        with Timer() as t:
            vectors = embedder.encode(texts)
        np.save(args.cache / f"scifact-{backend}-{len(texts)}.npy", vectors)
        score = scifact_ndcg(doc_ids, vectors, query_vecs, [data.qrels[q] for q in qids])
        rows.append(
            {
                "backend": backend,
                "passages": len(texts),
                "seconds": round(t.seconds, 1),
                "passages_per_s": round(len(texts) / t.seconds, 1),
                "scifact_ndcg10": round(score, 4),
            }
        )
        log.info("%s", rows[-1])
    base = rows[0]
    for r in rows:
        r["speedup"] = round(r["passages_per_s"] / base["passages_per_s"], 2)
        r["ndcg_delta"] = round(r["scifact_ndcg10"] - base["scifact_ndcg10"], 4)
    report(
        "ingest_throughput",
        rows,
        {"queries": len(qids), "batch_size": args.batch_size, "gpu": "not measured: no GPU"},
        args.out,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
