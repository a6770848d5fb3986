"""GET /health: which index version is served, and how big it is."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import SearcherDep
from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(searcher: SearcherDep) -> Health:
    manifest = searcher.store.manifest
    return Health(
        status="ok",
        index_version=searcher.store.version,
        documents=len(searcher.store.rows.doc_ids),
        passages=searcher.store.size,
        manifest=manifest,
    )
