"""PDF to blocks, from the positions and fonts of the text rather than its raw extraction order.

pypdf's plain ``extract_text`` keeps running headers, "Page N of M" lines, footnote markers glued
to words ("persons)1") and footnotes in the middle of the body. Here every text fragment carries
its position, size and font, which is what tells these apart:

- running headers and footers repeat, with their digits masked, at the same height on most pages;
- a footnote starts with a superscript number at the left margin; a superscript inside a line is
  a footnote reference and is dropped from the reading text;
- headings are set in a bold face or larger than the body;
- a paragraph ends at a vertical gap or a change of indentation, and list items start where a
  line in an indented run follows a finished sentence.
"""

from __future__ import annotations

import logging
import math
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pypdf
from pypdf.errors import PdfReadError

from cartagena.errors import DocumentParseError
from ingest.footnotes import anchors as footnote_anchors
from ingest.models import Block, ParsedDocument
from ingest.normalize import (
    ends_sentence,
    interrupts_paragraph,
    join_lines,
    normalize_text,
    word_forms,
)

log = logging.getLogger(__name__)

MAX_PAGES = 5000
MARGIN_SHARE = 0.12  # top and bottom share of the page where running headers and footers live
_PAGE_NUMBER = re.compile(r"^(?:page|p\.|página)?\s*#(?:\s*(?:of|/|de)\s*#)?$", re.IGNORECASE)
_LIST_MARKER = re.compile(
    r"^(?:[\u2022\u25aa\u25cf\u2013\u2014\-*]\s|\(?\d{1,3}[.)]\s|\(?[a-z][.)]\s)"
)
_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)


@dataclass
class Fragment:
    x: float
    y: float
    size: float
    font: str
    text: str


@dataclass
class Line:
    page: int
    y: float
    x: float
    size: float
    bold: bool
    text: str
    footnote_mark: str | None = None
    refs: list[str] = field(default_factory=list)
    # per reference, the line's text before its mark (ingest/footnotes.py)
    ref_before: list[str] = field(default_factory=list)


def _fragments(page: pypdf.PageObject) -> list[Fragment]:
    found: list[Fragment] = []

    def visit(text: str, cm: list[float], tm: list[float], font: dict | None, size: float) -> None:
        if not text or not text.strip("\n"):
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = math.hypot(tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]) or 1.0
        name = str(font.get("/BaseFont", "")) if font else ""
        for part in text.split("\n"):
            if part.strip():
                found.append(Fragment(x, y, round(size * scale, 1), name, part))

    page.extract_text(visitor_text=visit)
    return found


def _lines(page_no: int, fragments: list[Fragment]) -> list[Line]:
    """Group fragments into lines; superscripts join the line they sit on."""
    groups: list[list[Fragment]] = []
    for frag in fragments:
        if groups:
            base = max(groups[-1], key=lambda f: f.size)
            if abs(frag.y - base.y) <= 0.6 * max(frag.size, base.size):
                groups[-1].append(frag)
                continue
        groups.append([frag])
    return [_make_line(page_no, group) for group in groups]


def _make_line(page_no: int, group: list[Fragment]) -> Line:
    size = max(f.size for f in group)
    base = max(group, key=lambda f: (f.size, -f.y))
    ordered = sorted(group, key=lambda f: f.x)
    mark: str | None = None
    refs: list[str] = []
    ref_before: list[str] = []
    parts: list[str] = []
    for i, frag in enumerate(ordered):
        superscript = frag.size < 0.9 * size and frag.y > base.y + 0.5
        if superscript and re.fullmatch(r"[\w*†‡]{1,3}", frag.text.strip()):
            if i == 0:
                mark = frag.text.strip()
            else:
                refs.append(frag.text.strip())
                ref_before.append(normalize_text("".join(parts)))
            continue  # a footnote reference inside the text is not part of the wording
        parts.append(frag.text)
    body = [f for f in ordered if f.size >= 0.9 * size]
    bold = bool(body) and all(_BOLD.search(f.font) for f in body if f.text.strip())
    return Line(
        page=page_no,
        y=base.y,
        x=ordered[0].x if mark is None else (body[0].x if body else ordered[0].x),
        size=size,
        bold=bold,
        text=normalize_text("".join(parts)),
        footnote_mark=mark,
        refs=refs,
        ref_before=ref_before,
    )


