"""The FastAPI application: routers, start-up loading and the one place errors become HTTP."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.routes import documents, health, search
from cartagena.errors import (
    CartagenaError,
    IndexIncompatibleError,
    IndexNotFoundError,
    InvalidQueryError,
    UnknownDocumentError,
    UnknownPassageError,
)
from cartagena.settings import Settings, get_settings
from search.loader import SearchService

log = logging.getLogger(__name__)

STATUS = {
    UnknownDocumentError: 404,
    UnknownPassageError: 404,
    InvalidQueryError: 422,
    IndexNotFoundError: 503,
    IndexIncompatibleError: 503,
}


def _readable(errors: Sequence[Any]) -> str:
    parts = []
    for err in errors:
        where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "body"))
        parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return "; ".join(parts)


def create_app(index_dir: Path, settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # the model and the index load once here, never per request
        app.state.service = SearchService(index_dir, settings)
        yield

    app = FastAPI(
        title="Cartagena Search",
        version="0.1.0",
        description=(
            "Semantic, lexical and exact-phrase search over the documents of the Cartagena "
            "Process, every passage cited to its document, section and printed page."
        ),
        lifespan=lifespan,
    )
    app.include_router(search.router)
    app.include_router(documents.router)
    app.include_router(health.router)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = jsonable_encoder(exc.errors(), exclude={"input", "ctx", "url"})
        return JSONResponse(
            status_code=422, content={"detail": errors, "message": _readable(exc.errors())}
        )

    @app.exception_handler(CartagenaError)
    async def domain_error(request: Request, exc: CartagenaError) -> JSONResponse:
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
        return JSONResponse(status_code=status, content={"detail": str(exc), "message": str(exc)})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(
            status_code=500, content={"detail": "internal error", "message": "internal error"}
        )

    return app
