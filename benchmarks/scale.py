"""Vector search at scale: Flat vs HNSW vs IVF-SQ8 / IVF-PQ at 100k and 1M passages.

    python -m benchmarks.scale [--sizes 100000 1000000] [--kinds flat hnsw_sq8 ivf_sq8 ivf_pq]
    python -m benchmarks.scale --store milvus --sizes 100000 --kinds flat --lexical-sizes

Vectors: mixtures of two real all-MiniLM-L6-v2 SciFact embeddings plus a little noise, unit
length (``--data real-mix``, needs ``.cache/bench/scifact-torch-*.npy`` from
``benchmarks.ingest_throughput``), or random unit vectors (``--data random``, the worst case
for approximate search). Queries are further mixtures, not in the index. Each index is built
with the engine's own ``index.faiss_index.build_vector_index``, written to disk, then opened
in a fresh process exactly as the server opens it (``index.vectors.open_vectors`` + tuning) to
measure resident memory, per-query latency (one query at a time) and recall@10 against exact
search. The lexical side (bm25s over synthetic passages of SciFact sentences) is timed at the
sizes listed in ``--lexical-sizes``.
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

import faiss
import numpy as np

from benchmarks.common import RESULTS, Timer, dir_mib, percentiles, report, rss_mib
from cartagena.settings import get_settings
from index.faiss_index import build_vector_index

log = logging.getLogger("benchmarks.scale")
WORK = Path("/tmp/cartagena-scale")


def base_vectors(kind: str, dim: int = 384) -> np.ndarray:
    if kind == "real-mix":
        # the most abstracts on hand (names end in their count; a smoke run leaves small ones)
        found = sorted(
            Path(".cache/bench").glob("scifact-torch-*.npy"),
            key=lambda p: int(p.stem.rsplit("-", 1)[-1]),
        )
        if found:
            log.info("base vectors: %s", found[-1])
            return np.load(found[-1]).astype(np.float32)
        log.warning("no real embeddings in .cache/bench: falling back to random vectors")
    rng = np.random.default_rng(1)
    return rng.standard_normal((5000, dim)).astype(np.float32)


def synthetic(base: np.ndarray, n: int, data: str, seed: int) -> np.ndarray:
    """``n`` unit vectors: mixtures of two base vectors plus noise, or plain random ones."""
    rng = np.random.default_rng(seed)
    dim = base.shape[1]
    out = np.empty((n, dim), dtype=np.float32)
    step = 100_000
    for start in range(0, n, step):
        m = min(step, n - start)
        if data == "random":
            block = rng.standard_normal((m, dim)).astype(np.float32)
        else:
            a, b = rng.integers(0, len(base), m), rng.integers(0, len(base), m)
            w = rng.uniform(0.55, 1.0, (m, 1)).astype(np.float32)
            noise = rng.standard_normal((m, dim)).astype(np.float32) * (0.35 / np.sqrt(dim))
            block = w * base[a] + (1 - w) * base[b] + noise
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start : start + m] = block
    return out


def probe(path: Path, queries: Path, k: int, sweep: list[int]) -> list[dict[str, Any]]:
    """Run in a fresh process: open like the server, query one at a time, report memory.

    ``sweep``: efSearch (HNSW) or nprobe (IVF) values to try; the first is the setting's."""
    from index.vectors import open_vectors, tune_vectors

    before = rss_mib()
    index = open_vectors(path, path.name.split("-")[0])
    tune_vectors(index, get_settings())
    q = np.load(queries)
    out = []
    for value in sweep:
        ivf = faiss.try_extract_index_ivf(index)
        if ivf is not None:
            ivf.nprobe = value
        elif isinstance(index, faiss.IndexHNSW):
            index.hnsw.efSearch = value
        ids = np.empty((len(q), k), dtype=np.int64)
        latencies = []
        for i in range(len(q)):
            started = time.perf_counter()
            _, found = index.search(q[i : i + 1], k)
            latencies.append(time.perf_counter() - started)
            ids[i] = found[0]
        np.save(queries.with_suffix(f".{value}.ids.npy"), ids)
        out.append(
            {"param": value, "rss_mib": round(rss_mib() - before, 1), **percentiles(latencies[5:])}
        )
        if ivf is None and not isinstance(index, faiss.IndexHNSW):
            break  # exact: nothing to sweep
    return out


