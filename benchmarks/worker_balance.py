"""How `cartagena serve --workers N` spreads keep-alive connections over its worker processes.

    python -m benchmarks.worker_balance --index IDX [--workers 2] [--clients 16] [--trials 10]

uvicorn's workers share one listening socket, and each worker's event loop accepts every
connection waiting when it wakes up. Clients that connect together (a load generator's, a
proxy's pool) can therefore land mostly on one worker, which then serves them all while the
other idles. Each trial opens ``--clients`` connections at once, sends one request on each,
and asks the kernel (``ss``) which process holds each connection. The 16-client rows of
``benchmarks.http_latency`` vary from run to run with this split.
"""

from __future__ import annotations

import argparse
import collections
import logging
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import report
from benchmarks.http_latency import serve_command, start, stop

log = logging.getLogger("benchmarks.worker_balance")


def split(port: int, clients: int) -> list[int]:
    """Connections per worker process, busiest first, for one burst of ``clients``."""
    conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(clients)]
    try:
        for c in conns:
            c.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        for c in conns:
            c.recv(65536)
        held = subprocess.run(
            ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        for c in conns:
            c.close()
    return sorted(collections.Counter(re.findall(r"pid=(\d+)", held)).values(), reverse=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--port", type=int, default=8793)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    proc = start(
        serve_command(args.index, args.port, "--workers", str(args.workers)), {}, args.port
    )
    rows: list[dict[str, Any]] = []
    try:
        deadline = time.time() + 120  # every worker up, not only the first to answer /health
        while len(split(args.port, args.clients)) < args.workers:
            if time.time() > deadline:
                raise RuntimeError(f"fewer than {args.workers} workers took connections")
            time.sleep(1)
        for trial in range(args.trials):
            per_worker = split(args.port, args.clients)
            rows.append(
                {
                    "trial": trial + 1,
                    "clients": args.clients,
                    "per_worker": " / ".join(map(str, per_worker)),
                    "busiest_share": round(per_worker[0] / args.clients, 2),
                }
            )
            log.info("%s", rows[-1])
            time.sleep(0.5)
    finally:
        stop(proc)
    report("worker_balance", rows, {"workers": args.workers}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
