"""What every benchmark shares: the machine it ran on, percentiles, tables and JSON output."""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from evals.gold import load_gold

RESULTS = Path("benchmarks/results")
GOLD = Path("../shared/evals/cartagena-dev.jsonl")


def index_parser(doc: str | None) -> argparse.ArgumentParser:
    """The arguments of a benchmark over one built index: ``--index``, ``--seed``, ``--out``;
    the description is the first paragraph of ``doc`` (the script's docstring)."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--index", type=Path, default=Path("data/index"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, help="JSON file (default benchmarks/results/)")
    return parser


def start_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def dev_queries(path: Path = GOLD) -> list[str]:
    """The dev set's query texts: what the load benchmarks send. Two stand-ins when the shared
    folder is absent, so the scripts still run."""
    if path.is_file():
        return [q.query for q in load_gold(path)]
    return ["family reunification recommendations", "private sponsorship of resettlement"]


def machine() -> dict[str, Any]:
    """CPU model, cores, memory and the load average when the figure was taken."""
    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "ram_gib": round(mem_gib, 1),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "gpu": _gpu(),
    }


def _gpu() -> str:
    """The GPUs nvidia-smi lists, or "none": a figure must say where it was taken."""
    if shutil.which("nvidia-smi") is None:
        return "none"
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown (nvidia-smi failed)"
    return "; ".join(line.strip() for line in out.splitlines() if line.strip()) or "none"


def percentiles(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 and mean in milliseconds (nearest-rank on the sorted sample)."""
    if not seconds:
        return {"p50_ms": float("nan"), "p95_ms": float("nan"), "p99_ms": float("nan")}
    ms = np.asarray(seconds) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
        "mean_ms": round(float(ms.mean()), 2),
    }


def rss_mib() -> float:
    """Resident memory of this process now (MiB)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dir_mib(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


@dataclass
class Timer:
    started: float = 0.0
    seconds: float = 0.0

    def __enter__(self) -> Timer:
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started


def table(rows: list[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """A Markdown table of ``rows`` (floats rounded), for the terminal and the README."""
    if not rows:
        return "(no rows)\n"
    cols = list(columns or rows[0].keys())

    def cell(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:.4g}" if abs(v) < 1000 else f"{v:.0f}"
        return str(v)

    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(cell(r.get(c, "")) for c in cols) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def _overrides() -> list[str]:
    """The CARTAGENA_* variables of this run, so a command run with them reads as it ran;
    secrets (``*_KEY``) by name only."""
    return [
        f"{k}={'***' if k.endswith('_KEY') else v}"
        for k, v in sorted(os.environ.items())
        if k.startswith("CARTAGENA_")
    ]


def report(name: str, rows: list[dict[str, Any]], extra: dict[str, Any], out: Path | None) -> Path:
    """Write ``{machine, command, rows, ...}`` as JSON and the table to stdout; the JSON path."""
    out = out or RESULTS / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": name,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([*_overrides(), "python", "-m", f"benchmarks.{name}", *sys.argv[1:]]),
        "machine": machine(),
        **extra,
        "rows": rows,
    }
    out.write_text(json.dumps(payload, indent=2, default=str))
    sys.stdout.write(table(rows) + f"\nmachine: {payload['machine']}\nwritten: {out}\n")
    return out
