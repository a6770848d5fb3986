"""A build killed at any point leaves the published index loadable, and the next build succeeds.

A real ``cartagena ingest`` runs in a subprocess on a copy of the session index and is killed
with SIGKILL (no clean-up code runs) at several points of its work.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cartagena.settings import Settings
from ingest import layout
from ingest.build import build_index
from ingest.embed import Embedder
from search.loader import load_searcher
from search.store import IndexStore
from tests.conftest import CONSULTATION, REPO_ROOT
from tests.utils.local import cli

pytestmark = pytest.mark.slow


def _build_dirs(index: Path) -> list[Path]:
    versions = index / layout.VERSIONS
    return list(versions.glob(f"{layout.TMP_PREFIX}*")) if versions.is_dir() else []


def _build_dir_has(name: str) -> Callable[[Path], bool]:
    return lambda index: any((d / name).exists() for d in _build_dirs(index))


KILL_POINTS: dict[str, Callable[[Path], bool]] = {
    # while the interpreter imports and parses: nothing written yet
    "starting": lambda index: False,
    # the new version's directory exists, empty or nearly so
    "build-dir-created": lambda index: bool(_build_dirs(index)),
    # vectors written, BM25 under way: the build is nearly ready to publish
    "bm25-started": _build_dir_has(layout.BM25),
}


def kill_ingest_when(
    index: Path, corpus: Path, reached: Callable[[Path], bool], log: Path, delay: float = 0.0
) -> None:
    """Start ``cartagena ingest`` and SIGKILL it as soon as ``reached(index)`` (or ``delay``)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cli("ingest", "--corpus", str(corpus), "--index", str(index)),
            cwd=REPO_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 240
            started = time.monotonic()
            while not (reached(index) or (delay and time.monotonic() - started >= delay)):
                if proc.poll() is not None:
                    pytest.fail(
                        f"ingest ended (rc {proc.returncode}) before the kill point:\n"
                        + log.read_text(errors="replace")[-2000:]
                    )
                if time.monotonic() > deadline:
                    pytest.fail("ingest never reached the kill point")
                time.sleep(0.001)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_a_killed_build_leaves_the_previous_index_serving(
    point: str,
    index_copy: Path,
    pdf_dir: Path,
    tmp_path: Path,
    settings: Settings,
    embedder: Embedder,
) -> None:
    previous = IndexStore.open(index_copy, settings)
    version, passages = previous.version, previous.size
    previous.close()

    delay = 1.0 if point == "starting" else 0.0
    kill_ingest_when(index_copy, pdf_dir, KILL_POINTS[point], tmp_path / "ingest.log", delay)

    store = IndexStore.open(index_copy, settings)
    assert (store.version, store.size) == (version, passages)
    store.close()
    searcher = load_searcher(index_copy, settings, embedder)
    hits = searcher.search("family reunification", k=3)
    assert hits and hits[0].doc_id == CONSULTATION
    assert searcher.store.version == version

    # the next build takes the lock the dead one held, publishes, and clears its leftovers
    report = build_index(pdf_dir, index_copy, settings, embedder)
    assert report.version != version and report.passages == passages
    assert layout.current_version(index_copy).name == report.version
    assert _build_dirs(index_copy) == []
    assert load_searcher(index_copy, settings, embedder).store.version == report.version
