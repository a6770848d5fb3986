"""Dense search over one index version's passage vectors, wherever they are stored.

``open_vector_index`` opens what the manifest names (index/vector_store.py): the FAISS file
of the version directory, or the version's Milvus collection (``open_crosslingual_index``: the
cross-lingual model's file or collection, when built). Both answer ``search(query, k,
where)`` with (rows, inner products), best first, restricted to ``where``:

- FAISS restricts to the allowed row ids (an ID selector), exactly as before the interface;
- Milvus runs the metadata conditions as its filter expression, and adds ``row in [...]``
  only when exact phrases narrowed the rows further (``VectorWhere.rows_needed``): exact, where
  post-filtering a larger k would lose a rare phrase's rows (benchmarks/README.md).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import faiss
import numpy as np

from cartagena.errors import IndexIncompatibleError
from cartagena.settings import Settings
from index import layout
from index.vector_store import store_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VectorWhere:
    """What a dense search may return: metadata conditions, and the allowed rows."""

    doc_ids: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    kinds: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    footnotes: bool = True
    # every allowed row (the conditions above and exact phrases), ascending
    rows: np.ndarray | None = None
    # rows is narrower than the conditions above (exact phrases): a backend that filters by
    # the conditions must apply rows as well
    rows_needed: bool = False


class VectorIndex(Protocol):
    """The read side of a backend: one version's vectors, searched by inner product."""

    d: int  # dimension
    ntotal: int  # rows

    def search_rows(
        self, query: np.ndarray, k: int, where: VectorWhere | None = None
    ) -> tuple[np.ndarray, np.ndarray]: ...

    def reconstruct(self, row: int) -> np.ndarray: ...

    def reconstruct_many(self, rows: list[int]) -> np.ndarray:
        """The stored vectors of ``rows``, in that order (one round trip for a remote store)."""
        ...

    def close(self) -> None: ...


def open_vectors(path: Path, kind: str = "flat") -> faiss.Index:
    """Memory-mapped: flat codes and inverted lists stay in the page cache, shared by workers.

    FAISS maps inverted lists with one flag and flat codes with another, and refuses both."""
    flag = faiss.IO_FLAG_MMAP if kind.startswith("ivf") else faiss.IO_FLAG_MMAP_IFC
    return faiss.read_index(str(path), flag)


def tune_vectors(index: faiss.Index, settings: Settings) -> None:
    """Set the search-time knobs of an approximate index (no-op for exact ones)."""
    if isinstance(index, faiss.IndexHNSW):
        index.hnsw.efSearch = settings.hnsw_ef_search
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is not None:
        ivf.nprobe = min(settings.ivf_nprobe, ivf.nlist)


def search_parameters(
    index: faiss.Index, settings: Settings, allowed: np.ndarray | None = None
) -> faiss.SearchParameters:
    """FAISS insists on the parameter class of the index type (IVF, HNSW or generic)."""
    # keyword construction makes the parameters keep a reference to the selector
    args: dict = {}
    if allowed is not None:
        args["sel"] = faiss.IDSelectorBatch(allowed.astype(np.int64))
    if isinstance(index, faiss.IndexHNSW):
        return faiss.SearchParametersHNSW(efSearch=settings.hnsw_ef_search, **args)  # type: ignore[attr-defined]
    if faiss.try_extract_index_ivf(index) is not None:
        return faiss.SearchParametersIVF(nprobe=settings.ivf_nprobe, **args)  # type: ignore[call-arg]
    return faiss.SearchParameters(**args)


class FaissVectors:
    """The version's ``vectors.faiss``, memory-mapped and tuned."""

    def __init__(self, path: Path, kind: str, settings: Settings) -> None:
        self.kind = kind
        self.settings = settings
        self.index = open_vectors(path, kind)
        tune_vectors(self.index, settings)
        self.d = int(self.index.d)
        self.ntotal = int(self.index.ntotal)

    def search_rows(
        self, query: np.ndarray, k: int, where: VectorWhere | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        params = None
        if where is not None and where.rows is not None:
            params = search_parameters(self.index, self.settings, where.rows.astype(np.int64))
        scores, ids = self.index.search(query, k, params=params)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]

    def reconstruct(self, row: int) -> np.ndarray:
        return np.asarray(self.index.reconstruct(int(row)), dtype=np.float32)

    def reconstruct_many(self, rows: list[int]) -> np.ndarray:
        return np.stack([self.index.reconstruct(int(r)) for r in rows])

    def close(self) -> None:
        """Nothing to release: the file is memory-mapped and unmapped with the index."""


