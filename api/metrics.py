"""Prometheus metrics: request latency by route, errors, the served index, ingest counters."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

REQUEST_LATENCY = Histogram(
    "cartagena_request_seconds",
    "HTTP request latency by route",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
REQUEST_ERRORS = Counter(
    "cartagena_request_errors_total", "Responses with status >= 500 by route", ["route"]
)
RATE_LIMITED = Counter("cartagena_rate_limited_total", "Requests refused by the rate limit")
INDEX_INFO = Gauge("cartagena_index_info", "The served index version (value 1)", ["version"])
INDEX_PASSAGES = Gauge("cartagena_index_passages", "Passages in the served index")
INDEX_DOCUMENTS = Gauge("cartagena_index_documents", "Documents in the served index")
INGEST_RUNS = Counter("cartagena_ingest_runs_total", "Index builds started by the API", ["outcome"])
INGEST_EMBEDDED = Counter(
    "cartagena_ingest_embedded_passages_total", "Passages embedded by builds the API ran"
)

__all__ = [
    "CONTENT_TYPE_LATEST",
    "INDEX_DOCUMENTS",
    "INDEX_INFO",
    "INDEX_PASSAGES",
    "INGEST_EMBEDDED",
    "INGEST_RUNS",
    "RATE_LIMITED",
    "REQUEST_ERRORS",
    "REQUEST_LATENCY",
    "generate_latest",
]
