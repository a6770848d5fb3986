"""The data that flows through ingest: parsed blocks, documents and passages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["heading", "paragraph", "item", "footnote"]


@dataclass
class Block:
    """One unit of a document's reading order: a heading, a paragraph, a list item or a footnote.

    Pages are the printed page labels (strings: "iv" and "9" are both labels); None for formats
    without pages.
    """

    kind: BlockKind
    text: str
    page_start: str | None = None
    page_end: str | None = None
    level: int = 0
    footnote: str | None = None
    # footnote numbers referenced from this block: a footnote is cited under the section
    # that refers to it, wherever the layout put the note itself
    refs: tuple[str, ...] = ()
    # (mark, the words that mark follows here): what each note is a note to (ingest/footnotes.py)
    anchors: tuple[tuple[str, str], ...] = ()


@dataclass
class ParsedDocument:
    doc_id: str
    path: str
    format: Literal["pdf", "markdown", "text"]
    blocks: list[Block]
    file_title: str | None = None
    n_pages: int = 0
    # running headers, footers and page lines taken out of the text (PDF): a quote copied
    # across a page break carries them, so phrase search can take them out again
    furniture: tuple[str, ...] = ()
