"""Managing the index's documents, one function per use case: add an uploaded document,
delete one, rebuild. The admin API calls these (and only translates HTTP in and out).

Each change is a transaction over the upload directory (``ingest.managed``): a file that
cannot be indexed, or a build that fails, leaves the uploads and the served index as they
were. How the index is rebuilt (``rebuild``) is the caller's: the API counts builds in its
metrics and reuses the model it serves with.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from pathlib import Path

from cartagena.errors import EmptyCorpusError, UnknownDocumentError
from cartagena.settings import Settings
from ingest.isolate import parse_files
from ingest.managed import (
    InvalidUploadError,
    UploadMeta,
    remove_document,
    store_upload,
    transaction,
)
from ingest.parse import corpus_files
from service.indexing import BuildReport

Rebuild = Callable[[], BuildReport]


def upload_meta_from_json(metadata: str | None) -> UploadMeta:
    """The catalog fields sent with an upload (a JSON object), or none."""
    try:
        return UploadMeta(**json.loads(metadata)) if metadata else UploadMeta()
    except (ValueError, TypeError) as exc:
        raise InvalidUploadError(
            f"metadata must be a JSON object of catalog fields: {exc}"
        ) from exc


def add_document(
    uploads: Path,
    filename: str,
    content: bytes,
    meta: UploadMeta,
    settings: Settings,
    rebuild: Rebuild,
) -> tuple[str, BuildReport]:
    """Store, rebuild, publish; returns the new document's id and the build. A file that
    cannot be indexed leaves nothing behind."""
    with transaction(uploads):
        stored = store_upload(uploads, filename, content, meta)
        # parsed on its own first: a bad file is refused before it costs a build
        _, skipped = parse_files([stored], settings.parse_timeout_s, settings.parse_memory_mb)
        if skipped:
            raise InvalidUploadError(f"the file could not be indexed: {skipped[0].reason}")
        report = rebuild()
    return stored.stem, report


def delete_document(
    uploads: Path,
    source_corpus: Path,
    doc_id: str,
    indexed: Collection[str],
    rebuild: Rebuild,
) -> BuildReport:
    """Remove a document (an upload, or a tombstone over a source-corpus file) and rebuild.
    ``indexed`` are the served index's document ids: the last one is never deleted."""
    if doc_id not in indexed:
        raise UnknownDocumentError(f"no document {doc_id!r} in the index")
    if len(indexed) == 1:
        raise EmptyCorpusError("refusing to delete the last document of the index")
    source = {p.stem for p in corpus_files(source_corpus)}
    with transaction(uploads):
        remove_document(uploads, doc_id, in_source=doc_id in source)
        return rebuild()
