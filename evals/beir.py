"""BEIR datasets (``corpus.jsonl``, ``queries.jsonl``, ``qrels-test.tsv``) and their indexes.

One passage per document, text = title + " " + abstract, id = the corpus ``_id``: the setting
in which the published SciFact figures were measured.
"""

from __future__ import annotations

import csv
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from cartagena.errors import CartagenaError
from cartagena.settings import Settings
from corpus.catalog import DocumentMeta
from index import layout, writer
from index.models import ChunkedDocument, Passage, SourceFile
from service import indexing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BeirDataset:
    name: str
    corpus: dict[str, tuple[str, str]]  # doc id -> (title, text)
    queries: dict[str, str]  # query id -> text, only the judged ones, in file order
    qrels: dict[str, dict[str, int]]  # query id -> doc id -> grade


def _jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        raise CartagenaError(
            f"{path} is missing: a BEIR dataset folder holds corpus.jsonl, "
            "queries.jsonl and qrels/test.tsv (or qrels-test.tsv)"
        )
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _qrels_path(folder: Path, split: str) -> Path:
    for candidate in (folder / f"qrels-{split}.tsv", folder / "qrels" / f"{split}.tsv"):
        if candidate.is_file():
            return candidate
    raise CartagenaError(f"no qrels for split {split!r} in {folder}")


def load_beir(folder: Path, split: str = "test") -> BeirDataset:
    corpus = {
        str(d["_id"]): (d.get("title") or "", d.get("text") or "")
        for d in _jsonl(folder / "corpus.jsonl")
    }
    qrels: dict[str, dict[str, int]] = {}
    with _qrels_path(folder, split).open(encoding="utf-8") as fh:
        reader = csv.reader(fh, delimiter="\t")
        for row in reader:
            if not row or row[0] == "query-id":
                continue
            qrels.setdefault(row[0], {})[row[1]] = int(row[2])
    queries = {
        str(q["_id"]): q["text"] for q in _jsonl(folder / "queries.jsonl") if str(q["_id"]) in qrels
    }
    return BeirDataset(folder.name, corpus, queries, qrels)


def passage_text(title: str, text: str) -> str:
    return f"{title} {text}".strip()


def beir_documents(data: BeirDataset) -> list[writer.Entry]:
    """One document, one passage per corpus entry, ready for ``index.writer.write_version``."""
    docs: list[writer.Entry] = []
    for doc_id, (title, text) in data.corpus.items():
        body = passage_text(title, text)
        passage = Passage(
            passage_id=doc_id,
            doc_id=doc_id,
            ordinal=0,
            text=body,
            section="",
            section_path=[],
            page_start=None,
            page_end=None,
            paragraph_index=0,
            char_start=0,
            char_end=len(body),
            citation=title or doc_id,
            embed_text=body,
        )
        docs.append(
            (
                SourceFile(path="", format="text"),
                DocumentMeta(id=doc_id, title=title or doc_id),
                ChunkedDocument(doc_id=doc_id, text=body, passages=[passage]),
            )
        )
    return docs


def ensure_beir_index(
    data: BeirDataset, index_dir: Path, settings: Settings, rebuild: bool = True
) -> Path:
    """Build (embeddings come from the cache after the first time) and publish the index.

    With ``rebuild`` false an existing index is reused as it is.
    """
    if not rebuild and (index_dir / layout.CURRENT).is_file():
        return index_dir
    log.info("indexing %d %s documents into %s", len(data.corpus), data.name, index_dir)
    indexing.write_passages(index_dir, beir_documents(data), settings, f"beir:{data.name}")
    return index_dir
