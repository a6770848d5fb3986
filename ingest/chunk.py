"""Blocks to passages: one paragraph or list item a passage, sized in model tokens.

A recommendation bullet is the unit a negotiator cites, so it stays whole: blocks are not
packed together, only a lead-in ("... the following recommendations were highlighted:") or a
fragment shorter than ``min_passage_chars`` joins the block after it. A block longer than the
token budget is split by langchain's recursive splitter on paragraph, sentence and clause
boundaries, counting the model's own tokens so the model never truncates a passage.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from corpus.catalog import DocumentMeta
from index.models import ChunkedDocument, Passage
from ingest.models import Block, ParsedDocument
from ingest.structure import (
    assign_heading_levels,
    demote_empty_headings,
    mend_broken_paragraphs,
    short_section,
)

log = logging.getLogger(__name__)

CHUNKER_VERSION = "2"
SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", "; ", ": ", ", ", " ", ""]

TokenCounter = Callable[[str], int]


@dataclass
class ChunkConfig:
    max_tokens: int = 200  # passage text and its embedding prefix together
    overlap_tokens: int = 24
    min_chars: int = 120
    model_max_tokens: int = 256
    embed_prefix: str = "section"  # none | section | title_section


@dataclass
class _Placed:
    block: Block
    start: int
    end: int
    section_path: list[str]
    index: int


def _referring_sections(blocks: list[Block]) -> dict[str, list[str]]:
    """Footnote number -> section path of the first body block that refers to it."""
    found: dict[str, list[str]] = {}
    path: list[str] = []
    for block in blocks:
        if block.kind == "heading":
            path = path[: max(1, block.level) - 1] + [block.text]
        elif block.kind != "footnote":
            for ref in block.refs:
                found.setdefault(ref, list(path))
    return found


def _anchors(blocks: list[Block]) -> dict[str, str]:
    """Footnote number -> the words its mark follows in the first body block citing it."""
    found: dict[str, str] = {}
    for block in blocks:
        if block.kind not in ("footnote", "heading"):
            for mark, anchor in block.anchors:
                found.setdefault(mark, anchor)
    return found


def _layout(blocks: list[Block]) -> tuple[str, list[_Placed]]:
    """The document's normalised text (blocks joined by blank lines) and where each block lies."""
    parts: list[str] = []
    placed: list[_Placed] = []
    path: list[str] = []
    pos = 0
    ref_section = _referring_sections(blocks)
    page_section: dict[str | None, list[str]] = {}
    for block in blocks:
        if block.kind == "heading":
            level = max(1, block.level)
            path = path[: level - 1] + [block.text]
        section = list(path)
        if block.kind == "footnote":
            # cited under the section that refers to it; failing that, where its page starts
            referred = ref_section.get(block.footnote or "")
            if referred is not None:
                section = referred
            elif block.page_start is not None:
                section = page_section.get(block.page_start, section)
        elif block.kind != "heading":
            page_section.setdefault(block.page_start, section)
        if parts:
            pos += 2
        parts.append(block.text)
        placed.append(_Placed(block, pos, pos + len(block.text), section, len(placed)))
        pos += len(block.text)
    return "\n\n".join(parts), placed


def _groups(
    placed: list[_Placed], count: TokenCounter, budget: int, min_chars: int
) -> list[list[_Placed]]:
    groups: list[list[_Placed]] = []
    pending: list[_Placed] = []
    for item in placed:
        if item.block.kind == "heading":
            if pending:
                groups.append(pending)
                pending = []
            continue
        if item.block.kind == "footnote":
            groups.append([item])
            continue
        if pending and (
            pending[-1].section_path != item.section_path
            or count(" ".join(p.block.text for p in pending) + " " + item.block.text) > budget
        ):
            groups.append(pending)
            pending = []
        pending.append(item)
        text = item.block.text
        if not (text.rstrip().endswith(":") or len(text) < min_chars):
            groups.append(pending)
            pending = []
    if pending:
        groups.append(pending)
    return groups


# (one page, a page range, a footnote) per document language
PAGE_WORDS = {"en": ("p.", "pp.", "n."), "es": ("pág.", "págs.", "n."), "pt": ("p.", "p.", "n.")}


def citation(
    meta: DocumentMeta,
    section_path: list[str],
    page_start: str | None,
    page_end: str | None,
    footnote: str | None = None,
) -> str:
    """A reference ready to paste: title (place, year), section, page; the page words in the
    document's language ("pág. 3" in Spanish, "p. 3-4" in Portuguese as ABNT writes it)."""
    page, pages, note = PAGE_WORDS.get(meta.language or "en", PAGE_WORDS["en"])
    where = ", ".join(str(x) for x in (meta.place, meta.year) if x)
    parts = [f"{meta.title} ({where})" if where else meta.title]
    if section_path:
        parts.append(short_section(section_path[0]))
    if page_start:
        parts.append(
            f"{page} {page_start}"
            if page_end in (None, page_start)
            else f"{pages} {page_start}-{page_end}"
        )
    if footnote:
        parts.append(f"{note} {footnote}")
    return ", ".join(parts)


