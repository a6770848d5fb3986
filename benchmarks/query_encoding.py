"""What one query embedding costs: milliseconds per query by backend, threads and batch size.

    python -m benchmarks.query_encoding [--backends torch onnx-padded onnx] [--threads 1 2]
        [--batches 1 8 16]

The server's dense and hybrid endpoints spend most of their CPU here, so this bounds their
throughput: with ``serve --workers 2`` each worker runs one thread, and at 16 clients its
micro-batches hold about eight queries. Queries are dev-set texts with a counter appended, never
repeated, so no cache helps. Each backend is measured in its own process with its own thread
count, as a server worker would run it. ``onnx`` is what the server runs (the packed model:
a batch's queries laid end to end, no padding); ``onnx-padded`` is the same weights on padded
batches, as before packing.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import dev_queries, report

log = logging.getLogger("benchmarks.query_encoding")


def queries(n: int) -> list[str]:
    base = dev_queries()
    return [f"{base[i % len(base)]} {i}" for i in range(n)]


def measure(backend: str, threads: int, batch: int, seconds: float) -> dict[str, Any]:
    """Run in a child process: the thread count of torch and onnxruntime is per process."""
    from cartagena.settings import get_settings
    from embedding import factory

    settings = get_settings()
    embedder: Any
    if backend == "onnx-padded":  # the server's ONNX model before packing, for comparison
        from embedding.onnx_backend import OnnxEncoder

        embedder = OnnxEncoder(settings.model, settings.cache_dir, "fp32", threads, False)
    else:
        embedder = factory.create(
            settings.model,
            backend=backend,
            cache_dir=settings.cache_dir,
            threads=threads,
            serving=True,
        )
    texts = queries(20_000)
    encode = getattr(embedder, "encode_queries", embedder.encode)  # e5 reads queries apart
    encode(texts[:batch])  # load, export if needed, warm up
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds and done + batch <= len(texts):
        encode(texts[done : done + batch])
        done += batch
    elapsed = time.perf_counter() - started
    return {
        "backend": backend,
        "threads": threads,
        "batch": batch,
        "queries": done,
        "ms_per_query": round(1000 * elapsed / max(done, 1), 2),
        "queries_per_s": round(done / elapsed, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", nargs="+", default=["torch", "onnx-padded", "onnx"])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 8, 16])
    parser.add_argument("--seconds", type=float, default=4.0, help="per row")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.child:
        backend, threads, batch, seconds = args.child
        row = measure(backend, int(threads), int(batch), float(seconds))
        sys.stdout.write(json.dumps(row) + "\n")
        return 0
    rows: list[dict[str, Any]] = []
    for backend in args.backends:
        for threads in args.threads:
            for batch in args.batches:
                child = [sys.executable, "-m", "benchmarks.query_encoding", "--child"]
                out = subprocess.run(
                    [*child, backend, str(threads), str(batch), str(args.seconds)],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                rows.append(json.loads(out.strip().splitlines()[-1]))
                log.info("%s", rows[-1])
    report("query_encoding", rows, {"seconds_per_row": args.seconds}, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
