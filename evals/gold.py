"""Cartagena-format gold sets: one query a line, relevance given as quoted evidence spans."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from cartagena.errors import CartagenaError


class GoldFormatError(CartagenaError):
    """A gold file line that does not follow ``shared/evals/README.md``."""


@dataclass(frozen=True)
class Span:
    doc: str
    text: str
    grade: int = 2


@dataclass(frozen=True)
class GoldQuery:
    id: str
    query: str
    relevant: tuple[Span, ...]
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_spanish(self) -> bool:
        return "es" in self.tags

    @property
    def is_crosslingual(self) -> bool:
        """A Spanish or Portuguese query (English evidence): reported apart from the headline."""
        return bool({"es", "pt", "crosslingual"} & set(self.tags))


def _doc_id(doc: str) -> str:
    """'name.pdf', 'name.md' and 'name' are the same document."""
    stem = Path(doc).name
    for suffix in (".pdf", ".md", ".markdown", ".txt"):
        if stem.lower().endswith(suffix):
            return stem[: -len(suffix)]
    return stem


def parse_gold_line(line: str, where: str) -> GoldQuery:
    try:
        raw = json.loads(line)
        spans = tuple(
            Span(doc=_doc_id(r["doc"]), text=r["text"], grade=int(r.get("grade", 2)))
            for r in raw["relevant"]
        )
        return GoldQuery(
            id=str(raw["id"]),
            query=raw["query"],
            relevant=spans,
            tags=tuple(raw.get("tags", ())),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise GoldFormatError(
            f"{where}: not a gold query ({exc}); expected "
            '{"id", "query", "relevant": [{"doc", "text", "grade"}], "tags"}'
        ) from exc


def load_gold(path: Path) -> list[GoldQuery]:
    """All queries of a gold JSONL file, in file order; blank lines are skipped."""
    if not path.is_file():
        raise GoldFormatError(f"no gold file at {path}")
    queries = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            queries.append(parse_gold_line(line, f"{path}:{n}"))
    ids = [q.id for q in queries]
    if len(set(ids)) != len(ids):
        raise GoldFormatError(f"{path}: duplicate query ids")
    return queries
