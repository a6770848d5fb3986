"""Markdown and plain text to blocks.

Markdown keeps its headings, list items and footnotes (``<sup>N</sup> text`` after a rule, or
``[^N]: text``); inline markup is dropped so the reading text matches the PDF's. Plain text has
no markup: a short line standing alone without final punctuation is taken as a heading, and
lines starting with a bullet or a number are list items.
"""

from __future__ import annotations

import re
from pathlib import Path

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
from text.markup import strip_inline

MAX_BYTES = 20_000_000
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+\u2022\u25aa\u25cf]\s+|(\d{1,3})[.)]\s+)(.*)$")
_FOOTNOTE_DEF = re.compile(r"^\s*(?:<sup>\s*([\w*]+)\s*</sup>|\[\^([\w*]+)\]:)\s*(.*)$")
_REF = re.compile(r"<sup>\s*([\w*]{1,3})\s*</sup>|\[\^([\w*]+)\](?!:)")
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")


def _read(path: Path) -> str:
    size = path.stat().st_size
    if size == 0:
        raise DocumentParseError("empty file")
    if size > MAX_BYTES:
        raise DocumentParseError(f"file is {size} bytes, more than the limit of {MAX_BYTES}")
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise DocumentParseError("binary content in a text file")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def parse_markdown(path: Path) -> ParsedDocument:
    text = _read(path)
    vocab = word_forms(text)
    blocks: list[Block] = []
    buffer: list[str] = []
    kind = "paragraph"
    footnote: str | None = None

    def flush() -> None:
        nonlocal buffer, kind, footnote
        clean = [strip_inline(x) for x in buffer]
        joined = join_lines(clean, vocab)
        found = [(i, m) for i, x in enumerate(buffer) for m in _REF.finditer(x)]
        refs = tuple(m.group(1) or m.group(2) for _, m in found)
        befores = [
            (
                m.group(1) or m.group(2),
                join_lines([*clean[:i], strip_inline(buffer[i][: m.start()])], vocab),
            )
            for i, m in found
        ]
        if joined:
            blocks.append(
                Block(
                    kind=kind,  # type: ignore[arg-type]
                    text=joined,
                    footnote=footnote,
                    refs=refs,
                    anchors=footnote_anchors(befores),
                )
            )
        buffer, kind, footnote = [], "paragraph", None

    for line in text.splitlines():
        if not line.strip() or _RULE.match(line):
            flush()
            continue
        heading = _HEADING.match(line)
        fn = _FOOTNOTE_DEF.match(line)
        item = _ITEM.match(line)
        if item and kind == "paragraph" and buffer and not interrupts_paragraph(line):
            item = None  # "6) ..." wrapped inside a paragraph's own enumeration
        if heading:
            flush()
            title = normalize_text(strip_inline(heading.group(2)).strip("*_ "))
            if title:
                blocks.append(Block(kind="heading", text=title, level=len(heading.group(1))))
        elif fn:
            flush()
            kind, footnote = "footnote", fn.group(1) or fn.group(2)
            buffer = [fn.group(3)]
        elif item:
            flush()
            kind = "item"
            buffer = [line.strip() if item.group(1) else item.group(2)]
        else:
            buffer.append(line)
    flush()
    return _document(path, "markdown", blocks)


def parse_text(path: Path) -> ParsedDocument:
    text = _read(path)
    vocab = word_forms(text)
    blocks: list[Block] = []
    for para in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\f", "\n\n")):
        lines = [ln for ln in para.split("\n") if ln.strip()]
        if not lines:
            continue
        if len(lines) == 1 and _looks_like_heading(lines[0]):
            blocks.append(Block(kind="heading", text=normalize_text(lines[0]), level=1))
            continue
        current: list[str] = []
        current_kind = "paragraph"
        for line in lines:
            item = _ITEM.match(line)
            if item and current_kind == "paragraph" and current and not interrupts_paragraph(line):
                item = None  # "6) ..." wrapped inside a paragraph's own enumeration
            if item:
                if current:
                    blocks.append(Block(kind=current_kind, text=join_lines(current, vocab)))  # type: ignore[arg-type]
                current = [line.strip() if item.group(1) else item.group(2)]
                current_kind = "item"
            else:
                current.append(line)
        if current:
            blocks.append(Block(kind=current_kind, text=join_lines(current, vocab)))  # type: ignore[arg-type]
    return _document(path, "text", blocks)


def _looks_like_heading(line: str) -> bool:
    stripped = line.strip()
    return (
        0 < len(stripped) <= 80
        and not ends_sentence(stripped)
        and not stripped.endswith(",")
        and stripped[:1].isupper()
        and _ITEM.match(line) is None
    )


def _document(path: Path, fmt: str, blocks: list[Block]) -> ParsedDocument:
    if not any(b.kind != "heading" for b in blocks):
        raise DocumentParseError("no body text found")
    title = next((b.text for b in blocks if b.kind == "heading"), None)
    return ParsedDocument(
        doc_id=path.stem,
        path=str(path),
        format=fmt,  # type: ignore[arg-type]
        blocks=blocks,
        file_title=title,
    )
