"""What the harness scores: anything that turns (query, k, mode) into ranked passages.

- :class:`EngineRetriever`: the in-process ``Searcher``;
- :class:`HttpRetriever`: a running server, through ``GET /search?q=&k=&mode=``;
- ``evals.baseline.StandardRecipe``: the textbook pipeline, for comparison.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from cartagena.errors import CartagenaError
from search.engine import Searcher


@dataclass(frozen=True)
class Result:
    """One ranked passage: enough to score it (doc, text) and to show it (id, citation)."""

    doc: str
    text: str
    passage_id: str = ""
    score: float = 0.0
    citation: str = ""


class Retriever(Protocol):
    name: str

    def search(self, query: str, k: int, mode: str) -> list[Result]: ...


class EngineRetriever:
    def __init__(self, searcher: Searcher, name: str = "engine") -> None:
        self.searcher = searcher
        self.name = name

    def search(self, query: str, k: int, mode: str) -> list[Result]:
        return [
            Result(h.doc_id, h.text, h.passage_id, h.score, h.citation)
            for h in self.searcher.search(query, k=k, mode=mode)
        ]

    def passage_texts(self) -> list[str]:
        """Every passage in the index (for the index-wide median length)."""
        return [p.text for p in self.searcher.store.passages()]


class HttpRetriever:
    def __init__(self, url: str, timeout: float = 60.0, name: str = "http") -> None:
        self.base = url.rstrip("/")
        self.timeout = timeout
        self.name = name

    def search(self, query: str, k: int, mode: str) -> list[Result]:
        params = urllib.parse.urlencode({"q": query, "k": k, "mode": mode})
        url = f"{self.base}/search?{params}"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:
                body = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise CartagenaError(f"{url} answered HTTP {exc.code}: {exc.read()[:300]!r}") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise CartagenaError(
                f"cannot reach {self.base} ({exc}): start it with `cartagena serve` "
                "or drop --url to score the in-process engine"
            ) from exc
        return [
            Result(
                doc=r["doc_id"],
                text=r["text"],
                passage_id=str(r.get("passage_id", "")),
                score=float(r.get("score") or 0.0),
                citation=r.get("citation") or "",
            )
            for r in body.get("results", [])
        ]
