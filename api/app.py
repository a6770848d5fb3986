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
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import metrics, middleware
from api.routes import admin, ask, documents, health, search, similar, web
from api.schemas import error_responses
from cartagena.errors import (
    CartagenaError,
    EmptyCorpusError,
    IndexIncompatibleError,
    IndexNotFoundError,
    InvalidQueryError,
    InvalidUploadError,
    UnknownDocumentError,
    UnknownPassageError,
    UnsupportedMediaError,
    UploadTooLargeError,
)
from cartagena.settings import Settings
from search.loader import SearchService
from service import queries as usecases
from web import STATIC_DIR

log = logging.getLogger(__name__)

STATUS: dict[type[CartagenaError], int] = {
    UploadTooLargeError: 413,
    UnsupportedMediaError: 415,
    InvalidUploadError: 422,
    EmptyCorpusError: 409,
    UnknownDocumentError: 404,
    UnknownPassageError: 404,
    InvalidQueryError: 422,
    IndexNotFoundError: 503,
    IndexIncompatibleError: 503,
}


# pydantic's wording where it would puzzle a reader (the only pattern we use is HAS_WORD)
READABLE = {"string_pattern_mismatch": "has no words to search for (needs a letter or a digit)"}


def _readable(errors: Sequence[Any]) -> str:
    parts = []
    for err in errors:
        where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "body"))
        msg = READABLE.get(err.get("type", ""), err.get("msg"))
        parts.append(f"{where}: {msg}" if where else str(msg))
    return "; ".join(parts)


def create_app(index_dir: Path, settings: Settings) -> FastAPI:
    """The app over ``index_dir``; ``settings`` (read once by the caller, the CLI or
    ``api.factory``) reach every component it builds."""

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
    app.state.settings = settings
    reading = error_responses(404, 422, 429, 503)
    app.include_router(search.router, responses=reading)
    app.include_router(documents.router, responses=reading)
    app.include_router(health.router, responses=reading)
    app.include_router(
        admin.router, responses=error_responses(401, 403, 404, 409, 413, 415, 422, 429)
    )
    app.include_router(ask.router, responses=reading)
    app.include_router(similar.router, responses=reading)
    app.include_router(web.router, responses=reading)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    middleware.install(app, settings)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
        )

    @app.get("/metrics", include_in_schema=False)
    def prometheus(request: Request) -> Response:
        now = usecases.status(request.app.state.service.current())
        metrics.INDEX_INFO.clear()
        metrics.INDEX_INFO.labels(now.index_version).set(1)
        metrics.INDEX_PASSAGES.set(now.passages)
        metrics.INDEX_DOCUMENTS.set(now.documents)
        return Response(metrics.generate_latest(), media_type=metrics.CONTENT_TYPE_LATEST)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = jsonable_encoder(exc.errors(), exclude={"input", "ctx", "url"})
        return JSONResponse(
            status_code=422, content={"detail": errors, "message": _readable(exc.errors())}
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            status_code=exc.status_code,
            content={"detail": exc.detail, "message": str(exc.detail)},
            headers=getattr(exc, "headers", None),
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
