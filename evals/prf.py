"""Query expansion and pseudo-relevance feedback for English hybrid search, measured in memory.

    python -m evals.prf --index DIR [--scifact DIR] [--folds 5]

Three ideas, each fed by the first pass (the default hybrid: MiniLM sentence MaxP 0.4 + BM25
0.6, z-score fusion) or by the dense list alone:

- ``L`` lexical PRF (RM3-like): the ``n`` terms of the top ``m`` passages with the highest
  summed tf/len x IDF, not in the query, added to the BM25 query, the best one at weight
  ``beta`` of a query term (the others in proportion); BM25 re-scored, fused again;
- ``D`` dense PRF (Rocchio): query vector + ``alpha`` x mean of the top ``m`` passage vectors,
  renormalised, the dense side (sentence MaxP included) re-ranked, fused again with BM25;
- ``N`` neighbour smoothing: fused score + ``gamma`` x the z-scored mean cosine of each passage
  to the top ``m`` (itself left out);
- ``LD`` both L and D; ``Lg``, ``Dg``, ``Ng``: L, D, N applied only to queries whose best BM25
  passage holds under ``tau`` of the query's IDF mass (``search.lexical_confidence``). Lg is
  what ``search.feedback`` ships (evals/REPORT.md).

Query sets and the cross-validation are those of ``evals.dense_mix``: dev, /ask and /similar
turned into retrieval sets (101 tuning queries, 5 folds), the blind set scored but never used
to choose. Every variant runs on English queries only (the cross-lingual path is untouched), so
the cross-lingual sets do not change by construction. ``--scifact`` scores each family's pick
(and BASE) on SciFact nDCG@10. Prints Markdown to stdout.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cartagena.settings import get_settings
from evals import crossval
from evals.beir import load_beir
from evals.cli import resolve
from evals.dense_mix import METRICS, PerQuery, add_scores, query_sets
from evals.gold import GoldQuery
from evals.tune import _rows, scifact_bench
from search import lexical_confidence
from search.engine import SENTENCE_RESCORE_DEPTH, Searcher
from search.fusion import zscores
from search.loader import load_searcher
from search.sentence_dense import best_of
from text.tokens import lexical_tokens

log = logging.getLogger(__name__)
Ranked = list[tuple[int, float]]
BASE = "BASE"
W_DENSE = 0.4
DEPTH = 200


def zfuse(dense: Ranked, lex: Ranked) -> Ranked:
    """As ``search.fusion.zscore`` with the default weights, every fused row kept."""
    d, lx = zscores(dense), zscores(lex)
    fd, fl = min(d.values(), default=0.0), min(lx.values(), default=0.0)
    fused = {
        r: W_DENSE * d.get(r, fd) + (1 - W_DENSE) * lx.get(r, fl) for r in d.keys() | lx.keys()
    }
    return sorted(fused.items(), key=lambda i: (-i[1], i[0]))


class World:
    """What every variant reads from one searcher: passage vectors, term counts, per-term BM25."""

    def __init__(self, s: Searcher) -> None:
        self.s = s
        store = s.store
        self.P = np.stack([store.vectors.reconstruct(r) for r in range(store.size)])
        rows = store.passages()
        self.tf: list[Counter[str]] = []
        for r in rows:
            toks = lexical_tokens(f"{r.section}\n{r.text}" if r.section else r.text)
            self.tf.append(Counter(toks))
        self.lens = [max(sum(c.values()), 1) for c in self.tf]
        self._term_scores: dict[str, np.ndarray] = {}
        self._idf: dict[str, float] = {}

    def idf(self, t: str) -> float:
        if t not in self._idf:
            self._idf.update(self.s.store.idf([t]))
        return self._idf[t]

    def term_scores(self, t: str) -> np.ndarray:
        if t not in self._term_scores:
            scores = self.s.store._bm25.get_scores([t])
            self._term_scores[t] = np.asarray(scores, dtype=np.float32)
        return self._term_scores[t]

    def dense(self, q: np.ndarray) -> Ranked:
        """Sentence MaxP over every row for query vector ``q`` (as ``Searcher.dense``)."""
        cos = self.P @ q
        top = np.argsort(-cos, kind="stable")[:SENTENCE_RESCORE_DEPTH]
        passages = [(int(r), float(cos[r])) for r in top]
        if self.s.sentences is None:
            return passages[:DEPTH]
        return best_of(passages, self.s.sentences.best(q), DEPTH, None)


@dataclass
class Q:
    text: str
    qvec: np.ndarray
    qterms: list[str]
    dense: Ranked
    lex: Ranked
    lexvec: np.ndarray
    base: Ranked  # fused, every row
    confidence: float  # search.lexical_confidence of the top BM25 row


def prepare(w: World, text: str) -> Q:
    s = w.s
    dense = s.dense(text, DEPTH, None)
    lex = s.lexical(text, DEPTH, None)
    scores = s.store.bm25_scores(text)
    lexvec = scores if scores is not None else np.zeros(s.store.size, dtype=np.float32)
    qterms = [t for t in dict.fromkeys(lexical_tokens(text)) if t in s.store.vocabulary]
    conf = lexical_confidence.confidence(s.store, text, lex[0][0]) if lex else 0.0
    return Q(text, s.embed_query(text), qterms, dense, lex, lexvec, zfuse(dense, lex), conf)


def ranked_of(vec: np.ndarray) -> Ranked:
    pos = np.flatnonzero(vec > 0)
    top = pos[np.argsort(-vec[pos], kind="stable")[:DEPTH]]
    return [(int(r), float(vec[r])) for r in top]


@dataclass(frozen=True)
class Variant:
    kind: str  # BASE, L, D, N, LD
    src: str = "hyb"  # feedback from the hybrid ("hyb") or the dense ("den") first pass
    m: int = 3
    n: int = 10
    beta: float = 0.3
    alpha: float = 0.3
    gamma: float = 0.2
    tau: float = 1.1  # applied only when the lexical confidence is below tau (1.1: always)

    def feedback(self, q: Q) -> list[int]:
        ranked = q.base if self.src == "hyb" else q.dense
        return [r for r, _ in ranked[: self.m]]

    def rank(self, w: World, q: Q) -> list[int]:
        if self.kind == BASE or q.confidence >= self.tau:
            return [r for r, _ in q.base[:10]]
        fb = self.feedback(q)
        dense, lex = q.dense, q.lex
        if "L" in self.kind:
            lex = ranked_of(expanded_scores(w, q, fb, self.n, self.beta))
        if "D" in self.kind:
            v = q.qvec + self.alpha * w.P[fb].mean(axis=0)
            dense = w.dense((v / np.linalg.norm(v)).astype(np.float32))
        fused = zfuse(dense, lex)
        if self.kind == "N":
            rows = [r for r, _ in fused]
            sims = w.P[rows] @ w.P[fb].T  # rows x m
            own = np.array([[r == f for f in fb] for r in rows])
            sims = np.where(own, np.nan, sims)
            boost = zscores(list(zip(rows, np.nanmean(sims, axis=1).tolist(), strict=True)))
            fused = sorted(
                ((r, f + self.gamma * boost[r]) for r, f in fused), key=lambda i: (-i[1], i[0])
            )
        return [r for r, _ in fused[:10]]


def expansion_terms(w: World, q: Q, fb: list[int], n: int) -> dict[str, float]:
    """Top ``n`` feedback terms (summed tf/len x IDF, query terms left out), best = 1."""
    weight: dict[str, float] = {}
    for r in fb:
        for t, c in w.tf[r].items():
            if t not in q.qterms:
                weight[t] = weight.get(t, 0.0) + c / w.lens[r] * w.idf(t)
    top = sorted(weight.items(), key=lambda i: -i[1])[:n]
    if not top:
        return {}
    best = top[0][1]
    return {t: x / best for t, x in top}


def expanded_scores(w: World, q: Q, fb: list[int], n: int, beta: float) -> np.ndarray:
    out = q.lexvec.astype(np.float64).copy()
    for t, x in expansion_terms(w, q, fb, n).items():
        out += beta * x * w.term_scores(t)
    return out


def variants() -> dict[str, Variant]:
    v = {BASE: Variant(BASE)}
    for src, m, n, beta in itertools.product(
        ("hyb", "den"), (1, 3, 5, 10), (5, 10, 20), (0.1, 0.2, 0.3, 0.5)
    ):
        v[f"L {src} m{m} n{n} b{beta}"] = Variant("L", src, m, n, beta=beta)
    for src, m, alpha in itertools.product(
        ("hyb", "den"), (1, 3, 5, 10), (0.1, 0.2, 0.3, 0.5, 1.0)
    ):
        v[f"D {src} m{m} a{alpha}"] = Variant("D", src, m, alpha=alpha)
    for src, m, gamma in itertools.product(("hyb", "den"), (1, 3, 5, 10), (0.1, 0.2, 0.3, 0.5)):
        v[f"N {src} m{m} g{gamma}"] = Variant("N", src, m, gamma=gamma)
    for m, n, beta, alpha in itertools.product((3, 5), (10,), (0.2, 0.3), (0.2, 0.3, 0.5)):
        v[f"LD hyb m{m} n{n} b{beta} a{alpha}"] = Variant("LD", "hyb", m, n, beta, alpha)
    for (src, m), n, beta, tau in itertools.product(
        (("den", 1), ("hyb", 1), ("hyb", 3)), (10, 20), (0.1, 0.2, 0.3), (0.5, 0.7)
    ):
        v[f"Lg {src} m{m} n{n} b{beta} t{tau}"] = Variant("L", src, m, n, beta=beta, tau=tau)
    for (src, m), alpha, tau in itertools.product(
        (("den", 1), ("den", 3), ("hyb", 3)), (0.3, 0.5), (0.5, 0.7)
    ):
        v[f"Dg {src} m{m} a{alpha} t{tau}"] = Variant("D", src, m, alpha=alpha, tau=tau)
    for m, gamma, tau in itertools.product((3, 5), (0.2, 0.3, 0.5), (0.5, 0.7)):
        v[f"Ng hyb m{m} g{gamma} t{tau}"] = Variant("N", "hyb", m, gamma=gamma, tau=tau)
    return v


FAMILIES = {
    "L lexical PRF": "L ",
    "D dense Rocchio": "D ",
    "N neighbours": "N ",
    "LD both": "LD ",
    "Lg lexical PRF, low-confidence queries only": "Lg ",
    "Dg Rocchio, low-confidence queries only": "Dg ",
    "Ng neighbours, low-confidence queries only": "Ng ",
}


def score_sets(
    w: World, sets: dict[str, list[GoldQuery]], vs: dict[str, Variant]
) -> dict[str, dict[str, PerQuery]]:
    docs, texts, _ = _rows(w.s)
    out: dict[str, dict[str, PerQuery]] = {}
    for set_name, queries in sets.items():
        prepared = [prepare(w, g.query) for g in queries]
        out[set_name] = {}
        for name, v in vs.items():
            per: PerQuery = {m: [] for m in METRICS}
            for g, q in zip(queries, prepared, strict=True):
                add_scores(per, g, v.rank(w, q), docs, texts)
            out[set_name][name] = per
    return out


def cv_table(
    res: dict[str, dict[str, PerQuery]], sets: dict[str, list[GoldQuery]], folds: int
) -> tuple[list[str], dict[str, str]]:
    tuning = ("dev", "ask", "sim")
    names = list(res["dev"])
    pooled = {n: {m: sum((res[s][n][m] for s in tuning), []) for m in METRICS} for n in names}
    qs = [g for s in tuning for g in sets[s]]
    strata = [f"{s}:{g.tags[0] if g.tags else ''}" for s in tuning for g in sets[s]]
    fold_of = crossval.assign_folds([g.id for g in qs], strata, folds)
    cvm = ("mrr10", "success1")

    def fig(s: str, n: str) -> str:
        r = res[s][n]
        return f"{statistics.fmean(r['mrr10']):.3f} / {statistics.fmean(r['success1']):.3f}"

    lines = [
        f"Tuned on dev + ask + sim ({len(qs)} queries), {folds} folds; pick on all scored blind:",
        "",
        "| family (+ BASE) | CV held-out MRR@10 / S@1 | folds chose | pick on all (101) | "
        "pick: dev / ask / sim | pick: blind extra MRR@10 / S@1 / S@5 | "
        "pick vs BASE, queries up/down (MRR@10) |",
        "|---|---|---|---|---|---|---|",
    ]
    picks = {}
    for label, prefix in {"BASE alone": BASE, **FAMILIES}.items():
        fam = {n: r for n, r in pooled.items() if n == BASE or n.startswith(prefix)}
        cv = crossval.cross_validate(fam, fold_of, cvm, prefer=BASE)
        order = [BASE] + [n for n in fam if n != BASE]
        best = max(order, key=lambda n: round(crossval.objective(fam[n], range(len(qs)), cvm), 9))
        picks[label] = best
        chose = "; ".join(sorted({c.setting for c in cv.choices}))
        s5 = statistics.fmean(res["extra"][best]["success5"])
        lines.append(
            f"| {label} | {cv.held_out['mrr10']:.3f} / {cv.held_out['success1']:.3f} | {chose} "
            f"| {best} | {fig('dev', best)}; {fig('ask', best)}; {fig('sim', best)} "
            f"| {fig('extra', best)} / {s5:.3f} | {wins(res, best)} |"
        )
    return lines, picks


def wins(res: dict[str, dict[str, PerQuery]], name: str) -> str:
    cells = []
    for s in SETS:
        pairs = list(zip(res[s][name]["mrr10"], res[s][BASE]["mrr10"], strict=True))
        cells.append(f"{s} +{sum(a > b for a, b in pairs)}/-{sum(a < b for a, b in pairs)}")
    return ", ".join(cells)


def top_table(res: dict[str, dict[str, PerQuery]], k: int) -> list[str]:
    """Best variants by blind extra, and by the 101 tuning queries (for reading, not choosing)."""

    def mean(s: str, n: str, m: str) -> float:
        return statistics.fmean(res[s][n][m])

    def row(n: str) -> str:
        cells = [f"{mean(s, n, 'mrr10'):.3f} / {mean(s, n, 'success1'):.3f}" for s in SETS]
        return f"| {n} | " + " | ".join(cells) + f" | {mean('extra', n, 'success5'):.3f} |"

    head = [
        "| variant | " + " | ".join(SETS) + " | extra S@5 |",
        "|---|" + "---|" * (len(SETS) + 1),
    ]
    names = list(res["dev"])

    def tun(n: str) -> float:
        return sum(
            sum(res[s][n]["mrr10"]) + sum(res[s][n]["success1"]) for s in ("dev", "ask", "sim")
        )

    by_extra = sorted(
        names, key=lambda n: -(mean("extra", n, "mrr10") + mean("extra", n, "success1"))
    )
    by_tune = sorted(names, key=lambda n: -tun(n))
    out = ["", "Top by blind extra (MRR+S@1), all queries:", "", *head, row(BASE)]
    out += [row(n) for n in by_extra[:k]]
    out += ["", "Top by the 101 tuning queries (MRR+S@1), all queries:", "", *head, row(BASE)]
    out += [row(n) for n in by_tune[:k]]
    for fam, prefix in FAMILIES.items():
        best_extra = max(
            (n for n in names if n.startswith(prefix)),
            key=lambda n: mean("extra", n, "success1") + mean("extra", n, "mrr10"),
        )
        out.append(
            f"\nbest {fam} on extra: {best_extra}: "
            f"extra S@1 {mean('extra', best_extra, 'success1'):.3f}"
        )
    return out


SETS = ("dev", "extra", "ask", "sim")


def rows_of(res: dict[str, dict[str, PerQuery]], prefix: str) -> list[str]:
    def fig(s: str, n: str) -> str:
        r = res[s][n]
        return f"{statistics.fmean(r['mrr10']):.3f} / {statistics.fmean(r['success1']):.3f}"

    out = ["| variant | " + " | ".join(SETS) + " |", "|---|" + "---|" * len(SETS)]
    for n in [BASE] + [n for n in res["dev"] if n.startswith(prefix)]:
        out.append(f"| {n} | " + " | ".join(fig(s, n) for s in SETS) + " |")
    return out


def scifact(index: Path, chosen: dict[str, Variant]) -> list[str]:
    settings = get_settings()
    s = load_searcher(index, settings)
    data = load_beir(resolve(Path("../shared/datasets/scifact")))
    bench = scifact_bench(data)
    w = World(s)
    prepared = [prepare(w, q) for q in bench.queries]
    lines = [
        "",
        "SciFact nDCG@10 (300 queries):",
        "",
        "| variant | nDCG@10 | ms/query (rank only) |",
        "|---|---|---|",
    ]
    for name, v in chosen.items():
        t0 = time.perf_counter()
        ranks = [v.rank(w, q) for q in prepared]
        ms = (time.perf_counter() - t0) * 1000 / len(prepared)
        nd = statistics.fmean(bench.score(i, r)["ndcg10"] for i, r in enumerate(ranks))
        lines.append(f"| {name} | {nd:.4f} | {ms:.1f} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.prf", description=__doc__)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--scifact", type=Path, help="SciFact index (evals.beir) to score picks on")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--also", nargs="*", default=[], help="extra variant names for SciFact")
    parser.add_argument("--show", default="", help="also list every variant named PREFIX...")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    s = load_searcher(args.index, get_settings())
    w = World(s)
    sets = {k: v for k, v in query_sets().items() if k in SETS}
    vs = variants()
    res = score_sets(w, sets, vs)
    lines, picks = cv_table(res, sets, args.folds)
    lines += top_table(res, args.top)
    if args.show:
        lines += ["", f"Every {args.show!r} variant:", ""] + rows_of(res, args.show)
    if args.scifact:
        chosen = (
            {BASE: vs[BASE]}
            | {picks[f]: vs[picks[f]] for f in FAMILIES}
            | {n: vs[n] for n in args.also}
        )
        lines += scifact(args.scifact, chosen)
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
