"""Fusing the dense and the lexical ranking into one.

- ``rrf``: reciprocal rank fusion, sum of w / (rrf_k + rank). Ignores score scales entirely.
- ``convex``: each list's scores min-max normalised over its own candidates, then
  w * dense + (1 - w) * lexical; a passage missing from a list gets 0 from it. Keeps how *much*
  better the top candidates are, which rank fusion throws away.
- ``zscore``: as ``convex`` but each list standardised (score - mean) / std over its candidates;
  a passage missing from a list gets that list's lowest standardised score. One outlier at the
  top no longer squeezes the rest of a list towards 0, as it does under min-max.
"""

from __future__ import annotations

Ranked = list[tuple[int, float]]


def _minmax(ranked: Ranked) -> dict[int, float]:
    if not ranked:
        return {}
    scores = [s for _, s in ranked]
    lo, hi = min(scores), max(scores)
    span = hi - lo
    return {r: (s - lo) / span if span > 0 else 1.0 for r, s in ranked}


def _zscore(ranked: Ranked) -> dict[int, float]:
    if not ranked:
        return {}
    scores = [s for _, s in ranked]
    mean = sum(scores) / len(scores)
    std = (sum((s - mean) ** 2 for s in scores) / len(scores)) ** 0.5
    return {r: (s - mean) / std if std > 0 else 0.0 for r, s in ranked}


def rrf(dense: Ranked, lexical: Ranked, weight_dense: float, rrf_k: int) -> dict[int, float]:
    fused: dict[int, float] = {}
    for weight, ranked in ((weight_dense, dense), (1.0 - weight_dense, lexical)):
        for rank, (row, _) in enumerate(ranked, start=1):
            fused[row] = fused.get(row, 0.0) + weight / (rrf_k + rank)
    return fused


def convex(dense: Ranked, lexical: Ranked, weight_dense: float) -> dict[int, float]:
    d, lx = _minmax(dense), _minmax(lexical)
    return {
        row: weight_dense * d.get(row, 0.0) + (1.0 - weight_dense) * lx.get(row, 0.0)
        for row in d.keys() | lx.keys()
    }


def zscore(dense: Ranked, lexical: Ranked, weight_dense: float) -> dict[int, float]:
    d, lx = _zscore(dense), _zscore(lexical)
    d_floor, lx_floor = min(d.values(), default=0.0), min(lx.values(), default=0.0)
    return {
        row: weight_dense * d.get(row, d_floor) + (1.0 - weight_dense) * lx.get(row, lx_floor)
        for row in d.keys() | lx.keys()
    }


def fuse(
    dense: Ranked,
    lexical: Ranked,
    k: int,
    method: str = "convex",
    weight_dense: float = 0.5,
    rrf_k: int = 60,
) -> Ranked:
    if method == "rrf":
        fused = rrf(dense, lexical, weight_dense, rrf_k)
    elif method == "convex":
        fused = convex(dense, lexical, weight_dense)
    elif method == "zscore":
        fused = zscore(dense, lexical, weight_dense)
    else:
        raise ValueError(f"unknown fusion method {method!r}: use rrf, convex or zscore")
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]
