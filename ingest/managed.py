"""Documents added and removed through the API, on top of the corpus an index was built from.

An index's documents are: the files of its source corpus (recorded in the manifest), plus the
files uploaded into its upload directory, minus the documents deleted through the API
(tombstones). The source corpus may be read-only (the shared corpus is); uploads and
tombstones live beside the index. Every build, from the CLI or the API, applies the same rule,
so a later ``cartagena ingest`` never silently drops an uploaded document.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from cartagena.errors import InvalidUploadError, UnsupportedMediaError
from corpus.catalog import KINDS, LANGUAGES, DocumentMeta

TOMBSTONES = ".deleted.json"
META_SUFFIX = ".meta.json"
_SAFE = re.compile(r"[^a-z0-9._-]+")


@dataclass
class UploadMeta:
    title: str | None = None
    year: int | None = None
    kind: str | None = None
    language: str | None = None
    place: str | None = None
    source: str | None = None


def sanitize_stem(name: str) -> str:
    """A document id from an uploaded file name: no directories, no dots in front, ASCII only."""
    base = os.path.basename(name.replace("\\", "/"))
    stem = base.rsplit(".", 1)[0] if "." in base else base
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode().lower()
    safe = _SAFE.sub("-", ascii_stem).strip(".-_")
    if not safe:
        raise InvalidUploadError(f"file name {name!r} has no usable characters for a document id")
    return safe[:120]


def sniff_format(content: bytes) -> str:
    """'.pdf', '.md' or '.txt' from the bytes themselves; the file name is never trusted."""
    if content.lstrip()[:5] == b"%PDF-":
        return ".pdf"
    if b"\x00" in content[:8192]:
        raise UnsupportedMediaError("binary content that is not a PDF")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnsupportedMediaError("not a PDF and not UTF-8 text") from exc
    if not text.strip():
        raise InvalidUploadError("the file is empty")
    markdown = re.search(r"(?m)^(#{1,6} |[-*] |\d+\. |> )|\[[^\]]+\]\([^)]+\)|\*\*", text)
    return ".md" if markdown else ".txt"


@contextmanager
def transaction(uploads: Path) -> Iterator[None]:
    """Undo every change to the upload directory if the body raises (a failed rebuild).

    The snapshot is a set of hard links, so it costs no copy of the uploaded files.
    """
    uploads.mkdir(parents=True, exist_ok=True)
    backup = Path(tempfile.mkdtemp(prefix=".snapshot-", dir=uploads.parent))
    try:
        for f in uploads.iterdir():
            if f.is_file():
                os.link(f, backup / f.name)
        yield
    except BaseException:
        for f in uploads.iterdir():
            if f.is_file():
                f.unlink()
        for f in backup.iterdir():
            os.replace(f, uploads / f.name)
        raise
    finally:
        shutil.rmtree(backup, ignore_errors=True)


def _read_tombstones(uploads: Path) -> set[str]:
    try:
        return set(json.loads((uploads / TOMBSTONES).read_text()))
    except FileNotFoundError:
        return set()


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _write_tombstones(uploads: Path, ids: set[str]) -> None:
    _write_atomic(uploads / TOMBSTONES, json.dumps(sorted(ids)).encode())


def tombstones(uploads: Path) -> set[str]:
    return _read_tombstones(uploads)


def store_upload(uploads: Path, filename: str, content: bytes, meta: UploadMeta) -> Path:
    """Keep an uploaded file (replacing any earlier one of the same id); returns where."""
    suffix = sniff_format(content)
    doc_id = sanitize_stem(filename)
    if meta.kind is not None and meta.kind not in KINDS:
        raise InvalidUploadError(f"unknown kind {meta.kind!r}: use one of {', '.join(KINDS)}")
    if meta.language is not None and meta.language not in LANGUAGES:
        raise InvalidUploadError(
            f"unknown language {meta.language!r}: use one of {', '.join(LANGUAGES)}, "
            "or leave it out to detect it from the text"
        )
    uploads.mkdir(parents=True, exist_ok=True)
    for old in uploads.glob(f"{doc_id}.*"):
        if old.name != f"{doc_id}{META_SUFFIX}":
            old.unlink()
    stored = uploads / f"{doc_id}{suffix}"
    _write_atomic(stored, content)
    if any(v is not None for v in asdict(meta).values()):
        _write_atomic(uploads / f"{doc_id}{META_SUFFIX}", json.dumps(asdict(meta)).encode())
    else:
        (uploads / f"{doc_id}{META_SUFFIX}").unlink(missing_ok=True)
    dead = _read_tombstones(uploads)
    if doc_id in dead:
        _write_tombstones(uploads, dead - {doc_id})
    return stored


def remove_document(uploads: Path, doc_id: str, in_source: bool) -> None:
    """Delete an uploaded file; a document of the read-only source corpus gets a tombstone."""
    for old in uploads.glob(f"{doc_id}.*") if uploads.is_dir() else []:
        old.unlink()
    if in_source:
        _write_tombstones(uploads, _read_tombstones(uploads) | {doc_id})


def upload_meta(uploads: Path, doc_id: str) -> UploadMeta | None:
    try:
        return UploadMeta(**json.loads((uploads / f"{doc_id}{META_SUFFIX}").read_text()))
    except (FileNotFoundError, TypeError, ValueError):
        return None


def merge_meta(base: DocumentMeta, extra: UploadMeta | None) -> DocumentMeta:
    if extra is None:
        return base
    fields = {k: v for k, v in asdict(extra).items() if v is not None}
    return DocumentMeta(**{**asdict(base), **fields})
