"""Hybrid fusion across languages: the lexical coverage weighting, cross-validated.

    python -m evals.crosslingual [--index DIR] [--gold FILE ...] [--folds 5]

A Spanish or Portuguese query over English text leaves BM25 a few stray words to rank on;
``search.fusion.lexical_share`` scales the lexical weight by (share of query terms the index
knows) ** ``power``. This sweeps ``power`` (and, with ``--weights``, the dense weight) over the
English dev set and the cross-lingual dev set together, choosing on the other folds and scoring each
held-out fold (``evals.crossval``), so English queries vote against anything that would cost
them. The index defaults to the one ``cartagena eval --gold`` leaves for the configured model
(run it first). Candidates are retrieved once per query, then every setting is scored in
memory. Prints Markdown to stdout.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import statistics
import sys
from pathlib import Path

from cartagena.settings import get_settings
from evals import crossval
from evals.cli import DEFAULT_GOLD, eval_index_dir, resolve
from evals.gold import GoldQuery, load_gold
from evals.retrievers import Result
from evals.runner import score_gold
from evals.tune import CV_METRICS, Ranked, _rows, dev_bench
from search import fusion
from search.loader import load_searcher

log = logging.getLogger(__name__)
DEFAULT_CROSSLINGUAL = Path("../shared/evals/cartagena-dev-crosslingual.jsonl")
# few, well apart: 46 queries cannot choose between close settings, only between regimes
POWERS = (0.0, 1.0, 2.0, 4.0)
REPORTED = ("ndcg10", "mrr10", "success1", "success5")


def group(query: GoldQuery) -> str:
    """English, or the language of a cross-lingual query (its es / pt tag)."""
    return next((t for t in ("es", "pt") if t in query.tags), "en")


def setting_name(power: float, weight: float) -> str:
    return f"power={power:g},w_dense={weight:g}"


def sweep(
    index: Path, golds: list[Path], folds: int, depth: int, weights: list[float] | None = None
) -> tuple[list[str], dict[str, dict[str, list[float]]]]:
    settings = get_settings()
    weights = weights or [settings.hybrid_weight_dense]
    searcher = load_searcher(index, settings)
    queries = [q for path in golds for q in load_gold(resolve(path))]
    bench = dev_bench(searcher, queries)
    docs, texts, _ = _rows(searcher)

    def score(i: int, rows: list[int]) -> dict[str, float]:
        s = score_gold(queries[i], [Result(docs[r], texts[r]) for r in rows]).scores
        return {
            "ndcg10": s.ndcg10,
            "mrr10": s.mrr10,
            "success1": s.success1,
            "success5": s.success5,
        }

    cands: list[tuple[Ranked, Ranked, float]] = [
        (
            searcher.dense(q, depth, None),
            searcher.lexical(q, depth, None),
            searcher.lexical_coverage(q),
        )
        for q in bench.queries
    ]
    results: dict[str, dict[str, list[float]]] = {}
    for weight, power in itertools.product(weights, POWERS):
        per = []
        for i, (dense, lexical, coverage) in enumerate(cands):
            ranked = fusion.fuse(
                dense,
                lexical,
                k=10,
                method=settings.fusion,
                weight_dense=weight,
                rrf_k=settings.rrf_k,
                share=fusion.lexical_share(coverage, power),
            )
            per.append(score(i, [r for r, _ in ranked]))
        results[setting_name(power, weight)] = {m: [q[m] for q in per] for m in per[0]}
    dense_per = [score(i, [r for r, _ in d[:10]]) for i, (d, _, _) in enumerate(cands)]
    results["dense alone"] = {m: [q[m] for q in dense_per] for m in dense_per[0]}

    groups = [group(q) for q in queries]
    fold_of = crossval.assign_folds([q.id for q in queries], groups, folds)
    tried = {n: r for n, r in results.items() if n != "dense alone"}
    default = setting_name(settings.hybrid_coverage_power, settings.hybrid_weight_dense)
    cv = crossval.cross_validate(tried, fold_of, CV_METRICS, prefer=default)
    held = {m: [0.0] * len(queries) for m in REPORTED}
    for choice in cv.choices:
        for i in choice.held_out:
            for m in REPORTED:
                held[m][i] = tried[choice.setting][m][i]
    results["held-out folds"] = held

    names = sorted(set(groups), key=lambda g: (g != "en", g))
    members = {g: [i for i, x in enumerate(groups) if x == g] for g in names}
    members["es+pt"] = [i for i, x in enumerate(groups) if x != "en"]
    cols = [g for g in [*names, "es+pt"] if members[g]]
    coverage_line = ", ".join(
        f"{g} median {statistics.median(cands[i][2] for i in members[g]):.2f}" for g in cols
    )
    lines = [
        f"{len(queries)} queries ({', '.join(str(p) for p in golds)}; "
        + ", ".join(f"{g}: {len(members[g])}" for g in names)
        + f"), {folds} folds stratified by language, fusion {settings.fusion}, depth {depth}; "
        "objective "
        f"{' + '.join(CV_METRICS)} over all queries; lexical coverage {coverage_line}",
        "",
        "| setting | " + " | ".join(f"{g} MRR@10 | {g} S@1 | {g} S@5" for g in cols) + " |",
        "|---|" + "---|---|---|" * len(cols),
    ]
    for name, figures in results.items():
        cells = []
        for g in cols:
            rows = members[g]
            cells += [
                f"{statistics.fmean(figures['mrr10'][i] for i in rows):.3f}",
                f"{statistics.fmean(figures['success1'][i] for i in rows):.3f}",
                f"{statistics.fmean(figures['success5'][i] for i in rows):.3f}",
            ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "| fold | queries | chosen on the other folds |", "|---|---|---|"]
    lines += [f"| {c.fold} | {len(c.held_out)} | {c.setting} |" for c in cv.choices]
    return lines, results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.crosslingual", description=__doc__)
    parser.add_argument("--index", type=Path, help="published index (default: the eval index)")
    parser.add_argument("--gold", type=Path, action="append", help="gold file(s)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--depth", type=int, default=200, help="candidates from each retriever")
    parser.add_argument(
        "--weights", type=float, nargs="+", help="dense weights to try (default: the configured)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    index = args.index or eval_index_dir("index", get_settings())
    golds = args.gold or [DEFAULT_GOLD, DEFAULT_CROSSLINGUAL]
    lines, _ = sweep(index, golds, args.folds, args.depth, args.weights)
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
