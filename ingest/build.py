"""The ingest job: corpus directory -> parsed, chunked, embedded -> a published index version."""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from cartagena.errors import EmptyCorpusError
from cartagena.settings import Settings
from corpus.catalog import DocumentMeta, load_catalog, metadata_for
from embedding import factory
from embedding.base import Embedder
from embedding.cached import VectorCache, embed_passages
from index import layout
from index import writer as index_writer
from index.embedding_cache import open_cache
from index.writer import Embedded, Entry
from ingest.chunk import CHUNKER_VERSION, ChunkConfig, chunk_document
from ingest.coverage import LostRun, document_lost_runs
from ingest.isolate import Skipped, parse_files
from ingest.managed import merge_meta, tombstones, upload_meta
from ingest.models import ParsedDocument
from ingest.normalize import NORMALIZER_VERSION
from ingest.parse import corpus_files
from text.language import detect_language
from text.tokens import TOKENIZER_VERSION

log = logging.getLogger(__name__)


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
    docs: list[Entry] = []
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
    docs: list[Entry],
    settings: Settings,
    embedder: Embedder | None = None,
    extra: dict | None = None,
    sentence_vectors: bool = True,
    crosslingual: bool = True,
) -> tuple[str, int, int]:
    """Embed (through the cache), then write and publish one version with ``index.writer``;
    (version, passages, embedded).

    Also the entry point for corpora that arrive already cut into passages (BEIR datasets),
    which may skip the per-sentence vectors that only highlights and answers use, and the
    cross-lingual set that only queries not in English use.
    """
    embedder = embedder or factory.for_ingest(settings)
    with layout.build_lock(index_dir):
        with open_cache(index_dir) as cache:
            texts = [p.embed_text for _, _, c in docs for p in c.passages]
            name = embedder.cache_key(settings.model_name)
            vectors, embedded = embed_passages(texts, embedder, cache, name)
            result = Embedded(vectors)
            if settings.sentence_vectors and sentence_vectors:
                result.sentences = index_writer.sentence_texts(
                    [p for _, _, c in docs for p in c.passages]
                )
                result.sentence_vectors, _ = embed_passages(result.sentences, embedder, cache, name)
            if crosslingual:
                result.crosslingual = crosslingual_vectors(texts, settings, cache)
            if result.crosslingual is not None:
                result.crosslingual_model = settings.crosslingual_model_name
            layout.crash_point("after-embed")
        describe = {
            "embed_backend": embedder.backend,
            "normalizer_version": NORMALIZER_VERSION,
            "chunker_version": CHUNKER_VERSION,
            "tokenizer_version": TOKENIZER_VERSION,
            "chunking": {
                "max_tokens": settings.chunk_tokens,
                "overlap_tokens": settings.chunk_overlap_tokens,
                "min_chars": settings.min_passage_chars,
                "embed_prefix": settings.embed_prefix,
            },
        }
        version, passages = index_writer.write_version(
            index_dir, docs, result, settings, describe, extra
        )
    return version, passages, embedded


def crosslingual_vectors(
    texts: list[str], settings: Settings, cache: VectorCache
) -> np.ndarray | None:
    """The cross-lingual model's passage vectors (its own cache key: unchanged text is never
    embedded again), None when it is off. Every vector store keeps them beside the primary
    ones. No sentence vectors: sentence-level dense scoring stays on the primary model (it
    hurt e5's ranking)."""
    embedder = factory.for_crosslingual(settings)
    if embedder is None or not texts:
        return None
    name = embedder.cache_key(str(settings.crosslingual_model_name))
    vectors, embedded = embed_passages(texts, embedder, cache, name)
    log.info("cross-lingual vectors: %d passages, %d embedded", len(texts), embedded)
    return vectors
