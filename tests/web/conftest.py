"""Web fixtures: an index of a hostile corpus, and a real server for the browser."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from api.app import create_app
from cartagena.settings import Settings
from embedding.base import Embedder
from ingest.build import build_index
from search.engine import Searcher
from search.loader import load_searcher
from tests.utils.local import free_port

# Markdown drops inline tags at ingest; plain text keeps every character, so both are served.
HOSTILE_MD = """# Hostile <script>alert(1)</script> Declaration 2021

## Part <img src=x onerror=alert(2)>

The parties agree that refugees deserve protection <script>alert(3)</script> in the region.
"""
HOSTILE_TXT = """Hostile <script>alert(1)</script> Notes

The parties agree that refugees deserve protection <script>alert(3)</script> and that
"quotes" & ampersands survive, as do <b>tags</b> and <img src=x onerror=alert(2)> images.

Another paragraph about statelessness and the protection of refugees in the region.
"""


class _Service:
    """Serves one fixed Searcher, as ``SearchService`` does for an index that never changes."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher

    def current(self) -> Searcher:
        return self.searcher


@pytest.fixture(scope="session")
def hostile_client(
    tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder
) -> TestClient:
    """The app over a corpus whose text is HTML, sharing the session's model (no lifespan)."""
    corpus = tmp_path_factory.mktemp("hostile")
    (corpus / "hostile-2021.md").write_text(HOSTILE_MD, encoding="utf-8")
    (corpus / "hostile-notes-2021.txt").write_text(HOSTILE_TXT, encoding="utf-8")
    index = tmp_path_factory.mktemp("hostile-index")
    build_index(corpus, index, settings, embedder)
    app = create_app(index, settings)
    app.state.service = _Service(load_searcher(index, settings, embedder))
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="session")
def live_server(client: TestClient) -> Iterator[str]:
    """uvicorn on a free loopback port, serving the session app (already loaded) in a thread."""
    port = free_port()
    config = uvicorn.Config(
        client.app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def artifacts_dir(repo_root: Path) -> Path:
    path = repo_root / "artifacts"
    path.mkdir(exist_ok=True)
    return path
