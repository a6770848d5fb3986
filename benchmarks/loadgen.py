"""A small asyncio HTTP/1.1 load generator for 127.0.0.1: keep-alive connections, one per
client, each sending its next request as soon as the previous answer has been read.

It is far from being the bottleneck: a client costs tens of microseconds a request, the
server milliseconds. Bounded in requests and in seconds; refuses hosts other than loopback.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes = b""

    def wire(self, host: str) -> bytes:
        head = f"{self.method} {self.path} HTTP/1.1\r\nHost: {host}\r\n"
        if self.body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(self.body)}\r\n"
        return (head + "\r\n").encode() + self.body


def get(path: str, **params: object) -> Request:
    return Request("GET", f"{path}?{urllib.parse.urlencode(params)}" if params else path)


def post(path: str, payload: dict) -> Request:
    return Request("POST", path, json.dumps(payload).encode())


@dataclass
class LoadResult:
    concurrency: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


async def _read_response(reader: asyncio.StreamReader) -> int:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("server closed the connection")
    status = int(status_line.split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length:
        await reader.readexactly(length)
    return status


async def _client(
    host: str,
    port: int,
    requests: list[Request],
    cursor: list[int],
    deadline: float,
    result: LoadResult,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline and cursor[0] < len(requests):
            req = requests[cursor[0]]
            cursor[0] += 1
            started = time.perf_counter()
            try:
                writer.write(req.wire(host))
                await writer.drain()
                status = await _read_response(reader)
            except (ConnectionError, asyncio.IncompleteReadError, ValueError, IndexError):
                result.errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if status == 200:
                result.latencies.append(time.perf_counter() - started)
            else:
                result.errors += 1
    finally:
        writer.close()


async def _run(
    host: str, port: int, requests: list[Request], concurrency: int, max_seconds: float
) -> LoadResult:
    result = LoadResult(concurrency, 0.0)
    cursor = [0]
    started = time.perf_counter()
    deadline = started + max_seconds
    await asyncio.gather(
        *(_client(host, port, requests, cursor, deadline, result) for _ in range(concurrency))
    )
    result.seconds = time.perf_counter() - started
    return result


def run_load(
    port: int,
    requests: Sequence[Request],
    concurrency: int,
    max_seconds: float = 10.0,
    host: str = "127.0.0.1",
) -> LoadResult:
    """Send ``requests`` in order from ``concurrency`` clients, stopping after ``max_seconds``."""
    if host not in LOOPBACK:
        raise ValueError(f"load generation is for the loopback interface only, not {host!r}")
    return asyncio.run(_run(host, port, list(requests), concurrency, max_seconds))
