"""Speed features with a correctness contract: query micro-batching, the index type chosen
by corpus size (approximate search checked against exact), and ONNX ingest vectors matching
the torch model's."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from pydantic import ValidationError

from cartagena.settings import Settings
from index.faiss_index import build_vector_index, choose_index_type, ivf_list_count
from index.vectors import search_parameters, tune_vectors
from search.batching import QueryBatcher


def _vector(text: str) -> np.ndarray:
    return np.array([len(text), sum(map(ord, text))], dtype=np.float32)


def test_concurrent_queries_share_forward_passes() -> None:
    sizes: list[int] = []

    def encode(texts: list[str]) -> np.ndarray:
        sizes.append(len(texts))
        time.sleep(0.02)  # a forward pass: long enough for the other threads to queue up
        return np.stack([_vector(t) for t in texts])

    batcher = QueryBatcher(encode, max_batch=8)
    texts = [f"query {i}" * (i % 3 + 1) for i in range(24)]
    got: dict[str, np.ndarray] = {}
    threads = [
        threading.Thread(target=lambda t=t: got.__setitem__(t, batcher.embed(t))) for t in texts
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=30)
    assert all(np.array_equal(got[t], _vector(t)) for t in texts)  # each caller its own vector
    assert sum(sizes) == 24 and max(sizes) <= 8
    assert len(sizes) < 24  # batched: fewer forward passes than queries


def test_a_lone_query_does_not_wait_and_errors_reach_every_caller() -> None:
    batcher = QueryBatcher(lambda texts: np.stack([_vector(t) for t in texts]))
    assert np.array_equal(batcher.embed("alone"), _vector("alone"))
    assert batcher.batches == 1

    def broken(texts: list[str]) -> np.ndarray:
        raise RuntimeError("model exploded")

    with pytest.raises(RuntimeError, match="exploded"):
        QueryBatcher(broken).embed("x")


def test_index_type_follows_corpus_size() -> None:
    settings = Settings(exact_search_max=1000, ann_index="hnsw_sq8")
    assert choose_index_type(1000, settings) == "flat"
    assert choose_index_type(1001, settings) == "hnsw_sq8"
    with pytest.raises(ValidationError, match="ann_index"):  # refused at start-up
        Settings(exact_search_max=10, ann_index="lsh")


def test_ivf_list_count_follows_the_faiss_guideline() -> None:
    # 4·sqrt(n) to 16·sqrt(n) lists, and never fewer than 39 k-means points a list
    for n in (4_000, 200_001, 1_000_000, 20_000_000):
        lists = ivf_list_count(n)
        assert n // lists >= 39, (n, lists)
        assert lists <= 16 * np.sqrt(n), (n, lists)
    assert ivf_list_count(1_000_000) == 4_000  # the size benchmarks/README.md §3 measured


# PQ training takes tens of seconds on a shared core: slow
@pytest.mark.parametrize(
    "kind", ["hnsw", "hnsw_sq8", "ivf_sq8", pytest.param("ivf_pq", marks=pytest.mark.slow)]
)
def test_approximate_indexes_against_exact_search(kind: str) -> None:
    # clustered unit vectors: the kind of data embeddings are (random ones defeat any ANN)
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((40, 64)).astype(np.float32)
    x = centres[rng.integers(0, 40, 4000)] + 0.3 * rng.standard_normal((4000, 64)).astype(
        np.float32
    )
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    queries = x[:50] + 0.05 * rng.standard_normal((50, 64)).astype(np.float32)
    settings = Settings(ivf_nprobe=16, hnsw_ef_search=64)
    exact = build_vector_index(x, "flat", settings)
    index = build_vector_index(x, kind, settings)
    tune_vectors(index, settings)
    _, truth = exact.search(queries, 10)
    _, found = index.search(queries, 10)
    recall = np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth, strict=True)])
    # PQ keeps 8 bytes of these 64 floats: lossy by design (see benchmarks/README.md)
    assert recall >= (0.35 if kind == "ivf_pq" else 0.9), recall

    # a filter (row selector) is honoured through the index type's own parameter class
    allowed = np.arange(0, 4000, 7)
    _, ids = index.search(queries[:5], 10, params=search_parameters(index, settings, allowed))
    assert set(ids[ids >= 0].tolist()) <= set(allowed.tolist())


@pytest.mark.slow
def test_onnx_backends_match_the_torch_model(tmp_path) -> None:
    pytest.importorskip("onnxruntime")
    from embedding import factory

    settings = Settings()
    texts = ["Regional cooperation on refugee protection.", "Family reunification", "x"]
    reference = factory.create(settings.model).encode(texts)
    for backend, floor in (("onnx", 0.9999), ("onnx-int8", 0.97)):
        vectors = factory.create(settings.model, backend=backend, cache_dir=tmp_path).encode(texts)
        cosine = np.sum(vectors * reference, axis=1)
        assert cosine.min() >= floor, (backend, cosine)


@pytest.mark.slow
def test_queries_use_packed_onnx_when_installed_with_the_torch_models_vectors(
    tmp_path, text_dir
) -> None:
    pytest.importorskip("onnxruntime")
    from embedding import factory

    settings = Settings(cache_dir=tmp_path)
    queries = ["family reunification recommendations", "apatridia en el Caribe", "x"]
    embedder = factory.for_queries(settings)
    vectors = embedder.encode(queries)
    assert embedder.backend == "onnx" and embedder.model.packed
    reference = factory.create(settings.model).encode(queries)
    assert np.abs(vectors - reference).max() < 1e-4
    # a micro-batch: uneven lengths, a text past the model's 256 tokens (truncated), a
    # repeat, so several packed runs whose rows must come back in order
    longest = max(
        (p for f in sorted(text_dir.iterdir()) for p in f.read_text().split("\n\n")), key=len
    )
    batch = [f"{q} {i}" for i in range(12) for q in queries]
    batch[7:7] = [longest, queries[0]]
    assert embedder.model.tokenizer(longest, return_length=True)["length"][0] > 256
    assert (
        np.abs(embedder.encode(batch) - factory.create(settings.model).encode(batch)).max() < 1e-4
    )

    # "auto" must never stop a server: an unusable export directory means torch
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the ONNX export would go")
    fallback = factory.for_queries(Settings(cache_dir=blocked))
    assert np.abs(fallback.encode(queries) - reference).max() < 1e-5
    assert fallback.backend == "torch"
    # asked for explicitly, ONNX that cannot be had is an error, not a silent switch
    with pytest.raises(OSError):
        factory.for_queries(Settings(cache_dir=blocked, query_backend="onnx")).encode(queries)
