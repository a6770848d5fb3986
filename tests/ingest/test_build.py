"""The ingest job: cached re-ingest, and broken files skipped with a reason, never fatal."""

from __future__ import annotations

from pathlib import Path

import pytest

from cartagena.errors import EmptyCorpusError
from cartagena.settings import Settings
from embedding.base import Embedder
from index import layout
from ingest.build import build_index
from search.loader import load_searcher
from tests.utils import pdfs
from tests.utils.shared import BROKEN_REASONS, DOC_IDS, PLEDGE, BuiltIndex, mixed_corpus


@pytest.mark.slow
def test_the_session_build_indexed_the_whole_corpus(built_index: BuiltIndex) -> None:
    report = built_index.report
    assert (report.documents, report.pages, report.skipped) == (2, 15, [])
    assert report.passages > 60
    assert report.embedded + report.cached == report.passages


@pytest.mark.slow
def test_reingesting_an_unchanged_corpus_embeds_nothing(
    index_copy: Path, pdf_dir: Path, settings: Settings, embedder: Embedder, built_index: BuiltIndex
) -> None:
    before = layout.current_version(index_copy).name
    report = build_index(pdf_dir, index_copy, settings, embedder)
    assert report.embedded == 0
    assert report.cached == report.passages == built_index.report.passages
    assert report.version != before
    assert layout.current_version(index_copy).name == report.version


@pytest.mark.slow
def test_broken_files_are_skipped_with_a_reason_and_the_rest_is_indexed(
    tmp_path: Path, index_copy: Path, pdf_dir: Path, settings: Settings, embedder: Embedder
) -> None:
    broken = mixed_corpus(tmp_path / "corpus", pdf_dir)
    report = build_index(tmp_path / "corpus", index_copy, settings, embedder)

    skipped = {Path(s.path).name: s.reason for s in report.skipped}
    assert sorted(skipped) == sorted(p.name for p in broken.values())
    for kind, path in broken.items():
        assert skipped[path.name].startswith(BROKEN_REASONS[kind]), (kind, skipped[path.name])
    assert report.documents == 2 and report.pages == 15
    assert report.embedded == 0  # the real documents' passages were already in the cache

    searcher = load_searcher(index_copy, settings, embedder)
    assert searcher.store.doc_ids == sorted(DOC_IDS)
    assert searcher.store.manifest["skipped"] == [s.__dict__ for s in report.skipped]
    assert searcher.search("family reunification", k=3)


def test_a_corpus_of_only_broken_files_raises_empty_corpus(
    tmp_path: Path, pdf_dir: Path, settings: Settings
) -> None:
    broken = pdfs.broken_pdfs(tmp_path / "corpus", pdf_dir / f"{PLEDGE}.pdf")
    with pytest.raises(EmptyCorpusError) as info:
        build_index(tmp_path / "corpus", tmp_path / "index", settings)
    message = str(info.value)
    for kind, path in broken.items():
        assert path.name in message
        assert any(reason in message for reason in BROKEN_REASONS[kind]), kind
    assert not (tmp_path / "index" / layout.CURRENT).exists()
