"""Settings refuse bad values at start-up, with one line naming the variable and what is
allowed; and the Settings a caller passes are the ones its components use."""

from __future__ import annotations

import json
import logging
import subprocess
import time
from pathlib import Path

import faiss
import pytest
from pydantic import ValidationError

from cartagena.settings import Settings, describe_error, get_settings
from embedding.base import Embedder
from index import layout
from index.faiss_index import build_vector_index
from search.loader import load_searcher
from tests.utils.local import cli
from tests.utils.shared import REPO_ROOT


def refused(**values: object) -> str:
    with pytest.raises(ValidationError) as caught:
        Settings(**values)  # type: ignore[arg-type]
    return describe_error(caught.value)


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("fusion", "zscroe", ["'zscore'", "'convex'", "'rrf'"]),
        ("embed_prefix", "title", ["'none'", "'section'", "'title_section'"]),
        ("lexical_backend", "sqlite", ["'bm25s'", "'fts5'"]),
        ("ann_index", "lsh", ["'hnsw'", "'hnsw_sq8'", "'ivf_sq8'", "'ivf_pq'"]),
        ("embed_backend", "tensorrt", ["'torch'", "'onnx'", "'onnx-int8'"]),
        ("query_backend", "gpu", ["'auto'", "'torch'", "'onnx'"]),
        ("vector_store", "qdrant", ["'faiss'", "'milvus'"]),
        ("device", "gpu", ["cpu", "mps", "cuda", "cuda:N"]),
    ],
)
def test_a_choice_outside_its_list_names_the_variable_and_the_choices(
    field: str, value: str, allowed: list[str]
) -> None:
    message = refused(**{field: value})
    assert f"CARTAGENA_{field.upper()}={value!r}" in message
    for choice in allowed:
        assert choice in message


def test_every_allowed_choice_is_accepted() -> None:
    for fusion in ("zscore", "convex", "rrf"):
        assert Settings(fusion=fusion).fusion == fusion
    for device in ("cpu", "cuda", "cuda:1", "mps"):
        assert Settings(device=device).device == device


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        ({"batch_size": 0}, "CARTAGENA_BATCH_SIZE=0"),
        ({"hybrid_weight_dense": 1.5}, "CARTAGENA_HYBRID_WEIGHT_DENSE=1.5"),
        ({"ivf_nprobe": 0}, "CARTAGENA_IVF_NPROBE=0"),
        ({"keep_versions": 0}, "CARTAGENA_KEEP_VERSIONS=0"),
        ({"request_timeout_s": 0}, "CARTAGENA_REQUEST_TIMEOUT_S=0"),
    ],
)
def test_a_number_out_of_range_is_refused(values: dict[str, object], needle: str) -> None:
    assert needle in refused(**values)


def test_an_overlap_as_long_as_the_passage_is_refused() -> None:
    message = refused(chunk_tokens=64, chunk_overlap_tokens=64)
    assert "CARTAGENA_CHUNK_OVERLAP_TOKENS=64" in message
    assert "CARTAGENA_CHUNK_TOKENS=64" in message
    assert Settings(chunk_tokens=64, chunk_overlap_tokens=63).chunk_overlap_tokens == 63


def test_settings_leave_the_environment_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    import os

    Settings()
    assert "HF_HUB_OFFLINE" not in os.environ
    assert "TRANSFORMERS_OFFLINE" not in os.environ


def bad_env(**variables: str) -> dict[str, str]:
    import os

    return {**os.environ, **variables}


@pytest.mark.parametrize(
    ("command", "variable", "value", "allowed"),
    [
        (["serve", "--port", "0"], "CARTAGENA_FUSION", "zscroe", "'zscore', 'convex' or 'rrf'"),
        (
            ["serve", "--workers", "2", "--port", "0"],
            "CARTAGENA_LEXICAL_BACKEND",
            "sqlite",
            "'bm25s' or 'fts5'",
        ),
        (["search", "refugees"], "CARTAGENA_EMBED_PREFIX", "title", "'title_section'"),
        (["ingest", "--corpus", "."], "CARTAGENA_ANN_INDEX", "lsh", "'ivf_sq8'"),
        (["eval"], "CARTAGENA_DEVICE", "gpu", "cpu, mps, cuda or cuda:N"),
    ],
)
def test_every_command_stops_at_start_on_a_bad_value(
    tmp_path: Path, command: list[str], variable: str, value: str, allowed: str
) -> None:
    index = tmp_path / "index"  # never read: the settings fail first
    argv = [*command, "--index", str(index)] if command[0] != "eval" else command
    started = time.monotonic()
    result = subprocess.run(
        cli(*argv),
        cwd=REPO_ROOT,
        env=bad_env(**{variable: value}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert time.monotonic() - started < 60  # no model, no index, no server
    output = result.stdout + result.stderr
    lines = [ln for ln in output.splitlines() if variable in ln]
    assert len(lines) == 1, output
    assert f"{variable}={value!r}" in lines[0] and allowed in lines[0], lines[0]
    assert "Traceback" not in output
    assert not index.exists()


def test_a_worker_with_a_bad_value_stops_with_the_message(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from api.factory import app_from_env

    monkeypatch.setenv("CARTAGENA_FUSION", "zscroe")
    get_settings.cache_clear()
    try:
        with caplog.at_level(logging.ERROR), pytest.raises(SystemExit) as stopped:
            app_from_env()
    finally:
        get_settings.cache_clear()
    assert stopped.value.code == 2
    assert "CARTAGENA_FUSION='zscroe'" in caplog.text
    assert "'zscore', 'convex' or 'rrf'" in caplog.text


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "knob", "applied"),
    [
        ("hnsw", {"hnsw_ef_search": 7}, lambda ix: ix.hnsw.efSearch == 7),
        ("ivf_sq8", {"ivf_nprobe": 2}, lambda ix: faiss.extract_index_ivf(ix).nprobe == 2),
    ],
)
def test_the_settings_given_to_load_searcher_tune_its_vector_search(
    index_copy: Path, settings: Settings, embedder: Embedder, kind: str, knob: dict, applied
) -> None:
    """The same vectors as an approximate index; the searcher must use the caller's knob, not
    the process's (the global settings once leaked into IndexStore)."""
    version = layout.current_version(index_copy)
    flat = faiss.read_index(str(version / layout.VECTORS))
    vectors = flat.reconstruct_n(0, flat.ntotal)
    faiss.write_index(build_vector_index(vectors, kind, settings), str(version / layout.VECTORS))
    manifest_path = version / layout.MANIFEST
    manifest = json.loads(manifest_path.read_text())
    manifest["faiss_index"] = kind
    manifest_path.write_text(json.dumps(manifest))

    mine = settings.model_copy(update=knob)
    searcher = load_searcher(index_copy, mine, embedder)
    assert searcher.store.vectors.index is not None
    assert applied(searcher.store.vectors.index)
    assert not applied(load_searcher(index_copy, settings, embedder).store.vectors.index)
    assert searcher.search("family reunification", k=3, mode="dense")
