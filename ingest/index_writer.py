"""Write one index version: SQLite (documents, passages, full-text table), FAISS and BM25."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import bm25s
import faiss
import numpy as np

from cartagena.errors import CartagenaError
from cartagena.settings import ANN_INDEXES, Settings
from corpus.catalog import DocumentMeta
from ingest import layout
from ingest.models import ChunkedDocument, ParsedDocument, Passage
from text.spans import split_sentences
from text.tokens import lexical_tokens, tokenizer_language

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


def choose_index_type(n: int, settings: Settings) -> str:
    """``flat`` (exact) up to ``exact_search_max`` passages, else the configured ``ann_index``
    (one of ``ANN_INDEXES``: Settings refuses any other at start-up)."""
    if n <= settings.exact_search_max:
        return "flat"
    return settings.ann_index


def ivf_list_count(n: int) -> int:
    """About 4·sqrt(n) inverted lists (4,000 at 1M), at least 1.

    FAISS's guideline is 4·sqrt(n) to 16·sqrt(n). With sqrt(n) lists a query at 1M scanned
    about 24,000 codes at the default nprobe and missed the 5 ms target; four times as many
    lists scan a quarter of that at the same recall (``benchmarks/README.md`` §3), for a
    longer k-means at build time (minutes at 1M, against hours to embed 1M passages on CPU).
    Small indexes get fewer, so that k-means has FAISS's minimum of 39 points a list."""
    return max(1, min(65_536, int(4 * np.sqrt(n)), n // 39))


def build_vector_index(vectors: np.ndarray, kind: str, settings: Settings) -> faiss.Index:
    """An inner-product FAISS index of ``kind`` holding ``vectors`` (rows = passage rows)."""
    n, dim = vectors.shape
    ip = faiss.METRIC_INNER_PRODUCT
    index: faiss.Index
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
    elif kind in ("hnsw", "hnsw_sq8"):
        if kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, settings.hnsw_m, ip)
        else:
            qt = faiss.ScalarQuantizer.QT_8bit
            index = faiss.IndexHNSWSQ(dim, qt, settings.hnsw_m, ip)  # type: ignore[arg-type]
        index.hnsw.efConstruction = settings.hnsw_ef_construction
    elif kind in ("ivf_sq8", "ivf_pq"):
        codes = "SQ8" if kind == "ivf_sq8" else f"PQ{dim // 8}x8"
        index = faiss.index_factory(dim, f"IVF{ivf_list_count(n)},{codes}", ip)
    else:
        raise CartagenaError(f"unknown vector index type {kind!r}: use flat or {ANN_INDEXES}")
    if not index.is_trained:
        # k-means on a sample: 50 points a list is above FAISS's minimum of 39 and keeps
        # big builds quick
        sample = vectors
        wanted = max(50 * ivf_list_count(n), 16_384)
        if n > wanted:
            rng = np.random.default_rng(0)
            sample = vectors[np.sort(rng.choice(n, wanted, replace=False))]
        index.train(sample)
    index.add(vectors)
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is not None:
        ivf.make_direct_map()  # reconstruct(row) for /similar: 8 bytes a passage
    return index


def sentence_texts(passages: list[Passage]) -> list[str]:
    """Every distinct sentence of the passages, in the order they first appear."""
    return list(dict.fromkeys(s.text for p in passages for s in split_sentences(p.text)))


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


def sentence_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def write_vectors(path: Path, vectors: np.ndarray, settings: Settings) -> str:
    """Write the vector index chosen by :func:`choose_index_type`; returns the type for the
    manifest (``faiss_index``), which tells the store how to tune it at load time."""
    kind = choose_index_type(len(vectors), settings)
    faiss.write_index(build_vector_index(vectors, kind, settings), str(path))
    return kind


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


def write_manifest(version_dir: Path, manifest: dict) -> None:
    (version_dir / layout.MANIFEST).write_text(json.dumps(manifest, indent=2, default=str))
