"""Markdown and plain text to blocks (ingest/markup.py), on small hand-written files."""

from __future__ import annotations

from pathlib import Path

import pytest

from cartagena.errors import DocumentParseError
from ingest.markup import parse_markdown, parse_text

NOTE_MD = """# Lima Note

## I. Registration

Mobile units shall register **displaced families** within [seventy-two hours](http://x.org)
of arrival at the border<sup>1</sup>.

- first commitment of the states
- second commitment, on `documentation`

1. numbered commitment

---

<sup>1</sup> Registration data stay with the host state.
[^2]: Second note.
"""


def blocks(doc) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [(b.kind, b.text, b.level, b.footnote, b.refs) for b in doc.blocks]


def test_markdown_keeps_headings_items_and_footnotes_and_drops_inline_markup(
    tmp_path: Path,
) -> None:
    path = tmp_path / "lima-note.md"
    path.write_text(NOTE_MD)
    doc = parse_markdown(path)
    assert (doc.doc_id, doc.format, doc.file_title) == ("lima-note", "markdown", "Lima Note")
    assert blocks(doc) == [
        ("heading", "Lima Note", 1, None, ()),
        ("heading", "I. Registration", 2, None, ()),
        (
            "paragraph",
            # wrapped lines joined, bold, link and the note reference gone; the reference kept
            "Mobile units shall register displaced families within seventy-two hours of "
            "arrival at the border.",
            0,
            None,
            ("1",),
        ),
        ("item", "first commitment of the states", 0, None, ()),
        ("item", "second commitment, on documentation", 0, None, ()),
        ("item", "1. numbered commitment", 0, None, ()),  # its number is part of the citation
        ("footnote", "Registration data stay with the host state.", 0, "1", ()),
        ("footnote", "Second note.", 0, "2", ()),
    ]


def test_plain_text_takes_a_lone_short_line_as_a_heading_and_bullets_as_items(
    tmp_path: Path,
) -> None:
    path = tmp_path / "note.txt"
    path.write_text(
        "Registration of arrivals\n\n"
        "Mobile units shall register displaced families within\n"
        "seventy-two hours of arrival.\n"
        "- first commitment\n"
        "2) second commitment\n"
    )
    assert blocks(parse_text(path)) == [
        ("heading", "Registration of arrivals", 1, None, ()),
        (
            "paragraph",
            "Mobile units shall register displaced families within seventy-two hours of arrival.",
            0,
            None,
            (),
        ),
        ("item", "first commitment", 0, None, ()),
        ("item", "2) second commitment", 0, None, ()),
    ]


@pytest.mark.parametrize(
    ("content", "reason"), [(b"", "empty file"), (b"abc\x00def", "binary content")]
)
def test_an_empty_or_binary_text_file_is_refused_with_a_reason(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "bad.md"
    path.write_bytes(content)
    with pytest.raises(DocumentParseError, match=reason):
        parse_markdown(path)
