"""Malformed and hostile files: each costs one skipped file with a reason, within a time limit.

Parsing runs in a worker process with a time and memory cap (ingest.isolate), so a bomb, a
parser loop or a crash never hangs or exhausts the ingest; the good files are still indexed.
"""

from __future__ import annotations

import io
import os
import time
import zlib
from pathlib import Path

import pypdf
import pytest
from pypdf.generic import DecodedStreamObject, NameObject

from ingest.isolate import parse_files


def _pdf_bytes(writer: pypdf.PdfWriter) -> bytes:
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _many_pages(n: int) -> bytes:
    writer = pypdf.PdfWriter()
    for _ in range(n):
        writer.add_blank_page(width=200, height=200)
    return _pdf_bytes(writer)


def _huge_stream(megabytes: int) -> bytes:
    """One page whose content stream inflates from a few KB to ``megabytes`` of text operators."""
    writer = pypdf.PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    ops = b"BT /F1 12 Tf 10 10 Td (x) Tj ET\n" * (megabytes * 1024 * 1024 // 32)
    stream = DecodedStreamObject()
    stream.set_data(ops)
    stream = stream.flate_encode()
    page[NameObject("/Contents")] = writer._add_object(stream)
    return _pdf_bytes(writer)


@pytest.fixture
def hostile(tmp_path: Path, pdf_dir: Path) -> dict[str, Path]:
    real = pdf_dir / "cartagena40-multistakeholder-pledge-2025.pdf"
    files = {
        "truncated.pdf": real.read_bytes()[: len(real.read_bytes()) // 3],
        "random.pdf": os.urandom(50_000),
        "random-header.pdf": b"%PDF-1.7\n" + os.urandom(50_000),
        "empty.pdf": b"",
        "pages.pdf": _many_pages(6000),
        "bomb.pdf": _huge_stream(64),
        "zip.txt": zlib.compress(os.urandom(1000)),
        "nested.md": ("> " * 20_000 + "deep\n") * 5 + "- " * 50_000 + "x\n" + "*" * 200_000,
        "good.pdf": real.read_bytes(),
    }
    out = {}
    for name, content in files.items():
        path = tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        out[name] = path
    return out


def test_each_bad_file_is_skipped_with_a_reason_and_the_good_one_kept(
    hostile: dict[str, Path],
) -> None:
    started = time.monotonic()
    parsed, skipped = parse_files(list(hostile.values()), timeout_s=20, memory_mb=1024)
    elapsed = time.monotonic() - started
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert [d.doc_id for d in parsed if d.doc_id == "good"] == ["good"]
    for name in (
        "truncated.pdf",
        "random.pdf",
        "random-header.pdf",
        "empty.pdf",
        "pages.pdf",
        "zip.txt",
    ):
        assert name in reasons, f"{name} was not reported: parsed={[d.doc_id for d in parsed]}"
        assert reasons[name], name
    assert "more than the limit" in reasons["pages.pdf"]
    # the bomb and the deep nesting either parse within the limits or are skipped with a reason;
    # what they may never do is hang the ingest or take the process down
    assert {"bomb", "nested"} <= {d.doc_id for d in parsed} | {Path(n).stem for n in reasons}
    assert elapsed < 6 * 20 + 60, f"parsing took {elapsed:.0f} s"


def test_a_parser_that_runs_too_long_is_stopped(tmp_path: Path) -> None:
    """A file that takes longer than the limit is reported and the next file still parses."""
    slow = tmp_path / "slow.md"
    slow.write_text(("a" * 50 + " ") * 400_000)  # one 20 MB paragraph
    good = tmp_path / "good.md"
    good.write_text("# Title\n\nA short paragraph about resettlement.\n")
    parsed, skipped = parse_files([slow, good], timeout_s=0.5, memory_mb=1024)
    assert [d.doc_id for d in parsed] == ["good"]
    assert "longer than 0.5 s" in skipped[0].reason or "limit" in skipped[0].reason
