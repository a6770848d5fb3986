"""The index format: the SQLite schema, what BM25 and the sentence table are keyed on, and the
manifest. ``FORMAT_VERSION`` changes whenever a reader of the old format would misread the new
one; the reader refuses any other version (rebuild with ``cartagena ingest``)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from index import layout
from index.models import Passage

FORMAT_VERSION = 1

SCHEMA = """
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, year INTEGER, kind TEXT, language TEXT,
    place TEXT, source TEXT, path TEXT, format TEXT, n_pages INTEGER, n_passages INTEGER,
    text TEXT NOT NULL,
    furniture TEXT                      -- JSON list of running lines taken out of the text;
                                        -- added last, read as none from older indexes
);
CREATE TABLE passages (
    row INTEGER PRIMARY KEY,            -- = position of the vector in FAISS and BM25
    passage_id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    ordinal INTEGER NOT NULL, text TEXT NOT NULL, section TEXT, section_path TEXT,
    page_start TEXT, page_end TEXT, paragraph_index INTEGER, char_start INTEGER,
    char_end INTEGER, is_footnote INTEGER NOT NULL, footnote TEXT, citation TEXT,
    year INTEGER, kind TEXT,
    anchor TEXT                         -- a footnote's anchor (ingest/footnotes.py); added last,
                                        -- so older readers never see it and newer ones read
                                        -- older indexes without it as ''
);
CREATE INDEX passages_doc ON passages(doc_id, ordinal);
CREATE VIRTUAL TABLE passages_fts USING fts5(
    text, section, content='passages', content_rowid='row',
    tokenize='unicode61 remove_diacritics 2'
);
"""


def lexical_text(passage: Passage) -> str:
    """What BM25 indexes: the wording plus its section heading, which names the topic, and for
    a footnote the words it is a note to."""
    return "\n".join(x for x in (passage.section, passage.anchor, passage.text) if x)


def anchored(anchor: str, sentence: str) -> str:
    """A footnote's sentence as it reads after the words its mark follows: ingest stores its
    vector under this text too, and /ask scores the sentence by it."""
    return f"{anchor}: {sentence}"


def sentence_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def write_manifest(version_dir: Path, manifest: dict) -> None:
    (version_dir / layout.MANIFEST).write_text(json.dumps(manifest, indent=2, default=str))


def read_manifest(version_dir: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((version_dir / layout.MANIFEST).read_text())
    return manifest
