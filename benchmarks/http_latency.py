"""Query latency over HTTP on loopback: the real server vs the minimal yardstick server.

    python -m benchmarks.http_latency --index /tmp/idx-bench [--workers 2] [--requests 400]

Starts ``benchmarks.minimal_server`` (dense only, one worker) and ``cartagena serve`` on
127.0.0.1, warms both, then drives lexical, dense and hybrid ``GET /search`` and ``POST /ask``
at 1, 4 and 16 concurrent clients. Every request carries a query text not sent before in the
run, so the query-embedding cache never helps (a ``hybrid-repeat`` row shows the cache on the
26 dev queries cycled). Reports p50/p95/p99, throughput, errors, and the issue's targets as
ratios to the minimal server measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.common import dev_queries, percentiles, report
from benchmarks.loadgen import Request, get, post, run_load

log = logging.getLogger("benchmarks.http_latency")
FILLERS = [
    "policy",
    "regional",
    "states",
    "protection",
    "asylum",
    "migrants",
    "countries",
    "region",
    "support",
    "plan",
    "action",
    "cooperation",
    "rights",
    "access",
    "durable",
    "solutions",
    "integration",
    "displacement",
    "mexico",
    "brazil",
    "chile",
    "colombia",
    "peru",
    "ecuador",
    "caribbean",
    "border",
    "children",
    "women",
    "statelessness",
]


def unique_queries(base: list[str], n: int, salt: int) -> list[str]:
    """``n`` distinct texts: a dev query plus two filler words (no repeats within a run)."""
    out: list[str] = []
    i = 0
    while len(out) < n:
        q = base[i % len(base)]
        a = FILLERS[(i // len(base) + salt) % len(FILLERS)]
        b = FILLERS[(i // (len(base) * len(FILLERS)) + 3 * salt) % len(FILLERS)]
        out.append(f"{q} {a} {b} {salt}")
        i += 1
    return out


def serve_command(index: Path, port: int, *options: str) -> list[str]:
    """``cartagena serve`` on ``index`` at ``port``, quiet, with this interpreter."""
    cmd = [sys.executable, "-m", "cartagena.cli", "serve", "--index", str(index)]
    return [*cmd, "--port", str(port), "--log-level", "warning", *options]


def start(cmd: list[str], env: dict[str, str], port: int, timeout: float = 600) -> subprocess.Popen:
    proc = subprocess.Popen(
        cmd,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.time() + timeout
    path = "/health" if "cartagena" in " ".join(cmd) else "/docs"
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {' '.join(cmd)}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5):
                return proc
        except OSError:
            time.sleep(0.5)
    stop(proc)
    raise RuntimeError(f"server did not come up within {timeout}s: {' '.join(cmd)}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def has_route(port: int, path: str) -> bool:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=10) as r:
        return path in json.load(r).get("paths", {})


def make_requests(kind: str, texts: list[str]) -> list[Request]:
    if kind == "ask":
        return [post("/ask", {"question": t}) for t in texts]
    if kind == "minimal":
        return [get("/search", q=t, k=10) for t in texts]
    mode = kind.removesuffix("-repeat")
    return [get("/search", q=t, k=10, mode=mode) for t in texts]


def measure(
    port: int, target: str, kind: str, texts: list[str], clients: int, seconds: float
) -> dict[str, Any]:
    result = run_load(port, make_requests(kind, texts), clients, seconds)
    return {
        "server": target,
        "endpoint": kind,
        "clients": clients,
        "requests": len(result.latencies),
        **percentiles(result.latencies),
        "rps": round(result.throughput, 1),
        "errors": result.errors,
    }


def targets(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def row(server: str, kind: str, clients: int) -> dict[str, Any]:
        return next(
            r for r in rows if (r["server"], r["endpoint"], r["clients"]) == (server, kind, clients)
        )

    try:
        m1, h1 = row("minimal", "minimal", 1), row("cartagena", "hybrid", 1)
        m16, h16 = row("minimal", "minimal", 16), row("cartagena", "hybrid", 16)
    except StopIteration:
        return {}
    out = {
        "hybrid_p50_ratio_1client": round(h1["p50_ms"] / m1["p50_ms"], 2),
        "hybrid_p99_ratio_1client": round(h1["p99_ms"] / m1["p99_ms"], 2),
        "hybrid_rps_ratio_16clients": round(h16["rps"] / m16["rps"], 2),
        "hybrid_p99_ms_16clients": h16["p99_ms"],
        "hybrid_errors_16clients": h16["errors"],
    }
    out["met"] = {
        "p50<=1.2x": out["hybrid_p50_ratio_1client"] <= 1.2,
        "p99<=2x": out["hybrid_p99_ratio_1client"] <= 2.0,
        "rps>=3x": out["hybrid_rps_ratio_16clients"] >= 3.0,
        "p99<=100ms@16": h16["p99_ms"] <= 100,
        "zero errors@16": h16["errors"] == 0,
    }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--requests", type=int, default=400, help="per row, at most")
    parser.add_argument("--seconds", type=float, default=8.0, help="per row, at most")
    parser.add_argument("--endpoints", nargs="+", default=["lexical", "dense", "hybrid", "ask"])
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--warmup", type=int, default=60, help="requests per endpoint first")
    parser.add_argument("--no-minimal", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    base = dev_queries()
    rows: list[dict[str, Any]] = []
    salt = 0
    servers: list[tuple[str, list[str], dict[str, str], int]] = []
    if not args.no_minimal:
        uvicorn = [sys.executable, "-m", "uvicorn", "benchmarks.minimal_server:app"]
        uvicorn += ["--workers", "1", "--port", str(args.port), "--log-level", "warning"]
        uvicorn += ["--host", "127.0.0.1"]
        servers.append(("minimal", uvicorn, {"BENCH_INDEX": str(args.index)}, args.port))
    ours = serve_command(args.index, args.port + 1, "--workers", str(args.workers))
    servers.append(("cartagena", ours, {}, args.port + 1))
    for name, cmd, env, port in servers:
        log.info("starting %s on %d", name, port)
        proc = start(cmd, env, port)
        try:
            kinds = ["minimal"] if name == "minimal" else list(args.endpoints)
            if "ask" in kinds and not has_route(port, "/ask"):
                log.info("no /ask route on this server: skipped")
                kinds.remove("ask")
            if name == "cartagena" and "hybrid" in kinds:
                kinds.append("hybrid-repeat")
            for kind in kinds:
                # warm: every worker's model, query path and sentence-highlight cache
                warm = unique_queries(base, args.warmup, salt := salt + 1)
                run_load(port, make_requests(kind, warm), 2 * args.workers, 120)
                for clients in args.clients:
                    salt += 1
                    texts = (
                        base * (args.requests // len(base) + 1)
                        if kind.endswith("-repeat")
                        else unique_queries(base, args.requests, salt)
                    )
                    rows.append(measure(port, name, kind, texts, clients, args.seconds))
                    log.info("%s", rows[-1])
        finally:
            stop(proc)
    report(
        "http_latency",
        rows,
        {"workers": args.workers, "index": str(args.index), "targets": targets(rows)},
        args.out,
    )
    sys.stdout.write(json.dumps(targets(rows), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
