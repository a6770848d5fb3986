"""Parameter sweeps behind ``evals/REPORT.md``, on SciFact and the dev set together.

    python -m evals.tune bm25     # BM25 k1, b and tokenisation, lexical mode alone
    python -m evals.tune fusion   # fusion method, weight, RRF constant, candidate depth
    python -m evals.tune cv       # the fusion choice cross-validated: held-out-fold figures

Both read the indexes that ``cartagena eval`` leaves in .cache/ (run it once on each dataset
first). Candidates are retrieved once per query, then every setting is scored in memory, so a
sweep costs seconds. Prints Markdown tables to stdout.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from cartagena.settings import get_settings
from evals import crossval
from evals.beir import BeirDataset, load_beir, passage_text
from evals.cli import DEFAULT_GOLD, eval_index_dir, resolve
from evals.gold import GoldQuery, load_gold
from evals.metrics import beir_gains, ndcg
from evals.retrievers import Result
from evals.runner import score_gold
from search import fusion, lexical_confidence
from search.engine import Searcher
from search.loader import load_searcher
from text.tokens import lexical_tokens

log = logging.getLogger(__name__)
Ranked = list[tuple[int, float]]


@dataclass
class Bench:
    """One dataset's queries, the texts and documents of its index rows, and a scorer."""

    name: str
    queries: list[str]
    docs: list[str]
    texts: list[str]
    lexical_texts: list[str]
    score: Callable[[int, list[int]], dict[str, float]]  # (query number, rows) -> metrics

    def evaluate(self, ranked: list[list[int]]) -> dict[str, float]:
        per_query = [self.score(i, rows[:10]) for i, rows in enumerate(ranked)]
        return {m: statistics.fmean(q[m] for q in per_query) for m in per_query[0]}


def _rows(searcher: Searcher) -> tuple[list[str], list[str], list[str]]:
    rows = searcher.store.passages()
    docs = [r.doc_id for r in rows]
    texts = [r.text for r in rows]
    lexical = [f"{r.section}\n{r.text}" if r.section else r.text for r in rows]
    return docs, texts, lexical


def scifact_bench(data: BeirDataset) -> Bench:
    """Rows in corpus order, the order in which ``evals.beir`` writes the index."""
    docs = list(data.corpus)
    texts = [passage_text(*data.corpus[d]) for d in docs]
    lexical = texts
    qids = list(data.queries)

    def score(i: int, rows: list[int]) -> dict[str, float]:
        qrels = data.qrels[qids[i]]
        return {"ndcg10": ndcg(beir_gains([docs[r] for r in rows], qrels), qrels.values(), 10)}

    return Bench("scifact", [data.queries[q] for q in qids], docs, texts, lexical, score)


def dev_bench(searcher: Searcher, gold: list[GoldQuery]) -> Bench:
    docs, texts, lexical = _rows(searcher)

    def score(i: int, rows: list[int]) -> dict[str, float]:
        result = score_gold(gold[i], [Result(docs[r], texts[r]) for r in rows])
        s = result.scores
        return {"ndcg10": s.ndcg10, "mrr10": s.mrr10, "success1": s.success1}

    return Bench("dev", [q.query for q in gold], docs, texts, lexical, score)


def load_benches(with_scifact_index: bool = True) -> list[tuple[Bench, Searcher | None]]:
    settings = get_settings()
    out: list[tuple[Bench, Searcher | None]] = []
    data = load_beir(resolve(Path("../shared/datasets/scifact")))
    beir_index = eval_index_dir("scifact", settings)
    searcher = None
    if with_scifact_index and (beir_index / "CURRENT").is_file():
        searcher = load_searcher(beir_index, settings)
        assert searcher.store.size == len(data.corpus), "SciFact index rows != corpus"
    out.append((scifact_bench(data), searcher))
    s = load_searcher(eval_index_dir("index", settings), settings)
    out.append((dev_bench(s, [q for q in load_gold(resolve(DEFAULT_GOLD)) if not q.is_spanish]), s))
    return out


# --- BM25 -------------------------------------------------------------------------------
TOKENISERS: dict[str, Callable[[str], list[str]]] = {
    "stem+stop": lambda t: lexical_tokens(t),
    "stem": lambda t: lexical_tokens(t, stopwords=False),
    "stop": lambda t: lexical_tokens(t, stem=False),
    "plain": lambda t: lexical_tokens(t, stem=False, stopwords=False),
}