def _running_lines(
    pages: list[list[Line]], heights: list[float], labels: list[str]
) -> set[tuple[int, int]]:
    """(page, line index) of running headers, footers and page numbers.

    A line counts as running when it sits in the top or bottom margin and either it is a bare
    page number, or its text, with digits masked, recurs at about the same height on at least
    half the pages (two at least), each time as running text does: the same wording on two
    pages or more, or wording whose numbers include that page's own number ("Page 3 of 12").
    Masking alone is not enough: in a three-page document, "Recommendation 4 ..." and
    "Recommendation 9 ..." at the foot of two pages are body text. Body text never qualifies by
    position alone, so a short document keeps all of its text.
    """
    n_pages = len(pages)
    keys: dict[tuple[str, int], dict[int, str]] = defaultdict(dict)
    masked: dict[tuple[int, int], tuple[str, int]] = {}
    for p, lines in enumerate(pages):
        for i, line in enumerate(lines):
            h = heights[p]
            if line.y < MARGIN_SHARE * h or line.y > (1 - MARGIN_SHARE) * h:
                text = line.text.lower().strip()
                key = (re.sub(r"\d+", "#", text), round(line.y / 6))
                keys[key][p] = text
                masked[(p, i)] = key
    needed = max(2, math.ceil(0.5 * n_pages))

    def as_running(p: int, text: str, texts: Counter[str]) -> bool:
        numbers = set(re.findall(r"\d+", text))
        own = {str(p + 1)} | ({labels[p].lower()} if p < len(labels) else set())
        return texts[text] >= 2 or bool(numbers & own)

    recurring: dict[tuple[str, int], set[int]] = {}
    for key, by_page in keys.items():
        texts = Counter(by_page.values())
        recurring[key] = {p for p, text in by_page.items() if as_running(p, text, texts)}
    running = set()
    for (p, i), key in masked.items():
        if _PAGE_NUMBER.match(key[0]) or (
            n_pages >= 2 and len(recurring[key]) >= needed and p in recurring[key]
        ):
            running.add((p, i))
    return running


def _body_metrics(pages: list[list[Line]]) -> tuple[float, float]:
    """Body font size (by characters) and the usual distance between two lines of a paragraph."""
    sizes: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            sizes[line.size] += len(line.text)
    body = sizes.most_common(1)[0][0] if sizes else 10.0
    gaps = [
        round(a.y - b.y, 1)
        for lines in pages
        for a, b in zip(lines, lines[1:], strict=False)
        if a.size == body == b.size and 0 < a.y - b.y < 3 * body
    ]
    spacing = statistics.median(gaps) if gaps else 1.2 * body
    return body, spacing


def _is_heading(line: Line, body: float) -> bool:
    return line.footnote_mark is None and (line.bold or line.size > 1.15 * body) and bool(line.text)


def parse_pdf(path: Path) -> ParsedDocument:
    """Parse one PDF; raise DocumentParseError with a reason the user can act on."""
    try:
        reader = pypdf.PdfReader(path)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as exc:  # noqa: BLE001 - any decryption failure means the same
                raise DocumentParseError("encrypted PDF (password required)") from exc
            if not ok:
                raise DocumentParseError("encrypted PDF (password required)")
        n_pages = len(reader.pages)
    except DocumentParseError:
        raise
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as exc:
        raise DocumentParseError(f"unreadable PDF: {exc}") from exc
    if n_pages == 0:
        raise DocumentParseError("PDF has no pages")
    if n_pages > MAX_PAGES:
        raise DocumentParseError(f"PDF has {n_pages} pages, more than the limit of {MAX_PAGES}")
    try:
        labels = list(reader.page_labels)
    except Exception:  # noqa: BLE001 - a broken label tree must not cost the document
        labels = [str(i + 1) for i in range(n_pages)]
    pages: list[list[Line]] = []
    heights: list[float] = []
    try:
        for p, page in enumerate(reader.pages):
            heights.append(float(page.mediabox.height))
            pages.append([ln for ln in _lines(p, _fragments(page)) if ln.text or ln.footnote_mark])
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types on damaged streams
        raise DocumentParseError(f"damaged PDF content: {type(exc).__name__}: {exc}") from exc
    if not any(pages):
        raise DocumentParseError("no extractable text (scanned or image-only PDF?)")
    title = None
    if reader.metadata is not None:
        title = reader.metadata.get("/Title")
    running = _running_lines(pages, heights, labels)
    blocks = _blocks(pages, running, labels)
    if not any(b.kind != "heading" for b in blocks):
        raise DocumentParseError("no body text found")
    return ParsedDocument(
        doc_id=path.stem,
        path=str(path),
        format="pdf",
        blocks=blocks,
        file_title=str(title) if title else None,
        n_pages=n_pages,
        furniture=tuple(dict.fromkeys(pages[p][i].text for p, i in sorted(running))),
    )


