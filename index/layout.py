"""Where an index lives on disk, and how a new version is published without a torn state.

    <index>/CURRENT                    name of the served version (replaced atomically)
    <index>/versions/<version>/        manifest.json, passages.sqlite, vectors.faiss, bm25/
    <index>/versions/.tmp-<version>/   a build in progress; never read
    <index>/cache/embeddings.sqlite    embedding cache shared by all builds

A build writes a whole version directory, renames it into place, then swaps CURRENT with
os.replace. A crash at any point leaves CURRENT naming a complete version.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cartagena.errors import IndexNotFoundError

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
VERSIONS = "versions"
MANIFEST = "manifest.json"
DATABASE = "passages.sqlite"
VECTORS = "vectors.faiss"
# the cross-lingual model's passage vectors (CARTAGENA_CROSSLINGUAL_MODEL), when built
CROSSLINGUAL_VECTORS = "vectors-crosslingual.faiss"
BM25 = "bm25"
ACRONYMS = "acronyms.json"  # acronym -> the stems of the name it stands for (text.acronyms)
CACHE = Path("cache") / "embeddings.sqlite"
TMP_PREFIX = ".tmp-"


def crash_point(name: str) -> None:
    """Die here with SIGKILL when CARTAGENA_CRASH_AT names this point.

    The crash-safety tests use it to kill a real ingest at exact moments (mid-build, between
    the rename and the pointer swap, ...) instead of guessing with timers.
    """
    if os.environ.get("CARTAGENA_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One build at a time per index directory (a second one waits)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".build.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def current_version(index_dir: Path) -> Path:
    pointer = index_dir / CURRENT
    try:
        name = pointer.read_text().strip()
    except FileNotFoundError:
        raise IndexNotFoundError(
            f"no index at {index_dir}: build one with `cartagena ingest --index {index_dir}`"
        ) from None
    path = index_dir / VERSIONS / name
    if not (path / MANIFEST).is_file():
        raise IndexNotFoundError(f"index at {index_dir} names version {name}, which is missing")
    return path


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def new_build_dir(index_dir: Path, version: str) -> Path:
    path = index_dir / VERSIONS / f"{TMP_PREFIX}{version}"
    path.mkdir(parents=True, exist_ok=False)
    return path


def publish(index_dir: Path, build_dir: Path, version: str, keep: int = 2) -> Path:
    """Move a finished build into place and point CURRENT at it, atomically."""
    for f in build_dir.rglob("*"):
        if f.is_file():
            with f.open("rb") as fh:
                os.fsync(fh.fileno())
    final = index_dir / VERSIONS / version
    crash_point("before-rename")
    os.replace(build_dir, final)
    _fsync_dir(final.parent)
    crash_point("after-rename")
    tmp = index_dir / f"{CURRENT}.tmp"
    with tmp.open("w") as fh:
        fh.write(version + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    crash_point("before-pointer")
    os.replace(tmp, index_dir / CURRENT)
    _fsync_dir(index_dir)
    prune(index_dir, keep)
    return final


def prune(index_dir: Path, keep: int) -> None:
    """Remove abandoned builds and all but the newest ``keep`` versions (never the current)."""
    versions_dir = index_dir / VERSIONS
    try:
        current = (index_dir / CURRENT).read_text().strip()
    except FileNotFoundError:
        current = ""
    done = sorted(
        (p for p in versions_dir.iterdir() if p.is_dir() and not p.name.startswith(TMP_PREFIX)),
        key=lambda p: p.name,
    )
    for old in done[:-keep] if keep > 0 else done:
        if old.name != current:
            shutil.rmtree(old, ignore_errors=True)
    for tmp in versions_dir.glob(f"{TMP_PREFIX}*"):
        shutil.rmtree(tmp, ignore_errors=True)
