"""Shared request dependencies: the current Searcher, loaded once at start-up."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from search.engine import Searcher
from search.loader import SearchService


def get_searcher(request: Request) -> Searcher:
    service: SearchService = request.app.state.service
    return service.current()


SearcherDep = Annotated[Searcher, Depends(get_searcher)]
