"""Building FAISS vector indexes: which type for how many passages, and how each is trained.
The FAISS vector store and the cross-lingual vector set write through here; the Milvus store
borrows the same choice of type and list count."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from cartagena.errors import CartagenaError
from cartagena.settings import ANN_INDEXES, Settings


def choose_index_type(n: int, settings: Settings) -> str:
    """``flat`` (exact) up to ``exact_search_max`` passages, else the configured ``ann_index``
    (one of ``ANN_INDEXES``: Settings refuses any other at start-up)."""
    if n <= settings.exact_search_max:
        return "flat"
    return settings.ann_index


def ivf_list_count(n: int) -> int:
    """About 4·sqrt(n) inverted lists (4,000 at 1M), at least 1.

    FAISS's guideline is 4·sqrt(n) to 16·sqrt(n). With sqrt(n) lists a query at 1M scanned
    about 24,000 codes at the default nprobe and missed the 5 ms target; four times as many
    lists scan a quarter of that at the same recall (``benchmarks/README.md`` §3), for a
    longer k-means at build time (minutes at 1M, against hours to embed 1M passages on CPU).
    Small indexes get fewer, so that k-means has FAISS's minimum of 39 points a list."""
    return max(1, min(65_536, int(4 * np.sqrt(n)), n // 39))


def build_vector_index(vectors: np.ndarray, kind: str, settings: Settings) -> faiss.Index:
    """An inner-product FAISS index of ``kind`` holding ``vectors`` (rows = passage rows)."""
    n, dim = vectors.shape
    ip = faiss.METRIC_INNER_PRODUCT
    index: faiss.Index
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
    elif kind in ("hnsw", "hnsw_sq8"):
        if kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, settings.hnsw_m, ip)
        else:
            qt = faiss.ScalarQuantizer.QT_8bit
            index = faiss.IndexHNSWSQ(dim, qt, settings.hnsw_m, ip)  # type: ignore[arg-type]
        index.hnsw.efConstruction = settings.hnsw_ef_construction
    elif kind in ("ivf_sq8", "ivf_pq"):
        codes = "SQ8" if kind == "ivf_sq8" else f"PQ{dim // 8}x8"
        index = faiss.index_factory(dim, f"IVF{ivf_list_count(n)},{codes}", ip)
    else:
        raise CartagenaError(f"unknown vector index type {kind!r}: use flat or {ANN_INDEXES}")
    if not index.is_trained:
        # k-means on a sample: 50 points a list is above FAISS's minimum of 39 and keeps
        # big builds quick
        sample = vectors
        wanted = max(50 * ivf_list_count(n), 16_384)
        if n > wanted:
            rng = np.random.default_rng(0)
            sample = vectors[np.sort(rng.choice(n, wanted, replace=False))]
        index.train(sample)
    index.add(vectors)
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is not None:
        ivf.make_direct_map()  # reconstruct(row) for /similar: 8 bytes a passage
    return index


def write_vectors(path: Path, vectors: np.ndarray, settings: Settings) -> str:
    """Write the vector index chosen by :func:`choose_index_type`; returns the type for the
    manifest (``faiss_index``), which tells the store how to tune it at load time."""
    kind = choose_index_type(len(vectors), settings)
    faiss.write_index(build_vector_index(vectors, kind, settings), str(path))
    return kind
