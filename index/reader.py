"""A published index version, opened read-only: SQLite rows, the passage vectors (FAISS or
Milvus, index/vectors.py) and BM25. The one reader of the format: search asks it for typed
rows, lexical scores and IDF, and vector neighbours, never for SQL or bm25s' internals.

Per-row metadata (document, year, kind, footnote flag) is held in numpy arrays so that
filters become boolean masks applied to score vectors, without touching SQLite.
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import bm25s
import numpy as np

from cartagena.errors import (
    IndexIncompatibleError,
    UnknownDocumentError,
    UnknownPassageError,
)
from cartagena.settings import Settings
from index import layout
from index.models import Document, Filters, Hit, PassageView
from index.schema import FORMAT_VERSION, read_manifest, sentence_key
from index.vectors import VectorIndex, VectorWhere, open_crosslingual_index, open_vector_index
from text.acronyms import document_acronyms
from text.tokens import lexical_tokens, tokenizer_language

log = logging.getLogger(__name__)

_HIT_COLUMNS = (
    "p.row, p.passage_id, p.doc_id, d.title, p.year, p.kind, p.page_start, p.page_end, "
    "p.section, p.text, p.citation, p.is_footnote, p.char_start, p.char_end, d.language"
)
# bm25s' top-k does not order ties; rows beyond k are fetched so that ties at the cut are
# broken by row, as a stable sort of every score would
_TIE_MARGIN = 64


@dataclass(frozen=True)
class PassageRow:
    """One passage row as stored: what evals, benchmarks and sentence scoring read."""

    row: int
    passage_id: str
    doc_id: str
    text: str
    section: str
    is_footnote: bool
    char_start: int
    char_end: int


@dataclass
class RowMeta:
    doc_index: np.ndarray  # int32 per row: position in doc_ids
    years: np.ndarray  # int32 per row, -1 when unknown
    kinds: np.ndarray  # object per row
    footnote: np.ndarray  # bool per row
    doc_ids: list[str]
    # object per row: the document's tokeniser language (en, es, pt; unknown ones read as en)
    languages: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))

    def language_set(self) -> list[str]:
        """The languages the rows are in, English first (then the order is fixed)."""
        return sorted(set(self.languages.tolist()), key=lambda lang: (lang != "en", lang))


class IndexStore:
    def __init__(self, version_dir: Path, settings: Settings) -> None:
        """``settings`` tune the vector search (nprobe, efSearch) and name the vector store:
        the caller's, never the process's global ones."""
        self.path = version_dir
        self.manifest: dict = read_manifest(version_dir)
        if self.manifest.get("format_version") != FORMAT_VERSION:
            raise IndexIncompatibleError(
                f"index format {self.manifest.get('format_version')} at {version_dir} is not "
                f"{FORMAT_VERSION}: rebuild it with `cartagena ingest`"
            )
        uri = f"file:{version_dir / layout.DATABASE}?mode=ro&immutable=1"
        self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        self.settings = settings
        self.vectors = open_vector_index(version_dir, self.manifest, self.settings)
        # the cross-lingual model's passage vectors (ingest/build.py), None when not built
        self.crosslingual_vectors: VectorIndex | None = open_crosslingual_index(
            version_dir, self.manifest, self.settings
        )
        self._bm25 = bm25s.BM25.load(str(version_dir / layout.BM25), mmap=True)
        self.rows = self._row_meta()
        self.languages = self.rows.language_set()
        self.has_sentence_vectors = bool(
            self._query("SELECT 1 FROM sqlite_master WHERE name = 'sentence_vectors'")
        )
        # indexes written before footnote anchors have no such column: read as none
        columns = {r[1] for r in self._query("PRAGMA table_info(passages)")}
        anchor = "p.anchor" if "anchor" in columns else "'' AS anchor"
        self._hit_columns = f"{_HIT_COLUMNS}, {anchor}"
        doc_columns = {r[1] for r in self._query("PRAGMA table_info(documents)")}
        self._has_furniture = "furniture" in doc_columns
        self.size = len(self.rows.years)

    @classmethod
    def open(cls, index_dir: Path, settings: Settings) -> IndexStore:
        return cls(layout.current_version(index_dir), settings)

    @property
    def doc_ids(self) -> list[str]:
        """The indexed documents' ids, sorted."""
        return self.rows.doc_ids

    @property
    def version(self) -> str:
        return str(self.manifest["version"])

    def vector_search(
        self,
        query: np.ndarray,
        k: int,
        mask: np.ndarray | None,
        filters: Filters | None = None,
        crosslingual: bool = False,
    ) -> list[tuple[int, float]]:
        """The ``k`` rows nearest ``query`` among those ``mask`` allows, best first.

        ``filters`` are the metadata filters ``mask`` was made from, if any: a store that
        filters by metadata itself (Milvus) runs them as its own conditions, and the row set
        only when exact phrases narrowed ``mask`` beyond them."""
        where = None
        if mask is not None:
            base = self.mask(filters) if filters is not None else None
            filters = filters or Filters()
            where = VectorWhere(
                doc_ids=tuple(d for d in filters.doc_ids if d in self.rows.doc_ids),
                year_from=filters.year_from,
                year_to=filters.year_to,
                kinds=tuple(filters.kinds),
                languages=tuple(filters.languages),
                footnotes=filters.include_footnotes,
                rows=np.flatnonzero(mask).astype(np.int64),
                rows_needed=base is None or not np.array_equal(base, mask),
            )
        vectors = self.crosslingual_vectors if crosslingual else self.vectors
        assert vectors is not None  # callers check crosslingual_vectors first
        rows, scores = vectors.search_rows(query, k, where)
        return [(int(i), float(s)) for i, s in zip(rows, scores, strict=True)]

    # --- lexical side: BM25 as written by index.writer.write_bm25 ------------------------
    @property
    def vocabulary(self) -> dict[str, int]:
        """The stemmed terms BM25 knows (term -> id): a term outside it matches nothing.
        Read-only: it is BM25's own table."""
        vocab: dict[str, int] = self._bm25.vocab_dict
        return vocab

    @property
    def lexical_documents(self) -> int:
        """How many passages BM25 counts (its N in the IDF)."""
        return max(int(self._bm25.scores.get("num_docs", self.size)), 1)

    def idf(self, terms: list[str]) -> dict[str, float]:
        """IDF of each stemmed term over the passages (BM25's own document frequencies); a
        term the index does not know gets the IDF of a term in no passage."""
        n = self.lexical_documents
        indptr = np.asarray(self._bm25.scores["indptr"])
        vocab = self.vocabulary
        out = {}
        for t in terms:
            i = vocab.get(t)
            df = int(indptr[i + 1] - indptr[i]) if i is not None and i + 1 < len(indptr) else 0
            out[t] = math.log(1 + (n - df + 0.5) / (df + 0.5))
        return out

    def bm25_scores(self, text: str) -> np.ndarray | None:
        """BM25 of every row, None when no query term is in the index.

        Each language's rows are scored with the query's terms as that language tokenises
        them ("migraciones" -> "migracion" for Spanish rows, "refugees" -> "refuge" for English
        ones), whatever language the query is in: names and shared words still match across
        languages. An index of English documents only is one pass."""
        vocab = self.vocabulary
        total: np.ndarray | None = None
        for lang in self.languages:
            known = [t for t in lexical_tokens(text, language=lang) if t in vocab]
            if not known:
                continue
            scores = np.asarray(self._bm25.get_scores(known), dtype=np.float32)
            if len(self.languages) > 1:
                scores = np.where(self.rows.languages == lang, scores, np.float32(0.0))
            total = scores if total is None else total + scores
        return total

    def bm25_term_scores(self, weights: dict[str, float]) -> np.ndarray:
        """Sum over already stemmed terms of weight x that term's BM25, every row: a query
        whose terms carry different weights (search/feedback.py). Terms the index does not
        know add nothing."""
        out = np.zeros(self.size, dtype=np.float32)
        vocab = self.vocabulary
        for term, weight in weights.items():
            if term in vocab and weight:
                out += np.float32(weight) * np.asarray(
                    self._bm25.get_scores([term]), dtype=np.float32
                )
        return out

    def bm25_top(self, text: str, k: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        """The ``k`` best rows by BM25 among those ``mask`` allows (score > 0), best first;
        ties in row order.

        One language: bm25s' own masked top-k (``weight_mask``). Several: each language's
        rows are scored with that language's terms and summed (:meth:`bm25_scores`), then
        sorted here."""
        if len(self.languages) == 1:
            known = [
                t for t in lexical_tokens(text, language=self.languages[0]) if t in self.vocabulary
            ]
            if not known:
                return []
            depth = min(k + _TIE_MARGIN, self.size)
            weights = None if mask is None else mask.astype(np.float32)
            rows, scores = self._bm25.retrieve(
                [known], k=depth, show_progress=False, weight_mask=weights
            )
            found = [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if s > 0]
            found.sort(key=lambda rs: (-rs[1], rs[0]))
            return found[:k]
        scores = self.bm25_scores(text)
        return [] if scores is None else top_rows(scores, k, mask)

    # --- rows -------------------------------------------------------------------------
    def _query(self, sql: str, params: tuple | list = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def _row_meta(self) -> RowMeta:
        rows = self._query(
            "SELECT p.doc_id, p.year, p.kind, p.is_footnote, d.language "
            "FROM passages p JOIN documents d USING (doc_id) ORDER BY p.row"
        )
        doc_ids = sorted({r[0] for r in rows})
        where = {d: i for i, d in enumerate(doc_ids)}
        return RowMeta(
            doc_index=np.array([where[r[0]] for r in rows], dtype=np.int32),
            years=np.array([r[1] if r[1] is not None else -1 for r in rows], dtype=np.int32),
            kinds=np.array([r[2] or "" for r in rows], dtype=object),
            footnote=np.array([bool(r[3]) for r in rows], dtype=bool),
            doc_ids=doc_ids,
            languages=np.array([tokenizer_language(r[4]) for r in rows], dtype=object),
        )

    def mask(self, filters: Filters) -> np.ndarray | None:
        """Rows that pass the filters, or None when nothing is filtered."""
        if filters.is_empty():
            return None
        keep = np.ones(self.size, dtype=bool)
        if filters.doc_ids:
            wanted = [self.rows.doc_ids.index(d) for d in filters.doc_ids if d in self.rows.doc_ids]
            keep &= np.isin(self.rows.doc_index, wanted)
        if filters.year_from is not None:
            keep &= self.rows.years >= filters.year_from
        if filters.year_to is not None:
            keep &= (self.rows.years <= filters.year_to) & (self.rows.years >= 0)
        if filters.kinds:
            keep &= np.isin(self.rows.kinds, list(filters.kinds))
        if not filters.include_footnotes:
            keep &= ~self.rows.footnote
        if filters.languages:
            keep &= np.isin(self.rows.languages, list(filters.languages))
        return keep

    def hits(self, rows: list[int], scores: list[float]) -> list[Hit]:
        if not rows:
            return []
        marks = ",".join("?" * len(rows))
        found = {
            r[0]: r
            for r in self._query(
                f"SELECT {self._hit_columns} FROM passages p JOIN documents d USING (doc_id) "
                f"WHERE p.row IN ({marks})",
                [int(r) for r in rows],
            )
        }
        return [
            _hit(found[row], score, rank)
            for rank, (row, score) in enumerate(zip(rows, scores, strict=True), start=1)
            if row in found
        ]

    def phrase_rows(self, phrase: tuple[str, ...]) -> list[int]:
        """Rows whose text or section heading holds the phrase's words in sequence (FTS5).

        A heading is wording of the document too, and the passages beneath it carry it only
        in their section: without it, a phrase quoted from a heading would find nothing.
        """
        fts = '"' + " ".join(phrase) + '"'
        return [
            r[0]
            for r in self._query(
                "SELECT rowid FROM passages_fts WHERE passages_fts MATCH ?",
                (f"{{text section}} : {fts}",),
            )
        ]

    @cached_property
    def acronyms(self) -> dict[str, tuple[str, ...]]:
        """Acronym -> the stems of the name the documents use it for, as ingest read them
        (``index.writer.write_acronyms``); an index written before reads its passages once."""
        path = self.path / layout.ACRONYMS
        if path.is_file():
            return {a: tuple(stems) for a, stems in json.loads(path.read_text()).items()}
        log.info("index %s has no %s: reading its passages for acronyms", self.version, path.name)
        return document_acronyms([d.title for d in self.documents()], self.passages())

    def furniture(self) -> dict[str, list[str]]:
        """Document id -> the running headers, footers and page lines taken out of its text
        (PDFs; none from an index written before they were kept)."""
        if not self._has_furniture:
            return {}
        rows = self._query("SELECT doc_id, furniture FROM documents WHERE furniture IS NOT NULL")
        return {r[0]: list(json.loads(r[1])) for r in rows}

    def documents_with_word(self, word: str) -> set[str]:
        """Documents with a passage whose text or section heading holds ``word`` (FTS5): a
        phrase holding the word can only be in them, whichever passages it runs across."""
        return {
            r[0]
            for r in self._query(
                "SELECT DISTINCT p.doc_id FROM passages_fts f JOIN passages p ON p.row = f.rowid "
                "WHERE passages_fts MATCH ?",
                ('{text section} : "' + word.replace('"', "") + '"',),
            )
        }

    def passage_spans(self, doc_id: str) -> list[tuple[int, int, int]]:
        """(row, char_start, char_end) of the document's passages in its normalised text."""
        return [
            (r[0], r[1], r[2])
            for r in self._query(
                "SELECT row, char_start, char_end FROM passages WHERE doc_id = ? ORDER BY ordinal",
                (doc_id,),
            )
        ]

    def phrase_fields(self, rows: list[int]) -> dict[int, tuple[str, list[str]]]:
        """Row -> (text, section headings), what an exact phrase may be found in."""
        marks = ",".join("?" * len(rows))
        return {
            row: (text, json.loads(path) if path else [])
            for row, text, path in self._query(
                f"SELECT row, text, section_path FROM passages WHERE row IN ({marks})",
                [int(r) for r in rows],
            )
        }

    def fts_bm25(self, tokens: list[str], limit: int) -> list[tuple[int, float]]:
        """SQLite's own BM25 over the full-text table, whose words are not stemmed: the
        ``fts5`` lexical backend, and the words as written beside bm25s' stems (search.engine)."""
        if not tokens:
            return []
        match = " OR ".join('"' + t.replace('"', "") + '"' for t in tokens)
        return [
            (r[0], -r[1])
            for r in self._query(
                "SELECT rowid, bm25(passages_fts) FROM passages_fts WHERE passages_fts MATCH ? "
                "ORDER BY bm25(passages_fts) LIMIT ?",
                (match, limit),
            )
        ]

    def passages(self) -> list[PassageRow]:
        """Every passage row, in row order."""
        return [
            PassageRow(
                row=r["row"],
                passage_id=r["passage_id"],
                doc_id=r["doc_id"],
                text=r["text"],
                section=r["section"] or "",
                is_footnote=bool(r["is_footnote"]),
                char_start=r["char_start"],
                char_end=r["char_end"],
            )
            for r in self._query(
                "SELECT row, passage_id, doc_id, text, section, is_footnote, char_start, "
                "char_end FROM passages ORDER BY row"
            )
        ]

    def passage_fields(self, row: int) -> tuple[str, str]:
        """(text, section heading) of one row: what BM25 read for it."""
        found = self._query("SELECT text, section FROM passages WHERE row = ?", (int(row),))
        if not found:
            raise UnknownPassageError(f"no passage row {row} in the index")
        return found[0]["text"], found[0]["section"] or ""

    def texts(self, rows: list[int]) -> dict[int, str]:
        marks = ",".join("?" * len(rows))
        return {
            r["row"]: r["text"]
            for r in self._query(
                f"SELECT row, text FROM passages WHERE row IN ({marks})", [int(r) for r in rows]
            )
        }

    def sentence_vectors(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Vectors of sentences embedded at ingest; texts the index does not hold are absent."""
        keys = {sentence_key(t): t for t in dict.fromkeys(texts)}
        if not keys or not self.has_sentence_vectors:
            return {}
        marks = ",".join("?" * len(keys))
        rows = self._query(
            f"SELECT key, vec FROM sentence_vectors WHERE key IN ({marks})", list(keys)
        )
        return {keys[k]: np.frombuffer(blob, dtype=np.float32) for k, blob in rows}

    def row_of(self, passage_id: str) -> int:
        found = self._query("SELECT row FROM passages WHERE passage_id = ?", (passage_id,))
        if not found:
            raise UnknownPassageError(f"no passage {passage_id!r} in the index")
        return int(found[0][0])

    def passage(self, passage_id: str) -> PassageView:
        found = self._query(
            f"SELECT {self._hit_columns}, p.section_path, p.paragraph_index, p.ordinal "
            "FROM passages p JOIN documents d USING (doc_id) WHERE p.passage_id = ?",
            (passage_id,),
        )
        if not found:
            raise UnknownPassageError(f"no passage {passage_id!r} in the index")
        row = found[0]
        doc_id, ordinal = row["doc_id"], row["ordinal"]
        neighbours: dict[int, str] = {
            r["ordinal"]: r["passage_id"]
            for r in self._query(
                "SELECT ordinal, passage_id FROM passages WHERE doc_id = ? AND ordinal IN (?, ?)",
                (doc_id, ordinal - 1, ordinal + 1),
            )
        }
        return PassageView(
            hit=_hit(row, 0.0, 0),
            previous_id=neighbours.get(ordinal - 1),
            next_id=neighbours.get(ordinal + 1),
            section_path=json.loads(row["section_path"] or "[]"),
            paragraph_index=int(row["paragraph_index"]),
        )

    def neighbours(self, passage_id: str, n: int) -> list[Hit]:
        """The passage and up to ``n`` passages each side of it, in document order."""
        row = self.row_of(passage_id)
        doc_id, ordinal = self._query("SELECT doc_id, ordinal FROM passages WHERE row = ?", (row,))[
            0
        ]
        rows = [
            r[0]
            for r in self._query(
                "SELECT row FROM passages WHERE doc_id = ? AND ordinal BETWEEN ? AND ? "
                "ORDER BY ordinal",
                (doc_id, ordinal - n, ordinal + n),
            )
        ]
        return self.hits(rows, [0.0] * len(rows))

    def documents(self) -> list[Document]:
        return [
            Document(*r)
            for r in self._query(
                "SELECT doc_id, title, year, kind, language, place, source, format, n_pages, "
                "n_passages FROM documents ORDER BY year, doc_id"
            )
        ]

    def document(self, doc_id: str) -> tuple[Document, str]:
        found = self._query(
            "SELECT doc_id, title, year, kind, language, place, source, format, n_pages, "
            "n_passages, text FROM documents WHERE doc_id = ?",
            (doc_id,),
        )
        if not found:
            raise UnknownDocumentError(f"no document {doc_id!r} in the index")
        *fields, text = found[0]
        return Document(*fields), text

    def document_passages(self, doc_id: str) -> list[Hit]:
        self.document(doc_id)
        rows = [
            r[0]
            for r in self._query(
                "SELECT row FROM passages WHERE doc_id = ? ORDER BY ordinal", (doc_id,)
            )
        ]
        return self.hits(rows, [0.0] * len(rows))

    def close(self) -> None:
        self._conn.close()
        self.vectors.close()
        if self.crosslingual_vectors is not None:
            self.crosslingual_vectors.close()


def top_rows(scores: np.ndarray, k: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
    """The ``k`` rows of highest positive score within ``mask``, best first, ties in row order
    (a stable sort): how every lexical ranking is cut."""
    if mask is not None:
        scores = np.where(mask, scores, np.float32(0.0))
    positive = np.flatnonzero(scores > 0)
    top = positive[np.argsort(-scores[positive], kind="stable")[:k]]
    return [(int(i), float(scores[i])) for i in top]


def _hit(r: sqlite3.Row, score: float, rank: int) -> Hit:
    return Hit(
        passage_id=r["passage_id"],
        doc_id=r["doc_id"],
        title=r["title"],
        year=r["year"],
        kind=r["kind"],
        page_start=r["page_start"],
        page_end=r["page_end"],
        section=r["section"] or "",
        text=r["text"],
        score=float(score),
        citation=r["citation"],
        is_footnote=bool(r["is_footnote"]),
        char_start=int(r["char_start"]),
        char_end=int(r["char_end"]),
        rank=rank,
        language=tokenizer_language(r["language"]),
        anchor=r["anchor"] or "",
    )
