"""Document management: upload, delete, reindex. Private: an API key from configuration.

No key configured: the endpoints answer 403 (disabled). A missing or wrong key: 401. The key is
compared in constant time. Each change builds and publishes a new index version; the running
service switches to it on its next request (see search.loader.SearchService).
"""

from __future__ import annotations

import hmac
import json
import logging
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Header, HTTPException, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from api import metrics
from api.schemas import BuildSummary, SkippedFile, UploadResult
from cartagena.errors import UnknownDocumentError
from cartagena.settings import Settings
from ingest.build import BuildReport, build_index
from ingest.isolate import parse_files
from ingest.managed import (
    InvalidUploadError,
    UploadMeta,
    UploadTooLargeError,
    remove_document,
    store_upload,
    transaction,
)
from ingest.parse import corpus_files

log = logging.getLogger(__name__)
router = APIRouter(prefix="/admin", tags=["admin"])


def require_admin(
    request: Request,
    x_api_key: Annotated[str | None, Header(description="the admin API key")] = None,
) -> None:
    settings: Settings = request.app.state.settings
    if settings.admin_api_key is None or not settings.admin_api_key.get_secret_value():
        raise HTTPException(403, "admin endpoints are disabled: no CARTAGENA_ADMIN_API_KEY set")
    expected = settings.admin_api_key.get_secret_value().encode()
    if x_api_key is None or not hmac.compare_digest(x_api_key.encode(), expected):
        raise HTTPException(
            401, "missing or wrong X-API-Key", headers={"WWW-Authenticate": "ApiKey"}
        )


AdminDep = Depends(require_admin)


def _summary(report: BuildReport) -> BuildSummary:
    return BuildSummary(
        version=report.version,
        documents=report.documents,
        passages=report.passages,
        embedded=report.embedded,
        seconds=report.seconds,
        skipped=[SkippedFile(path=s.path, reason=s.reason) for s in report.skipped],
    )


def _rebuild(request: Request) -> BuildReport:
    service = request.app.state.service
    try:
        report = build_index(
            service.source_corpus(), service.index_dir, service.settings, service.ingest_embedder
        )
    except Exception:
        metrics.INGEST_RUNS.labels("failed").inc()
        raise
    metrics.INGEST_RUNS.labels("published").inc()
    metrics.INGEST_EMBEDDED.inc(report.embedded)
    return report


async def _read_limited(upload: UploadFile, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := await upload.read(1024 * 1024):
        size += len(chunk)
        if size > limit:
            raise UploadTooLargeError(f"upload is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/documents", response_model=UploadResult, status_code=201, dependencies=[AdminDep])
async def upload_document(
    request: Request,
    file: Annotated[UploadFile, File(description="PDF, Markdown or plain text")],
    metadata: Annotated[
        str | None,
        Form(description='JSON: {"title", "year", "kind", "place", "language", "source"}'),
    ] = None,
) -> UploadResult:
    settings: Settings = request.app.state.settings
    content = await _read_limited(file, settings.max_upload_bytes)
    try:
        meta = UploadMeta(**json.loads(metadata)) if metadata else UploadMeta()
    except (ValueError, TypeError) as exc:
        raise InvalidUploadError(
            f"metadata must be a JSON object of catalog fields: {exc}"
        ) from exc
    service = request.app.state.service
    uploads = settings.uploads_for(service.index_dir)
    return await run_in_threadpool(_add, request, uploads, file.filename or "", content, meta)


def _add(
    request: Request, uploads: Path, filename: str, content: bytes, meta: UploadMeta
) -> UploadResult:
    """Store, rebuild, publish; a file that cannot be indexed leaves nothing behind."""
    settings: Settings = request.app.state.settings
    with transaction(uploads):
        stored = store_upload(uploads, filename, content, meta)
        # parsed on its own first: a bad file is refused before it costs a build
        _, skipped = parse_files([stored], settings.parse_timeout_s, settings.parse_memory_mb)
        if skipped:
            raise InvalidUploadError(f"the file could not be indexed: {skipped[0].reason}")
        report = _rebuild(request)
    return UploadResult(doc_id=stored.stem, build=_summary(report))


@router.delete("/documents/{doc_id}", response_model=BuildSummary, dependencies=[AdminDep])
def delete_document(doc_id: str, request: Request) -> BuildSummary:
    service = request.app.state.service
    searcher = service.current()
    if doc_id not in searcher.store.rows.doc_ids:
        raise UnknownDocumentError(f"no document {doc_id!r} in the index")
    if len(searcher.store.rows.doc_ids) == 1:
        raise HTTPException(409, "refusing to delete the last document of the index")
    settings: Settings = request.app.state.settings
    source = {p.stem for p in corpus_files(service.source_corpus())}
    uploads = settings.uploads_for(service.index_dir)
    with transaction(uploads):
        remove_document(uploads, doc_id, in_source=doc_id in source)
        return _summary(_rebuild(request))


@router.post("/reindex", response_model=BuildSummary, dependencies=[AdminDep])
def reindex(request: Request) -> BuildSummary:
    return _summary(_rebuild(request))
