"""Document management: upload, delete, reindex. Private: an API key from configuration.

No key configured: the endpoints answer 403 (disabled). A missing or wrong key: 401. The key is
compared in constant time. Each change builds and publishes a new index version; the running
service switches to it on its next request (see search.loader.SearchService).
"""

from __future__ import annotations

import hmac
import logging
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Header, HTTPException, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from api import metrics
from api.schemas import BuildSummary, SkippedFile, UploadResult
from cartagena.errors import UploadTooLargeError
from cartagena.settings import Settings
from service import admin
from service import queries as usecases
from service.indexing import BuildReport, build

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
    """A build of the served index with the model the server holds, counted in the metrics."""
    service = request.app.state.service
    try:
        report = build(
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
    meta = admin.upload_meta_from_json(metadata)
    uploads = settings.uploads_for(request.app.state.service.index_dir)
    doc_id, report = await run_in_threadpool(
        admin.add_document,
        uploads,
        file.filename or "",
        content,
        meta,
        settings,
        partial(_rebuild, request),
    )
    return UploadResult(doc_id=doc_id, build=_summary(report))


@router.delete("/documents/{doc_id}", response_model=BuildSummary, dependencies=[AdminDep])
def delete_document(doc_id: str, request: Request) -> BuildSummary:
    service = request.app.state.service
    settings: Settings = request.app.state.settings
    report = admin.delete_document(
        settings.uploads_for(service.index_dir),
        service.source_corpus(),
        doc_id,
        usecases.document_ids(service.current()),
        partial(_rebuild, request),
    )
    return _summary(report)


@router.post("/reindex", response_model=BuildSummary, dependencies=[AdminDep])
def reindex(request: Request) -> BuildSummary:
    return _summary(_rebuild(request))
