"""Pick the parser for a file by its content, not its name, and find the files of a corpus."""

from __future__ import annotations

import logging
from pathlib import Path

from cartagena.errors import DocumentParseError
from ingest.markup import parse_markdown, parse_text
from ingest.models import ParsedDocument
from ingest.pdf import parse_pdf

log = logging.getLogger(__name__)

SUFFIXES = {".pdf": 0, ".md": 1, ".markdown": 1, ".txt": 2, ".text": 2}


def parse_file(path: Path) -> ParsedDocument:
    """Parse one file; DocumentParseError says why a file cannot be used."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise DocumentParseError(f"cannot read file: {exc.strerror or exc}") from exc
    suffix = path.suffix.lower()
    if head.lstrip().startswith(b"%PDF") or suffix == ".pdf":
        if not head.lstrip().startswith(b"%PDF"):
            raise DocumentParseError("not a PDF (no %PDF header)" if head else "empty file")
        return parse_pdf(path)
    if suffix in (".md", ".markdown"):
        return parse_markdown(path)
    return parse_text(path)


def corpus_files(corpus: Path) -> list[Path]:
    """Files to index under ``corpus``, one per document id.

    The same stem in two formats is one document: the PDF wins, because it has page numbers.
    """
    if not corpus.is_dir():
        raise DocumentParseError(f"corpus directory not found: {corpus}")
    chosen: dict[str, Path] = {}
    for path in sorted(corpus.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in SUFFIXES or path.name.startswith("."):
            continue
        other = chosen.get(path.stem)
        if other is None or SUFFIXES[path.suffix.lower()] < SUFFIXES[other.suffix.lower()]:
            if other is not None:
                log.info("%s and %s are one document; using %s", other, path, path.name)
            chosen[path.stem] = path
    return [chosen[k] for k in sorted(chosen)]
