"""Local stand-ins the tests start themselves: the CLI as a subprocess, a tiny HTTP server."""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer


def cli(*args: str) -> list[str]:
    """The argv that runs ``cartagena`` with this interpreter, as CI and users run it."""
    return [sys.executable, "-m", "cartagena.cli", *args]


def free_port() -> int:
    """A loopback port nothing listens on now (for a server the test starts itself)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on a free loopback port in a thread; yields the base URL."""
    server = HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
