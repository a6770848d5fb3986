"""Format-independent clean-up of parsed blocks: broken paragraphs and the heading hierarchy."""

from __future__ import annotations

from dataclasses import replace

from ingest.models import Block
from ingest.normalize import ends_sentence, is_numbered_heading, is_roman


def mend_broken_paragraphs(blocks: list[Block]) -> list[Block]:
    """Rejoin a paragraph that a page break (or a converter) cut mid-sentence.

    The continuation may come after footnotes or a blank line; it is recognised by the text:
    the open block does not end a sentence and the next body block starts in lower case.
    """
    out: list[Block] = []
    last_body: int | None = None
    for block in blocks:
        if block.kind == "footnote":
            out.append(block)
            continue
        if (
            block.kind in ("paragraph", "item")
            and last_body is not None
            and out[last_body].kind in ("paragraph", "item")
            and not ends_sentence(out[last_body].text)
            and block.text[:1].islower()
        ):
            prev = out[last_body]
            out[last_body] = replace(
                prev,
                text=f"{prev.text} {block.text}",
                page_end=block.page_end or prev.page_end,
                refs=prev.refs + block.refs,
            )
            continue
        out.append(block)
        last_body = len(out) - 1 if block.kind != "heading" else None
    return out


def assign_heading_levels(blocks: list[Block]) -> list[Block]:
    """Level 1 for the headings that open a numbered part ("V. SEGMENT III ..."), 2 for others.

    Markup levels are unreliable in converted documents ("### III." next to "## V."), so when
    a document numbers its parts the numbering decides. Without numbering, the markup level
    (Markdown) or 1 (PDF, plain text) is kept.
    """
    headings = [b for b in blocks if b.kind == "heading"]
    numbered = any(is_numbered_heading(h.text) for h in headings)
    if not numbered:
        if any(h.level for h in headings):
            top = min(h.level for h in headings if h.level) or 1
            return [
                replace(b, level=max(1, b.level - top + 1)) if b.kind == "heading" else b
                for b in blocks
            ]
        return [replace(b, level=1) if b.kind == "heading" else b for b in blocks]
    return [
        replace(b, level=1 if is_numbered_heading(b.text) else 2) if b.kind == "heading" else b
        for b in blocks
    ]


def demote_empty_headings(blocks: list[Block]) -> list[Block]:
    """A heading with nothing under it becomes a paragraph, so its wording stays searchable.

    A heading is carried by the section path of the passages beneath it. One that is followed
    straight by a heading of the same or a higher rank, or that closes the document, heads no
    passage and would be in none: a closing block set like headings ("Contact details" /
    "C+40 Secretariat: ..." before "Calendar"), a title page's stacked titles. Footnotes do not
    count as content here: they are cited under the section that refers to them.
    """
    out = list(blocks)
    following: Block | None = None  # the next non-footnote block, scanning backwards
    for i in range(len(out) - 1, -1, -1):
        block = out[i]
        if block.kind == "footnote":
            continue
        if block.kind == "heading" and (
            following is None
            or (following.kind == "heading" and max(1, following.level) <= max(1, block.level))
        ):
            out[i] = replace(block, kind="paragraph", level=0)
            block = out[i]
        following = block
    return out


def short_section(heading: str, limit: int = 60) -> str:
    """A citation-sized section name: "V. SEGMENT III - Extending ..." -> "V. Segment III"."""
    for sep in (" \u2013 ", " \u2014 ", " - ", ": "):
        if sep in heading:
            heading = heading.split(sep, 1)[0]
            break
    words = []
    for word in heading.split():
        core = word.strip(".,;:()")
        if core.isupper() and len(core) > 1 and not is_roman(core) and core.isalpha():
            word = word.replace(core, core.capitalize())
        words.append(word)
    text = " ".join(words)
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "\u2026"
