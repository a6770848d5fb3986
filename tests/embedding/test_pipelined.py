"""The accelerator encoding path, checked on CPU against sentence-transformers' own encode.

On a GPU the same code runs with the model halved; the figures for that are
``benchmarks/gpu_throughput.py``'s. Here it must give encode's vectors, in the input order,
across batch boundaries and with texts of very different lengths.
"""

from __future__ import annotations

import numpy as np
import pytest

from embedding import factory
from embedding.base import Embedder
from embedding.pipelined import encode_pipelined, length_batches


def test_batches_hold_similar_lengths_and_every_row_once() -> None:
    lengths = np.array([5, 300, 40, 300, 7, 120, 41])
    batches = length_batches(lengths, 3)
    assert [len(b) for b in batches] == [3, 3, 1]
    assert sorted(np.concatenate(batches).tolist()) == list(range(7))
    assert lengths[batches[0]].min() >= lengths[batches[1]].max()


@pytest.mark.slow
def test_pipelined_vectors_are_encodes_vectors_in_input_order(embedder: Embedder, text_dir) -> None:
    paragraphs = [
        p.strip()
        for path in sorted(text_dir.iterdir())
        for p in path.read_text().split("\n\n")
        if p.strip()
    ][:40]
    texts = [*paragraphs, "x", "Family reunification", paragraphs[0]]  # a repeat stays a row
    expected = embedder.model.encode(texts, batch_size=7, normalize_embeddings=True)
    got = encode_pipelined(embedder.model, texts, batch_size=7, workers=2)
    assert got.shape == expected.shape
    assert np.allclose(got, expected, atol=1e-5)
    assert np.allclose(got[-1], got[0], atol=1e-6)
    assert encode_pipelined(embedder.model, [], batch_size=7).shape == (0, 0)


@pytest.mark.slow
def test_a_tokeniser_failure_reaches_the_caller(embedder: Embedder) -> None:
    with pytest.raises((TypeError, ValueError)):
        encode_pipelined(embedder.model, ["fine", None] * 5, batch_size=2)  # type: ignore[list-item]


@pytest.mark.slow
def test_half_precision_vectors_stay_the_models_vectors(embedder: Embedder, settings) -> None:
    # what an accelerator runs (Embedder.for_ingest halves the model off CPU), checked on CPU;
    # the embedding cache treats them as the fp32 vectors, so they must agree closely
    texts = ["Regional cooperation on refugee protection.", "Family reunification", "x"]
    half = factory.create(settings.model, half=True)
    assert str(next(half.model.parameters()).dtype) == "torch.float16"
    vectors = encode_pipelined(half.model, texts, batch_size=2)
    cosine = np.sum(vectors * embedder.encode(texts), axis=1)
    assert cosine.min() >= 0.999, cosine
