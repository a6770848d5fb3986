"""Parse files in a separate process with a time and memory limit per file.

A hostile or broken file (a decompression bomb, a pathological Markdown line, a parser bug
that loops) must cost one skipped file with a reason, never a hung ingest or an exhausted
machine. The worker process is reused across files and replaced when one kills it.
"""

from __future__ import annotations

import logging
import multiprocessing
import resource
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from cartagena.errors import DocumentParseError
from ingest.models import ParsedDocument
from ingest.parse import parse_file

log = logging.getLogger(__name__)


@dataclass
class Skipped:
    path: str
    reason: str


STARTUP_TIMEOUT_S = 300


def _ready() -> bool:
    return True


def _limit_memory(megabytes: int) -> None:
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class _Pool:
    def __init__(self, memory_mb: int) -> None:
        self.memory_mb = memory_mb
        self.executor = self._new()

    def _new(self) -> ProcessPoolExecutor:
        executor = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_limit_memory,
            initargs=(self.memory_mb,),
        )
        # start the worker now: the time limit is for parsing, not for a process starting
        executor.submit(_ready).result(timeout=STARTUP_TIMEOUT_S)
        return executor

    def restart(self) -> None:
        for proc in list(getattr(self.executor, "_processes", {}).values()):
            proc.kill()
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._new()

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def parse_files(
    files: list[Path], timeout_s: float, memory_mb: int
) -> tuple[list[ParsedDocument], list[Skipped]]:
    parsed: list[ParsedDocument] = []
    skipped: list[Skipped] = []
    if not files:
        return parsed, skipped
    pool = _Pool(memory_mb)
    try:
        for path in tqdm(files, desc="parse", unit="file", disable=len(files) < 20):
            reason = None
            try:
                parsed.append(pool.executor.submit(parse_file, path).result(timeout=timeout_s))
            except DocumentParseError as exc:
                reason = str(exc)
            except FutureTimeout:
                reason = f"parsing took longer than {timeout_s:g} s"
                pool.restart()
            except BrokenProcessPool:
                reason = f"parser process died (memory over {memory_mb} MB or a crash)"
                pool.restart()
            except MemoryError:
                reason = f"parsing needed more than {memory_mb} MB of memory"
            except Exception as exc:  # noqa: BLE001 - one bad file must never cost the corpus
                reason = f"parser failure: {type(exc).__name__}: {exc}"
            if reason is not None:
                log.warning("skipped %s: %s", path, reason)
                skipped.append(Skipped(str(path), reason))
    finally:
        pool.close()
    return parsed, skipped
