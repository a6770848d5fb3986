"""Small PDF factories: documents with a known layout, and broken files of every usual kind."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pypdf
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = 72.0
BODY_SIZE = 11
LEADING = 15.0


def layout_pdf(
    path: Path,
    pages: Sequence[Sequence[tuple[float, str]]],
    header: str | None = None,
    footer: str | None = "Page {n} of {total}",
) -> Path:
    """A PDF whose page ``i`` shows each ``(y, text)`` of ``pages[i]`` in the body font.

    ``header`` is drawn near the top and ``footer`` near the bottom of every page (``{n}`` and
    ``{total}`` become the page number and count), like the running lines of the real corpus.
    """
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setTitle(path.stem)
    for n, lines in enumerate(pages, start=1):
        if header:
            c.setFont("Helvetica", 9)
            c.drawString(LEFT, PAGE_HEIGHT - 36, header)
        if footer:
            c.setFont("Helvetica", 9)
            c.drawString(LEFT, 30, footer.format(n=n, total=len(pages)))
        c.setFont("Helvetica", BODY_SIZE)
        for y, text in lines:
            c.drawString(LEFT, y, text)
        c.showPage()
    c.save()
    return path


def paragraph(top: float, lines: Sequence[str]) -> list[tuple[float, str]]:
    """Consecutive lines of one paragraph, the first at height ``top``."""
    return [(top - i * LEADING, text) for i, text in enumerate(lines)]


def blank_pdf(path: Path) -> Path:
    """One blank page: a valid PDF without any text."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=PAGE_WIDTH, height=PAGE_HEIGHT)
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def encrypted_copy(source: Path, path: Path, password: str = "secret") -> Path:
    """``source`` encrypted with a user password (it cannot be opened without it)."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(source))
    # pypdf's default RC4 needs no extra dependency (AES would need `cryptography`)
    writer.encrypt(user_password=password, owner_password=password + "-owner")
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def truncated_copy(source: Path, path: Path, keep: float = 0.4) -> Path:
    """The first ``keep`` share of ``source``'s bytes: a download cut off part way."""
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def random_bytes(path: Path, size: int = 4096) -> Path:
    path.write_bytes(os.urandom(size))
    return path


def empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def broken_pdfs(directory: Path, real_pdf: Path) -> dict[str, Path]:
    """One file per way a PDF can be unusable, named by that way."""
    directory.mkdir(parents=True, exist_ok=True)
    return {
        "truncated": truncated_copy(real_pdf, directory / "truncated.pdf"),
        "random": random_bytes(directory / "random-bytes.pdf"),
        "empty": empty_file(directory / "empty.pdf"),
        "encrypted": encrypted_copy(real_pdf, directory / "encrypted.pdf"),
        "blank": blank_pdf(directory / "blank-page.pdf"),
    }
