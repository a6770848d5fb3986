"""The HTTP retriever against a stand-in server speaking the API's /search contract."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

import pytest

from cartagena.errors import CartagenaError
from evals.retrievers import HttpRetriever
from tests.utils.local import http_server


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        url = urlparse(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        results = [
            {
                "passage_id": f"d:{i}",
                "doc_id": "d",
                "text": f"text {i}",
                "score": 1.0 / (i + 1),
                "citation": "Doc, p. 1",
                "title": "Doc",
                "year": 2024,
            }
            for i in range(int(params["k"]))
        ]
        body = json.dumps({"query": params["q"], "mode": params["mode"], "results": results})
        self.send_response(200 if url.path == "/search" else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    with http_server(_Handler) as base:
        yield f"{base}/"


def test_http_retriever_reads_the_search_contract(server: str) -> None:
    results = HttpRetriever(server).search("bank accounts & visas", 3, "hybrid")
    assert [r.passage_id for r in results] == ["d:0", "d:1", "d:2"]
    assert results[1].doc == "d"
    assert results[1].text == "text 1"


def test_http_retriever_says_how_to_fix_an_unreachable_server() -> None:
    with pytest.raises(CartagenaError, match="cartagena serve"):
        HttpRetriever("http://127.0.0.1:9", timeout=2).search("x", 1, "dense")
