"""Cross-cutting HTTP concerns: request ids and access logs, metrics, security headers,
per-client rate limiting and a request time limit. Pure ASGI-level wrappers, no routing logic."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import uuid

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import metrics
from cartagena.settings import Settings

log = logging.getLogger("cartagena.access")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HTML_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
DOCS_CSP = (  # Swagger UI at /docs loads its assets from a CDN and runs an inline script
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: "
    "https://fastapi.tiangolo.com; frame-ancestors 'none'"
)


class RateLimiter:
    """A token bucket per client address: ``per_minute`` requests, refilled continuously."""

    def __init__(self, per_minute: int) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - stamp) * self.rate)
            if len(self._buckets) > 100_000:  # bound memory under address churn
                self._buckets.clear()
            if tokens < 1.0:
                self._buckets[client] = (tokens, now)
                return False
            self._buckets[client] = (tokens - 1.0, now)
            return True


class Guard:
    """Request id, rate limit, time limit, metrics, security headers and the access log.

    A plain ASGI wrapper rather than ``@app.middleware("http")``: Starlette's
    ``BaseHTTPMiddleware`` runs every request through an extra task and memory streams,
    which cost more per request than a cached search does (``benchmarks/README.md`` §1).
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.timeout = settings.request_timeout_s
        self.limiter = (
            RateLimiter(settings.rate_limit_per_minute) if settings.rate_limit_per_minute else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = Headers(scope=scope)
        request_id = headers.get("x-request-id", "")[:64] or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        path: str = scope["path"]
        client = scope["client"][0] if scope.get("client") else "unknown"
        status = 500  # until the app says otherwise: an exception leaves it so
        started_response = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, started_response
            if message["type"] == "http.response.start":
                started_response = True
                status = message["status"]
                out = MutableHeaders(scope=message)
                out["X-Request-ID"] = request_id
                for name, value in SECURITY_HEADERS.items():
                    out.setdefault(name, value)
                if out.get("content-type", "").startswith("text/html"):
                    out.setdefault(
                        "Content-Security-Policy",
                        DOCS_CSP if path in ("/docs", "/redoc") else HTML_CSP,
                    )
            await send(message)

        try:
            if self.limiter is not None and not self.limiter.allow(client):
                metrics.RATE_LIMITED.inc()
                await _json(send_with_headers, 429, "rate limit exceeded", {"Retry-After": "1"})
            else:
                # an admin change runs a whole build; cutting it off would only hide its result
                limit = None if path.startswith("/admin/") else self.timeout
                try:
                    async with asyncio.timeout(limit):
                        await self.app(scope, receive, send_with_headers)
                except TimeoutError:
                    if started_response:
                        raise
                    await _json(send_with_headers, 503, "request timed out")
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope["method"]
            metrics.REQUEST_LATENCY.labels(method, route, str(status)).observe(elapsed)
            if status >= 500:
                metrics.REQUEST_ERRORS.labels(route).inc()
            log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": method,
                    "path": path,
                    "route": route,
                    "status": status,
                    "ms": round(elapsed * 1000, 2),
                    "client": client,
                },
            )


async def _json(send: Send, status: int, message: str, headers: dict | None = None) -> None:
    body = json.dumps({"detail": message, "message": message}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def install(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(Guard, settings=settings)