@dataclass
class _Open:
    kind: str
    lines: list[Line]


def _blocks(
    pages: list[list[Line]], running: set[tuple[int, int]], labels: list[str]
) -> list[Block]:
    kept = [
        [ln for i, ln in enumerate(lines) if (p, i) not in running] for p, lines in enumerate(pages)
    ]
    body, spacing = _body_metrics(kept)
    vocab = word_forms(" ".join(ln.text for lines in kept for ln in lines))
    margin = _left_margin(kept)
    units: list[_Open] = []
    footnotes: list[_Open] = []
    current: _Open | None = None
    for lines in kept:
        prev: Line | None = None
        in_footnote: _Open | None = None
        for line in lines:
            gap = (prev.y - line.y) if prev is not None else None
            if line.footnote_mark is not None:
                in_footnote = _Open("footnote", [line])
                footnotes.append(in_footnote)
                prev = line
                continue
            if in_footnote is not None:
                last = in_footnote.lines[-1]
                if last.y - line.y <= 1.35 * spacing and not _is_heading(line, body):
                    in_footnote.lines.append(line)
                    prev = line
                    continue
                in_footnote = None
                gap = None  # the body resumes after the footnotes: judge by the text alone
            if _is_heading(line, body):
                same = (
                    current is not None
                    and current.kind == "heading"
                    and current.lines[-1].page == line.page
                    and abs(current.lines[-1].size - line.size) < 0.2
                    and gap is not None
                    and gap < 1.8 * line.size
                )
                if same and current is not None:
                    current.lines.append(line)
                else:
                    current = _Open("heading", [line])
                    units.append(current)
            elif (
                current is not None
                and current.kind != "heading"
                and _continues(current, line, gap, spacing)
            ):
                current.lines.append(line)
            else:
                indented = line.x > margin + 8 or bool(_LIST_MARKER.match(line.text))
                current = _Open("item" if indented else "paragraph", [line])
                units.append(current)
            prev = line
    return _to_blocks(units, vocab, labels) + _to_blocks(footnotes, vocab, labels)


def _left_margin(kept: list[list[Line]]) -> float:
    xs: Counter[int] = Counter(round(ln.x) for lines in kept for ln in lines)
    return float(xs.most_common(1)[0][0]) if xs else 0.0


def _continues(current: _Open, line: Line, gap: float | None, spacing: float) -> bool:
    """Whether ``line`` goes on with the open paragraph or list item rather than starting one."""
    last = current.lines[-1]
    unfinished = not ends_sentence(last.text)
    if _LIST_MARKER.match(line.text) and (
        current.kind != "paragraph" or interrupts_paragraph(line.text)
    ):
        return False
    if unfinished and line.text[:1].islower():
        return True  # a sentence broken mid-way, whatever the layout says
    if gap is None or line.page != last.page:
        # across a page break or after footnotes: only an unfinished sentence carries on
        return unfinished and abs(line.x - last.x) < 8
    if abs(line.x - last.x) >= 8:
        # a hanging indent inside a list item ("1. enhancing" / "the region;") carries on
        return unfinished and line.x > last.x and gap <= 1.35 * spacing
    if gap > 1.35 * spacing:
        return False
    # in a marker-less list, a capital after a finished sentence starts the next item
    return not (current.kind == "item" and ends_sentence(last.text) and line.text[:1].isupper())


def _to_blocks(units: list[_Open], vocab: set[str], labels: list[str]) -> list[Block]:
    blocks: list[Block] = []
    for unit in units:
        text = join_lines([ln.text for ln in unit.lines], vocab)
        if not text:
            continue
        first, last = unit.lines[0], unit.lines[-1]
        blocks.append(
            Block(
                kind=unit.kind,  # type: ignore[arg-type]
                text=text,
                page_start=labels[first.page] if first.page < len(labels) else str(first.page + 1),
                page_end=labels[last.page] if last.page < len(labels) else str(last.page + 1),
                level=0,
                footnote=first.footnote_mark if unit.kind == "footnote" else None,
                refs=tuple(r for ln in unit.lines for r in ln.refs),
                anchors=footnote_anchors(
                    [
                        (ref, join_lines([x.text for x in unit.lines[:j]] + [before], vocab))
                        for j, ln in enumerate(unit.lines)
                        for ref, before in zip(ln.refs, ln.ref_before, strict=True)
                    ]
                ),
            )
        )
    return blocks