def embed_prefix(meta: DocumentMeta, section_path: list[str], mode: str) -> str:
    section = " > ".join(section_path)
    if mode == "none" or (mode == "section" and not section):
        return ""
    if mode == "section":
        return f"{section}: "
    return f"{meta.title}. {section}: " if section else f"{meta.title}: "


def chunk_document(
    parsed: ParsedDocument, meta: DocumentMeta, count: TokenCounter, config: ChunkConfig
) -> ChunkedDocument:
    blocks = demote_empty_headings(assign_heading_levels(mend_broken_paragraphs(parsed.blocks)))
    text, placed = _layout(blocks)
    anchors = _anchors(blocks)
    passages: list[Passage] = []
    for group in _groups(placed, count, config.max_tokens, config.min_chars):
        first, last = group[0], group[-1]
        fn = first.block.footnote if first.block.kind == "footnote" else None
        anchor = anchors.get(fn, "") if fn else ""
        prefix = embed_prefix(meta, first.section_path, config.embed_prefix)
        # a note is read as a note to its anchor: "Private Sector (five representatives): ..."
        prefix += f"{anchor}: " if anchor else ""
        budget = min(config.max_tokens, config.model_max_tokens - 2) - count(prefix)
        for start, end in _split(text, first.start, last.end, count, max(budget, 32), config):
            body = text[start:end]
            pages = [p.block for p in group if p.end > start and p.start < end] or [first.block]
            page_start, page_end = pages[0].page_start, pages[-1].page_end
            passages.append(
                Passage(
                    passage_id=f"{parsed.doc_id}:{len(passages):04d}",
                    doc_id=parsed.doc_id,
                    ordinal=len(passages),
                    text=body,
                    section=" > ".join(first.section_path),
                    section_path=first.section_path,
                    page_start=page_start,
                    page_end=page_end,
                    paragraph_index=first.index,
                    char_start=start,
                    char_end=end,
                    is_footnote=fn is not None,
                    footnote=fn,
                    citation=citation(meta, first.section_path, page_start, page_end, fn),
                    embed_text=prefix + body,
                    anchor=anchor,
                )
            )
    return ChunkedDocument(
        doc_id=parsed.doc_id, text=text, passages=passages, furniture=list(parsed.furniture)
    )


def _split(
    text: str, start: int, end: int, count: TokenCounter, budget: int, config: ChunkConfig
) -> list[tuple[int, int]]:
    span = text[start:end]
    if count(span) <= budget:
        return [(start, end)]
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=budget,
        chunk_overlap=min(config.overlap_tokens, budget // 4),
        length_function=count,
        separators=SEPARATORS,
        keep_separator="end",
    )
    return [(start + a, start + b) for a, b in _locate(span, splitter.split_text(span))]


def _locate(span: str, pieces: list[str]) -> list[tuple[int, int]]:
    """Offsets of the splitter's pieces in ``span``, which together cover all of its text.

    langchain's own ``start_index`` cannot be used: it steps back by ``chunk_overlap`` counted in
    characters, while our overlap is counted in model tokens, so after an overlapping piece it
    searched past the piece's real start, found nothing (-1) and put the piece one character
    before the span: the text that piece held ("6) supporting ... 7) fostering equitable hiring
    policies.") was then in no passage. Here each piece is looked up after the previous piece's
    start, and should the splitter ever drop or rewrite text, the next piece (or the last one)
    is widened over the gap, so the text is kept even then.
    """
    out: list[tuple[int, int]] = []
    cursor = 0  # a piece starts after the previous piece's start
    covered = 0  # end of the text held so far
    for piece in pieces:
        at = span.find(piece, cursor)
        if at < 0 or not piece:
            log.warning("splitter piece not found verbatim; its text goes to the next piece")
            continue
        s = at
        if span[covered:at].strip():
            s = covered + len(span[covered:at]) - len(span[covered:at].lstrip())
            log.warning("splitter left text between pieces; widening the next piece over it")
        out.append((s, at + len(piece)))
        cursor = at + 1
        covered = max(covered, at + len(piece))
    rest = span[covered:]
    if rest.strip():
        end = covered + len(rest.rstrip())
        if out:
            out[-1] = (out[-1][0], end)
        else:
            out.append((covered + len(rest) - len(rest.lstrip()), end))
    return out
