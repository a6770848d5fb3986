"""Coverage, the invariant that ingest loses no text: every non-space character of a document's
normalised text lies in some passage, or in a heading that a passage carries in its section path.

Text that falls between passages is invisible to every search mode and to exact-phrase search,
and nothing else would tell: a splitter that misplaces one chunk, a parser that takes a closing
line for a heading with nothing under it. So ingest checks each document against this and
reports what is lost (document, offset, text) instead of publishing a silent gap.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from index.models import ChunkedDocument

_BLOCK_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class LostRun:
    """A stretch of a document's normalised text that no passage and no section path holds."""

    doc_id: str
    start: int  # offset into the document's normalised text
    end: int
    text: str


@dataclass(frozen=True)
class Span:
    """Where a passage says it lies, and the text it actually holds."""

    start: int
    end: int
    text: str


def lost_runs(
    doc_id: str, text: str, spans: Iterable[Span], headings: Collection[str] = ()
) -> list[LostRun]:
    """The runs of ``text`` that no span covers, less the blocks that are carried headings.

    A span covers its offsets only when its text is the document's text at those offsets: a
    passage whose offsets point elsewhere covers nothing, so a misplaced passage shows up as the
    run it should have held. Uncovered runs are cut at block breaks (blank lines); a block that
    is exactly a carried heading is not lost, nor is whitespace.
    """
    covered = bytearray(len(text))
    for span in spans:
        start, end = max(0, span.start), min(len(text), span.end)
        if start < end and text[span.start : span.end] == span.text:
            covered[start:end] = b"\x01" * (end - start)
    carried = {h.strip() for h in headings}
    out: list[LostRun] = []
    i = 0
    while i < len(text):
        if covered[i]:
            i += 1
            continue
        j = i
        while j < len(text) and not covered[j]:
            j += 1
        out += _pieces(doc_id, text, i, j, carried)
        i = j
    return out


def _pieces(doc_id: str, text: str, start: int, end: int, carried: set[str]) -> list[LostRun]:
    """The uncovered run [start, end) cut into blocks, whitespace and carried headings removed."""
    bounds = [start]
    for brk in _BLOCK_BREAK.finditer(text, start, end):
        bounds += [brk.start(), brk.end()]
    bounds.append(end)
    out = []
    for a, b in zip(bounds[::2], bounds[1::2], strict=True):
        piece = text[a:b]
        stripped = piece.strip()
        if not stripped or stripped in carried:
            continue
        s = a + len(piece) - len(piece.lstrip())
        out.append(LostRun(doc_id, s, s + len(stripped), stripped))
    return out


def document_lost_runs(doc: ChunkedDocument) -> list[LostRun]:
    """Lost runs of one chunked document: its passages against its normalised text."""
    spans = [Span(p.char_start, p.char_end, p.text) for p in doc.passages]
    headings = {h for p in doc.passages for h in p.section_path}
    return lost_runs(doc.doc_id, doc.text, spans, headings)
