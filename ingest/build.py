"""The ingest job: corpus directory -> parsed, chunked, embedded -> a published index version."""

from __future__ import annotations

import fcntl
import hashlib
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from tqdm import tqdm

from cartagena.errors import EmptyCorpusError
from cartagena.settings import Settings
from corpus.catalog import DocumentMeta, load_catalog, metadata_for
from embedding import factory
from embedding.base import Embedder
from ingest import index_writer, layout
from ingest.cache import EmbeddingCache, content_key
from ingest.chunk import CHUNKER_VERSION, ChunkConfig, chunk_document
from ingest.coverage import LostRun, document_lost_runs
from ingest.isolate import Skipped, parse_files
from ingest.managed import merge_meta, tombstones, upload_meta
from ingest.models import ChunkedDocument, ParsedDocument
from ingest.normalize import NORMALIZER_VERSION
from ingest.parse import corpus_files
from ingest.vector_store import VectorRows, vector_store
from text.language import detect_language
from text.tokens import TOKENIZER_VERSION, tokenizer_language

log = logging.getLogger(__name__)
FORMAT_VERSION = 1


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
    # text of the normalised documents that no passage holds (ingest/coverage.py); empty
    # unless the parser or the chunker has a bug, which this makes loud instead of silent
    lost: list[LostRun] = field(default_factory=list)


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


def with_language(meta: DocumentMeta, doc: ParsedDocument) -> DocumentMeta:
    """The catalog's (or upload's) language when given, else the one detected from the text:
    it picks the stemmer, the citation words and what the ``lang`` filter matches."""
    if meta.language is not None:
        return meta
    text = "\n".join(b.text for b in doc.blocks if b.kind != "footnote")
    return replace(meta, language=detect_language(text))


def fingerprint(parsed: list[ParsedDocument]) -> str:
    digest = hashlib.sha256()
    for doc in sorted(parsed, key=lambda d: d.doc_id):
        digest.update(doc.doc_id.encode())
        digest.update(Path(doc.path).read_bytes())
    return digest.hexdigest()[:16]


def index_files(corpus: Path, index_dir: Path, settings: Settings) -> list[Path]:
    """The source corpus, overlaid with API uploads, less the documents deleted via the API."""
    chosen = {p.stem: p for p in corpus_files(corpus)}
    uploads = settings.uploads_for(index_dir)
    if uploads.is_dir():
        chosen.update({p.stem: p for p in corpus_files(uploads)})
        for doc_id in tombstones(uploads):
            chosen.pop(doc_id, None)
    return [chosen[k] for k in sorted(chosen)]


def build_index(
    corpus: Path, index_dir: Path, settings: Settings, embedder: Embedder | None = None
) -> BuildReport:
    """Build and publish a new index version from every readable file under ``corpus``."""
    started = time.perf_counter()
    files = index_files(corpus, index_dir, settings)
    parsed, skipped = parse_files(files, settings.parse_timeout_s, settings.parse_memory_mb)
    if not parsed:
        raise EmptyCorpusError(
            f"nothing could be indexed from {corpus}: {len(files)} files, {len(skipped)} skipped"
            + "".join(f"\n  {s.path}: {s.reason}" for s in skipped)
        )
    embedder = embedder or factory.for_ingest(settings)
    config = ChunkConfig(
        max_tokens=settings.chunk_tokens,
        overlap_tokens=settings.chunk_overlap_tokens,
        min_chars=settings.min_passage_chars,
        embed_prefix=settings.embed_prefix,
        model_max_tokens=embedder.max_tokens,
    )
    catalog = load_catalog()
    uploads = settings.uploads_for(index_dir)
    docs: list[tuple[ParsedDocument, DocumentMeta, ChunkedDocument]] = []
    for doc in parsed:
        meta = metadata_for(doc.doc_id, catalog, doc.file_title)
        meta = merge_meta(meta, upload_meta(uploads, doc.doc_id))
        meta = with_language(meta, doc)
        docs.append((doc, meta, chunk_document(doc, meta, embedder.count_tokens, config)))
    lost = [run for _, _, chunked in docs for run in document_lost_runs(chunked)]
    for run in lost:
        log.warning("text in no passage: %s at %d: %r", run.doc_id, run.start, run.text[:200])
    version, passages, embedded = write_version(
        index_dir,
        docs,
        settings,
        embedder,
        extra={
            "corpus": str(corpus.resolve()),
            "corpus_fingerprint": fingerprint(parsed),
            "skipped": [s.__dict__ for s in skipped],
            "lost_runs": [run.__dict__ for run in lost],
        },
    )
    report = BuildReport(
        version=version,
        documents=len(docs),
        pages=sum(d.n_pages for d in parsed),
        passages=passages,
        embedded=embedded,
        cached=passages - embedded,
        seconds=round(time.perf_counter() - started, 2),
        skipped=skipped,
        lost=lost,
    )
    return report


