"""GET /health: which index version is served, and how big it is."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import SearcherDep
from api.schemas import Health
from service import queries as usecases

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(searcher: SearcherDep) -> Health:
    now = usecases.status(searcher)
    return Health(
        status="ok",
        index_version=now.index_version,
        documents=now.documents,
        passages=now.passages,
        manifest=now.manifest,
    )
