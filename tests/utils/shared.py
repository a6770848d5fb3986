"""What several test modules know about the shared corpus, in one place: test modules import
this (or other ``tests.utils`` modules), never each other or a conftest.

Passages are named by their wording, never by ordinal, so that tests survive changes to
chunking.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from ingest.build import BuildReport
from search.engine import Searcher
from tests.utils import pdfs

REPO_ROOT = Path(__file__).resolve().parents[2]
# "../shared" is relative to the repository root, never to the working directory.
SHARED_DIR = (REPO_ROOT / "../shared").resolve()

CONSULTATION = "cartagena40-brasilia-consultation-2024"
PLEDGE = "cartagena40-multistakeholder-pledge-2025"
DOC_IDS = (CONSULTATION, PLEDGE)

# The text twin (corpus/text) of each shared PDF.
TWINS = {CONSULTATION: f"{CONSULTATION}.md", PLEDGE: f"{PLEDGE}.txt"}

# What the PDFs carry that parsing must remove: ligatures, running headers, page lines.
LIGATURES = "\ufb00\ufb01\ufb02\ufb03\ufb04"  # ﬀ ﬁ ﬂ ﬃ ﬄ
HEADERS = {
    CONSULTATION: "Cartagena+40 | Second Thematic Consultation | Brasilia, 16-17 May 2024",
    PLEDGE: "Global Compact on Refugees | Multi-stakeholder pledge",
}
PAGE_LINE = re.compile(r"\bPage\s+\d+\s+of\s+\d+\b", re.IGNORECASE)

# Wording of known passages.
FAMILY_REUNIFICATION = (
    "Adopt innovative measures to broaden legal admission pathways to third countries, "
    "including through family reunification"
)
LABOR_VISA = "Consider labor visa measures"
HIRING_TEXT = "Establish mechanisms to streamline, facilitate and promote hiring"
SPONSORSHIP_TEXT = "Consider private sponsorship as a means to reduce the cost"

# The reason ingest gives for each kind of broken file (tests.utils.pdfs.broken_pdfs).
BROKEN_REASONS = {
    "truncated": ("unreadable PDF", "damaged PDF"),
    "random": ("not a PDF",),
    "empty": ("empty file",),
    "encrypted": ("encrypted PDF",),
    "blank": ("no extractable text",),
}

# The admin key of the operations tests' app (tests/ops/conftest.py).
ADMIN_KEY = "test-admin-key-0123456789"


@dataclass
class BuiltIndex:
    path: Path
    report: BuildReport


def mixed_corpus(directory: Path, pdf_dir: Path) -> dict[str, Path]:
    """Copies of the real PDFs beside one broken file of each kind; the broken ones by kind."""
    directory.mkdir(parents=True)
    for pdf in pdf_dir.glob("*.pdf"):
        shutil.copy(pdf, directory / pdf.name)
    return pdfs.broken_pdfs(directory, pdf_dir / f"{PLEDGE}.pdf")


def passage_containing(searcher: Searcher, fragment: str) -> str:
    """The id of the one passage whose text holds ``fragment``."""
    rows = [
        p.passage_id
        for p in searcher.store.passages()
        if fragment.lower() in p.text.lower() and not p.is_footnote
    ]
    assert len(rows) == 1, f"{len(rows)} passages hold {fragment!r}"
    return rows[0]
