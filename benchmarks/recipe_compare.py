"""The engine beside the standard recipe, in one run: dev-set quality and query latency.

    python -m benchmarks.recipe_compare --index /tmp/idx-bench [--rounds 3]

Standard recipe (``evals.baseline.StandardRecipe``, the langchain tutorial's steps by hand):
pypdf page text -> RecursiveCharacterTextSplitter(1000, 200) -> all-MiniLM-L6-v2 -> FAISS
flat. Both answer the Cartagena dev queries in process; quality is MRR@10 and success@1 under
the span rule of shared/evals/README.md (``evals.runner``), English queries as the headline.
Latency is per query with the query-embedding cache emptied first, so both pay the model.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import percentiles, report
from cartagena.settings import get_settings
from evals.baseline import StandardRecipe
from evals.gold import GoldQuery, load_gold
from evals.retrievers import EngineRetriever, Retriever
from evals.runner import Run, run_gold
from search.loader import load_searcher
from search.vector_cache import VectorCache

log = logging.getLogger("benchmarks.recipe_compare")


def quality(run: Run, english_only: bool) -> dict[str, float]:
    kept = [g for g in run.gold if not english_only or "es" not in g.query.tags]
    n = max(1, len(kept))
    return {
        "mrr10": round(sum(g.scores.mrr10 for g in kept) / n, 4),
        "success1": round(sum(g.scores.success1 for g in kept) / n, 4),
        "queries": len(kept),
    }


def latencies(
    retriever: Retriever, queries: list[GoldQuery], mode: str, rounds: int, engine: Any
) -> list[float]:
    out = []
    for _ in range(rounds):
        for q in queries:
            if engine is not None:
                engine.query_cache = VectorCache()
            started = time.perf_counter()
            retriever.search(q.query, 10, mode)
            out.append(time.perf_counter() - started)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus/pdf"))
    parser.add_argument("--gold", type=Path, default=Path("../shared/evals/cartagena-dev.jsonl"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path(".cache/bench/recipe"))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    settings = get_settings()
    queries = load_gold(args.gold)

    searcher = load_searcher(args.index, settings)
    systems: list[tuple[Retriever, str, Any]] = [
        (EngineRetriever(searcher, "cartagena"), "hybrid", searcher),
        (EngineRetriever(searcher, "cartagena"), "dense", searcher),
        (StandardRecipe(args.corpus, args.cache, settings), "dense", None),
    ]
    rows: list[dict[str, Any]] = []
    for retriever, mode, engine in systems:
        run = run_gold(retriever, queries, mode)
        lat = percentiles(latencies(retriever, queries, mode, args.rounds, engine))
        rows.append(
            {
                "system": retriever.name,
                "mode": mode,
                **{f"en_{k}": v for k, v in quality(run, True).items()},
                **{f"all_{k}": v for k, v in quality(run, False).items() if k != "queries"},
                "p50_ms": lat["p50_ms"],
                "p99_ms": lat["p99_ms"],
            }
        )
        log.info("%s", rows[-1])
    recipe = rows[-1]
    for r in rows:
        r["mrr_ratio"] = round(r["en_mrr10"] / recipe["en_mrr10"], 2) if recipe["en_mrr10"] else ""
        r["s1_ratio"] = (
            round(r["en_success1"] / recipe["en_success1"], 2) if recipe["en_success1"] else ""
        )
        r["p50_ratio"] = round(r["p50_ms"] / recipe["p50_ms"], 2)
    report("recipe_compare", rows, {"index": str(args.index), "gold": str(args.gold)}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
