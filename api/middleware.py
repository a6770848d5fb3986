"""Cross-cutting HTTP concerns: request ids and access logs, metrics, security headers,
per-client rate limiting and a request time limit. Pure ASGI-level wrappers, no routing logic."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from api import metrics
from cartagena.settings import Settings

log = logging.getLogger("cartagena.access")
Next = Callable[[Request], Awaitable[Response]]

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


def _route(request: Request) -> str:
    route = request.scope.get("route")
    return getattr(route, "path", None) or "unmatched"


def install(app: FastAPI, settings: Settings) -> None:
    timeout = settings.request_timeout_s
    limiter = (
        RateLimiter(settings.rate_limit_per_minute) if settings.rate_limit_per_minute else None
    )

    @app.middleware("http")
    async def guard(request: Request, call_next: Next) -> Response:
        request_id = request.headers.get("x-request-id", "")[:64] or uuid.uuid4().hex
        request.state.request_id = request_id
        started = time.perf_counter()
        client = request.client.host if request.client else "unknown"
        if limiter is not None and not limiter.allow(client):
            metrics.RATE_LIMITED.inc()
            response: Response = JSONResponse(
                status_code=429,
                content={"detail": "rate limit exceeded", "message": "rate limit exceeded"},
                headers={"Retry-After": "1"},
            )
        else:
            try:
                # an admin change runs a whole build; cutting it off would only hide its result
                limit = None if request.url.path.startswith("/admin/") else timeout
                response = await asyncio.wait_for(call_next(request), limit)
            except TimeoutError:
                response = JSONResponse(
                    status_code=503,
                    content={"detail": "request timed out", "message": "request timed out"},
                )
        elapsed = time.perf_counter() - started
        route = _route(request)
        metrics.REQUEST_LATENCY.labels(request.method, route, str(response.status_code)).observe(
            elapsed
        )
        if response.status_code >= 500:
            metrics.REQUEST_ERRORS.labels(route).inc()
        response.headers["X-Request-ID"] = request_id
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if response.headers.get("content-type", "").startswith("text/html"):
            csp = DOCS_CSP if request.url.path in ("/docs", "/redoc") else HTML_CSP
            response.headers.setdefault("Content-Security-Policy", csp)
        log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.url.path,
                "route": route,
                "status": response.status_code,
                "ms": round(elapsed * 1000, 2),
                "client": client,
            },
        )
        return response
