"""Passage vectors in Milvus: one collection per index version, served through an alias.

``CARTAGENA_MILVUS_URI`` is a milvus-lite data file (a path ending in ``.db``: an embedded,
pure-Python Milvus in this process, for tests and one-machine use) or a Milvus standalone or
cluster server (``http://host:19530``); the client speaks the same API to both.

A build writes ``<prefix>_<version>`` (vectors, row id, doc_id, year, kind, lang, footnote),
builds its index and loads it before the version directory is published; then the alias
``<prefix>`` is moved to it and collections of versions no longer kept are dropped. A crash at
any point leaves the alias on the previous, whole collection; the half-written one is dropped
by the next build's prune (a crash between the primary and the cross-lingual alias moves
leaves them on two versions until the next build's publish moves both). A server reads the
collection its manifest names (its SQLite rows and its vectors are then always the same
version), never whatever the alias points at.

The cross-lingual model's vectors (CARTAGENA_CROSSLINGUAL_MODEL), when built, are a second
collection of the same rows and metadata, ``<prefix>_<version>_crosslingual``, behind the
alias ``<prefix>_crosslingual``: written, published and pruned with the first, so that
filters and crash safety are the same for both (the FAISS store keeps them in a second file).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from cartagena.errors import CartagenaError
from cartagena.settings import Settings
from index import faiss_index, layout
from index.schema import read_manifest
from index.vector_store import VectorRows

log = logging.getLogger(__name__)

# Rows per insert call: ~3 MB of float32 at 384 dimensions, far below gRPC's 64 MB limit.
INSERT_BATCH = 2000
# Milvus caps a search's limit (topk) at 16,384.
MAX_TOPK = 16_384
# the cross-lingual collection and alias: the primary's name and this
CROSSLINGUAL_SUFFIX = "_crosslingual"
# Our index types (index/writer.py) -> Milvus index types.
MILVUS_INDEX = {
    "flat": "FLAT",
    "hnsw": "HNSW",
    "hnsw_sq8": "HNSW_SQ",
    "ivf_sq8": "IVF_SQ8",
    "ivf_pq": "IVF_PQ",
}


class VectorStoreError(CartagenaError):
    """The configured vector store cannot be reached or used."""


def milvus_uri(settings: Settings, index_dir: Path) -> str:
    """The configured URI, else a milvus-lite file beside the index versions."""
    return settings.milvus_uri or str(index_dir.resolve() / "milvus.db")


def is_lite(uri: str) -> bool:
    return uri.endswith(".db")


def connect(uri: str, settings: Settings) -> Any:
    """A MilvusClient for ``uri``, with a message a person can act on when it fails."""
    try:
        from pymilvus import MilvusClient
        from pymilvus.exceptions import MilvusException
    except ImportError:
        raise VectorStoreError(
            "CARTAGENA_VECTOR_STORE=milvus needs pymilvus and milvus-lite: "
            "pip install -e '.[milvus]'"
        ) from None
    if is_lite(uri):
        Path(uri).parent.mkdir(parents=True, exist_ok=True)
        # milvus-lite answers the client's AllocTimestamp probe with "not implemented", which
        # grpc logs as an error with a traceback at every connection; the client goes on
        logging.getLogger("grpc._server").setLevel(logging.CRITICAL)
    token = settings.milvus_token.get_secret_value() if settings.milvus_token else ""
    try:
        return MilvusClient(uri=uri, token=token)
    except MilvusException as exc:
        hint = (
            " (a milvus-lite file is open in one process at a time: stop the server using it, "
            "or run a Milvus server for several processes, docs/operations.md)"
            if is_lite(uri)
            else ""
        )
        raise VectorStoreError(f"cannot open Milvus at {uri}: {exc.message}{hint}") from exc


def release(uri: str) -> None:
    """Stop this process's embedded milvus-lite for ``uri``, freeing its file for another
    process (an ingest run beside a test, a server after a build). No-op for a server."""
    if not is_lite(uri):
        return
    try:
        from milvus_lite.server_manager import server_manager_instance
    except ImportError:
        return
    server_manager_instance.release_server(uri)


def public_uri(uri: str) -> str:
    """The URI without credentials, for the manifest."""
    if is_lite(uri):
        return uri
    parts = urlsplit(uri)
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1]))


def index_params(kind: str, n: int, settings: Settings) -> dict:
    """Milvus build parameters matching the FAISS index ``choose_index_type`` would build."""
    if kind in ("hnsw", "hnsw_sq8"):
        params: dict = {"M": settings.hnsw_m, "efConstruction": settings.hnsw_ef_construction}
        if kind == "hnsw_sq8":
            params["sq_type"] = "SQ8"
        return params
    if kind in ("ivf_sq8", "ivf_pq"):
        params = {"nlist": faiss_index.ivf_list_count(n)}
        if kind == "ivf_pq":
            params.update({"m": 48, "nbits": 8})
        return params
    return {}


def search_params(kind: str, settings: Settings) -> dict:
    """The search-time knobs of the same settings FAISS uses (efSearch, nprobe)."""
    if kind in ("hnsw", "hnsw_sq8"):
        return {"ef": settings.hnsw_ef_search}
    if kind in ("ivf_sq8", "ivf_pq"):
        return {"nprobe": settings.ivf_nprobe}
    return {}


class MilvusStore:
    name = "milvus"

    def __init__(self, settings: Settings, index_dir: Path) -> None:
        self.settings = settings
        self.uri = milvus_uri(settings, index_dir)
        self.prefix = settings.milvus_prefix
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = connect(self.uri, self.settings)
        return self._client

    @property
    def crosslingual_alias(self) -> str:
        return f"{self.prefix}{CROSSLINGUAL_SUFFIX}"

    def collection_for(self, version: str) -> str:
        return f"{self.prefix}_{version}"

    def write(self, build_dir: Path, version: str, vectors: np.ndarray, rows: VectorRows) -> dict:
        name = self.collection_for(version)
        kind = self._write_collection(name, vectors, rows)
        return {
            "milvus_collection": name,
            "milvus_alias": self.prefix,
            "milvus_index": kind,
            "milvus_uri": public_uri(self.uri),
        }

    def write_crosslingual(
        self, build_dir: Path, version: str, vectors: np.ndarray, rows: VectorRows
    ) -> dict:
        """The second collection, same rows and metadata: the reader filters it the same way."""
        name = self.collection_for(version) + CROSSLINGUAL_SUFFIX
        kind = self._write_collection(name, vectors, rows)
        return {
            "crosslingual_index": kind,
            "crosslingual_milvus_collection": name,
            "crosslingual_milvus_alias": self.crosslingual_alias,
        }

    def _write_collection(self, name: str, vectors: np.ndarray, rows: VectorRows) -> str:
        """Create, fill, index and load collection ``name``; the index type it was built with."""
        from pymilvus import DataType, MilvusClient

        n = len(rows)
        if n == 0 or vectors.ndim != 2 or vectors.shape[0] != n:
            raise VectorStoreError(f"cannot write {vectors.shape} vectors for {n} rows to Milvus")
        dim = int(vectors.shape[1])
        kind = faiss_index.choose_index_type(n, self.settings)
        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("row", DataType.INT64, is_primary=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=512)
        schema.add_field("year", DataType.INT32)
        schema.add_field("kind", DataType.VARCHAR, max_length=128)
        schema.add_field("lang", DataType.VARCHAR, max_length=8)
        schema.add_field("footnote", DataType.BOOL)
        params = self.client.prepare_index_params()
        params.add_index(
            "vector",
            index_type=MILVUS_INDEX[kind],
            metric_type="IP",
            params=index_params(kind, n, self.settings),
        )
        if self.client.has_collection(name):  # a build killed at the same microsecond: never
            self.client.drop_collection(name)
        self.client.create_collection(name, schema=schema, index_params=params)
        matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        for start in range(0, n, INSERT_BATCH):
            stop = min(n, start + INSERT_BATCH)
            self.client.insert(
                name,
                [
                    {
                        "row": i,
                        "vector": matrix[i],
                        "doc_id": rows.doc_ids[i],
                        "year": int(rows.years[i]),
                        "kind": rows.kinds[i],
                        "lang": rows.languages[i],
                        "footnote": bool(rows.footnotes[i]),
                    }
                    for i in range(start, stop)
                ],
            )
            if start == 0:
                layout.crash_point("milvus-mid-insert")
        self.client.flush(name)
        self.client.load_collection(name)
        count = int(self.client.get_collection_stats(name).get("row_count", -1))
        if count != n:
            raise VectorStoreError(f"Milvus collection {name} holds {count} rows, not {n}")
        log.info("wrote %d vectors to Milvus collection %s (%s)", n, name, MILVUS_INDEX[kind])
        return kind

    def publish(self, manifest: dict) -> None:
        """Move the aliases to the new collections: one call each, readers of an alias switch
        whole. A version without cross-lingual vectors takes that alias away, so that no
        reader of it keeps an older version's set. A crash between the two moves leaves the
        aliases on two versions (servers read their manifest's collections, not the aliases);
        the next build's publish moves both."""
        self._point(self.prefix, manifest["milvus_collection"])
        layout.crash_point("milvus-between-aliases")
        crosslingual = manifest.get("crosslingual_milvus_collection")
        if crosslingual:
            self._point(self.crosslingual_alias, str(crosslingual))
        elif self.crosslingual_alias in self._aliases():
            self.client.drop_alias(self.crosslingual_alias)
            log.info("Milvus alias %s dropped: no cross-lingual vectors", self.crosslingual_alias)

    def _aliases(self) -> list[str]:
        return list(self.client.list_aliases().get("aliases", []))

    def _point(self, alias: str, name: str) -> None:
        if alias in self._aliases():
            self.client.alter_alias(name, alias)
        else:
            self.client.create_alias(name, alias)
        log.info("Milvus alias %s -> %s", alias, name)

    def served(self, alias: str | None = None) -> str | None:
        """The collection ``alias`` (default: the primary one) names, None before the first
        publish."""
        alias = alias or self.prefix
        if alias not in self._aliases():
            return None
        return str(self.client.describe_alias(alias)["collection_name"])

    def prune(self, index_dir: Path) -> None:
        """Drop ``<prefix>_*`` collections that neither a kept version nor an alias names:
        older versions and builds killed before their publish."""
        keep = set(kept_collections(index_dir))
        for alias in (self.prefix, self.crosslingual_alias):
            served = self.served(alias)
            if served:
                keep.add(served)
        for name in self.client.list_collections():
            if name.startswith(f"{self.prefix}_") and name not in keep:
                self.client.drop_collection(name)
                log.info("dropped Milvus collection %s", name)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def kept_collections(index_dir: Path) -> list[str]:
    """Collections named by the manifests of the published versions under ``index_dir``."""
    versions = index_dir / layout.VERSIONS
    names = []
    if versions.is_dir():
        for path in versions.glob(f"*/{layout.MANIFEST}"):
            if path.parent.name.startswith(layout.TMP_PREFIX):
                continue
            manifest = read_manifest(path.parent)
            for key in ("milvus_collection", "crosslingual_milvus_collection"):
                if manifest.get(key):
                    names.append(str(manifest[key]))
    return names
