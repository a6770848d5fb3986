"""Limits and hygiene: rate limiting, closed CORS, security headers, request ids, metrics."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from cartagena.settings import Settings
from tests.utils.shared import BuiltIndex


@pytest.fixture(scope="module")
def limited(built_index: BuiltIndex, settings: Settings) -> Iterator[TestClient]:
    tight = settings.model_copy(update={"rate_limit_per_minute": 5})
    with TestClient(create_app(built_index.path, tight)) as c:
        yield c


def test_rate_limit_answers_429_past_the_budget(limited: TestClient) -> None:
    codes = [limited.get("/health").status_code for _ in range(8)]
    assert codes[:5] == [200] * 5
    assert codes[5:] == [429] * 3
    r = limited.get("/health")
    assert r.json()["message"] == "rate limit exceeded" and r.headers["retry-after"]


def test_rate_limit_is_off_by_default(client: TestClient) -> None:
    assert {client.get("/health").status_code for _ in range(30)} == {200}


def test_a_request_past_its_time_limit_gets_503_with_a_message(
    built_index: BuiltIndex, settings: Settings
) -> None:
    hurried = settings.model_copy(update={"request_timeout_s": 1e-6})
    with TestClient(create_app(built_index.path, hurried)) as c:
        r = c.get("/search", params={"q": "durable solutions for displaced persons, timed"})
    assert r.status_code == 503
    assert r.json()["message"] == "request timed out"
    assert r.headers["x-request-id"] and r.headers["x-content-type-options"] == "nosniff"


def test_cors_is_closed_by_default(client: TestClient) -> None:
    r = client.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers
    pre = client.options(
        "/search",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in pre.headers


def test_cors_opens_only_to_configured_origins(built_index: BuiltIndex, settings: Settings) -> None:
    open_to = settings.model_copy(update={"cors_origins": ["https://ok.example"]})
    with TestClient(create_app(built_index.path, open_to)) as c:
        ok = c.get("/health", headers={"Origin": "https://ok.example"})
        assert ok.headers["access-control-allow-origin"] == "https://ok.example"
        bad = c.get("/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in bad.headers


def test_security_headers_and_request_id(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1][:40]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    assert len(page.headers["x-request-id"]) >= 16
    mine = client.get("/health", headers={"X-Request-ID": "trace-42"})
    assert mine.headers["x-request-id"] == "trace-42"


def test_metrics_expose_latency_index_and_errors(client: TestClient) -> None:
    client.get("/search", params={"q": "resettlement"})
    client.get("/search", params={"q": ""})
    text = client.get("/metrics").text
    assert 'cartagena_request_seconds_bucket{le="0.005",method="GET",route="/search"' in text
    assert 'route="/search",status="422"' in text
    assert "cartagena_index_info{version=" in text
    assert "cartagena_index_passages " in text
    assert "cartagena_ingest_runs_total" in text
    assert "cartagena_request_errors_total" in text


def test_no_stack_trace_leaks_on_bad_input(client: TestClient, tmp_path: Path) -> None:
    for r in (
        client.post("/search", content=b"{not json", headers={"Content-Type": "application/json"}),
        client.get("/passages/%00%ff"),
        client.get("/search", params={"q": "x" * 20_000}),
    ):
        assert 400 <= r.status_code < 500
        assert "Traceback" not in r.text and 'File "' not in r.text
