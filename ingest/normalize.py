"""Text normalisation shared by every parser, so a PDF and its Markdown twin read the same."""

from __future__ import annotations

import re
import unicodedata

NORMALIZER_VERSION = "1"

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\ufeff"), None)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# "SEGMENT III - - Extending": a doubled dash left by conversion tools.
_DOUBLED_DASH = re.compile(r"(\s[-\u2013\u2014])(?:\s+[-\u2013\u2014])+(?=\s)")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)


def normalize_text(text: str) -> str:
    """NFKC (folds ligatures such as "ﬁ"), drop soft hyphens and zero-width marks, one space."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    text = _SPACES.sub(" ", text)
    text = _DOUBLED_DASH.sub(r"\1", text)
    return text.strip()


def word_forms(text: str) -> set[str]:
    """Lower-cased words of a document, used to decide how a line-end hyphen is rejoined."""
    forms: set[str] = set()
    for match in _WORD.finditer(unicodedata.normalize("NFKC", text).lower()):
        word = match.group(0)
        forms.add(word)
        forms.update(word.split("-"))
    return forms


def join_lines(lines: list[str], vocabulary: set[str] | None = None) -> str:
    """Join wrapped lines into one paragraph, rejoining words hyphenated across a line break.

    A line-end hyphen is dropped only when the document elsewhere spells the joined word
    without it ("reunifi-" + "cation"); otherwise it is a real hyphen ("non-" + "refoulement").
    """
    vocab = vocabulary or set()
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not out:
            out = line
            continue
        hyphen = re.search(r"([^\W\d_]+)-$", out)
        head = re.match(r"[^\W\d_]+", line)
        if hyphen and head and line[0].islower():
            joined = (hyphen.group(1) + head.group(0)).lower()
            out = out[:-1] + line if joined in vocab else out + line
        elif out.endswith(("-", "\u2013", "/")) and line[:1].isdigit():
            out = out + line  # "(2024-" + "2034)"
        else:
            out = out + " " + line
    return normalize_text(out)


_ORDINAL_MARKER = re.compile(r"^\(?(\d{1,3}|[a-z])[.)]\s")


def interrupts_paragraph(line: str) -> bool:
    """Whether a list marker at the start of ``line`` may end the paragraph before it.

    As in CommonMark, a numbered or lettered marker other than 1 (or a) does not: "6) supporting
    ..." wrapped to the start of a line goes on with the paragraph's own inline enumeration
    ("priorities: 1) ...; 5) ... systems;"). Bullets always may. Inside a list, every marker
    opens the next item; this rule is only about an open paragraph.
    """
    match = _ORDINAL_MARKER.match(line.strip())
    return match is None or match.group(1) in ("1", "a")


def ends_sentence(text: str) -> bool:
    return bool(re.search(r"[.!?:;][\"'\u201d\u2019)\]]*$", text.strip()))


_ROMAN = re.compile(r"^(?=[IVXLC])M{0,3}(?:C[MD]|D?C{0,3})(?:X[CL]|L?X{0,3})(?:I[XV]|V?I{0,3})\.?$")


def is_roman(token: str) -> bool:
    return bool(token) and bool(_ROMAN.match(token))


def is_numbered_heading(text: str) -> bool:
    """Headings that open a top-level part: 'V. SEGMENT III - ...', '3. Solutions', 'Chapter 2'."""
    tokens = text.split()
    if len(tokens) < 2:
        return False
    first = tokens[0]
    if first.endswith(".") and is_roman(first[:-1]):
        return True
    if re.fullmatch(r"\d+\.?", first):
        return True
    return first.lower() in {"chapter", "part", "annex", "capítulo"}
