"""Inline Markdown and HTML markup: what a Markdown source holds around the words.

Ingest reads Markdown documents through it, so their reading text matches the PDF's; phrase
search takes it out of a quote pasted from a Markdown source, so the quote matches that text.
"""

from __future__ import annotations

import re

_INLINE = [
    (re.compile(r"<sup>\s*[\w*]{1,3}\s*</sup>"), ""),  # footnote references
    (re.compile(r"\[\^[\w*]+\]"), ""),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"<[^>]{1,200}>"), ""),
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"(?<![\w*])[*_](?!\s)(.+?)(?<!\s)[*_](?![\w*])"), r"\1"),
    (re.compile(r"`([^`]*)`"), r"\1"),
]


def strip_inline(text: str) -> str:
    """``text`` without footnote references, tags, link targets and emphasis marks."""
    for pattern, repl in _INLINE:
        text = pattern.sub(repl, text)
    return text