def milvus_expression(where: VectorWhere | None) -> str:
    """The filter expression of ``where`` (empty: no condition). Strings are JSON-quoted."""
    if where is None:
        return ""

    def strings(values: tuple[str, ...]) -> str:
        return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"

    parts = []
    if where.doc_ids:
        parts.append(f"doc_id in {strings(where.doc_ids)}")
    if where.year_from is not None:
        parts.append(f"year >= {int(where.year_from)}")
    if where.year_to is not None:
        parts.append(f"year <= {int(where.year_to)} and year >= 0")
    if where.kinds:
        parts.append(f"kind in {strings(where.kinds)}")
    if where.languages:
        parts.append(f"lang in {strings(where.languages)}")
    if not where.footnotes:
        parts.append("footnote == false")
    if where.rows_needed and where.rows is not None:
        parts.append("row in [" + ",".join(str(int(r)) for r in where.rows) + "]")
    return " and ".join(parts)


class MilvusVectors:
    """The version's Milvus collection (the one its manifest names, not the alias); with
    ``crosslingual``, its cross-lingual model's collection."""

    def __init__(
        self, manifest: dict, index_dir: Path, settings: Settings, crosslingual: bool = False
    ) -> None:
        from index.milvus_store import MAX_TOPK, connect, milvus_uri, search_params

        prefix = "crosslingual_" if crosslingual else ""
        self.uri = milvus_uri(settings, index_dir)
        self.client: Any = connect(self.uri, settings)
        self.collection = str(manifest[f"{prefix}milvus_collection"])
        if not self.client.has_collection(self.collection):
            raise IndexIncompatibleError(
                f"index version {manifest.get('version')} names Milvus collection "
                f"{self.collection}, which {self.uri} does not hold: rebuild the index with "
                "`cartagena ingest` against this Milvus, or point CARTAGENA_MILVUS_URI at the "
                "one it was built with"
            )
        self.client.load_collection(self.collection)
        self.d = int(manifest[f"{prefix}dimension"])
        self.ntotal = int(manifest["passages"])
        self.max_k = MAX_TOPK
        kind = str(manifest.get("crosslingual_index" if crosslingual else "milvus_index", "flat"))
        self.params = {"metric_type": "IP", "params": search_params(kind, settings)}

    def search_rows(
        self, query: np.ndarray, k: int, where: VectorWhere | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        found = self.client.search(
            self.collection,
            data=[np.asarray(query, dtype=np.float32).reshape(-1)],
            limit=min(k, self.max_k),
            filter=milvus_expression(where),
            output_fields=["row"],
            search_params=self.params,
        )[0]
        rows = np.array([h["entity"]["row"] for h in found], dtype=np.int64)
        scores = np.array([h["distance"] for h in found], dtype=np.float32)
        return rows, scores

    def reconstruct(self, row: int) -> np.ndarray:
        return self.reconstruct_many([row])[0]

    def reconstruct_many(self, rows: list[int]) -> np.ndarray:
        wanted = [int(r) for r in rows]
        got = self.client.get(self.collection, ids=wanted, output_fields=["vector"])
        by_row = {int(g["row"]): g["vector"] for g in got}
        return np.array([by_row[r] for r in wanted], dtype=np.float32)

    def close(self) -> None:
        self.client.close()


def open_vector_index(version_dir: Path, manifest: dict, settings: Settings) -> VectorIndex:
    """The vectors of the version at ``version_dir``, from the store its manifest names.

    A server configured for one store refuses an index built for the other, rather than
    serving it with settings (URI, prefix) meant for something else."""
    built_for = store_of(manifest)
    if built_for != settings.vector_store:
        raise IndexIncompatibleError(
            f"index version {manifest.get('version')} at {version_dir} keeps its vectors in "
            f"{built_for!r} but CARTAGENA_VECTOR_STORE is {settings.vector_store!r}: set "
            f"CARTAGENA_VECTOR_STORE={built_for} or rebuild with `cartagena ingest`"
        )
    if built_for == "milvus":
        return MilvusVectors(manifest, version_dir.parent.parent, settings)
    kind = str(manifest.get("faiss_index", "flat"))
    return FaissVectors(version_dir / layout.VECTORS, kind, settings)


def open_crosslingual_index(
    version_dir: Path, manifest: dict, settings: Settings
) -> VectorIndex | None:
    """The cross-lingual model's vectors of the version, from the same store as the primary
    ones (called after :func:`open_vector_index` checked it); None when the version has none,
    as versions built with the model off, or in Milvus before it kept them, do."""
    if not manifest.get("crosslingual_model"):
        return None
    if store_of(manifest) == "milvus":
        if not manifest.get("crosslingual_milvus_collection"):
            return None
        return MilvusVectors(manifest, version_dir.parent.parent, settings, crosslingual=True)
    path = version_dir / layout.CROSSLINGUAL_VECTORS
    if not path.is_file():
        return None
    return FaissVectors(path, str(manifest.get("crosslingual_index", "flat")), settings)
