"""Where passage vectors are written and published: FAISS files (default) or Milvus.

Everything else of an index version (SQLite rows, BM25, sentence vectors, the manifest) stays
in the version directory whatever the store; only the passage vectors move. Both backends take
the same matrix (row i = passage row i) with the metadata filters run on (document, year,
kind, language, footnote flag), and both publish atomically:

- ``faiss``: ``vectors.faiss`` inside the version directory, published with it (index.layout);
- ``milvus``: a new collection ``<prefix>_<version>`` per build, written and loaded before the
  version directory is published; then the alias ``<prefix>`` is moved to it, and collections
  of versions no longer kept are dropped (index/milvus_store.py).

The cross-lingual model's vectors, when built, are a second set of the same rows in the same
store: ``vectors-crosslingual.faiss``, or a second collection and alias.

The read side (index/vectors.py) opens what the manifest names; ``CARTAGENA_VECTOR_STORE``
picks the backend for builds, and a server refuses an index built for the other one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from cartagena.settings import Settings
from index import faiss_index, layout


@dataclass(frozen=True)
class VectorRows:
    """Per-row metadata stored beside the vectors, what metadata filters run on."""

    doc_ids: list[str]
    years: list[int]  # -1 when unknown
    kinds: list[str]  # "" when unknown
    languages: list[str]  # tokeniser language: en | es | pt
    footnotes: list[bool]

    def __len__(self) -> int:
        return len(self.doc_ids)


class VectorStore(Protocol):
    """The write side of a backend: one collection of vectors per index version."""

    name: str

    def write(self, build_dir: Path, version: str, vectors: np.ndarray, rows: VectorRows) -> dict:
        """Write the vectors of a version being built; returns the manifest's entries for them.
        Nothing served may change here: a crash leaves the published version whole."""
        ...

    def write_crosslingual(
        self, build_dir: Path, version: str, vectors: np.ndarray, rows: VectorRows
    ) -> dict:
        """Write the cross-lingual model's vectors of the same rows beside the primary ones
        (same rules as ``write``); returns the manifest's entries for them."""
        ...

    def publish(self, manifest: dict) -> None:
        """Make the version the manifest describes the served one (after CURRENT moved)."""
        ...

    def prune(self, index_dir: Path) -> None:
        """Drop vectors of versions the index directory no longer keeps, and abandoned builds."""
        ...


class FaissStore:
    """The embedded default: a FAISS file inside the version directory, published with it."""

    name = "faiss"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def write(self, build_dir: Path, version: str, vectors: np.ndarray, rows: VectorRows) -> dict:
        kind = faiss_index.write_vectors(build_dir / layout.VECTORS, vectors, self.settings)
        return {"faiss_index": kind}

    def write_crosslingual(
        self, build_dir: Path, version: str, vectors: np.ndarray, rows: VectorRows
    ) -> dict:
        path = build_dir / layout.CROSSLINGUAL_VECTORS
        kind = faiss_index.write_vectors(path, vectors, self.settings)
        return {"crosslingual_index": kind}

    def publish(self, manifest: dict) -> None:
        """Nothing to do: the CURRENT pointer already names the version and its file."""

    def prune(self, index_dir: Path) -> None:
        """Nothing to do: the file goes with its version directory (index.layout.prune)."""


def vector_store(settings: Settings, index_dir: Path) -> VectorStore:
    """The backend ``CARTAGENA_VECTOR_STORE`` names, for a build into ``index_dir``."""
    if settings.vector_store == "milvus":
        from index.milvus_store import MilvusStore

        return MilvusStore(settings, index_dir)
    return FaissStore(settings)


def store_of(manifest: dict) -> str:
    """The backend a manifest was built for (versions older than the setting: faiss)."""
    return str(manifest.get("vector_store", "faiss"))
