"""Write one index version: SQLite (documents, passages, full-text table), FAISS and BM25."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import bm25s
import faiss
import numpy as np

from corpus.catalog import DocumentMeta
from ingest import layout
from ingest.models import ChunkedDocument, ParsedDocument, Passage
from ingest.tokens import lexical_tokens

SCHEMA = """
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, year INTEGER, kind TEXT, language TEXT,
    place TEXT, source TEXT, path TEXT, format TEXT, n_pages INTEGER, n_passages INTEGER,
    text TEXT NOT NULL
);
CREATE TABLE passages (
    row INTEGER PRIMARY KEY,            -- = position of the vector in FAISS and BM25
    passage_id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    ordinal INTEGER NOT NULL, text TEXT NOT NULL, section TEXT, section_path TEXT,
    page_start TEXT, page_end TEXT, paragraph_index INTEGER, char_start INTEGER,
    char_end INTEGER, is_footnote INTEGER NOT NULL, footnote TEXT, citation TEXT,
    year INTEGER, kind TEXT
);
CREATE INDEX passages_doc ON passages(doc_id, ordinal);
CREATE VIRTUAL TABLE passages_fts USING fts5(
    text, section, content='passages', content_rowid='row',
    tokenize='unicode61 remove_diacritics 2'
);
"""


def lexical_text(passage: Passage) -> str:
    """What BM25 indexes: the wording plus its section heading, which names the topic."""
    return f"{passage.section}\n{passage.text}" if passage.section else passage.text


def write_database(
    path: Path,
    docs: list[tuple[ParsedDocument, DocumentMeta, ChunkedDocument]],
) -> list[Passage]:
    conn = sqlite3.connect(path)
    passages: list[Passage] = []
    with conn:
        conn.executescript(SCHEMA)
        for parsed, meta, chunked in docs:
            conn.execute(
                "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
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
                ),
            )
            for p in chunked.passages:
                conn.execute(
                    "INSERT INTO passages VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
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
                    ),
                )
                passages.append(p)
        conn.execute("INSERT INTO passages_fts(passages_fts) VALUES ('rebuild')")
    conn.close()
    return passages


def write_vectors(path: Path, vectors: np.ndarray) -> str:
    """Exact inner-product search; returns the index type recorded in the manifest."""
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    faiss.write_index(index, str(path))
    return "flat"


def write_bm25(path: Path, passages: list[Passage], k1: float, b: float) -> None:
    corpus = [lexical_tokens(lexical_text(p)) or ["\u2205"] for p in passages]
    retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
    retriever.index(corpus, show_progress=False)
    retriever.save(str(path))


def write_manifest(version_dir: Path, manifest: dict) -> None:
    (version_dir / layout.MANIFEST).write_text(json.dumps(manifest, indent=2, default=str))