def write_version(
    index_dir: Path,
    docs: list[tuple[ParsedDocument, DocumentMeta, ChunkedDocument]],
    settings: Settings,
    embedder: Embedder | None = None,
    extra: dict | None = None,
    sentence_vectors: bool = True,
) -> tuple[str, int, int]:
    """Embed (through the cache), write and publish one version; (version, passages, embedded).

    Also the entry point for corpora that arrive already cut into passages (BEIR datasets),
    which may skip the per-sentence vectors that only highlights and answers use.
    """
    embedder = embedder or factory.for_ingest(settings)
    with build_lock(index_dir):
        cache = EmbeddingCache(index_dir / layout.CACHE)
        try:
            texts = [p.embed_text for _, _, c in docs for p in c.passages]
            name = embedder.cache_key(settings.model_name)
            vectors, embedded = embed_passages(texts, embedder, cache, name)
            sentences: list[str] = []
            if settings.sentence_vectors and sentence_vectors:
                sentences = index_writer.sentence_texts([p for _, _, c in docs for p in c.passages])
                sentence_matrix, _ = embed_passages(sentences, embedder, cache, name)
            crosslingual = crosslingual_vectors(texts, settings, cache)
            layout.crash_point("after-embed")
        finally:
            cache.close()
        version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        build_dir = layout.new_build_dir(index_dir, version)
        passages = index_writer.write_database(build_dir / layout.DATABASE, docs)
        if sentences:
            index_writer.write_sentence_vectors(
                build_dir / layout.DATABASE, sentences, sentence_matrix
            )
        layout.crash_point("mid-build")
        store = vector_store(settings, index_dir)
        vector_entries = store.write(build_dir, version, vectors, vector_rows(docs))
        if crosslingual is not None:
            kind = index_writer.write_vectors(
                build_dir / layout.CROSSLINGUAL_VECTORS, crosslingual, settings
            )
            vector_entries |= {
                "crosslingual_model": settings.crosslingual_model_name,
                "crosslingual_dimension": int(crosslingual.shape[1]),
                "crosslingual_index": kind,
            }
        index_writer.write_bm25(
            build_dir / layout.BM25,
            passages,
            settings.bm25_k1,
            settings.bm25_b,
            [meta.language for _, meta, c in docs for _ in c.passages],
        )
        index_writer.write_manifest(
            build_dir,
            {
                "format_version": FORMAT_VERSION,
                "version": version,
                "built_at": datetime.now(UTC).isoformat(),
                "model": settings.model_name,
                "dimension": int(vectors.shape[1]),
                "vector_store": store.name,
                **vector_entries,
                "embed_backend": getattr(embedder, "backend", "torch"),
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
        layout.crash_point("before-alias")
        store.publish(vector_entries)
        store.prune(index_dir)
    return version, len(passages), embedded


def crosslingual_vectors(
    texts: list[str], settings: Settings, cache: EmbeddingCache
) -> np.ndarray | None:
    """The cross-lingual model's passage vectors (its own cache key: unchanged text is never
    embedded again), None when it is off or the vector store keeps no second set. No sentence
    vectors: sentence-level dense scoring stays on the primary model (it hurt e5's ranking)."""
    embedder = factory.for_crosslingual(settings)
    if embedder is None or not texts:
        return None
    if settings.vector_store != "faiss":
        log.warning(
            "CARTAGENA_VECTOR_STORE=%s keeps no cross-lingual vectors yet: queries not in "
            "English will use the primary model",
            settings.vector_store,
        )
        return None
    name = embedder.cache_key(str(settings.crosslingual_model_name))
    vectors, embedded = embed_passages(texts, embedder, cache, name)
    log.info("cross-lingual vectors: %d passages, %d embedded", len(texts), embedded)
    return vectors


def vector_rows(docs: list[tuple[ParsedDocument, DocumentMeta, ChunkedDocument]]) -> VectorRows:
    """Each passage row's metadata, in row order, as the vector store keeps it for filters
    (the same values search.store's masks read from SQLite)."""
    rows = [(p, meta) for _, meta, c in docs for p in c.passages]
    return VectorRows(
        doc_ids=[p.doc_id for p, _ in rows],
        years=[meta.year if meta.year is not None else -1 for _, meta in rows],
        kinds=[meta.kind or "" for _, meta in rows],
        languages=[tokenizer_language(meta.language) for _, meta in rows],
        footnotes=[bool(p.is_footnote) for p, _ in rows],
    )
