"""Passage text to HTML: every character escaped, ``<mark>`` built only from offsets."""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

# (start, end, css class) in the text's character offsets
Mark = tuple[int, int, str]


def marked(text: str, marks: Iterable[Mark], anchors: dict[int, list[str]] | None = None) -> Markup:
    """``text`` escaped, with each stretch covered by marks wrapped in ``<mark class=...>``
    (overlapping marks become flat segments carrying all their classes) and an empty
    ``<span id=...>`` anchor before the offsets named in ``anchors``."""
    spans = [(max(0, a), min(len(text), b), c) for a, b, c in marks if a < b]
    anchors = anchors or {}
    cuts = sorted({0, len(text), *(a for a, _, _ in spans), *(b for _, b, _ in spans), *anchors})
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:] + [len(text)], strict=False):
        for name in anchors.get(a, []):
            out.append(f'<span class="anchor" id="{escape(name)}"></span>')
        if a >= b:
            continue
        classes = sorted({c for s, e, c in spans if s <= a and b <= e})
        piece = str(escape(text[a:b]))
        out.append(
            f'<mark class="{escape(" ".join(classes))}">{piece}</mark>' if classes else piece
        )
    return Markup("".join(out))
