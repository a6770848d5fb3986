"""Write one index version: SQLite (documents, passages, full-text table), the passage vectors
(the configured vector store, with the cross-lingual set beside them), BM25 and the manifest, then
publish it. Ingest calls :func:`write_version` with passages and their vectors; it never
touches the files itself."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import bm25s
import numpy as np

from cartagena.settings import Settings
from corpus.catalog import DocumentMeta
from index import layout
from index.models import ChunkedDocument, Passage
from index.schema import (
    FORMAT_VERSION,
    SCHEMA,
    anchored,
    lexical_text,
    sentence_key,
    write_manifest,
)
from index.vector_store import VectorRows, vector_store
from text.acronyms import document_acronyms
from text.spans import split_sentences
from text.tokens import lexical_tokens, tokenizer_language


class SourceFacts(Protocol):
    """What the documents table records of a document's file (ingest's parsed documents have
    these fields; ``index.models.SourceFile`` for corpora that arrive as passages)."""

    @property
    def path(self) -> str: ...

    @property
    def format(self) -> str: ...

    @property
    def n_pages(self) -> int: ...


# one indexed document: its file, its catalog entry, its text and passages
Entry = tuple[SourceFacts, DocumentMeta, ChunkedDocument]


@dataclass
class Embedded:
    """The vectors of one version, in passage row order, made by the caller's models."""

    vectors: np.ndarray
    # distinct sentence texts and their vectors (highlights, answers, sentence MaxP), if any
    sentences: list[str] = field(default_factory=list)
    sentence_vectors: np.ndarray | None = None
    # the cross-lingual model's passage vectors and its manifest name, if built
    crosslingual: np.ndarray | None = None
    crosslingual_model: str | None = None


def write_version(
    index_dir: Path,
    docs: list[Entry],
    embedded: Embedded,
    settings: Settings,
    describe: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> tuple[str, int]:
    """Write and publish one version; (version, passages). The caller holds
    ``layout.build_lock``. ``describe``: how the passages were made (backend, chunker and
    normaliser versions, chunking), recorded in the manifest after the vector entries;
    ``extra``: anything else for the manifest (corpus, skipped files, lost runs)."""
    version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    build_dir = layout.new_build_dir(index_dir, version)
    passages = write_database(build_dir / layout.DATABASE, docs)
    write_acronyms(build_dir / layout.ACRONYMS, [meta.title for _, meta, _ in docs], passages)
    if embedded.sentences and embedded.sentence_vectors is not None:
        write_sentence_vectors(
            build_dir / layout.DATABASE, embedded.sentences, embedded.sentence_vectors
        )
    layout.crash_point("mid-build")
    store = vector_store(settings, index_dir)
    rows = vector_rows(docs)
    vector_entries = store.write(build_dir, version, embedded.vectors, rows)
    if embedded.crosslingual is not None:
        written = store.write_crosslingual(build_dir, version, embedded.crosslingual, rows)
        vector_entries |= {
            "crosslingual_model": embedded.crosslingual_model,
            "crosslingual_dimension": int(embedded.crosslingual.shape[1]),
            **written,
        }
    write_bm25(
        build_dir / layout.BM25,
        passages,
        settings.bm25_k1,
        settings.bm25_b,
        [meta.language for _, meta, c in docs for _ in c.passages],
    )
    write_manifest(
        build_dir,
        {
            "format_version": FORMAT_VERSION,
            "version": version,
            "built_at": datetime.now(UTC).isoformat(),
            "model": settings.model_name,
            "dimension": int(embedded.vectors.shape[1]),
            "vector_store": store.name,
            **vector_entries,
            **(describe or {}),
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
    return version, len(passages)


def vector_rows(docs: list[Entry]) -> VectorRows:
    """Each passage row's metadata, in row order, as the vector store keeps it for filters
    (the same values the reader's masks read from SQLite)."""
    rows = [(p, meta) for _, meta, c in docs for p in c.passages]
    return VectorRows(
        doc_ids=[p.doc_id for p, _ in rows],
        years=[meta.year if meta.year is not None else -1 for _, meta in rows],
        kinds=[meta.kind or "" for _, meta in rows],
        languages=[tokenizer_language(meta.language) for _, meta in rows],
        footnotes=[bool(p.is_footnote) for p, _ in rows],
    )


def write_database(path: Path, docs: list[Entry]) -> list[Passage]:
    conn = sqlite3.connect(path)
    passages: list[Passage] = []
    with conn:
        conn.executescript(SCHEMA)
        for parsed, meta, chunked in docs:
            conn.execute(
                "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    meta.id,
                    meta.title,
                    meta.year,
                    meta.kind,
                    meta.language,
                    meta.place,
                    meta.source,
                    parsed.path,
                    parsed.format,
                    parsed.n_pages,
                    len(chunked.passages),
                    chunked.text,
                    json.dumps(chunked.furniture) if chunked.furniture else None,
                ),
            )
            for p in chunked.passages:
                conn.execute(
                    "INSERT INTO passages VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        len(passages),
                        p.passage_id,
                        p.doc_id,
                        p.ordinal,
                        p.text,
                        p.section,
                        json.dumps(p.section_path),
                        p.page_start,
                        p.page_end,
                        p.paragraph_index,
                        p.char_start,
                        p.char_end,
                        int(p.is_footnote),
                        p.footnote,
                        p.citation,
                        meta.year,
                        meta.kind,
                        p.anchor or None,
                    ),
                )
                passages.append(p)
        conn.execute("INSERT INTO passages_fts(passages_fts) VALUES ('rebuild')")
    conn.close()
    return passages


def write_acronyms(path: Path, titles: list[str], passages: list[Passage]) -> None:
    """The acronyms the documents use and the names they stand for, read once here so that no
    query reads every passage (``IndexStore.acronyms``; /ask spells "IDB" out with them)."""
    found = document_acronyms(titles, passages)
    path.write_text(json.dumps(found, ensure_ascii=False, sort_keys=True))


def sentence_texts(passages: list[Passage]) -> list[str]:
    """Every distinct sentence of the passages, in the order they first appear; a footnote's
    sentences also as read after its anchor (``anchored``), which /ask scores them by."""
    return list(
        dict.fromkeys(
            t
            for p in passages
            for s in split_sentences(p.text)
            for t in ([s.text, anchored(p.anchor, s.text)] if p.anchor else [s.text])
        )
    )


def write_sentence_vectors(path: Path, texts: list[str], vectors: np.ndarray) -> None:
    """Sentence vectors keyed by the hash of the sentence text (see search.sentence_vectors)."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE sentence_vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
        conn.executemany(
            "INSERT OR REPLACE INTO sentence_vectors VALUES (?, ?)",
            (
                (sentence_key(t), np.ascontiguousarray(v, dtype=np.float32).tobytes())
                for t, v in zip(texts, vectors, strict=True)
            ),
        )
    conn.close()


def write_bm25(
    path: Path,
    passages: list[Passage],
    k1: float,
    b: float,
    languages: list[str | None] | None = None,
) -> None:
    """BM25 over each passage's terms, stemmed in its document's language (default English).

    One vocabulary for all languages: the query side tokenises the query once per language
    the index holds and scores each language's rows with its own terms (search.engine)."""
    langs = languages or [None] * len(passages)
    corpus = [
        lexical_tokens(lexical_text(p), language=tokenizer_language(lang)) or ["\u2205"]
        for p, lang in zip(passages, langs, strict=True)
    ]
    retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
    retriever.index(corpus, show_progress=False)
    retriever.save(str(path))
