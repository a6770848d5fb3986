"""Soak: a long run at 16 concurrent clients on loopback, watching errors and server memory.

    python -m benchmarks.soak --index data/index [--warmup-minutes 5] [--minutes 10] [--clients 16]

Starts the real server (`cartagena serve`) and sends a mix of hybrid, lexical and dense
searches and /ask questions in windows of ``--window`` seconds, sampling the server's resident
memory (VmRSS) after each window: first ``--warmup-minutes`` of warm-up, then ``--minutes``
measured. Queries are the dev-set queries plus numbered variants, so the query-embedding cache
fills, then evicts, the way it would in production rather than answering from memory; the
warm-up is the time the bounded caches (and the allocator's arenas) take to reach their size.
Passes when no request failed, warm-up included, and RSS at the end is at most
``--max-growth`` percent above RSS at the end of the warm-up.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from benchmarks.common import dev_queries, percentiles, report
from benchmarks.http_latency import serve_command, start, stop, unique_queries
from benchmarks.loadgen import Request, get, post, run_load

log = logging.getLogger(__name__)
REPO = Path(__file__).resolve().parents[1]


def rss_of(pid: int) -> float:
    """Resident memory of a process in MiB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def mixed_requests(texts: list[str]) -> list[Request]:
    out: list[Request] = []
    for i, q in enumerate(texts):
        if i % 10 == 9:
            out.append(post("/ask", {"question": q}))
        else:
            out.append(get("/search", q=q, k=10, mode=("hybrid", "lexical", "dense")[i % 3]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=REPO / "index")
    parser.add_argument("--gold", type=Path, default=REPO / "../shared/evals/cartagena-dev.jsonl")
    parser.add_argument("--warmup-minutes", type=float, default=5.0)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--window", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--max-growth", type=float, default=5.0, help="percent, after warm-up")
    parser.add_argument("--out", type=Path, default=REPO / "artifacts/bench/soak.json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    server = start(serve_command(args.index, args.port), {}, args.port)
    try:
        base = dev_queries(args.gold)
        warmup = max(1, int(args.warmup_minutes * 60 / args.window))
        windows = warmup + max(1, int(args.minutes * 60 / args.window))
        rows: list[dict[str, Any]] = []
        for w in range(windows):
            # more texts than a window can use (600 requests/s), so windows end by the clock
            # and the soak lasts the minutes asked for however fast the server is
            texts = unique_queries(base, int(600 * args.window), salt=w)
            result = run_load(args.port, mixed_requests(texts), args.clients, args.window)
            rss = rss_of(server.pid)
            lat = percentiles(result.latencies)
            rows.append(
                {
                    "window": w,
                    "phase": "warm-up" if w < warmup else "measured",
                    "requests": len(result.latencies),
                    "seconds": round(result.seconds, 1),
                    "errors": result.errors,
                    "non_200": sum(n for s, n in result.statuses.items() if s != 200),
                    "rps": round(result.throughput, 1),
                    "p50_ms": lat["p50_ms"],
                    "p99_ms": lat["p99_ms"],
                    "rss_mib": round(rss, 1),
                }
            )
            log.info("window %d/%d: %s", w + 1, windows, rows[-1])
    finally:
        stop(server)
    warm = rows[warmup - 1]["rss_mib"]
    peak_after = max(r["rss_mib"] for r in rows[warmup:])
    growth = 100.0 * (rows[-1]["rss_mib"] - warm) / warm
    summary = {
        "warmup_minutes": args.warmup_minutes,
        "minutes": args.minutes,
        "clients": args.clients,
        "requests": sum(r["requests"] for r in rows),
        "errors": sum(r["errors"] for r in rows),
        "non_200": sum(r["non_200"] for r in rows),
        "rss_after_warmup_mib": warm,
        "rss_end_mib": rows[-1]["rss_mib"],
        "rss_peak_after_warmup_mib": peak_after,
        "rss_growth_pct": round(growth, 2),
    }
    ok = summary["errors"] == 0 and summary["non_200"] == 0 and growth <= args.max_growth
    summary["passed"] = ok
    report("soak", rows, summary, args.out)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