def run_probe(
    path: Path, queries: Path, k: int, sweep: list[int]
) -> list[tuple[dict[str, Any], np.ndarray]]:
    cmd = [sys.executable, "-m", "benchmarks.scale", "--probe", str(path), str(queries), str(k)]
    cmd += [str(v) for v in sweep]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    measured = json.loads(out.strip().splitlines()[-1])
    return [(m, np.load(queries.with_suffix(f".{m['param']}.ids.npy"))) for m in measured]


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(
        np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth, strict=True)])
    )


def dataset(n: int, args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(vectors, queries, exact top-k ids of the queries): the same for both stores."""
    base = base_vectors(args.data)
    vectors = synthetic(base, n, args.data, seed=n)
    queries = synthetic(base, args.queries, args.data, seed=n + 7)
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    _, truth = exact.search(queries, args.k)
    return vectors, queries, truth


def vector_rows(n: int, kinds: list[str], args: argparse.Namespace) -> list[dict[str, Any]]:
    vectors, queries, truth = dataset(n, args)
    work: Path = args.work_dir
    work.mkdir(parents=True, exist_ok=True)
    qpath = work / f"queries-{n}.npy"
    np.save(qpath, queries)
    rows = []
    for kind in kinds:
        with Timer() as t:
            index = build_vector_index(vectors, kind, get_settings())
        path = work / f"{kind}-{n}.faiss"
        faiss.write_index(index, str(path))
        del index
        settings = get_settings()
        if kind.startswith("ivf"):
            sweep = [settings.ivf_nprobe, *args.nprobe]
        elif kind.startswith("hnsw"):
            sweep = [settings.hnsw_ef_search, *args.ef_search]
        else:
            sweep = [0]
        for measured, found in run_probe(path, qpath, args.k, sweep):
            rows.append(
                {
                    "side": "vector",
                    "kind": kind,
                    "n": n,
                    "data": args.data,
                    "param": measured["param"] if kind != "flat" else "",
                    "build_s": round(t.seconds, 1),
                    "disk_mib": round(dir_mib(path), 1),
                    "ram_mib": measured["rss_mib"],
                    "p50_ms": measured["p50_ms"],
                    "p99_ms": measured["p99_ms"],
                    "recall10": round(recall(found, truth), 4),
                }
            )
            log.info("%s", rows[-1])
        path.unlink()
    return rows


def milvus_rows(n: int, kinds: list[str], args: argparse.Namespace) -> list[dict[str, Any]]:
    """The same vectors in a milvus-lite collection written by the engine's own MilvusStore
    and searched through index.vectors.MilvusVectors, as a server with
    CARTAGENA_VECTOR_STORE=milvus does; one query at a time, over the client's gRPC.

    Also times two filtered searches: a metadata condition run as Milvus' expression
    (``year >= 2005``: about half the rows) and an explicit row set as exact phrases pass it
    (``row in [...]``, 1% of the rows), the choice index/vectors.py makes for phrases."""
    import shutil

    from index.milvus_store import MilvusStore, release
    from index.vector_store import VectorRows
    from index.vectors import MilvusVectors, VectorWhere

    vectors, queries, truth = dataset(n, args)
    rng = np.random.default_rng(n)
    phrase_rows = np.sort(rng.choice(n, max(1, n // 100), replace=False)).astype(np.int64)
    meta = VectorRows(
        doc_ids=[f"doc-{i // 50}" for i in range(n)],
        years=[1984 + (i // 50) % 42 for i in range(n)],
        kinds=["report"] * n,
        languages=["en"] * n,
        footnotes=[False] * n,
    )
    rows = []
    for kind in kinds:
        work = args.work_dir / f"milvus-{kind}-{n}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        uri = str(work / "vectors.db")
        base = get_settings()
        settings = base.model_copy(
            update={
                "vector_store": "milvus",
                "milvus_uri": uri,
                "exact_search_max": n if kind == "flat" else 0,
                "ann_index": base.ann_index if kind == "flat" else kind,
            }
        )
        store = MilvusStore(settings, work)
        with Timer() as t:
            entries = store.write(work, "bench", vectors, meta)
        manifest = {"version": "bench", "dimension": vectors.shape[1], "passages": n, **entries}
        index = MilvusVectors(manifest, work, settings)

        def timed(where: VectorWhere | None, index: MilvusVectors = index) -> tuple[list, list]:
            latencies, found = [], []
            for q in queries:
                started = time.perf_counter()
                ids, _ = index.search_rows(q.reshape(1, -1), args.k, where)
                latencies.append(time.perf_counter() - started)
                found.append(ids)
            return latencies, found

        latencies, found = timed(None)
        by_year, _ = timed(VectorWhere(year_from=2005))
        by_rows, _ = timed(VectorWhere(rows=phrase_rows, rows_needed=True))
        p = percentiles(latencies[5:])
        rows.append(
            {
                "side": "vector",
                "kind": f"milvus-lite {kind}",
                "n": n,
                "data": args.data,
                "param": "",
                "build_s": round(t.seconds, 1),
                "disk_mib": round(dir_mib(Path(uri)), 1),
                "p50_ms": p["p50_ms"],
                "p99_ms": p["p99_ms"],
                "recall10": round(recall(np.array(found), truth), 4),
                "p50_year_filter_ms": percentiles(by_year[5:])["p50_ms"],
                "p50_row_in_1pct_ms": percentiles(by_rows[5:])["p50_ms"],
            }
        )
        log.info("%s", rows[-1])
        index.close()
        store.close()
        release(uri)
        shutil.rmtree(work, ignore_errors=True)
    return rows


def lexical_row(n: int, args: argparse.Namespace) -> dict[str, Any]:
    import bm25s

    from evals.beir import load_beir
    from text.tokens import lexical_tokens

    data = load_beir(Path("../shared/datasets/scifact"))
    sentences = [s for _, text in data.corpus.values() for s in text.split(". ") if s]
    rng = np.random.default_rng(n)
    picks = rng.integers(0, len(sentences), (n, 4))
    with Timer() as t:
        corpus = [lexical_tokens(". ".join(sentences[i] for i in row)) for row in picks]
        retriever = bm25s.BM25(method="lucene")
        retriever.index(corpus, show_progress=False)
    queries = list(data.queries.values())[: args.queries]
    latencies = []
    vocab = retriever.vocab_dict
    for q in queries:
        started = time.perf_counter()
        known = [tok for tok in lexical_tokens(q) if tok in vocab]
        if known:
            scores = retriever.get_scores(known)
            np.argpartition(-scores, 10)[:10]
        latencies.append(time.perf_counter() - started)
    p = percentiles(latencies)
    return {
        "side": "lexical",
        "kind": "bm25s",
        "n": n,
        "data": "scifact-sentences",
        "build_s": round(t.seconds, 1),
        "p50_ms": p["p50_ms"],
        "p99_ms": p["p99_ms"],
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--probe"]:
        sweep = [int(v) for v in argv[4:]] or [0]
        sys.stdout.write(
            json.dumps(probe(Path(argv[1]), Path(argv[2]), int(argv[3]), sweep)) + "\n"
        )
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--kinds", nargs="+", default=["flat", "hnsw_sq8", "ivf_sq8", "ivf_pq"])
    parser.add_argument("--skip-at-1m", nargs="*", default=["hnsw_sq8"], help="too slow to build")
    parser.add_argument("--data", choices=["real-mix", "random"], default="real-mix")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--nprobe", type=int, nargs="*", default=[48, 96], help="IVF sweep")
    parser.add_argument("--ef-search", type=int, nargs="*", default=[192], help="HNSW sweep")
    parser.add_argument("--lexical-sizes", type=int, nargs="*", default=[100_000])
    parser.add_argument(
        "--store",
        choices=["faiss", "milvus"],
        default="faiss",
        help="where the vectors live: FAISS files, or a milvus-lite collection (needs [milvus])",
    )
    parser.add_argument("--out", type=Path)
    parser.add_argument("--work-dir", type=Path, default=WORK, help="index files go here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    settings = get_settings()
    rows: list[dict[str, Any]] = []
    for n in args.sizes:
        kinds = [k for k in args.kinds if n < 1_000_000 or k not in args.skip_at_1m]
        rows += (milvus_rows if args.store == "milvus" else vector_rows)(n, kinds, args)
    for n in args.lexical_sizes:
        rows.append(lexical_row(n, args))
        log.info("%s", rows[-1])
    from index.faiss_index import choose_index_type

    chosen = {str(n): choose_index_type(n, settings) for n in args.sizes}
    extra = {
        "chosen_by_engine": chosen,
        "params": {
            "hnsw_m": settings.hnsw_m,
            "hnsw_ef_construction": settings.hnsw_ef_construction,
            "hnsw_ef_search": settings.hnsw_ef_search,
            "ivf_nprobe": settings.ivf_nprobe,
            "faiss_threads": faiss.omp_get_max_threads(),
        },
    }
    extra["store"] = args.store
    out = args.out or (RESULTS / "scale-milvus.json" if args.store == "milvus" else None)
    report("scale", rows, extra, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