def bm25_rank(
    bench: Bench,
    tokenise: Callable[[str], list[str]],
    k1: float,
    b: float,
    method: str,
    corpus_tokens: list[list[str]],
    depth: int = 10,
) -> list[list[int]]:
    model = bm25s.BM25(k1=k1, b=b, method=method)
    model.index([t or ["\u2205"] for t in corpus_tokens], show_progress=False)
    ranked: list[list[int]] = []
    for query in bench.queries:
        known = [t for t in tokenise(query) if t in model.vocab_dict]
        if not known:
            ranked.append([])
            continue
        scores = np.asarray(model.get_scores(known))
        top = np.argsort(-scores, kind="stable")[:depth]
        ranked.append([int(i) for i in top if scores[i] > 0])
    return ranked


def sweep_bm25(benches: list[tuple[Bench, Searcher | None]]) -> list[str]:
    grid = list(itertools.product([0.6, 0.9, 1.2, 1.5], [0.4, 0.6, 0.75, 0.9]))
    lines = [
        "| tokeniser | method | k1 | b | "
        + " | ".join(f"{b.name} {m}" for b, _ in benches for m in _metric_names(b))
        + " |"
    ]
    lines.append("|" + "---|" * (4 + sum(len(_metric_names(b)) for b, _ in benches)))
    for name, tok in TOKENISERS.items():
        corpora = [[tok(t) for t in b.lexical_texts] for b, _ in benches]
        settings = (
            [("lucene", k1, b) for k1, b in grid]
            if name == "stem+stop"
            else [("lucene", 1.2, 0.75)]
        )
        settings += [("robertson", 1.2, 0.75), ("bm25+", 1.2, 0.75)] if name == "stem+stop" else []
        for method, k1, b in settings:
            cells = []
            for (bench, _), corpus in zip(benches, corpora, strict=True):
                figures = bench.evaluate(bm25_rank(bench, tok, k1, b, method, corpus))
                cells += [f"{figures[m]:.4f}" for m in _metric_names(bench)]
            lines.append(f"| {name} | {method} | {k1} | {b} | " + " | ".join(cells) + " |")
            log.info(lines[-1])
    return lines


def _metric_names(bench: Bench) -> list[str]:
    return ["ndcg10"] if bench.name == "scifact" else ["mrr10", "success1", "ndcg10"]


# --- fusion -----------------------------------------------------------------------------
def candidates(searcher: Searcher, bench: Bench, depth: int) -> list[tuple[Ranked, Ranked]]:
    return [
        (searcher.dense(q, depth, None), searcher.lexical(q, depth, None)) for q in bench.queries
    ]


def fusion_settings() -> list[tuple[str, dict]]:
    out: list[tuple[str, dict]] = [("dense", {}), ("lexical", {})]
    for k in (5, 10, 20, 40, 60, 100):
        for w in (0.4, 0.5, 0.6):
            out.append(("rrf", {"rrf_k": k, "weight_dense": w}))
    for method in ("convex", "zscore"):
        for w in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
            out.append((method, {"weight_dense": w}))
    return out


def fused_rows(dense: Ranked, lexical: Ranked, method: str, params: dict, depth: int) -> list[int]:
    if method == "dense":
        return [r for r, _ in dense[:10]]
    if method == "lexical":
        return [r for r, _ in lexical[:10]]
    ranked = fusion.fuse(dense[:depth], lexical[:depth], k=10, method=method, **params)
    return [r for r, _ in ranked]


def sweep_fusion(benches: list[tuple[Bench, Searcher | None]], depths: list[int]) -> list[str]:
    cands = [(bench, candidates(s, bench, max(depths))) for bench, s in benches if s]
    head = " | ".join(f"{b.name} {m}" for b, _ in cands for m in _metric_names(b))
    lines = [
        f"| method | params | depth | {head} |",
        "|" + "---|" * (3 + sum(len(_metric_names(b)) for b, _ in cands)),
    ]
    for method, params in fusion_settings():
        for depth in depths if method not in ("dense", "lexical") else [max(depths)]:
            cells = []
            for bench, pairs in cands:
                ranked = [fused_rows(d, lx, method, params, depth) for d, lx in pairs]
                figures = bench.evaluate(ranked)
                cells += [f"{figures[m]:.4f}" for m in _metric_names(bench)]
            knobs = ", ".join(f"{k}={v}" for k, v in params.items())
            lines.append(f"| {method} | {knobs} | {depth} | " + " | ".join(cells) + " |")
    return lines


# --- cross-validation -------------------------------------------------------------------
CV_METRICS = ("mrr10", "success1")


def setting_name(method: str, params: dict, depth: int, power: float = 0.0) -> str:
    knobs = ",".join(f"{k}={v}" for k, v in params.items())
    name = f"{method}({knobs})@{depth}" if knobs else method
    return f"{name} conf^{power:g}" if power and knobs else name


def default_setting() -> str:
    s = get_settings()
    params: dict = {"weight_dense": s.hybrid_weight_dense}
    if s.fusion == "rrf":
        params = {"rrf_k": s.rrf_k, **params}
    return setting_name(s.fusion, params, s.hybrid_candidates, s.hybrid_confidence_power)


