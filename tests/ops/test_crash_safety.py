"""kill -9 at any point of an ingest or a publish leaves the served index whole.

The ingest runs in a real subprocess that SIGKILLs itself at a named point
(CARTAGENA_CRASH_AT, see index.layout.crash_point); then the index must open at its previous
version and search, and the next ingest must complete.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from cartagena.settings import Settings
from embedding.base import Embedder
from index import layout
from ingest.build import build_index
from search.loader import load_searcher
from tests.utils.local import cli

POINTS = ["after-embed", "mid-build", "before-rename", "after-rename", "before-pointer"]
NEW_DOC = (
    "# Lima Note\n\n## I. Registration\n\n"
    "Mobile registration units shall reach border towns so that displaced families are "
    "documented within seventy-two hours of arrival.\n"
)


@pytest.mark.slow
@pytest.mark.parametrize("point", POINTS)
def test_killed_ingest_leaves_previous_index_served(
    point: str,
    index_copy: Path,
    pdf_dir: Path,
    tmp_path: Path,
    settings: Settings,
    embedder: Embedder,
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(pdf_dir, corpus)
    (corpus / "lima-note.md").write_text(NEW_DOC)
    before = layout.current_version(index_copy).name

    env = {**os.environ, "CARTAGENA_CRASH_AT": point}
    proc = subprocess.run(
        cli("ingest", "--corpus", str(corpus), "--index", str(index_copy)),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]

    # the served version is the previous one, complete, and answers
    assert layout.current_version(index_copy).name == before
    searcher = load_searcher(index_copy, settings, embedder)
    assert searcher.store.version == before
    assert searcher.search("family reunification", k=3)
    assert "lima-note" not in searcher.store.doc_ids

    # the next ingest completes, publishes, and cleans up the debris
    report = build_index(corpus, index_copy, settings, embedder)
    assert report.documents == 3
    after = load_searcher(index_copy, settings, embedder)
    assert after.store.version == report.version != before
    assert after.search('"seventy-two hours"', k=1)[0].doc_id == "lima-note"
    assert not list((index_copy / layout.VERSIONS).glob(f"{layout.TMP_PREFIX}*"))
