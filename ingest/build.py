"""The ingest job: corpus directory -> parsed, chunked, embedded -> a published index version."""

from __future__ import annotations

import fcntl
import hashlib
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from tqdm import tqdm

from cartagena.errors import DocumentParseError, EmptyCorpusError
from cartagena.settings import Settings
from corpus.catalog import DocumentMeta, load_catalog, metadata_for
from ingest import index_writer, layout
from ingest.cache import EmbeddingCache, content_key
from ingest.chunk import CHUNKER_VERSION, ChunkConfig, chunk_document
from ingest.embed import Embedder
from ingest.models import ChunkedDocument, ParsedDocument
from ingest.normalize import NORMALIZER_VERSION
from ingest.parse import corpus_files, parse_file
from ingest.tokens import TOKENIZER_VERSION

log = logging.getLogger(__name__)
FORMAT_VERSION = 1


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class BuildReport:
    version: str
    documents: int
    pages: int
    passages: int
    embedded: int
    cached: int
    seconds: float
    skipped: list[Skipped] = field(default_factory=list)


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One build at a time per index directory (a second one waits)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".build.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def parse_corpus(files: list[Path]) -> tuple[list[ParsedDocument], list[Skipped]]:
    parsed: list[ParsedDocument] = []
    skipped: list[Skipped] = []
    for path in tqdm(files, desc="parse", unit="file", disable=len(files) < 20):
        try:
            parsed.append(parse_file(path))
        except DocumentParseError as exc:
            log.warning("skipped %s: %s", path, exc)
            skipped.append(Skipped(str(path), str(exc)))
        except Exception as exc:  # noqa: BLE001 - one bad file must never cost the corpus
            log.exception("skipped %s: unexpected parser failure", path)
            skipped.append(Skipped(str(path), f"parser failure: {type(exc).__name__}: {exc}"))
    return parsed, skipped


def embed_passages(
    texts: list[str], embedder: Embedder, cache: EmbeddingCache, model_name: str
) -> tuple[np.ndarray, int]:
    """Vectors for ``texts`` in order; only texts missing from the cache reach the model."""
    keys = [content_key(model_name, t) for t in texts]
    found = cache.get_many(keys)
    missing = list(dict.fromkeys(k for k in keys if k not in found))
    if missing:
        by_key = dict(zip(keys, texts, strict=True))
        log.info("embedding %d passages (%d cached)", len(missing), len(keys) - len(missing))
        batch = 512
        for i in tqdm(
            range(0, len(missing), batch), desc="embed", unit="batch", disable=len(missing) <= batch
        ):
            chunk = missing[i : i + batch]
            vectors = embedder.encode([by_key[k] for k in chunk])
            cache.put_many(zip(chunk, vectors, strict=True))
            found.update(zip(chunk, vectors, strict=True))
    if not keys:
        return np.zeros((0, 0), dtype=np.float32), 0
    return np.stack([found[k] for k in keys]).astype(np.float32), len(missing)


def fingerprint(parsed: list[ParsedDocument]) -> str:
    digest = hashlib.sha256()
    for doc in sorted(parsed, key=lambda d: d.doc_id):
        digest.update(doc.doc_id.encode())
        digest.update(Path(doc.path).read_bytes())
    return digest.hexdigest()[:16]


def build_index(
    corpus: Path, index_dir: Path, settings: Settings, embedder: Embedder | None = None
) -> BuildReport:
    """Build and publish a new index version from every readable file under ``corpus``."""
    started = time.perf_counter()
    files = corpus_files(corpus)
    parsed, skipped = parse_corpus(files)
    if not parsed:
        raise EmptyCorpusError(
            f"nothing could be indexed from {corpus}: {len(files)} files, {len(skipped)} skipped"
            + "".join(f"\n  {s.path}: {s.reason}" for s in skipped)
        )
    embedder = embedder or Embedder(settings.model, settings.device, settings.batch_size)
    config = ChunkConfig(
        max_tokens=settings.chunk_tokens,
        overlap_tokens=settings.chunk_overlap_tokens,
        min_chars=settings.min_passage_chars,
        embed_prefix=settings.embed_prefix,
    )
    catalog = load_catalog()
    docs: list[tuple[ParsedDocument, DocumentMeta, ChunkedDocument]] = []
    for doc in parsed:
        meta = metadata_for(doc.doc_id, catalog, doc.file_title)
        docs.append((doc, meta, chunk_document(doc, meta, embedder.count_tokens, config)))
    version, passages, embedded = write_version(
        index_dir,
        docs,
        settings,
        embedder,
        extra={
            "corpus": str(corpus),
            "corpus_fingerprint": fingerprint(parsed),
            "skipped": [s.__dict__ for s in skipped],
        },
    )
    report = BuildReport(
        version=version,
        documents=len(docs),
        pages=sum(d.n_pages for d in parsed),
        passages=passages,
        embedded=embedded,
        cached=passages - embedded,
        seconds=0.0,
        skipped=skipped,
    )
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def write_version(
    index_dir: Path,
    docs: list[tuple[ParsedDocument, DocumentMeta, ChunkedDocument]],
    settings: Settings,
    embedder: Embedder | None = None,
    extra: dict | None = None,
) -> tuple[str, int, int]:
    """Embed (through the cache), write and publish one version; (version, passages, embedded).

    Also the entry point for corpora that arrive already cut into passages (BEIR datasets).
    """
    embedder = embedder or Embedder(settings.model, settings.device, settings.batch_size)
    with build_lock(index_dir):
        cache = EmbeddingCache(index_dir / layout.CACHE)
        try:
            texts = [p.embed_text for _, _, c in docs for p in c.passages]
            vectors, embedded = embed_passages(texts, embedder, cache, settings.model_name)
        finally:
            cache.close()
        version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        build_dir = layout.new_build_dir(index_dir, version)
        passages = index_writer.write_database(build_dir / layout.DATABASE, docs)
        index_type = index_writer.write_vectors(build_dir / layout.VECTORS, vectors)
        index_writer.write_bm25(
            build_dir / layout.BM25, passages, settings.bm25_k1, settings.bm25_b
        )
        index_writer.write_manifest(
            build_dir,
            {
                "format_version": FORMAT_VERSION,
                "version": version,
                "built_at": datetime.now(UTC).isoformat(),
                "model": settings.model_name,
                "dimension": int(vectors.shape[1]),
                "faiss_index": index_type,
                "normalizer_version": NORMALIZER_VERSION,
                "chunker_version": CHUNKER_VERSION,
                "tokenizer_version": TOKENIZER_VERSION,
                "chunking": {
                    "max_tokens": settings.chunk_tokens,
                    "overlap_tokens": settings.chunk_overlap_tokens,
                    "min_chars": settings.min_passage_chars,
                    "embed_prefix": settings.embed_prefix,
                },
                "bm25": {"k1": settings.bm25_k1, "b": settings.bm25_b},
                "documents": len(docs),
                "passages": len(passages),
                **(extra or {}),
            },
        )
        layout.publish(index_dir, build_dir, version, keep=settings.keep_versions)
    return version, len(passages), embedded
