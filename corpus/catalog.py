"""The catalog: what the Cartagena Process documents are, independent of the files we hold."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from cartagena.errors import CartagenaError

CATALOG_PATH = Path(__file__).with_name("catalog.toml")
KINDS = (
    "declaration",
    "plan-of-action",
    "consultation-conclusions",
    "pledge",
    "report",
    "other",
)
# the languages whose documents are stemmed in their own language; others are refused
LANGUAGES = ("en", "es", "pt")


@dataclass(frozen=True)
class DocumentMeta:
    id: str
    title: str
    year: int | None = None
    kind: str = "other"
    # None: not given, detected from the text at ingest (text.language)
    language: str | None = None
    place: str | None = None
    source: str | None = None


def load_catalog(path: Path = CATALOG_PATH) -> dict[str, DocumentMeta]:
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    docs = {d["id"]: DocumentMeta(**d) for d in raw.get("documents", [])}
    for meta in docs.values():
        if meta.language is not None and meta.language not in LANGUAGES:
            raise CartagenaError(
                f"{path}: document {meta.id!r} has language {meta.language!r}; "
                f"use one of {', '.join(LANGUAGES)} or leave it out to detect it"
            )
    return docs


_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-9]\d)(?!\d)")


def year_from_name(name: str) -> int | None:
    """The last plausible year in a file name ("...-2024-2034" names the plan's start last)."""
    years = _YEAR.findall(name)
    return int(years[-1]) if years else None


def guess_kind(text: str) -> str:
    lowered = text.lower()
    for needle, kind in (
        ("plan of action", "plan-of-action"),
        ("plan-of-action", "plan-of-action"),
        ("pledge", "pledge"),
        ("consultation", "consultation-conclusions"),
        ("declaration", "declaration"),
        ("report", "report"),
    ):
        if needle in lowered:
            return kind
    return "other"


def metadata_for(
    doc_id: str, catalog: dict[str, DocumentMeta], file_title: str | None
) -> DocumentMeta:
    """Catalog entry if there is one, else what the file itself tells (title, year in its name)."""
    if doc_id in catalog:
        return catalog[doc_id]
    title = (file_title or "").strip() or doc_id.replace("-", " ").replace("_", " ").title()
    return DocumentMeta(
        id=doc_id,
        title=title,
        year=year_from_name(doc_id),
        kind=guess_kind(f"{doc_id} {title}"),
    )
