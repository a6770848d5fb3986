"""The ``cartagena`` command as a user runs it: a real subprocess, its exit code and its output."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from index import layout
from tests.utils import pdfs
from tests.utils.local import cli
from tests.utils.shared import BROKEN_REASONS, PLEDGE, REPO_ROOT, mixed_corpus


def cartagena(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cli(*args),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
def test_ingest_prints_a_summary_and_the_skipped_files(
    tmp_path: Path, index_copy: Path, pdf_dir: Path
) -> None:
    broken = mixed_corpus(tmp_path / "corpus", pdf_dir)
    before = layout.current_version(index_copy).name
    result = cartagena("ingest", "--corpus", str(tmp_path / "corpus"), "--index", str(index_copy))
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    for pattern in (
        r"documents:\s*2\b",
        r"pages:\s*15\b",
        r"passages:\s*\d+",
        r"seconds:\s*\d+(\.\d+)?",
        rf"skipped:\s*{len(broken)}\b",
    ):
        assert re.search(pattern, out), f"no {pattern!r} in:\n{out}"
    for kind, path in broken.items():
        line = next((ln for ln in out.splitlines() if path.name in ln), None)
        assert line is not None, f"{path.name} not reported:\n{out}"
        assert any(reason in line for reason in BROKEN_REASONS[kind]), line
    assert layout.current_version(index_copy).name != before


def test_ingest_of_only_broken_files_fails_with_the_reasons(tmp_path: Path, pdf_dir: Path) -> None:
    broken = pdfs.broken_pdfs(tmp_path / "corpus", pdf_dir / f"{PLEDGE}.pdf")
    index = tmp_path / "index"
    result = cartagena("ingest", "--corpus", str(tmp_path / "corpus"), "--index", str(index))
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "nothing could be indexed" in output
    for kind, path in broken.items():
        assert path.name in output, output
        assert any(reason in output for reason in BROKEN_REASONS[kind]), (kind, output)
    assert "Traceback" not in output
    assert not (index / layout.CURRENT).exists()


def test_search_without_an_index_says_how_to_build_one(tmp_path: Path) -> None:
    result = cartagena("search", "asylum", "--index", str(tmp_path / "missing"))
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "cartagena ingest" in output and "Traceback" not in output
