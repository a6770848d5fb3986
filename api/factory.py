"""The app factory that uvicorn workers import: ``api.factory:app_from_env``.

Several workers are separate processes: uvicorn needs an import string, not an app object, so
the index directory reaches them through ``CARTAGENA_INDEX_DIR``. They share the index through
the page cache (the FAISS codes and the BM25 arrays are memory-mapped), not Python objects.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI
from pydantic import ValidationError

from api.app import create_app
from cartagena.settings import describe_error, get_settings

log = logging.getLogger(__name__)


def app_from_env() -> FastAPI:
    """The app for one worker; a bad ``CARTAGENA_*`` value stops the worker with the one-line
    message ``cartagena serve`` prints, never a traceback or a half-configured server."""
    try:
        settings = get_settings()
    except ValidationError as exc:
        log.error("%s", describe_error(exc))
        raise SystemExit(2) from None
    if settings.torch_threads > 0:
        # several workers on few cores: each gets its share instead of all of them
        import faiss
        import torch

        torch.set_num_threads(settings.torch_threads)
        faiss.omp_set_num_threads(settings.torch_threads)
    log.info("worker serving %s", settings.index_dir)
    return create_app(settings.index_dir, settings)