def per_query_results(
    bench: Bench,
    pairs: list[tuple[Ranked, Ranked]],
    depths: list[int],
    confidences: list[float],
    powers: list[float],
) -> dict[str, dict[str, list[float]]]:
    """Every fusion setting's per-query metrics: setting -> metric -> values in query order.

    ``confidences`` are each query's lexical confidence (``search.lexical_confidence``); a
    setting with power p scales the lexical weight by confidence ** p, as the engine does."""
    out: dict[str, dict[str, list[float]]] = {}
    for method, params in fusion_settings():
        fused = method not in ("dense", "lexical")
        for depth in depths if fused else [max(depths)]:
            for power in powers if fused else [0.0]:
                ranked = [
                    fused_rows(d, lx, method, {**params, "share": c**power} if fused else {}, depth)
                    for (d, lx), c in zip(pairs, confidences, strict=True)
                ]
                per = [bench.score(i, rows[:10]) for i, rows in enumerate(ranked)]
                name = setting_name(method, params, depth, power)
                out[name] = {m: [q[m] for q in per] for m in per[0]}
    return out


def query_confidences(searcher: Searcher, bench: Bench, pairs: list[tuple[Ranked, Ranked]]):
    return [
        lexical_confidence.confidence(searcher.store, q, lx[0][0]) if lx else 0.0
        for q, (_, lx) in zip(bench.queries, pairs, strict=True)
    ]


def cross_validate_fusion(
    golds: list[Path], depths: list[int], folds: int, powers: list[float]
) -> list[str]:
    """Held-out-fold figures of choosing the fusion setting on the other folds."""
    settings = get_settings()
    searcher = load_searcher(eval_index_dir("index", settings), settings)
    queries = [
        q
        for path in golds
        for q in load_gold(resolve(path))
        if not {"es", "pt", "crosslingual"} & set(q.tags)
    ]
    bench = dev_bench(searcher, queries)
    pairs = candidates(searcher, bench, max(depths))
    confidences = query_confidences(searcher, bench, pairs)
    results = per_query_results(bench, pairs, depths, confidences, powers)
    fold_of = crossval.assign_folds(
        [q.id for q in queries], [q.tags[0] if q.tags else "" for q in queries], folds
    )
    default = default_setting()
    cv = crossval.cross_validate(results, fold_of, CV_METRICS, prefer=default)
    everyone = list(range(len(queries)))
    best = max(results, key=lambda n: crossval.objective(results[n], everyone, CV_METRICS))

    def row(label: str, figures: dict[str, float]) -> str:
        return f"| {label} | " + " | ".join(f"{figures[m]:.3f}" for m in METRIC_ORDER) + " |"

    def mean(name: str) -> dict[str, float]:
        return {m: statistics.fmean(v) for m, v in results[name].items()}

    lines = [
        f"{len(queries)} queries ({', '.join(str(p) for p in golds)}), {folds} folds by tag, "
        f"{len(results)} settings; objective {' + '.join(CV_METRICS)}",
        "",
        "| figure | " + " | ".join(METRIC_ORDER) + " |",
        "|---|" + "---|" * len(METRIC_ORDER),
        row(f"current default {default}, all queries", mean(default)),
        row(f"best setting on all queries ({best}): optimistic", mean(best)),
        row("held-out folds (setting chosen on the other folds)", cv.held_out),
        "",
        "| fold | queries | chosen on the other folds |",
        "|---|---|---|",
    ]
    lines += [f"| {c.fold} | {len(c.held_out)} | {c.setting} |" for c in cv.choices]
    return lines


METRIC_ORDER = ("mrr10", "success1", "ndcg10")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.tune", description=__doc__)
    parser.add_argument("sweep", choices=["bm25", "fusion", "cv"])
    parser.add_argument("--depth", type=int, action="append", help="candidate depth(s)")
    parser.add_argument("--folds", type=int, default=5, help="cv: number of folds")
    parser.add_argument(
        "--power", type=float, action="append", help="cv: lexical confidence power(s) to try"
    )
    parser.add_argument(
        "--gold", type=Path, action="append", help=f"cv: gold file(s) (default {DEFAULT_GOLD})"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    for noisy in ("faiss.loader", "bm25s", "sentence_transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if args.sweep == "cv":
        lines = cross_validate_fusion(
            args.gold or [DEFAULT_GOLD], args.depth or [200], args.folds, args.power or [0.0]
        )
        sys.stdout.write("\n".join(lines) + "\n")
        return 0
    benches = load_benches(with_scifact_index=args.sweep == "fusion")
    if args.sweep == "bm25":
        lines = sweep_bm25(benches)
    else:
        lines = sweep_fusion(benches, args.depth or [100])
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
